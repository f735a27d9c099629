// Quick start: about ten adaptive questions (POST /api/v1/questionnaire/next), the roles after every
// answer, then save, refine with more questions, or open the full list with these answers filled in.
// First "which of these have you used?" per category (`next_category`: ticks go under `used`, the rest
// as 0), then a ticked skill's level (`next_level`) or an unanswered skill's (`next_skill`).
// A visitor without an account gets the same questions and roles (no call needs a session); "Save my
// results" then asks them to create an account (or sign in) and saves the answers into it.

import { api } from "./api.js";
import { $, $$, clearErrors, h, percent, say } from "./dom.js";
import { roleItem } from "./roles.js";
import { LEVELS, draftKey, fail, state } from "./session.js";
import { levelExamples } from "./triage.js";
import * as check from "./validate.js";

const FIRST = 10; // questions before the first results
const MORE = 5; // questions a "refine" adds

const who = () => (state.user ? state.user.id : null); // null: a visitor without an account
const fresh = () => ({ user: who(), answers: {}, used: {}, asked: 0, goal: FIRST, last: null, pending: false, error: null });
let quick = fresh();
let wired = false;

const form = () => $("#k-form");

function years() {
  const input = $("#k-years");
  if (input.validity.badInput) return null;
  return input.value === "" ? 0 : Number(input.value);
}

async function ask() {
  const problem = check.years($("#k-years")); // as the server checks it, before the request
  if (problem) {
    fail({ status: 400, errors: [{ field: "years_experience", message: problem }] }, form());
    return false;
  }
  const value = years();
  const body = { answers: quick.answers, used: Object.keys(quick.used), years_experience: value };
  $("#k-next").disabled = true;
  try {
    quick.last = (await api("POST", "/api/v1/questionnaire/next", { body })).body;
  } catch (error) {
    fail(error, form());
    return false;
  } finally {
    $("#k-next").disabled = false;
  }
  // the roles in the order the full list is predicted to give (their match counts only the answers so
  // far); each says how likely it is in the full list's top three, in the small type of the market line
  const predicted = new Map((quick.last.predicted || []).map((p) => [p.role, p]));
  $("#k-roles").replaceChildren(...quick.last.roles.slice(0, 5).map((fit) => {
    const item = roleItem(fit, null);
    const p = predicted.get(fit.role);
    if (p) item.querySelector(".role-head").after(h("p", { class: "market predicted" },
      `${percent(p.top3_chance)} likely in your top three after the full list`));
    return item;
  }));
  $("#k-confidence").textContent = quick.asked
    ? `${quick.asked} answered · ${percent(quick.last.confidence)} likely that these are the top three the full list would give.`
    : "Answer the first question to see which roles fit.";
  return true;
}

// "Which of these … have you used?" per category
const QUESTION_WORDS = { languages: "languages", databases: "databases", apis: "API technologies",
  "servers-hosting": "server and hosting tools", architecture: "architecture practices",
  security: "security practices", data: "data tools", practice: "engineering practices" };

const skillName = (id) => (state.skills.find((s) => s.id === id) || { name: id }).name;

/** Whether a question is left: a category to tick, a ticked skill's level, or an unanswered skill. */
const more = () => Boolean(quick.last.next_category || quick.last.next_level || !quick.last.done);

function showCategory(question) {
  const words = QUESTION_WORDS[question.category] || question.category;
  const box = $("#k-question");
  box.replaceChildren(
    h("legend", {}, `Which of these ${words} have you used?`),
    h("p", { class: "muted why" }, question.why),
    h("div", { class: "chips" },
      question.skills.map((id) => h("label", { class: "chip" },
        h("input", { type: "checkbox", "data-tick": id }), h("span", {}, skillName(id)))),
      h("label", { class: "chip none" },
        h("input", { type: "checkbox", "data-tick-none": question.category }), h("span", {}, "None of these"))));
  box.dataset.kind = "category";
  box.dataset.question = `category:${question.category}`;
  box.dataset.skills = question.skills.join(" ");
  delete box.dataset.skill;
}

async function showLevel(skill, why) {
  const examples = (await levelExamples())[skill] || {};
  const name = `quick-${skill}`;
  const box = $("#k-question");
  box.replaceChildren(
    h("legend", {}, `How well do you know ${skillName(skill)}?`),
    h("p", { class: "muted why" }, why),
    h("div", { class: "scale" }, LEVELS.map(([word, meaning], level) => h("div", { class: "level-option" },
      h("label", { class: "level" },
        h("input", { type: "radio", name, value: String(level), "aria-describedby": `k-example-${level}` }),
        h("span", {}, `${level} ${word}`)),
      h("p", { class: "example", id: `k-example-${level}` }, examples[level] || meaning)))));
  box.dataset.kind = "level";
  box.dataset.question = `level:${skill}`;
  box.dataset.skill = skill;
}

async function showQuestion() {
  const last = quick.last;
  $("#k-count").textContent = `Question ${quick.asked + 1} of about ${quick.goal}`;
  if (last.next_category) showCategory(last.next_category);
  else if (last.next_level) {
    await showLevel(last.next_level, `You ticked ${skillName(last.next_level)}; it counts as ${last.assumed_level} ${LEVELS[last.assumed_level][0]} (usual for your years) until you say, and your level of it decides between the roles on top.`);
  } else await showLevel(last.question.skill, last.question.why);
  form().hidden = false;
  $("#k-done").hidden = true;
}

function showDone() {
  form().hidden = true;
  $("#k-done").hidden = false;
  const left = more();
  const visitor = !state.user;
  $("#k-refine").hidden = !left;
  $("#k-full").hidden = visitor; // the full list is kept in an account
  $("#k-done-text").textContent = visitor
    ? `${left ? "" : "No question left would change your top roles. "}Save them (you create an account: email and password, and your answers go into it)${left ? ", or answer a few more questions to be surer" : ""}.`
    : left
      ? "Save them, answer a few more questions to be surer, or open the full list to rate every skill."
      : "No question left would change your top roles. Save them, or open the full list to rate every skill.";
  $("#k-done-title").focus();
}

/** The answer on screen into the answers (undone if the request fails); false with the reason shown if
 * nothing is picked. */
function take() {
  const box = $("#k-question");
  if (box.dataset.kind === "category") {
    const ticked = $$("input[data-tick]:checked", box).map((input) => input.dataset.tick);
    if (!ticked.length && !$("input[data-tick-none]", box).checked) {
      fail({ status: 400, errors: [{ field: "answers", message: "tick the ones you have used, or “None of these”" }] }, form());
      return false;
    }
    for (const skill of box.dataset.skills.split(" ")) {
      if (ticked.includes(skill)) quick.used[skill] = true;
      else quick.answers[skill] = 0;
    }
    return true;
  }
  const picked = $("input:checked", box);
  if (!picked) {
    fail({ status: 400, errors: [{ field: "answers", message: "pick a level (0 none if you have not used it)" }] }, form());
    return false;
  }
  quick.answers[box.dataset.skill] = Number(picked.value);
  delete quick.used[box.dataset.skill];
  return true;
}

async function next(event) {
  event.preventDefault();
  clearErrors(form());
  const before = { answers: { ...quick.answers }, used: { ...quick.used } };
  if (!take()) return;
  quick.asked += 1;
  if (!(await ask())) {
    quick.asked -= 1;
    Object.assign(quick, before);
    return;
  }
  if (!more() || quick.asked >= quick.goal) showDone();
  else {
    await showQuestion();
    $("#k-question input").focus();
  }
}

/** "None of these" and the skills' ticks exclude each other. */
function ticked(event) {
  const input = event.target;
  if (input.dataset.tickNone !== undefined && input.checked) {
    for (const other of $$("#k-question input[data-tick]")) other.checked = false;
  } else if (input.dataset.tick !== undefined && input.checked) {
    $("#k-question input[data-tick-none]").checked = false;
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
  const assumed = quick.last ? quick.last.assumed_level : 2;
  for (const skill of Object.keys(quick.used)) skills[skill] = assumed; // ticked: the level shown for it
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

/** What the sign-in page says while a visitor's answers wait for an account ("" when none wait). */
export function waiting() {
  if (!quick.pending || state.user) return "";
  const n = Object.keys({ ...quick.answers, ...quick.used }).length;
  return `Create an account to save your results: your ${n} ${n === 1 ? "answer" : "answers"} and your years of experience are kept and saved into it. Have an account already? Sign in and they are saved into yours.`;
}

/** PUT the answers into the signed-in user's profile (over its saved skills); then the results. */
async function store() {
  const body = { display_name: displayName(), skills: merged(), years_experience: years() ?? 0,
    target_role: state.profile ? state.profile.target_role : null };
  const saved = await api("PUT", "/api/v1/me/profile", { body, headers: state.etag ? { "If-Match": state.etag } : {} });
  state.profile = saved.body;
  state.etag = saved.etag;
  localStorage.removeItem(draftKey());
  quick = fresh();
  location.hash = "#/results";
}

async function save() {
  const box = $("#k-done");
  clearErrors(box);
  if (!state.user) {
    quick.pending = true;
    location.hash = "#/"; // the sign-in page, which says the answers are kept
    return;
  }
  $("#k-save").disabled = true;
  say($("#k-status"), "Saving…");
  try {
    await store();
    say($("#k-status"), "");
  } catch (error) {
    say($("#k-status"), "");
    fail(error, box);
  } finally {
    $("#k-save").disabled = false;
  }
}

/** Just signed in or up with a visitor's answers waiting: save them into this account, then the results. */
export async function saveWaiting() {
  if (!quick.pending) return false;
  quick.user = who(); // the answers are this account's now
  quick.pending = false;
  try {
    await store();
  } catch (error) {
    quick.error = error; // shown in the quick start, where "Save my results" can be tried again
    location.hash = "#/quick";
  }
  return true;
}

/** Start (or carry on with) the quick questions. */
export async function load() {
  if (!wired) {
    wired = true;
    form().addEventListener("submit", next);
    $("#k-question").addEventListener("change", ticked);
    $("#k-refine").addEventListener("click", refine);
    $("#k-save").addEventListener("click", save);
    $("#k-full").addEventListener("click", openFullList);
  }
  clearErrors(form());
  $("#k-visitor").hidden = Boolean(state.user);
  if (quick.user !== who()) quick = fresh(); // someone else signed in, or out
  if (quick.error) {
    const error = quick.error;
    quick.error = null;
    showDone();
    fail(error, $("#k-done"));
    return;
  }
  if (quick.last) return; // carry on where this tab left off
  $("#k-roles").replaceChildren();
  if (await ask()) await showQuestion();
}
