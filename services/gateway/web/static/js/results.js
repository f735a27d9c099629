// Results: roles ranked with fit bars and reasons, the target role, the learning plan, demand and credits.

import { api } from "./api.js";
import { barChart } from "./charts.js";
import { $, h, percent, say } from "./dom.js";
import { renderHistory } from "./history.js";
import { LEVELS, fail, loadProfile, state } from "./session.js";

let wired = false;

const level = (n) => `${n} ${LEVELS[n] ? LEVELS[n][0] : ""}`.trim();

function skillList(title, gaps, kind) {
  if (!gaps.length) return null;
  return h("div", { class: `reasons ${kind}` },
    h("h4", {}, title),
    h("ul", {}, gaps.map((g) => h("li", {},
      `${g.name}: you ${level(g.level)}`, g.required_level ? `, role needs ${level(g.required_level)}` : ""))));
}

function roleItem(fit, target) {
  const bar = h("span", { class: "fill" });
  bar.style.width = percent(fit.score);
  const isTarget = fit.role === target;
  return h("li", { class: isTarget ? "role target" : "role", "data-role": fit.role },
    h("div", { class: "role-head" },
      h("span", { class: "role-name" }, fit.name, isTarget ? h("span", { class: "badge" }, "target") : null),
      h("span", { class: "score" }, percent(fit.score))),
    h("div", { class: "bar", role: "meter", "aria-label": `fit for ${fit.name}`, "aria-valuemin": "0",
      "aria-valuemax": "100", "aria-valuenow": String(Math.round(fit.score * 100)) }, bar),
    h("details", {},
      h("summary", {}, `Why: ${fit.matched.length} skills match, ${fit.missing.length} to grow`),
      skillList("Skills that match", fit.matched, "matched"),
      skillList("Skills missing or below the level needed", fit.missing, "missing")));
}

function stepItem(step, names) {
  const after = step.prerequisites.map((id) => names.get(id) || id);
  return h("li", { class: "step", "data-skill": step.skill },
    h("h3", {}, `${step.name}: from ${level(step.from_level)} to ${level(step.to_level)}`),
    h("p", { class: "meta" }, `About ${step.effort_hours} hours`, ` · market demand ${percent(step.demand)}`,
      after.length ? ` · after ${after.join(", ")}` : ""),
    h("p", { class: "why" }, step.why),
    h("p", {}, "Resource: ", h("a", { href: step.resource, target: "_blank", rel: "noopener noreferrer" }, step.resource)));
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

function render(data) {
  const names = new Map(state.skills.map((s) => [s.id, s.name]));
  const select = $("#r-target");
  const byName = [...state.roles].sort((a, b) => a.name.localeCompare(b.name));
  select.replaceChildren(...byName.map((r) => h("option", { value: r.id, selected: r.id === data.target_role }, r.name)));
  select.value = data.target_role;
  $("#r-roles").replaceChildren(...data.roles.map((fit) => roleItem(fit, data.target_role)));
  const steps = data.learning_steps;
  const hours = steps.reduce((sum, s) => sum + s.effort_hours, 0);
  const targetName = (state.roles.find((r) => r.id === data.target_role) || { name: data.target_role }).name;
  $("#r-plan-summary").textContent = steps.length
    ? `${steps.length} steps towards ${targetName}, about ${hours} hours in all. Do them in this order: each comes after what it builds on.`
    : `You already meet every skill level ${targetName} asks for.`;
  $("#r-plan").replaceChildren(...steps.map((s) => stepItem(s, names)));
  const demand = [...steps].sort((a, b) => b.demand - a.demand).map((s) => ({ label: s.name, value: s.demand }));
  $("#r-demand").replaceChildren(demand.length
    ? barChart(demand, { label: `Share of job postings asking for each skill you are missing for ${targetName}` })
    : h("p", {}, "Nothing is missing for this role."));
  $("#r-credits").replaceChildren(...credits(data).filter(Boolean));
}

async function recommend(target) {
  const query = target ? `?target_role=${encodeURIComponent(target)}` : "";
  const { body } = await api("GET", `/api/v1/me/recommendations${query}`);
  render(body);
  $("#r-body").hidden = false;
  say($("#r-error"), "");
  renderHistory(body.target_role);
  return body;
}

async function changeTarget() {
  const select = $("#r-target");
  const status = $("#r-target-status");
  const target = select.value;
  select.disabled = true;
  say(status, "Updating your plan…");
  try {
    const p = state.profile;
    const body = { display_name: p.display_name, skills: p.skills, years_experience: p.years_experience, target_role: target };
    const saved = await api("PUT", "/api/v1/me/profile", { body, headers: { "If-Match": state.etag } });
    state.profile = saved.body;
    state.etag = saved.etag;
    await recommend(target);
    say(status, "Target role saved.", "ok");
  } catch (error) {
    say(status, "");
    if (error.status === 412) {
      await loadProfile().catch(() => {});
      error.errors = [{ field: "target_role", message: "your profile changed elsewhere; reloaded it, pick the target again" }];
    }
    fail(error, select.closest(".card"));
  } finally {
    select.disabled = false;
  }
}

/** Show the results for the saved profile (sends to the questionnaire when there is none yet). */
export async function load() {
  if (!wired) {
    $("#r-target").addEventListener("change", changeTarget);
    wired = true;
  }
  say($("#r-error"), "");
  try {
    if (!(await loadProfile())) {
      location.hash = "#/questionnaire";
      return;
    }
    await recommend(state.profile.target_role);
  } catch (error) {
    $("#r-body").hidden = true;
    fail(error, null, $("#r-error"));
  }
}
