// Checks made in the page before a request, mirroring the server's rules (shared/contracts: accounts.py,
// profiles.py, common.py, extract.py), so a typo is named next to its field without a round trip and
// before the rate limit. The server checks again; its answers are shown the same way (dom.showErrors).

import { showErrors } from "./dom.js";

export const LIMITS = { emailMax: 254, passwordMin: 10, passwordMax: 256, nameMax: 120, yearsMax: 60, cvBytes: 50_000 };

const OUTSIDE = "@ \\x00-\\x1f\\x7f-\\x9f"; // what an e-mail address's parts may not hold (accounts.Email)
const EMAIL = new RegExp(`^[^${OUTSIDE}]+@[^${OUTSIDE}]+\\.[^${OUTSIDE}]+$`);
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;

const chars = (text) => [...text].length; // msgspec counts code points, not UTF-16 units

/** An e-mail address: "" when it is fine, else what to do, in words. */
export function email(value) {
  if (!value) return "Enter your e-mail address";
  if (chars(value) > LIMITS.emailMax) return `Use at most ${LIMITS.emailMax} characters`;
  if (!EMAIL.test(value)) return "Enter an e-mail address like name@example.com";
  return "";
}

/** A password being chosen (sign-up, reset); how strong it is, the server says. */
export function newPassword(value) {
  if (!value) return "Choose a password";
  if (chars(value) < LIMITS.passwordMin) return `Use at least ${LIMITS.passwordMin} characters`;
  if (chars(value) > LIMITS.passwordMax) return `Use at most ${LIMITS.passwordMax} characters`;
  return "";
}

/** A password being typed to sign in: every account's has 10 to 256 characters. */
export function password(value) {
  if (!value) return "Enter your password";
  if (chars(value) < LIMITS.passwordMin || chars(value) > LIMITS.passwordMax) {
    return `Passwords here have ${LIMITS.passwordMin} to ${LIMITS.passwordMax} characters: check what you typed`;
  }
  return "";
}

/** A number input of years of experience (empty counts as 0, as the forms send it). */
export function years(input) {
  if (input.validity.badInput) return "Enter a number of years, like 4 or 2.5";
  if (input.value === "") return "";
  const n = Number(input.value);
  if (!Number.isFinite(n)) return "Enter a number of years, like 4 or 2.5";
  if (n < 0) return "Enter 0 or more";
  if (n > LIMITS.yearsMax) return `Enter ${LIMITS.yearsMax} or less`;
  return "";
}

/** A display name (profiles.DisplayName). */
export function displayName(value) {
  if (!value.trim()) return "Enter a display name";
  if (chars(value) > LIMITS.nameMax) return `Use at most ${LIMITS.nameMax} characters`;
  if (CONTROL.test(value)) return "Remove the control characters (tabs, line breaks) from the name";
  return "";
}

/** Pasted CV text (extract.MAX_TEXT_BYTES of UTF-8). */
export function cvText(value) {
  if (!value.trim()) return "The box is empty: paste the text of your CV or profile first";
  const bytes = new TextEncoder().encode(value).length;
  if (bytes > LIMITS.cvBytes) {
    return `The text is ${Math.ceil(bytes / 1000)} kB; at most ${LIMITS.cvBytes / 1000} kB is read: paste the part about your experience`;
  }
  return "";
}

/**
 * Show each failed check ([field, message], message "" when it passed) next to its field in `form`, focus
 * the first; true when every check passed (nothing is shown then).
 */
export function passes(form, checks) {
  const errors = checks.filter(([, message]) => message).map(([field, message]) => ({ field, message }));
  if (!errors.length) return true;
  showErrors(form, { errors });
  return false;
}
