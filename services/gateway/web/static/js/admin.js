// Admin: trigger a job-market refresh and watch it live, list runs and data versions, switch the live one.

import { api } from "./api.js";
import { labelCells } from "./cards.js";
import { confirmAction } from "./confirm.js";
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

const SYNTHETIC = "SYNTHETIC: test data";

function versionRow(v, i, all) {
  const live = all.find((other) => other.current);
  const action = v.current
    ? h("span", { class: "badge" }, "in use")
    : h("button", { type: "button", class: "secondary", "data-version": v.version, onclick: (event) => use(v, live, event.currentTarget) },
      h("span", {}, "Use this version"), h("span", { class: "visually-hidden" }, ` ${v.version}`));
  return h("tr", { "data-version": v.version, "data-synthetic": v.synthetic ? "true" : null },
    h("td", {}, h("span", { class: "version-id" }, v.version), v.synthetic ? h("span", { class: "badge warn" }, SYNTHETIC) : null),
    h("td", {}, v.as_of), h("td", {}, v.source),
    h("td", {}, v.published_at ? formatDate(v.published_at) : ""), h("td", { class: "act" }, action));
}

async function loadRuns() {
  const { body } = await api("GET", "/api/v1/admin/market/runs?limit=10");
  fillRows($("#runs tbody"), body.items, runRow, "No refresh has run yet.");
  labelCells($("#runs"));
  return body.items;
}

async function loadVersions() {
  const { body } = await api("GET", "/api/v1/admin/market/versions");
  fillRows($("#versions tbody"), body.versions, versionRow, "No market data is published.");
  labelCells($("#versions"));
  return body;
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
    succeeded: `Succeeded: ${run.records_accepted} records accepted, ${run.records_rejected} rejected; published version ${run.version}.`,
    failed: `Failed: ${run.error || "see the run for details"}.`,
  }[run.status];
  const samples = run.rejected_samples.slice(0, 5).map((r) => h("li", {}, `line ${r.line}, ${r.field}: ${r.reason}`));
  live.replaceChildren(
    h("p", {}, h("strong", { class: `status ${run.status}`, id: "refresh-status" }, run.status), ` ${words}`),
    progress,
    ...(samples.length ? [h("p", {}, "Examples of rejected records:"), h("ul", { class: "samples" }, samples)] : []));
  live.hidden = false;
}

/** Say whether the version a refresh published is live: synthetic data is only kept until an admin uses it. */
function showLive(run, versions) {
  const current = versions.current;
  const published = versions.versions.find((v) => v.version === run.version);
  const words = current === run.version
    ? `Version ${run.version} is live now.`
    : published && published.synthetic
      ? `Version ${run.version} is synthetic test data, so it was kept but not made live: still serving ${current}. To use it anyway, choose Use this version below.`
      : `Still serving ${current}.`;
  $("#refresh-live").append(h("p", { id: "refresh-outcome" }, words));
}

async function watch(runId) {
  watching = runId;
  let run;
  while (watching === runId) {
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
  try {
    const [, versions] = await Promise.all([loadRuns(), loadVersions()]);
    if (run && run.status === "succeeded" && run.version) showLive(run, versions);
  } catch (error) {
    fail(error, $("#refresh-form"));
  }
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

const describe = (v) => `${v.version} (figures as of ${v.as_of})`;

/** Make a kept version the live one (older or newer), after the admin confirmed what changes. */
async function use(version, live, button) {
  const status = $("#versions-status");
  const what = [
    live
      ? `Recommendations and market figures switch at once from the live version ${describe(live)} to ${describe(version)}.`
      : `Recommendations and market figures switch at once to ${describe(version)}.`,
    "Answers that pin a version (Careerpath-Market-Version) keep theirs. You can switch back at any time.",
  ];
  if (version.synthetic) {
    what.unshift(h("p", { class: "notice" }, h("span", { class: "badge warn" }, SYNTHETIC),
      " Generated test data, not market truth: users and partners would see made-up pay, openings and demand."));
  }
  const sure = await confirmAction({
    title: `Use market data version ${version.version}?`,
    what,
    action: "Use this version",
    tick: version.synthetic
      ? { label: `I understand ${version.version} is synthetic test data and want to make it live`,
        missing: "Tick the box to make synthetic test data live, or cancel." }
      : null,
    opener: button,
  });
  if (!sure) return;
  say(status, `Switching to ${version.version}…`);
  try {
    // the API needs the confirmation too: the version's id (and, for test data, that it was ticked), and
    // the live version the dialog named, so a switch decided on a stale list is refused (409)
    const body = { version: version.version, confirm: version.version, ...(version.synthetic ? { confirm_synthetic: true } : {}),
      ...(live ? { expected_live: live.version } : {}) };
    const { body: now } = await api("POST", "/api/v1/admin/market/rollback", { body });
    say(status, `Now serving market data version ${now.current}.`, "ok");
    await loadVersions();
  } catch (error) {
    if (error.status === 409) {
      say(status, `The live version changed since this list was shown: ${error.detail}. The list below is as it is now.`, "error");
      await loadVersions().catch(() => {});
    } else {
      fail(error, null, status);
    }
  }
  status.tabIndex = -1;
  status.focus(); // the row's button is gone (or the list changed): say what happened where focus lands
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
