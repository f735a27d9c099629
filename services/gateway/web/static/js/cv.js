// Paste your CV: POST /api/v1/skills/extract finds the catalogue's skills in the text with a suggested
// level each; they are ticked in the list below for the user to check, and saved only with the list.

import { api } from "./api.js";
import { $, clearErrors, h, say } from "./dom.js";
import { LEVELS, fail } from "./session.js";
import * as triage from "./triage.js";
import * as check from "./validate.js";

const form = () => $("#cv-form");
const level = (n) => `${n} ${LEVELS[n][0]}`;

function why(found) {
  if (found.level_basis === "default") return "no years or words about it: a guess";
  return `from “${found.level_cue.text}”`;
}

function foundItem(found, kept) {
  const jump = h("a", { href: `#skill-${found.skill}`, "data-skill": found.skill }, found.name);
  const words = found.matches.map((m) => `“${m.text}”`).slice(0, 3).join(", ");
  const suggestion = kept === undefined
    ? ` · ${level(found.level)} (${why(found)})`
    : ` · kept your ${level(kept)} (the text suggests ${level(found.level)}, ${why(found)})`;
  return h("li", { "data-found": found.skill }, jump, ` · read as ${words}`, suggestion);
}

async function extract(event, filled) {
  event.preventDefault();
  clearErrors(form());
  say($("#cv-status"), "");
  if (!check.passes(form(), [["text", check.cvText($("#cv-text").value)]])) return; // before the round trip
  const button = $("#cv-find");
  button.disabled = true;
  let answer;
  try {
    answer = (await api("POST", "/api/v1/skills/extract", { body: { text: $("#cv-text").value } })).body;
  } catch (error) {
    fail(error, form());
    return;
  } finally {
    button.disabled = false;
    // a disabled button loses focus: give it back, so Tab goes on to what was found
    if (document.activeElement === document.body) button.focus();
  }
  const { skills: rated } = triage.read();
  for (const found of answer.skills) {
    if (!rated[found.skill]) triage.setLevel(found.skill, found.level);
  }
  filled();
  $("#cv-found").replaceChildren(...answer.skills.map((found) => foundItem(found, rated[found.skill])));
  $("#cv-ignored").replaceChildren(...answer.ignored.map((item) =>
    h("li", {}, `${item.words.text}: not counted (${item.reason === "negated" ? "the text says you have not used it" : "you want to learn it"}, “${item.cue.text}”)`)));
  $("#cv-ignored-box").hidden = !answer.ignored.length;
  say($("#cv-status"), answer.skills.length
    ? `Found ${answer.skills.length} ${answer.skills.length === 1 ? "skill" : "skills"}, ticked below with a suggested level: check each, then save.`
    : "No skill of the list was found in this text. Tick yours below.", answer.skills.length ? "ok" : "");
  $("#cv-result").hidden = false;
}

function jump(event) {
  const link = event.target.closest("[data-skill]");
  if (!link) return;
  event.preventDefault(); // the hash is the page's router
  const picked = $(`#skill-${link.dataset.skill} input:checked`) || $(`#used-${link.dataset.skill}`);
  picked.focus();
}

/** Wire the paste box; `filled()` runs after skills were ticked (to keep them as a draft). */
export function wire(filled) {
  form().addEventListener("submit", (event) => extract(event, filled));
  $("#cv-found").addEventListener("click", jump);
}
