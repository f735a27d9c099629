// Admin: trigger a job-market refresh and watch it live, list runs and data versions, roll back.

import { api } from "./api.js";
import { $, clearErrors, fillRows, formatDate, h, say } from "./dom.js";
import { loadKeys, wireKeys } from "./keys.js";
import { fail } from "./session.js";

const POLL_MS = 700;
const ACTIVE = new Set(["queued", "running"]);
let wired = false;
let watching = null;

function runRow(run) {
  const took = run.duration_ms == null ? "" : `${(run.duration_ms / 1000).toFixed(1)} s`;
  return h("tr", { "data-run": run.id, "data-status": run.status },
    h("td", {}, formatDate(run.created_at)),
    h("td", {}, h("span", { class: `status ${run.status}` }, run.status), run.error ? h("div", { class: "field-error" }, run.error) : null),
    h("td", {}, run.source), h("td", {}, run.requested_by),
    h("td", {}, `${run.records_accepted} / ${run.records_rejected}`),
    h("td", {}, run.version || ""), h("td", {}, took));
}

function versionRow(v) {
  const action = v.current
    ? h("span", { class: "badge" }, "in use")
    : h("button", { type: "button", class: "secondary", "data-version": v.version, onclick: () => rollback(v.version) },
      h("span", {}, "Roll back to this"), h("span", { class: "visually-hidden" }, ` version ${v.version}`));
  return h("tr", { "data-version": v.version },
    h("td", {}, v.version), h("td", {}, v.as_of), h("td", {}, v.source),
    h("td", {}, v.published_at ? formatDate(v.published_at) : ""), h("td", {}, action));
}

async function loadRuns() {
  const { body } = await api("GET", "/api/v1/admin/market/runs?limit=10");
  fillRows($("#runs tbody"), body.items, runRow, "No refresh has run yet.");
  return body.items;
}

async function loadVersions() {
  const { body } = await api("GET", "/api/v1/admin/market/versions");
  fillRows($("#versions tbody"), body.versions, versionRow, "No market data is published.");
}

function showRun(run) {
  const live = $("#refresh-live");
  const done = !ACTIVE.has(run.status);
  const progress = done
    ? h("progress", { max: "1", value: "1" })
    : h("progress", { "aria-label": "refresh progress" }); // indeterminate while it runs
  const words = {
    queued: "Waiting for a worker to pick it up…",
    running: `Running${run.phase ? ` (${run.phase})` : ""}: ${run.records_read} records read so far…`,
    succeeded: `Succeeded: ${run.records_accepted} records accepted, ${run.records_rejected} rejected; serving version ${run.version}.`,
    failed: `Failed: ${run.error || "see the run for details"}.`,
  }[run.status];
  const samples = run.rejected_samples.slice(0, 5).map((r) => h("li", {}, `line ${r.line}, ${r.field}: ${r.reason}`));
  live.replaceChildren(
    h("p", {}, h("strong", { class: `status ${run.status}`, id: "refresh-status" }, run.status), ` ${words}`),
    progress,
    ...(samples.length ? [h("p", {}, "Examples of rejected records:"), h("ul", { class: "samples" }, samples)] : []));
  live.hidden = false;
}

async function watch(runId) {
  watching = runId;
  while (watching === runId) {
    let run;
    try {
      ({ body: run } = await api("GET", `/api/v1/admin/market/runs/${runId}`));
    } catch (error) {
      fail(error, $("#refresh-form"));
      watching = null;
      return;
    }
    showRun(run);
    if (!ACTIVE.has(run.status)) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  watching = null;
  $("#refresh-button").disabled = false;
  await Promise.all([loadRuns(), loadVersions()]).catch((error) => fail(error, $("#refresh-form")));
}

async function refresh(event) {
  event.preventDefault();
  const form = $("#refresh-form");
  clearErrors(form);
  const source = $("#refresh-source").value.trim();
  $("#refresh-button").disabled = true;
  try {
    const { body: run } = await api("POST", "/api/v1/admin/market/refresh", { body: source ? { source } : {} });
    showRun(run);
    loadRuns().catch(() => {});
    await watch(run.id);
  } catch (error) {
    fail(error, form);
  } finally {
    if (!watching) $("#refresh-button").disabled = false;
  }
}

async function rollback(version) {
  const status = $("#versions-status");
  say(status, `Rolling back to ${version}…`);
  try {
    const { body } = await api("POST", "/api/v1/admin/market/rollback", { body: { version } });
    say(status, `Now serving market data version ${body.current}.`, "ok");
    await loadVersions();
  } catch (error) {
    fail(error, null, status);
  }
}

/** Show the admin area: runs (watching one still active), versions and partner keys. */
export async function load() {
  if (!wired) {
    $("#refresh-form").addEventListener("submit", refresh);
    wireKeys();
    wired = true;
  }
  try {
    const [runs] = await Promise.all([loadRuns(), loadVersions(), loadKeys()]);
    const active = runs.find((r) => ACTIVE.has(r.status));
    if (active && !watching) {
      $("#refresh-button").disabled = true;
      watch(active.id);
    }
  } catch (error) {
    fail(error, $("#refresh-form"));
  }
}
