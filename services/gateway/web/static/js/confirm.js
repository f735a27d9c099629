// Confirm a destructive action in a modal <dialog>: a heading naming what is about to change, the
// consequence in words, Cancel focused first (Enter or Escape cancels), and, when the action needs it, a
// box to tick. Focus goes back to the button that opened it.

import { h } from "./dom.js";

let dialog = null;

function build() {
  dialog = h("dialog", { id: "confirm", class: "confirm", "aria-labelledby": "confirm-title", "aria-describedby": "confirm-what" },
    h("h2", { id: "confirm-title" }),
    h("div", { id: "confirm-what" }),
    h("div", { id: "confirm-check", class: "field", hidden: true },
      h("label", { class: "check" }, h("input", { type: "checkbox", id: "confirm-tick", "aria-describedby": "confirm-tick-error" }), h("span", { id: "confirm-tick-label" })),
      h("p", { class: "field-error", id: "confirm-tick-error", hidden: true })),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", id: "confirm-cancel" }, "Cancel"),
      h("button", { type: "button", class: "danger", id: "confirm-ok" })));
  document.body.append(dialog);
  return dialog;
}

/**
 * Ask before a destructive action; resolves true only when the admin confirmed (and ticked the box when
 * `tick` is given: { label, missing } where `missing` says in words why the box must be ticked).
 * `what` is a list of paragraphs (strings or nodes); `action` the words on the confirming button.
 */
export function confirmAction({ title, what, action, tick = null, opener = document.activeElement }) {
  const box = dialog || build();
  const [heading, body, check, tickBox, tickError, ok, cancel] = ["#confirm-title", "#confirm-what", "#confirm-check",
    "#confirm-tick", "#confirm-tick-error", "#confirm-ok", "#confirm-cancel"].map((s) => box.querySelector(s));
  heading.textContent = title;
  body.replaceChildren(...what.map((p) => (p instanceof Node ? p : h("p", {}, p))));
  ok.textContent = action;
  check.hidden = !tick;
  tickBox.checked = false;
  tickBox.removeAttribute("aria-invalid");
  tickError.hidden = true;
  box.querySelector("#confirm-tick-label").textContent = tick ? tick.label : "";
  return new Promise((resolve) => {
    const confirmed = () => {
      if (tick && !tickBox.checked) {
        tickError.textContent = tick.missing;
        tickError.hidden = false;
        tickBox.setAttribute("aria-invalid", "true");
        tickBox.focus();
        return;
      }
      box.close("ok");
    };
    const cancelled = () => box.close("cancel");
    const closed = () => {
      ok.removeEventListener("click", confirmed);
      cancel.removeEventListener("click", cancelled);
      if (opener && opener.isConnected) opener.focus();
      resolve(box.returnValue === "ok");
    };
    ok.addEventListener("click", confirmed);
    cancel.addEventListener("click", cancelled);
    box.addEventListener("close", closed, { once: true });
    box.returnValue = "";
    box.showModal(); // Escape closes it with returnValue "" (cancelled)
    cancel.focus();
  });
}
