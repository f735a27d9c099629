// Progress: each saved assessment's readiness for the target role, drawn as a line over time.

import { api } from "./api.js";
import { lineChart } from "./charts.js";
import { $, formatDate, h, percent } from "./dom.js";
import { fail } from "./session.js";

const HISTORY = 20;
const fits = new Map(); // (skills, years, role) -> readiness; a saved assessment never changes

async function fitFor(assessment, role) {
  const skills = Object.fromEntries(Object.entries(assessment.skills).sort());
  const key = JSON.stringify([skills, assessment.years_experience, role]);
  if (!fits.has(key)) {
    const body = { skills, years_experience: assessment.years_experience, target_role: role, top: 50 };
    const { body: answer } = await api("POST", "/api/v1/recommendations", { body });
    const fit = answer.roles.find((r) => r.role === role);
    fits.set(key, fit ? Math.max(0, Math.min(1, fit.readiness || 0)) : 0);
  }
  return fits.get(key);
}

let latest = 0;

/** Fill the progress chart and table for `role` (a newer call wins over one still running). */
export async function renderHistory(role) {
  const call = ++latest;
  const summary = $("#r-history-summary");
  summary.textContent = "Loading your saved assessments…";
  try {
    const { body } = await api("GET", `/api/v1/me/assessments?limit=${HISTORY}`);
    const items = body.assessments.slice().reverse(); // oldest first
    const scores = await Promise.all(items.map((a) => fitFor(a, role)));
    if (call !== latest) return;
    const points = items.map((a, i) => ({
      label: new Date(a.created_at).toLocaleDateString(undefined, { month: "short", day: "numeric" }),
      value: scores[i],
      title: `version ${a.version}, ${formatDate(a.created_at)}: ${percent(scores[i])}`,
    }));
    $("#r-history-chart").replaceChildren(lineChart(points, { label: "Readiness for your target role at each saved assessment" }));
    $("#r-history tbody").replaceChildren(...items.slice().reverse().map((a, i) => h("tr", {},
      h("td", {}, formatDate(a.created_at)), h("td", {}, String(a.version)),
      h("td", {}, String(Object.keys(a.skills).length)), h("td", {}, String(a.years_experience)),
      h("td", {}, percent(scores[items.length - 1 - i])))));
    const first = scores[0];
    const last = scores[scores.length - 1];
    summary.textContent = items.length > 1
      ? `Readiness for your target role over your last ${items.length} saved assessments: from ${percent(first)} to ${percent(last)}.`
      : "Save your answers again when your skills change, and your progress shows here.";
  } catch (error) {
    if (call !== latest) return;
    summary.textContent = "";
    fail(error, null, summary);
  }
}
