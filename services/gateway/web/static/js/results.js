// Results: roles by match with readiness and market figures, the learning plan for a target role (switching
// it only asks for another plan: nothing is saved), demand, and where the figures come from.

import { api } from "./api.js";
import { barChart, seriesChart } from "./charts.js";
import { $, h, percent, say } from "./dom.js";
import { drawProgress, fetchProgress, renderHistory } from "./history.js";
import { legend, roleItem } from "./roles.js";
import { LEVELS, fail, loadProfile, state } from "./session.js";

let wired = false;

const level = (n) => `${n} ${LEVELS[n] ? LEVELS[n][0] : ""}`.trim();
const roleName = (id) => (state.roles.find((r) => r.id === id) || { name: id }).name;
// The target picked in this tab (kept over a reload, never saved into the profile).
const choiceKey = () => `careerpath:target:${state.user ? state.user.id : "-"}`;

/** "+12 points of readiness" (a step with no gain to show says nothing about it). */
function gain(step) {
  const points = (step.readiness_gain || 0) * 100;
  if (points <= 0) return "";
  const shown = points >= 1 ? Math.round(points) : Math.max(0.1, Number(points.toFixed(1)));
  return ` · +${shown} ${shown === 1 ? "point" : "points"} of readiness`;
}

function stepItem(step, names) {
  const after = step.prerequisites.map((id) => names.get(id) || id);
  return h("li", { class: "step", "data-skill": step.skill },
    h("h3", {}, `${step.name}: from ${level(step.from_level)} to ${level(step.to_level)}`),
    h("p", { class: "meta" }, `About ${step.effort_hours} hours`, gain(step), ` · market demand ${percent(step.demand)}`,
      after.length ? ` · after ${after.join(", ")}` : ""),
    h("p", { class: "why" }, step.why),
    h("p", {}, "Resource: ", h("a", { href: step.resource, target: "_blank", rel: "noopener noreferrer" }, step.resource)));
}

function monthsOld(market) {
  const days = market.age_days ?? (Date.now() - Date.parse(market.as_of)) / 86_400_000;
  return Math.max(0, Math.floor(days / 30.44));
}

function notices(data) {
  const hint = $("#r-hint");
  hint.hidden = data.confident !== false;
  $("#r-hint-text").textContent = data.hint || "Rate more of the skills you have to see which roles really fit.";
  $("#roles-title").textContent = data.confident === false ? "Roles by match (tentative: too few skills rated)" : "Roles by match";
  const outdated = $("#r-outdated");
  outdated.hidden = !data.market.outdated;
  outdated.textContent = data.market.outdated
    ? `Market figures are from ${data.market.as_of} (${monthsOld(data.market)} months old): pay, openings, growth and demand may have moved since.`
    : "";
}

function credits(data) {
  const m = data.market;
  return [
    h("p", {}, `Market figures as of ${m.as_of} from ${m.source} (data version ${m.version}).`,
      m.stale ? h("strong", {}, " These figures are an older copy: the market data store is unavailable.") : null),
    h("p", { class: "muted" }, `Model ${data.model_version}.`),
    data.attribution.length ? h("ul", { class: "attribution" }, data.attribution.map((a) => h("li", {}, a))) : null,
  ];
}

function plan(data) {
  const names = new Map(state.skills.map((s) => [s.id, s.name]));
  const target = roleName(data.target_role);
  const steps = data.learning_steps;
  const hours = steps.reduce((sum, s) => sum + s.effort_hours, 0);
  $("#plan-title").textContent = `Learning plan for ${target}`;
  $("#r-plan-summary").textContent = steps.length
    ? `${steps.length} steps towards ${target}, about ${hours} hours in all. Do them in this order: each comes after what it builds on.`
    : `You already meet every skill level ${target} asks for.`;
  const meaning = (data.meanings || {}).readiness_gain;
  $("#r-gain-meaning").textContent = meaning ? `+N points of readiness: ${meaning}` : "";
  $("#r-plan").replaceChildren(...steps.map((s) => stepItem(s, names)));
  const stretch = (data.stretch_roles || []).filter((id) => id !== data.target_role);
  $("#r-stretch").hidden = !stretch.length;
  $("#r-stretch-buttons").replaceChildren(...stretch.map((id) =>
    h("button", { type: "button", class: "secondary", "data-role": id, onclick: () => changeTarget(id) }, roleName(id))));
  const select = $("#r-target");
  const byName = [...state.roles].sort((a, b) => a.name.localeCompare(b.name));
  select.replaceChildren(...byName.map((r) => h("option", { value: r.id, selected: r.id === data.target_role }, r.name)));
  select.value = data.target_role;
  const demand = [...steps].sort((a, b) => b.demand - a.demand).map((s) => ({ label: s.name, value: s.demand }));
  $("#r-demand").replaceChildren(demand.length
    ? barChart(demand, { label: `Share of job postings asking for each skill you are missing for ${target}` })
    : h("p", {}, "Nothing is missing for this role."));
}

const monthName = (month) => {
  const [year, number] = month.split("-").map(Number);
  return new Date(year, number - 1, 1).toLocaleDateString(undefined, { month: "long", year: "numeric" });
};

/**
 * Demand month by month for the plan's skills (the four most asked for), from GET /api/v1/market/series
 * asked beside the recommendations; hidden when the market data has fewer than two months (no dates, as
 * the bundled snapshot) or the series could not be read. A table under the chart has the same figures.
 */
function trend(data, answer) {
  const box = $("#r-trend");
  const series = answer && answer.body;
  const steps = [...data.learning_steps].sort((a, b) => b.demand - a.demand).slice(0, 4);
  if (!series || series.months.length < 2 || !steps.length) {
    box.hidden = true;
    return;
  }
  const none = series.months.map((_, i) => (series.postings[i] ? 0 : null));
  const lines = steps.map((step) => ({
    id: step.skill,
    label: step.name,
    values: (series.skills[step.skill] || { demand: none }).demand,
  }));
  const span = `${monthName(series.months[0])} to ${monthName(series.months[series.months.length - 1])}`;
  $("#r-trend-summary").textContent = `Share of each month's job postings asking for the skill, ${span}`
    + (series.undated ? ` (${series.undated.toLocaleString()} postings without a date are not in any month).` : ".");
  $("#r-trend-chart").replaceChildren(seriesChart(lines, series.months, { label: `Demand month by month for ${lines.map((l) => l.label).join(", ")}` }));
  $("#r-trend-table thead").replaceChildren(h("tr", {}, h("th", { scope: "col" }, "Month"),
    ...lines.map((l) => h("th", { scope: "col" }, l.label)), h("th", { scope: "col" }, "Postings")));
  $("#r-trend-table tbody").replaceChildren(...series.months.map((month, i) => h("tr", {},
    h("th", { scope: "row" }, monthName(month)),
    ...lines.map((l) => h("td", {}, l.values[i] === null ? "–" : percent(l.values[i]))),
    h("td", {}, series.postings[i].toLocaleString()))));
  box.hidden = false;
}

function render(data) {
  notices(data);
  $("#r-legend").replaceChildren(...legend(data.meanings || {}));
  $("#r-roles").replaceChildren(...data.roles.map((fit) => roleItem(fit, data.target_role)));
  plan(data);
  $("#r-credits").replaceChildren(...credits(data).filter(Boolean));
}

/**
 * Ask for the recommendations and the progress towards the same target at once, and show both together
 * (nothing drawn later pushes what is already on screen). Without a target the server picks the same
 * role for both; should they ever differ, the progress is asked again for the plan's role.
 */
async function recommend(target) {
  const query = target ? `?target_role=${encodeURIComponent(target)}` : "";
  const progress = fetchProgress(target);
  const series = api("GET", "/api/v1/market/series").catch(() => null); // all skills: no second round trip
  const { body } = await api("GET", `/api/v1/me/recommendations${query}`);
  const history = await progress;
  render(body);
  trend(body, await series);
  $("#r-loading").hidden = true;
  if (history.body && history.body.target_role !== body.target_role) await renderHistory(body.target_role);
  else drawProgress(history);
  $("#r-body").hidden = false;
  say($("#r-error"), "");
  return body;
}

let changing = false; // one plan asked for at a time

/**
 * Show the plan for another role: asks for recommendations with that target, saves nothing. Only a button
 * does this ("Show the plan", a role within reach), never picking in the list: arrow keys move through a
 * closed <select> and would ask once per role passed (WCAG 3.2.2). Nothing is disabled meanwhile (a
 * disabled control loses focus); focus that was on a button the new plan replaced goes to the list.
 */
async function changeTarget(target) {
  if (changing) return;
  changing = true;
  const select = $("#r-target");
  const status = $("#r-target-status");
  say(status, "Updating your plan…");
  try {
    await recommend(target);
    sessionStorage.setItem(choiceKey(), target);
    say(status, `Showing the plan for ${roleName(target)}.`, "ok");
  } catch (error) {
    say(status, "");
    fail(error, select.closest(".card"));
  } finally {
    changing = false;
    if (!document.activeElement || document.activeElement === document.body) select.focus();
  }
}

/** Show the results for the saved profile (sends to the questionnaire when there is none yet). */
export async function load() {
  if (!wired) {
    $("#r-target-show").addEventListener("click", () => changeTarget($("#r-target").value));
    wired = true;
  }
  say($("#r-error"), "");
  say($("#r-target-status"), "");
  $("#r-body").hidden = true; // shown whole once its answers are in: nothing moves while they arrive
  $("#r-loading").hidden = false;
  try {
    if (!state.profile && !(await loadProfile())) { // signing in or loading the page has read it
      location.hash = "#/questionnaire";
      return;
    }
    const picked = sessionStorage.getItem(choiceKey());
    await recommend(state.roles.some((r) => r.id === picked) ? picked : state.profile.target_role);
  } catch (error) {
    $("#r-body").hidden = true;
    $("#r-loading").hidden = true;
    fail(error, null, $("#r-error"));
  }
}
