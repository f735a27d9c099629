// The skills questionnaire: skills grouped by category, each rated 0-4 in words; saved with the ETag.

import { api } from "./api.js";
import { $, $$, clearErrors, formatDate, h, say } from "./dom.js";
import { LEVELS, draftKey, fail, loadProfile, state } from "./session.js";

const CATEGORY_NAMES = {
  languages: "Languages",
  databases: "Databases",
  apis: "APIs",
  "servers-hosting": "Servers and hosting",
  architecture: "Architecture",
  security: "Security",
  data: "Data",
  practice: "Practice",
};

const form = () => $("#q-form");

function skillGroup(skill, names) {
  const name = `skill-${skill.id}`;
  const prereq = skill.prerequisites.map((id) => names.get(id) || id);
  return h("fieldset", { class: "skill", id: `skill-${skill.id}`, "data-skill": skill.id },
    h("legend", {}, skill.name, prereq.length ? h("span", { class: "hint" }, ` (builds on ${prereq.join(", ")})`) : null),
    h("div", { class: "scale" },
      LEVELS.map(([word], level) => h("label", { class: "level", title: LEVELS[level][1] },
        h("input", { type: "radio", name, value: String(level), checked: level === 0 }),
        h("span", {}, `${level} ${word}`)))),
    h("p", { class: "field-error", "data-error-for": `skills.${skill.id}`, hidden: true }));
}

function renderOnce() {
  const box = $("#q-skills");
  if (box.childElementCount) return;
  $("#scale-list").replaceChildren(...LEVELS.flatMap(([word, meaning], level) => [
    h("dt", {}, `${level} ${word}`), h("dd", {}, meaning)]));
  const names = new Map(state.skills.map((s) => [s.id, s.name]));
  const byCategory = new Map();
  for (const skill of state.skills) {
    if (!byCategory.has(skill.category)) byCategory.set(skill.category, []);
    byCategory.get(skill.category).push(skill);
  }
  for (const [category, skills] of byCategory) {
    box.append(h("fieldset", { class: "category card", id: `category-${category}` },
      h("legend", {}, CATEGORY_NAMES[category] || category),
      skills.map((skill) => skillGroup(skill, names))));
  }
  form().addEventListener("change", saveDraft);
  form().addEventListener("input", saveDraft);
  form().addEventListener("submit", save);
}

function read() {
  const skills = {};
  for (const input of $$("input[type=radio]:checked", form())) {
    const level = Number(input.value);
    if (level > 0) skills[input.name.slice("skill-".length)] = level;
  }
  return { display_name: $("#q-name").value.trim(), years: $("#q-years"), skills };
}

function fill({ display_name: name, years_experience: years, skills }) {
  $("#q-name").value = name || "";
  $("#q-years").value = String(years ?? 0);
  for (const group of $$("fieldset.skill", form())) {
    const level = String(skills[group.dataset.skill] || 0);
    for (const input of $$("input", group)) input.checked = input.value === level;
  }
}

function saveDraft() {
  const { display_name, years, skills } = read();
  const draft = { display_name, years_experience: years.value, skills, saved_version: state.profile ? state.profile.version : 0, at: Date.now() };
  localStorage.setItem(draftKey(), JSON.stringify(draft));
}

function restoreDraft() {
  let draft = null;
  try {
    draft = JSON.parse(localStorage.getItem(draftKey()) || "null");
  } catch {
    draft = null;
  }
  if (!draft || !draft.skills) return null;
  fill(draft);
  return draft;
}

/** Show the questionnaire with the saved answers, or the unsaved ones from last time. */
export async function load() {
  renderOnce();
  clearErrors(form());
  say($("#q-status"), "");
  try {
    await loadProfile();
  } catch (error) {
    fail(error, form());
    return;
  }
  const resume = $("#q-resume");
  if (state.profile) fill(state.profile);
  else fill({ display_name: state.user.email.split("@")[0], years_experience: 0, skills: {} });
  const draft = restoreDraft();
  if (draft) {
    const current = state.profile ? state.profile.version : 0;
    const changed = draft.saved_version !== current ? " Your saved profile changed since then (another tab?): check them." : "";
    resume.textContent = `We restored the answers you had not saved yet (${formatDate(draft.at)}).${changed} Save them to update your results.`;
  } else if (state.profile) {
    resume.textContent = `Your answers as saved on ${formatDate(state.profile.updated_at)} (version ${state.profile.version}).`;
  } else {
    resume.textContent = "Rate each skill you know; leave the rest at 0 none. You can come back and change it any time.";
  }
  resume.hidden = false;
}

async function save(event) {
  event.preventDefault();
  clearErrors(form());
  const { display_name, years, skills } = read();
  if (years.validity.badInput) {
    fail({ status: 400, errors: [{ field: "years_experience", message: "must be a number" }] }, form());
    return;
  }
  const body = { display_name, skills, years_experience: years.value === "" ? 0 : Number(years.value),
    target_role: state.profile ? state.profile.target_role : null };
  const button = $("#q-save");
  button.disabled = true;
  say($("#q-status"), "Saving…");
  try {
    const headers = state.etag ? { "If-Match": state.etag } : {};
    const saved = await api("PUT", "/api/v1/me/profile", { body, headers });
    state.profile = saved.body;
    state.etag = saved.etag;
    localStorage.removeItem(draftKey());
    say($("#q-status"), `Saved (version ${saved.body.version}).`, "ok");
    location.hash = "#/results";
  } catch (error) {
    say($("#q-status"), "");
    if (error.status === 412 || error.status === 428) {
      error.errors = [];
      error.detail = "Your profile was changed elsewhere (another tab?) since this page loaded. Your answers here are kept as a draft: reload the page to see the latest, then save again.";
    }
    fail(error, form());
  } finally {
    button.disabled = false;
  }
}
