// Signing in, creating an account, asking for a reset link and choosing a new password: four forms, each
// with its own default button (Enter does that form's action), checked in the page (validate.js) before
// any request, then by the server, whose answers are shown next to the same fields.

import { api } from "./api.js";
import { $, $$, clearErrors, say } from "./dom.js";
import { fail, forget, signedIn, signedOut, state } from "./session.js";
import * as check from "./validate.js";

/** The forms of the sign-in view, each at its own address (#/signin, #/signup, #/forgot). */
export const FORMS = ["signin", "signup", "forgot"];

const ASKED = "careerpath:reset-email"; // the address a link was last asked for, filled in after the reset

let resetToken = ""; // read from #/reset?token=…, then taken out of the address bar
let afterSignIn = async () => {};

/** Show one form of the sign-in view, the others hidden; `note` (words, "ok" or "error") above it. */
export function showForm(name, { note = "", kind = "ok", email = "" } = {}) {
  for (const form of FORMS) {
    const el = $(`#${form}-form`);
    el.hidden = form !== name;
    clearErrors(el);
  }
  say($("#signin-note"), note, kind);
  say($("#forgot-sent"), "");
  const typed = $("#signin-email").value || $("#signup-email").value || $("#forgot-email").value;
  if (email || typed) for (const form of FORMS) $(`#${form}-email`).value = email || typed; // kept across forms
}

/** Run a form's checks, then its work with its buttons disabled; a failure is shown in the form. */
async function submit(event, checks, work) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  if (!check.passes(form, checks())) return;
  const buttons = $$("button", form);
  for (const button of buttons) button.disabled = true;
  try {
    await work();
  } catch (error) {
    fail(error, form);
  } finally {
    for (const button of buttons) button.disabled = false;
  }
}

const value = (id) => $(id).value.trim();

function credentials(name, passwordCheck) {
  return () => [
    ["email", check.email(value(`#${name}-email`))],
    ["password", passwordCheck($(`#${name}-password`).value)],
  ];
}

async function signIn(event, action) {
  const name = action === "login" ? "signin" : "signup";
  await submit(event, credentials(name, action === "login" ? check.password : check.newPassword), async () => {
    const body = { email: value(`#${name}-email`), password: $(`#${name}-password`).value };
    try {
      signedIn((await api("POST", `/api/v1/auth/${action}`, { body })).body);
    } catch (error) {
      if (error.status === 401) error.errors = [{ field: "_form", message: "Wrong email or password." }];
      throw error;
    }
    $(`#${name}-password`).value = "";
    await afterSignIn();
  });
}

async function askForLink(event) {
  await submit(event, () => [["email", check.email(value("#forgot-email"))]], async () => {
    const email = value("#forgot-email");
    const { body } = await api("POST", "/api/v1/auth/password-reset", { body: { email } });
    localStorage.setItem(ASKED, email);
    say($("#forgot-sent"), body.detail); // the same words whether or not an account uses the address
  });
}

/** The reset view for #/reset?token=…: the token is kept here and taken out of the address bar. */
export function showReset(token) {
  const form = $("#reset-form");
  clearErrors(form);
  $("#reset-again").hidden = true;
  if (token) {
    resetToken = token;
    history.replaceState(null, "", "#/reset"); // not left in the history or on screen
  }
  for (const id of ["#reset-password", "#reset-confirm"]) $(id).value = "";
  $("#reset-username").value = localStorage.getItem(ASKED) || "";
  if (!resetToken) tokenProblem("This page needs the link from the e-mail we sent: open the link again, or ask for a new one.");
}

function tokenProblem(message) {
  check.passes($("#reset-form"), [["token", message]]);
  $("#reset-again").hidden = false;
}

async function reset(event) {
  const password = () => $("#reset-password").value;
  const checks = () => [
    ["token", resetToken ? "" : "This page needs the link from the e-mail we sent: open the link again, or ask for a new one."],
    ["password", check.newPassword(password())],
    ["confirm", $("#reset-confirm").value === password() ? "" : "The two passwords differ: type the same one twice"],
  ];
  $("#reset-again").hidden = true;
  await submit(event, checks, async () => {
    try {
      await api("POST", "/api/v1/auth/password-reset/confirm", { body: { token: resetToken, password: password() } });
    } catch (error) {
      if (error.errors && error.errors.some((e) => e.field === "token")) $("#reset-again").hidden = false;
      throw error;
    }
    resetToken = "";
    const email = localStorage.getItem(ASKED) || "";
    localStorage.removeItem(ASKED);
    if (state.user) forget(); // every session of the account was ended, this one too
    history.replaceState(null, "", "#/");
    signedOut("Your password is changed, and every session of the account is signed out. Sign in with the new password.", { kind: "ok", email });
  });
}

/** Listen to the forms; `done` runs after a sign-in or sign-up (load the profile, go on). */
export function wire(done) {
  afterSignIn = done;
  $("#signin-form").addEventListener("submit", (event) => signIn(event, "login"));
  $("#signup-form").addEventListener("submit", (event) => signIn(event, "signup"));
  $("#forgot-form").addEventListener("submit", askForLink);
  $("#reset-form").addEventListener("submit", reset);
}
