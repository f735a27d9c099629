// One row per role: readiness as a bar, match as a percentage, pay/openings/growth, and the reasons.

import { h, percent } from "./dom.js";
import { LEVELS, state } from "./session.js";

const level = (n) => `${n} ${LEVELS[n] ? LEVELS[n][0] : ""}`.trim();
const share = (x) => Math.max(0, Math.min(1, Number(x) || 0)); // a share shown is never below 0 or above 1
const whole = (x) => Math.round(x).toLocaleString("en-US");
const known = (x) => typeof x === "number" && Number.isFinite(x);

/** "$132,270 median pay · 140,100 openings/yr · +17% growth to 2033", "—" for what is not known. */
export function marketLine(market) {
  const m = market || {};
  const growth = known(m.growth_pct)
    ? `${m.growth_pct > 0 ? "+" : ""}${m.growth_pct.toLocaleString("en-US", { maximumFractionDigits: 1 })}%`
    : "—";
  return [
    `${known(m.salary_median) ? `$${whole(m.salary_median)}` : "—"} median pay`,
    `${known(m.openings) ? whole(m.openings) : "—"} openings/yr`,
    `${growth} growth to 2033`,
  ].join(" · ");
}

/** "a server-side language (Python, Java, Go…)" for an any-one-of requirement, else the skill's name. */
function requirement(gap, names) {
  if (!gap.label || !gap.alternatives.length) return gap.name;
  const ids = [gap.skill, ...gap.alternatives.filter((id) => id !== gap.skill)];
  const shown = ids.slice(0, 3).map((id) => names.get(id) || id).join(", ");
  return `${gap.label} (${shown}${ids.length > 3 ? "…" : ""})`;
}

function gapItem(gap, names) {
  const any = gap.label && gap.alternatives.length;
  return h("li", {}, `${requirement(gap, names)}: you ${level(gap.level)}`, any && gap.level ? ` in ${gap.name}` : "",
    gap.required_level ? `, role needs ${level(gap.required_level)}` : "");
}

function gapList(title, gaps, kind, names) {
  if (!gaps.length) return null;
  return h("div", { class: `reasons ${kind}` }, h("h4", {}, title), h("ul", {}, gaps.map((g) => gapItem(g, names))));
}

/** The row of one role; `target` is the role the plan is for. */
export function roleItem(fit, target) {
  const names = new Map(state.skills.map((s) => [s.id, s.name]));
  const readiness = share(fit.readiness);
  const fill = h("span", { class: "fill" });
  fill.style.width = percent(readiness);
  const isTarget = fit.role === target;
  return h("li", { class: isTarget ? "role target" : "role", "data-role": fit.role },
    h("div", { class: "role-head" },
      h("h3", { class: "role-name" }, fit.name, // a heading per role: h2 list > h3 role > h4 reasons
        isTarget ? h("span", { class: "badge" }, "plan") : null,
        fit.meets ? h("span", { class: "badge ok" }, "you meet it") : null),
      h("span", { class: "match" }, "Match ", h("span", { class: "match-value" }, percent(share(fit.match))))),
    h("div", { class: "readiness" },
      h("span", { class: "figure-label" }, "Readiness"),
      h("div", { class: "bar", role: "meter", "aria-label": `readiness for ${fit.name}`, "aria-valuemin": "0",
        "aria-valuemax": "100", "aria-valuenow": String(Math.round(readiness * 100)) }, fill),
      h("span", { class: "readiness-value" }, percent(readiness))),
    h("p", { class: "market" }, marketLine(fit.market)),
    h("details", {},
      h("summary", {}, `Why: ${fit.matched.length} of ${fit.matched.length + fit.missing.length} requirements met`),
      gapList("What you have", fit.matched, "matched", names),
      gapList("Missing or below the level needed", fit.missing, "missing", names)));
}

const LEGEND = [
  ["readiness", "Readiness"],
  ["match", "Match"],
  ["salary_median", "Median pay"],
  ["openings", "Openings/yr"],
  ["growth_pct", "Growth to 2033"],
];

/** What each number in a row means, in one line each (from the answer's `meanings`). */
export function legend(meanings) {
  return LEGEND.filter(([key]) => meanings[key]).flatMap(([key, name]) => [
    h("dt", {}, name), h("dd", { "data-meaning": key }, meanings[key])]);
}
