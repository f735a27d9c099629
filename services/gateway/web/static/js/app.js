// The page's entry point: who is signed in, which view shows, signing in and out.

import * as account from "./account.js";
import * as admin from "./admin.js";
import { api } from "./api.js";
import * as auth from "./auth.js";
import { $, $$ } from "./dom.js";
import * as questionnaire from "./questionnaire.js";
import * as quick from "./quick.js";
import * as results from "./results.js";
import { banner, fail, forget, loadProfile, on, signedIn, state } from "./session.js";

const VIEWS = ["auth", "reset", "questionnaire", "quick", "results", "account", "admin"];
const TITLES = { signin: "sign in", signup: "create an account", forgot: "forgot password", reset: "new password",
  questionnaire: "your skills", quick: "quick start", results: "your results", account: "your account", admin: "admin" };

let routed = false; // the first view after loading keeps the browser's focus; later ones move it

/** Show a view; focus its heading (or `heading`, e.g. the form switched to within the sign-in view). */
function show(view, { heading = null, title = view } = {}) {
  for (const name of VIEWS) $(`#view-${name}`).hidden = name !== view;
  if (routed) $(heading || `#view-${view} h1`).focus(); // sign-in, save, navigation: start reading the new view
  routed = true;
  $("#loading").hidden = true;
  const signed = Boolean(state.user);
  $("#nav").hidden = !signed;
  $("#nav-admin").hidden = !(signed && state.user.role === "admin");
  $("#who").textContent = signed ? state.user.email : "";
  for (const link of $$("#nav a")) {
    if (link.getAttribute("href") === `#/${view}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `careerpath · ${TITLES[title]}`;
}

/** The view and parameters in the address: "#/reset?token=abc" -> ["reset", {token: "abc"}]. */
function where() {
  const [view, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  return [view, new URLSearchParams(query)];
}

/** One of the sign-in view's forms; one asked for by its address (a link to it) gets the focus on its heading. */
function showAuth(form, note) {
  auth.showForm(form, note);
  show("auth", { heading: where()[0] === form ? `#${form}-title` : null, title: form });
}

async function route() {
  banner("");
  let [view, params] = where();
  if (view === "reset") { // signed in or not: the link from the e-mail
    auth.showReset(params.get("token"));
    show(view);
    return;
  }
  if (!state.user) {
    if (view === "quick") { // open to visitors: results before signing up
      show(view);
      await quick.load();
      return;
    }
    const waiting = quick.waiting(); // a visitor's answers waiting for an account
    $("#auth-keep-text").textContent = waiting;
    $("#auth-keep").hidden = !waiting;
    $("#auth-quick").hidden = Boolean(waiting);
    showAuth(auth.FORMS.includes(view) ? view : waiting ? "signup" : "signin");
    return;
  }
  if (view === "admin" && state.user.role !== "admin") view = "";
  if (!VIEWS.includes(view) || view === "auth") view = state.profile ? "results" : "questionnaire";
  if (view === "questionnaire") {
    await questionnaire.load(); // shown once filled in, so nothing typed meanwhile is overwritten
    show(view);
    return;
  }
  show(view);
  await ({ results, admin, quick, account }[view]).load();
}

function signedOutView(message, { kind = "error", email = "" } = {}) {
  showAuth("signin", { note: message, kind, email });
}

/** Signed in or up: save a visitor's waiting answers, else go where the address says (or start). */
async function afterSignIn() {
  await loadProfile();
  $("#auth-keep").hidden = true;
  $("#auth-quick").hidden = false;
  if (await quick.saveWaiting()) return; // the hash change shows the results (or the quick start)
  const start = state.profile ? "#/results" : "#/questionnaire";
  const [view] = where();
  if (!view || auth.FORMS.includes(view)) location.hash = start; // hashchange routes
  else await route();
}

async function logout() {
  try {
    await api("POST", "/api/v1/auth/logout");
  } catch (error) {
    if (error.status !== 401) {
      fail(error);
      return;
    }
  }
  forget({ dropDraft: true });
  history.replaceState(null, "", "#/");
  showAuth("signin");
}

async function boot() {
  banner("");
  $("#loading").hidden = false;
  try {
    // All at once: in a row they took three round trips (1.7 s on a 562 ms-RTT network). The profile is
    // asked for beside them only when the session's CSRF cookie says there is one (a visitor asks nothing
    // that needs a session).
    const visitor = (error) => {
      if (error.status !== 401) throw error;
      return null;
    };
    const session = document.cookie.split("; ").some((c) => c.startsWith("cp_csrf="));
    const [skills, roles, me, read] = await Promise.all([
      api("GET", "/api/v1/skills"),
      api("GET", "/api/v1/roles"),
      api("GET", "/api/v1/auth/me").then(({ body }) => body, visitor),
      session ? loadProfile().then(() => true, visitor) : false,
    ]);
    state.skills = skills.body;
    state.roles = roles.body;
    if (me) signedIn(me);
    if (me && !read) await loadProfile(); // signed in without the cookie the page looked for
  } catch (error) {
    $("#loading").hidden = true;
    fail(error);
    return;
  }
  await route();
}

on("signedOut", signedOutView);
auth.wire(afterSignIn);
$("#logout").addEventListener("click", logout);
$("#banner-retry").addEventListener("click", () => (state.skills.length ? route() : boot()));
window.addEventListener("hashchange", () => {
  if (state.skills.length) route();
});
boot();
