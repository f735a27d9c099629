// The JSON API client: session cookie + CSRF header, errors as ApiError with messages in words.

let csrfToken = null;

export function setCsrf(token) {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(body.detail || `request failed (${status})`);
    this.status = status;
    this.detail = body.detail || "";
    this.errors = (body.errors || []).map((e) => ({ field: e.field, message: humanize(e.message, e.field) }));
    this.retryAfter = retryAfter;
  }

  get outage() {
    return this.status === 503 || this.status === 0;
  }
}

const FORMATS = {
  email: "Enter an e-mail address like name@example.com",
  source: "must be snapshot, file:NAME or an http(s) URL",
  target_role: "is not a known role",
  version: "is not a valid version id",
};

const RULES = [
  [/^Expected `str` of length >= 1\b/, () => "is required"],
  [/^Expected `str` of length >= (\d+)/, (m) => `Use at least ${m[1]} characters`],
  [/^Expected `str` of length <= (\d+)/, (m) => `Use at most ${m[1]} characters`],
  [/^Expected `(?:int|float)` >= ([\d.]+)/, (m) => `Enter ${Number(m[1])} or more`],
  [/^Expected `(?:int|float)` <= ([\d.]+)/, (m) => `Enter ${Number(m[1])} or less`],
  [/^Expected `(?:int|float)`/, () => "Enter a number"],
  [/^Expected `array` of length >= 1/, () => "choose at least one"],
  [/^Expected `str` matching regex/, (m, field) => FORMATS[field] || "is not in the expected format"],
  [/^Invalid RFC3339/, () => "is not a valid date"],
  [/^Object missing required field `(\w+)`/, (m) => `${m[1].replace(/_/g, " ")} is required`],
];

/** Turn a validator's message into words a person reads ("Use at least 10 characters"), as validate.js says them. */
export function humanize(message, field) {
  for (const [pattern, words] of RULES) {
    const m = pattern.exec(message || "");
    if (m) return words(m, field);
  }
  return message;
}

/** Call the API; resolves to {body, etag, status}; rejects with ApiError (status 0 when unreachable). */
export async function api(method, path, { body, headers = {} } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  if (method !== "GET" && csrfToken) init.headers["X-CSRF-Token"] = csrfToken;
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { detail: "careerpath cannot be reached (network error)" });
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { detail: text.slice(0, 200) };
  }
  if (!response.ok) {
    throw new ApiError(response.status, parsed || {}, response.headers.get("Retry-After"));
  }
  return { body: parsed, etag: response.headers.get("ETag"), status: response.status };
}
