// Quick start: about ten adaptive questions (POST /api/v1/questionnaire/next), the roles after every
// answer, then save, refine with more questions, or open the full list with these answers filled in.

import { api } from "./api.js";
import { $, clearErrors, h, percent, say } from "./dom.js";
import { roleItem } from "./roles.js";
import { LEVELS, draftKey, fail, state } from "./session.js";
import { levelExamples } from "./triage.js";

const FIRST = 10; // questions before the first results
const MORE = 5; // questions a "refine" adds

const fresh = () => ({ user: state.user && state.user.id, answers: {}, asked: 0, goal: FIRST, last: null });
let quick = fresh();
let wired = false;

const form = () => $("#k-form");

function years() {
  const input = $("#k-years");
  if (input.validity.badInput) return null;
  return input.value === "" ? 0 : Number(input.value);
}

async function ask() {
  const value = years();
  if (value === null) {
    fail({ status: 400, errors: [{ field: "years_experience", message: "must be a number" }] }, form());
    return false;
  }
  const body = { answers: quick.answers, years_experience: value };
  $("#k-next").disabled = true;
  try {
    quick.last = (await api("POST", "/api/v1/questionnaire/next", { body })).body;
  } catch (error) {
    fail(error, form());
    return false;
  } finally {
    $("#k-next").disabled = false;
  }
  $("#k-roles").replaceChildren(...quick.last.roles.slice(0, 5).map((fit) => roleItem(fit, null)));
  $("#k-confidence").textContent = quick.asked
    ? `${quick.asked} answered · ${percent(quick.last.confidence)} likely that these are the top three the full list would give.`
    : "Answer the first question to see which roles fit.";
  return true;
}

async function showQuestion() {
  const question = quick.last.question;
  const examples = (await levelExamples())[question.skill] || {};
  const name = `quick-${question.skill}`;
  $("#k-count").textContent = `Question ${quick.asked + 1} of about ${quick.goal}`;
  $("#k-question").replaceChildren(
    h("legend", {}, `How well do you know ${question.name}?`),
    h("p", { class: "muted why" }, question.why),
    h("div", { class: "scale" }, LEVELS.map(([word, meaning], level) => h("div", { class: "level-option" },
      h("label", { class: "level" },
        h("input", { type: "radio", name, value: String(level), "aria-describedby": `k-example-${level}` }),
        h("span", {}, `${level} ${word}`)),
      h("p", { class: "example", id: `k-example-${level}` }, examples[level] || meaning)))));
  $("#k-question").dataset.skill = question.skill;
  form().hidden = false;
  $("#k-done").hidden = true;
}

function showDone() {
  form().hidden = true;
  $("#k-done").hidden = false;
  const more = !quick.last.done;
  $("#k-refine").hidden = !more;
  $("#k-done-text").textContent = more
    ? "Save them, answer a few more questions to be surer, or open the full list to rate every skill."
    : "No question left would change your top roles. Save them, or open the full list to rate every skill.";
  $("#k-done-title").focus();
}

async function next(event) {
  event.preventDefault();
  clearErrors(form());
  const picked = $("#k-question input:checked");
  if (!picked) {
    fail({ status: 400, errors: [{ field: "answers", message: "pick a level (0 none if you have not used it)" }] }, form());
    return;
  }
  quick.answers = { ...quick.answers, [$("#k-question").dataset.skill]: Number(picked.value) };
  quick.asked += 1;
  if (!(await ask())) {
    quick.asked -= 1;
    return;
  }
  if (quick.last.done || quick.asked >= quick.goal) showDone();
  else {
    await showQuestion();
    $("#k-question input").focus();
  }
}

async function refine() {
  quick.goal = quick.asked + MORE;
  await showQuestion();
  $("#k-question input").focus();
}

/** The answers as a profile's skills: the saved ones, with these on top (0 drops a skill). */
function merged() {
  const skills = { ...(state.profile ? state.profile.skills : {}) };
  for (const [skill, level] of Object.entries(quick.answers)) {
    if (level > 0) skills[skill] = level;
    else delete skills[skill];
  }
  return skills;
}

const displayName = () => (state.profile && state.profile.display_name) || state.user.email.split("@")[0];

function openFullList() {
  // the questionnaire restores this as answers not saved yet
  const draft = { display_name: displayName(), years_experience: String(years() ?? 0), skills: merged(), none: [],
    saved_version: state.profile ? state.profile.version : 0, at: Date.now() };
  localStorage.setItem(draftKey(), JSON.stringify(draft));
}

async function save() {
  const box = $("#k-done");
  clearErrors(box);
  const body = { display_name: displayName(), skills: merged(), years_experience: years() ?? 0,
    target_role: state.profile ? state.profile.target_role : null };
  $("#k-save").disabled = true;
  say($("#k-status"), "Saving…");
  try {
    const saved = await api("PUT", "/api/v1/me/profile", { body, headers: state.etag ? { "If-Match": state.etag } : {} });
    state.profile = saved.body;
    state.etag = saved.etag;
    localStorage.removeItem(draftKey());
    quick = fresh();
    say($("#k-status"), "");
    location.hash = "#/results";
  } catch (error) {
    say($("#k-status"), "");
    fail(error, box);
  } finally {
    $("#k-save").disabled = false;
  }
}

/** Start (or carry on with) the quick questions. */
export async function load() {
  if (!wired) {
    wired = true;
    form().addEventListener("submit", next);
    $("#k-refine").addEventListener("click", refine);
    $("#k-save").addEventListener("click", save);
    $("#k-full").addEventListener("click", openFullList);
  }
  clearErrors(form());
  if (quick.user !== state.user.id) quick = fresh(); // someone else signed in
  if (quick.last) return; // carry on where this tab left off
  $("#k-roles").replaceChildren();
  if (await ask()) await showQuestion();
}
