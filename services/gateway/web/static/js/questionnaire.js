// The skills questionnaire: name, years and the skills (triage.js); drafts; saved with the ETag.

import { api } from "./api.js";
import { $, clearErrors, formatDate, h, say } from "./dom.js";
import { LEVELS, draftKey, fail, loadProfile, state } from "./session.js";
import * as cv from "./cv.js";
import * as triage from "./triage.js";
import * as check from "./validate.js";

const form = () => $("#q-form");

async function renderOnce() {
  const box = $("#q-skills");
  if (box.childElementCount) return;
  $("#scale-list").replaceChildren(...LEVELS.flatMap(([word, meaning], level) => [
    h("dt", {}, `${level} ${word}`), h("dd", {}, meaning)]));
  const examples = await triage.levelExamples();
  if (box.childElementCount) return; // rendered while the examples were on their way
  triage.render(box, state.skills, examples);
  const bar = $("#q-bar"); // the page keeps this much room below whatever gets focus
  new ResizeObserver(() => document.documentElement.style.setProperty("--bar-height", `${bar.offsetHeight}px`)).observe(bar);
  form().addEventListener("change", saveDraft);
  form().addEventListener("input", saveDraft);
  form().addEventListener("submit", save);
  cv.wire(saveDraft);
}

function read() {
  const { skills, unrated, none } = triage.read();
  return { display_name: $("#q-name").value.trim(), years: $("#q-years"), skills, unrated, none };
}

function fill({ display_name: name, years_experience: years, skills, none }) {
  $("#q-name").value = name || "";
  $("#q-years").value = String(years ?? 0);
  triage.fill(skills, none);
}

function saveDraft() {
  const { display_name, years, skills, none } = read();
  const draft = { display_name, years_experience: years.value, skills, none, saved_version: state.profile ? state.profile.version : 0, at: Date.now() };
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
  await renderOnce();
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
    resume.textContent = "Tick the skills you have used in each category, then pick a level for each. You can come back and change it any time.";
  }
  resume.hidden = false;
}

async function save(event) {
  event.preventDefault();
  clearErrors(form());
  const { display_name, years, skills, unrated } = read();
  const errors = [["display_name", check.displayName(display_name)], ["years_experience", check.years(years)]]
    .filter(([, message]) => message).map(([field, message]) => ({ field, message })) // as the server checks them
    .concat(unrated.map((id) => ({ field: `skills.${id}`, message: "pick a level, or untick it if you have not used it" })));
  if (errors.length) {
    fail({ status: 400, errors }, form());
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
