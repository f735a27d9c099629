// Progress: each saved assessment's readiness for the target role over time, from one request
// (GET /api/v1/me/progress scores them all in one batch on the server).

import { api } from "./api.js";
import { timeChart } from "./charts.js";
import { $, formatDate, h, percent } from "./dom.js";
import { fail } from "./session.js";

const HISTORY = 20;
let latest = 0;

/**
 * Ask for the progress towards `role` (null: the role the recommendations choose). Resolves to
 * {call, body} or {call, error}; never rejects, so it can run beside another request.
 */
export function fetchProgress(role) {
  const call = ++latest;
  const query = role ? `&target_role=${encodeURIComponent(role)}` : "";
  return api("GET", `/api/v1/me/progress?limit=${HISTORY}${query}`).then(
    ({ body }) => ({ call, body }),
    (error) => ({ call, error }),
  );
}

const readiness = (p) => (p.readiness === null ? "—" : percent(p.readiness));

/** Fill the chart, table and summary from a fetched progress (an older call than the latest is dropped). */
export function drawProgress({ call, body, error }) {
  if (call !== latest) return;
  const summary = $("#r-history-summary");
  if (error) {
    summary.textContent = "";
    fail(error, null, summary);
    return;
  }
  const points = body.points;
  const scored = points.filter((p) => p.readiness !== null);
  $("#r-history-chart").replaceChildren(timeChart(scored.map((p) => ({
    at: new Date(p.created_at),
    value: Math.max(0, Math.min(1, p.readiness)),
    title: `version ${p.version}, ${formatDate(p.created_at)}: ${percent(p.readiness)}`,
  })), { label: "Readiness for your target role at each saved assessment, by date" }));
  $("#r-history tbody").replaceChildren(...points.slice().reverse().map((p) => h("tr", {},
    h("td", {}, formatDate(p.created_at)), h("td", {}, String(p.version)),
    h("td", {}, String(p.skills_rated)), h("td", {}, String(p.years_experience)), h("td", {}, readiness(p)))));
  summary.textContent = scored.length > 1
    ? `Readiness for your target role over your last ${points.length} saved assessments: from ${percent(scored[0].readiness)} to ${percent(scored[scored.length - 1].readiness)}.`
    : "Save your answers again when your skills change, and your progress shows here.";
}

/** Fetch and draw the progress for `role` (a newer call wins over one still running). */
export async function renderHistory(role) {
  drawProgress(await fetchProgress(role));
}
