// Admin: issue partner API keys (the secret is shown once) and revoke them.

import { api } from "./api.js";
import { labelCells } from "./cards.js";
import { confirmAction } from "./confirm.js";
import { $, $$, clearErrors, fillRows, formatDate, h, say } from "./dom.js";
import { fail } from "./session.js";

function keyRow(key) {
  const revoked = Boolean(key.revoked_at);
  const expired = key.expires_at && new Date(key.expires_at) <= new Date();
  const stateText = revoked ? `revoked ${formatDate(key.revoked_at)}` : expired ? "expired" : "active";
  return h("tr", { "data-key": key.id },
    h("td", {}, key.name), h("td", {}, h("code", {}, `${key.prefix}…`)), h("td", {}, key.scopes.join(", ")),
    h("td", {}, formatDate(key.created_at)), h("td", {}, key.expires_at ? formatDate(key.expires_at) : "never"),
    h("td", {}, String(key.usage_count)), h("td", {}, stateText),
    h("td", { class: "act" }, revoked ? null : h("button", { type: "button", class: "danger", onclick: (event) => revoke(key, event.currentTarget) },
      "Revoke", h("span", { class: "visually-hidden" }, ` the key for ${key.name}`))));
}

export async function loadKeys() {
  const { body } = await api("GET", "/api/v1/admin/keys?limit=100");
  fillRows($("#keys tbody"), body, keyRow, "No partner keys yet.");
  labelCells($("#keys"));
}

function showSecret(secret, name) {
  const code = h("code", { id: "key-secret-value" }, secret);
  const copy = h("button", { type: "button", class: "secondary", onclick: async () => {
    try {
      await navigator.clipboard.writeText(secret);
      copy.textContent = "Copied";
    } catch {
      getSelection().selectAllChildren(code);
      copy.textContent = "Selected: press Ctrl+C";
    }
  } }, "Copy");
  const box = $("#key-secret");
  box.replaceChildren(
    h("p", {}, h("strong", {}, `Key for ${name}. `), "Copy it now: this is the only time it is shown."),
    h("p", {}, code, " ", copy),
    h("button", { type: "button", class: "link", onclick: () => { box.hidden = true; box.replaceChildren(); } }, "I have stored it; hide"));
  box.hidden = false;
}

async function issue(event) {
  event.preventDefault();
  const form = $("#key-form");
  clearErrors(form);
  const expires = $("#key-expires").value;
  const body = {
    name: $("#key-name").value.trim(),
    scopes: $$("input[name=scopes]:checked", form).map((c) => c.value),
    ...(expires ? { expires_at: new Date(`${expires}T23:59:59`).toISOString() } : {}),
  };
  try {
    const { body: issued } = await api("POST", "/api/v1/admin/keys", { body });
    showSecret(issued.key, issued.api_key.name);
    form.reset();
    await loadKeys();
  } catch (error) {
    fail(error, form);
  }
}

async function revoke(key, button) {
  const status = $("#keys-status");
  const sure = await confirmAction({
    title: `Revoke the key for ${key.name}?`,
    what: [
      h("p", {}, "The key ", h("code", {}, `${key.prefix}…`), ` issued to ${key.name} stops working at once, on every gateway: `,
        "its next request is refused (401)."),
      `This cannot be undone: to let ${key.name} back in, issue a new key and send it to them.`,
    ],
    action: `Revoke ${key.name}'s key`,
    opener: button,
  });
  if (!sure) return;
  try {
    // the API needs the confirmation too: the key's name, as the admin just confirmed it
    await api("DELETE", `/api/v1/admin/keys/${key.id}?confirm=${encodeURIComponent(key.name)}`);
    say(status, `Revoked the key for ${key.name}: it stops working at once.`, "ok");
    await loadKeys();
    status.tabIndex = -1;
    status.focus(); // the row's button is gone: say what happened where focus lands
  } catch (error) {
    fail(error, null, status);
  }
}

export function wireKeys() {
  $("#key-form").addEventListener("submit", issue);
}
