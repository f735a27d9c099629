// What the page knows (who is signed in, the catalogue, the saved profile) and how failures are shown.

import { api, setCsrf } from "./api.js";
import { $, say, showErrors } from "./dom.js";

export const LEVELS = [
  ["none", "never used it"],
  ["aware", "know what it is and what it is for"],
  ["working", "have used it on real tasks, sometimes with help"],
  ["proficient", "use it on my own and solve problems in it"],
  ["expert", "the person others ask; could teach it"],
];

export const state = { user: null, skills: [], roles: [], profile: null, etag: null };

const hooks = { signedOut: () => {}, retry: () => {} };

export function on(name, fn) {
  hooks[name] = fn;
}

/** Show the sign-in form with `message` (the session ended, the account was deleted, the password reset). */
export const signedOut = (message, options) => hooks.signedOut(message, options);

export function signedIn({ user, csrf_token: csrf }) {
  state.user = user;
  setCsrf(csrf);
}

/** Forget who was signed in; an explicit sign-out also drops the unsaved draft from this browser. */
export function forget({ dropDraft = false } = {}) {
  if (state.user && dropDraft) localStorage.removeItem(draftKey());
  state.user = null;
  state.profile = null;
  state.etag = null;
  setCsrf(null);
}

export const draftKey = () => `careerpath:draft:${state.user ? state.user.id : "-"}`;

/** Read the saved profile (404 means none yet) into state. */
export async function loadProfile() {
  try {
    const { body, etag } = await api("GET", "/api/v1/me/profile");
    state.profile = body;
    state.etag = etag;
  } catch (error) {
    if (error.status !== 404) throw error;
    state.profile = null;
    state.etag = null;
  }
  return state.profile;
}

export function banner(message) {
  $("#banner-text").textContent = message;
  $("#banner").hidden = !message;
}

/** Outage words for a 503 / unreachable gateway. */
export function outageText(error) {
  if (error.status === 0) return "careerpath cannot be reached right now (network error). Check your connection, then try again.";
  const what = error.detail || "a service is unavailable";
  const wait = error.retryAfter ? ` Try again in about ${error.retryAfter} seconds.` : " Try again in a minute.";
  return `Part of careerpath is down: ${what}. Your saved answers are safe.${wait}`;
}

/**
 * Show a failed call where it happened: next to the field or action inside `root` (or in `slot`),
 * plus the banner for an outage; a lost session sends the user to sign in again.
 */
export function fail(error, root, slot) {
  if (!error || error.status === undefined) {
    banner("Something went wrong on this page. Reload it to try again.");
    setTimeout(() => {
      throw error; // still reported as a page error
    });
    return;
  }
  if (error.status === 401 && state.user) {
    forget();
    hooks.signedOut("Your session has ended. Please sign in again.");
    return;
  }
  let shown = error;
  if (error.outage) {
    banner(outageText(error));
    shown = { errors: [], detail: outageText(error) };
  } else if (error.status === 429) {
    shown = { errors: [], detail: `Too many requests. Wait ${error.retryAfter || "a few"} seconds and try again.` };
  }
  const words = shown.errors && shown.errors.length ? shown.errors.map((e) => e.message).join("; ") : shown.detail;
  if (slot) say(slot, words, "error");
  else if (root) showErrors(root, shown);
  else banner(words);
}

export const retry = () => hooks.retry();
