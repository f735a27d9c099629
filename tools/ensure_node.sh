#!/usr/bin/env bash
# Make sure Node.js and npm are there (Debian's nodejs and npm packages when they are missing), then
# install the pinned OpenAPI linter (tools/openapi-lint: Redocly CLI, package-lock.json) with `npm ci`.
# When that cannot be done, it says so and the lint test fails (it does not skip).
set -u
. "$(dirname "$0")/apt.sh"
LINT="$(cd "$(dirname "$0")/openapi-lint" && pwd)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "installing Debian's nodejs and npm for the OpenAPI lint test ..." >&2
  apt_install nodejs npm || echo "warning: node/npm missing and could not be installed (as root: apt-get install nodejs npm)" >&2
fi
command -v npm >/dev/null 2>&1 || exit 0
STAMP="$LINT/node_modules/.careerpath-installed"
[ -f "$STAMP" ] && [ "$STAMP" -nt "$LINT/package-lock.json" ] && exit 0
(cd "$LINT" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null) && touch "$STAMP" && exit 0
echo "warning: npm ci in $LINT failed; the OpenAPI lint test will fail" >&2
exit 0
