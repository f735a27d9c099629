// The page's entry point: who is signed in, which view shows, signing in and out.

import * as admin from "./admin.js";
import { api } from "./api.js";
import { $, $$, clearErrors, showErrors } from "./dom.js";
import * as questionnaire from "./questionnaire.js";
import * as quick from "./quick.js";
import * as results from "./results.js";
import { banner, fail, forget, loadProfile, on, signedIn, state } from "./session.js";

const VIEWS = ["auth", "questionnaire", "quick", "results", "admin"];

let routed = false; // the first view after loading keeps the browser's focus; later ones move it

function show(view) {
  for (const name of VIEWS) $(`#view-${name}`).hidden = name !== view;
  if (routed) $(`#view-${view} h1`).focus(); // sign-in, save, navigation: start reading the new view
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
  document.title = `careerpath · ${{ auth: "sign in", questionnaire: "your skills", quick: "quick start", results: "your results", admin: "admin" }[view]}`;
}

async function route() {
  banner("");
  let view = location.hash.replace(/^#\/?/, "");
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
    show("auth");
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
  await ({ results, admin, quick }[view]).load();
}

function signedOutView(message) {
  show("auth");
  if (message) showErrors($("#auth-form"), { errors: [], detail: message });
}

async function authenticate(event) {
  event.preventDefault();
  const form = $("#auth-form");
  clearErrors(form);
  const action = event.submitter && event.submitter.value === "signup" ? "signup" : "login";
  const body = { email: $("#auth-email").value.trim(), password: $("#auth-password").value };
  for (const button of $$("button", form)) button.disabled = true;
  try {
    const { body: answer } = await api("POST", `/api/v1/auth/${action}`, { body });
    signedIn(answer);
    $("#auth-password").value = "";
    await loadProfile();
    $("#auth-keep").hidden = true;
    $("#auth-quick").hidden = false;
    if (await quick.saveWaiting()) return; // the hash change shows the results (or the quick start)
    const start = state.profile ? "#/results" : "#/questionnaire";
    if (!location.hash || location.hash === "#/") location.hash = start; // hashchange routes
    else await route();
  } catch (error) {
    if (error.status === 401) error.errors = [{ field: "_form", message: "Wrong email or password." }];
    fail(error, form);
  } finally {
    for (const button of $$("button", form)) button.disabled = false;
  }
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
  location.hash = "#/";
  show("auth");
}

async function boot() {
  banner("");
  $("#loading").hidden = false;
  try {
    const [skills, roles] = await Promise.all([api("GET", "/api/v1/skills"), api("GET", "/api/v1/roles")]);
    state.skills = skills.body;
    state.roles = roles.body;
    try {
      signedIn((await api("GET", "/api/v1/auth/me")).body);
      await loadProfile();
    } catch (error) {
      if (error.status !== 401) throw error;
    }
  } catch (error) {
    $("#loading").hidden = true;
    fail(error);
    return;
  }
  await route();
}

on("signedOut", signedOutView);
$("#auth-form").addEventListener("submit", authenticate);
$("#logout").addEventListener("click", logout);
$("#banner-retry").addEventListener("click", () => (state.skills.length ? route() : boot()));
window.addEventListener("hashchange", () => {
  if (state.skills.length) route();
});
boot();
