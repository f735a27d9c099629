// The skills list as triage: per category "which of these have you used?" chips, then a level (1-4, each
// with a concrete example for that skill) only for the ticked ones; "none of these"; a filter; progress.

import { api } from "./api.js";
import { $, $$, h } from "./dom.js";
import { LEVELS } from "./session.js";

export const CATEGORY_NAMES = {
  languages: "Languages",
  databases: "Databases",
  apis: "APIs",
  "servers-hosting": "Servers and hosting",
  architecture: "Architecture",
  security: "Security",
  data: "Data",
  practice: "Practice",
};

let examples = null;

/** {skill id: {"1": "…", … "4": "…"}}, read once; without it the general words for each level stand in. */
export async function levelExamples() {
  if (!examples) {
    examples = api("GET", "/static/level-examples.json").then(({ body }) => body.skills, () => ({}));
  }
  return examples;
}

const categoryName = (category) => CATEGORY_NAMES[category] || category;

function levelOption(skill, level, example) {
  const exampleId = `example-${skill.id}-${level}`;
  return h("div", { class: "level-option" },
    h("label", { class: "level" },
      h("input", { type: "radio", name: `skill-${skill.id}`, value: String(level), "aria-describedby": example ? exampleId : null }),
      h("span", {}, `${level} ${LEVELS[level][0]}`)),
    h("p", { class: "example", id: exampleId }, example || LEVELS[level][1]));
}

function skillLevels(skill, names, examples) {
  const prereq = skill.prerequisites.map((id) => names.get(id) || id);
  const mine = examples[skill.id] || {};
  return h("fieldset", { class: "skill", id: `skill-${skill.id}`, "data-skill": skill.id, hidden: true },
    h("legend", {}, skill.name, prereq.length ? h("span", { class: "hint" }, ` (builds on ${prereq.join(", ")})`) : null),
    h("div", { class: "scale" }, [1, 2, 3, 4].map((level) => levelOption(skill, level, mine[level]))),
    h("p", { class: "field-error", "data-error-for": `skills.${skill.id}`, hidden: true }));
}

function chip(skill) {
  return h("label", { class: "chip", "data-chip": skill.id, "data-name": `${skill.name} ${skill.id}`.toLowerCase() },
    h("input", { type: "checkbox", id: `used-${skill.id}`, "data-used": skill.id }), h("span", {}, skill.name));
}

/** Build the list into `box` (once): a fieldset per category with its chips and its skills' levels. */
export function render(box, skills, examples) {
  const names = new Map(skills.map((s) => [s.id, s.name]));
  const byCategory = new Map();
  for (const skill of skills) {
    if (!byCategory.has(skill.category)) byCategory.set(skill.category, []);
    byCategory.get(skill.category).push(skill);
  }
  const links = [];
  for (const [category, members] of byCategory) {
    links.push(h("li", { "data-progress": category }, h("a", { href: `#category-${category}`, "data-jump": category })));
    box.append(h("fieldset", { class: "category card", id: `category-${category}`, "data-category": category },
      h("legend", {}, categoryName(category)),
      h("fieldset", { class: "triage" },
        h("legend", {}, "Which of these have you used?"),
        h("div", { class: "chips" }, members.map(chip),
          h("label", { class: "chip none" },
            h("input", { type: "checkbox", id: `none-${category}`, "data-none": category }), h("span", {}, "None of these")))),
      h("div", { class: "levels" }, members.map((skill) => skillLevels(skill, names, examples)))));
  }
  $("#q-progress-list").replaceChildren(...links);
  box.addEventListener("change", changed);
  $("#q-progress").addEventListener("click", jump);
  $("#q-filter").addEventListener("input", filter);
  $("#q-filter").addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault(); // filtering, not saving
  });
  progress();
}

function setUsed(id, used) {
  $(`#used-${id}`).checked = used;
  $(`#skill-${id}`).hidden = !used;
  if (!used) for (const input of $$(`#skill-${id} input`)) input.checked = false;
}

function changed(event) {
  const input = event.target;
  if (input.dataset.used) {
    setUsed(input.dataset.used, input.checked);
    const category = input.closest("[data-category]").dataset.category;
    if (input.checked) $(`#none-${category}`).checked = false;
  } else if (input.dataset.none && input.checked) {
    for (const box of $$(`#category-${input.dataset.none} [data-used]`)) setUsed(box.dataset.used, false);
  }
  progress();
}

/** Tick a skill as used at a level (a suggestion the user then checks). */
export function setLevel(id, level) {
  setUsed(id, true);
  for (const input of $$(`#skill-${id} input`)) input.checked = input.value === String(level);
  $(`#none-${$(`#skill-${id}`).closest("[data-category]").dataset.category}`).checked = false;
  progress();
}

/** {skill id: level} for the skills ticked with a level; `unrated` lists those ticked without one. */
export function read() {
  const skills = {};
  const unrated = [];
  for (const box of $$("[data-used]:checked")) {
    const picked = $(`#skill-${box.dataset.used} input:checked`);
    if (picked) skills[box.dataset.used] = Number(picked.value);
    else unrated.push(box.dataset.used);
  }
  const none = $$("[data-none]:checked").map((box) => box.dataset.none);
  return { skills, unrated, none };
}

/** Show these answers: a skill with a level is ticked with it; `none` lists categories marked "none of these". */
export function fill(skills, none = []) {
  for (const box of $$("[data-used]")) {
    const level = skills[box.dataset.used] || 0;
    setUsed(box.dataset.used, level > 0);
    for (const input of $$(`#skill-${box.dataset.used} input`)) input.checked = input.value === String(level);
  }
  for (const box of $$("[data-none]")) box.checked = none.includes(box.dataset.none) && !$$(`#category-${box.dataset.none} [data-used]:checked`).length;
  progress();
}

/** "Languages 3/13" per category (a ✓ once answered, with a level or "none of these") and "27 rated". */
export function progress() {
  const { skills } = read();
  let total = 0;
  for (const item of $$("#q-progress-list [data-progress]")) {
    const category = item.dataset.progress;
    const members = $$(`#category-${category} [data-used]`);
    const rated = members.filter((box) => skills[box.dataset.used]).length;
    total += rated;
    item.classList.toggle("done", rated > 0 || $(`#none-${category}`).checked);
    $("a", item).textContent = `${categoryName(category)} ${rated}/${members.length}`;
  }
  $("#q-total").textContent = `${total} rated`;
  $("#q-count").textContent = total === 1 ? "1 skill rated" : `${total} skills rated`;
}

function jump(event) {
  const link = event.target.closest("[data-jump]");
  if (!link) return;
  event.preventDefault(); // the hash is the page's router, not an anchor
  const category = $(`#category-${link.dataset.jump}`);
  category.hidden = false;
  $("input", category).focus();
}

function filter() {
  const words = $("#q-filter").value.trim().toLowerCase();
  let shown = 0;
  for (const category of $$("[data-category]")) {
    let any = false;
    for (const label of $$("[data-chip]", category)) {
      const match = !words || label.dataset.name.includes(words);
      label.hidden = !match;
      any = any || match;
      shown += match ? 1 : 0;
    }
    $(".chip.none", category).hidden = Boolean(words);
    category.hidden = !any;
  }
  const none = $("#q-filter-none");
  none.textContent = shown ? "" : `No skill matches “${$("#q-filter").value.trim()}”.`;
  none.hidden = Boolean(shown);
}
