// Small DOM helpers: build elements without innerHTML, and show errors next to what caused them.

/** h("p", {class: "x"}, "text", child) -> element; attributes starting with "on" become listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "text") el.textContent = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      el.append(child instanceof Node ? child : String(child));
    }
  }
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

export function clearErrors(root) {
  for (const slot of $$("[data-error-for]", root)) {
    slot.textContent = "";
    slot.hidden = true;
  }
  for (const el of $$("[aria-invalid]", root)) {
    el.removeAttribute("aria-invalid");
    describedBy(el, el.dataset.errorSlot, false);
  }
}

/** Add or remove `id` in an element's aria-describedby (its hint stays). */
function describedBy(el, id, add) {
  if (!id) return;
  const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id);
  if (add) ids.push(id);
  if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
  else el.removeAttribute("aria-describedby");
}

function slotFor(root, field) {
  // "skills.python" -> the slot for "skills.python", else "skills", else the form's own slot.
  let name = field || "";
  while (name) {
    const slot = root.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    if (slot) return slot;
    name = name.includes(".") ? name.slice(0, name.lastIndexOf(".")) : "";
  }
  return root.querySelector('[data-error-for="_form"]');
}

/** Put each of an ApiError's messages next to its field (or under the form); focus the first one. */
export function showErrors(root, error) {
  clearErrors(root);
  const items = error.errors && error.errors.length ? error.errors : [{ field: "", message: error.detail || error.message }];
  let first = null;
  for (const { field, message } of items) {
    const slot = slotFor(root, field);
    if (!slot) continue;
    slot.textContent = slot.textContent ? `${slot.textContent}; ${message}` : message;
    slot.hidden = false;
    const control = slot.dataset.control ? document.getElementById(slot.dataset.control) : null;
    if (control) {
      control.setAttribute("aria-invalid", "true");
      if (!slot.id) slot.id = `${control.id}-error`;
      control.dataset.errorSlot = slot.id;
      describedBy(control, slot.id, true); // read out with the field
    }
    first = first || control || slot;
  }
  if (first && first.focus) {
    if (!first.hasAttribute("tabindex") && !/^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(first.tagName)) {
      first.setAttribute("tabindex", "-1");
    }
    first.focus();
  }
}

/** One message in a status slot (role="status"), kind "ok" | "error" | "". */
export function say(slot, message, kind = "") {
  slot.textContent = message;
  slot.className = `message ${kind}`.trim();
  slot.hidden = !message;
}

export function formatDate(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export const percent = (x) => `${Math.round(x * 100)}%`;

/** Fill a table body with one row per item, or one row saying there is nothing yet. */
export function fillRows(tbody, items, row, empty) {
  const columns = tbody.closest("table").querySelectorAll("thead th").length;
  tbody.replaceChildren(...(items.length ? items.map(row) : [h("tr", {}, h("td", { class: "empty", colspan: String(columns) }, empty))]));
}
