// The account view: download everything careerpath keeps about you (GET /api/v1/me/export, saved as a
// JSON file) and delete the account (DELETE /api/v1/me, after typing the account's address to confirm).

import { api } from "./api.js";
import { $, clearErrors, h, say } from "./dom.js";
import { fail, forget, signedOut, state } from "./session.js";
import * as check from "./validate.js";

let wired = false;

async function download() {
  const button = $("#export-button");
  const status = $("#export-status");
  button.disabled = true;
  say(status, "Preparing your file…");
  try {
    const { body } = await api("GET", "/api/v1/me/export");
    const name = `careerpath-export-${new Date().toISOString().slice(0, 10)}.json`;
    const url = URL.createObjectURL(new Blob([JSON.stringify(body, null, 2)], { type: "application/json" }));
    const link = h("a", { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000); // the download has long started by then
    const n = body.assessments.length;
    say(status, `Saved as ${name}: your account, ${body.profile ? "your profile" : "no profile yet"} and ${n} ${n === 1 ? "assessment" : "assessments"}.`, "ok");
  } catch (error) {
    say(status, "");
    fail(error, null, status);
  } finally {
    button.disabled = false;
  }
}

async function remove(event) {
  event.preventDefault();
  const form = $("#delete-form");
  clearErrors(form);
  const typed = $("#delete-confirm").value.trim();
  const mine = state.user.email;
  let problem = "";
  if (!typed) problem = `Type ${mine} to confirm`;
  else if (typed.toLowerCase() !== mine.toLowerCase()) problem = `That is not this account's address: type ${mine} to confirm`;
  if (!check.passes(form, [["confirm", problem]])) return;
  const button = $("#delete-button");
  button.disabled = true;
  try {
    await api("DELETE", "/api/v1/me");
  } catch (error) {
    fail(error, form);
    return;
  } finally {
    button.disabled = false;
  }
  forget({ dropDraft: true });
  history.replaceState(null, "", "#/");
  signedOut(`Your account ${mine} and everything careerpath kept about it are deleted, and every session of it is signed out.`, { kind: "ok" });
}

/** Show the account view for the signed-in user. */
export function load() {
  if (!wired) {
    wired = true;
    $("#export-button").addEventListener("click", download);
    $("#delete-form").addEventListener("submit", remove);
  }
  $("#account-email").textContent = state.user.email;
  $("#delete-confirm").value = "";
  clearErrors($("#delete-form"));
  say($("#export-status"), "");
}
