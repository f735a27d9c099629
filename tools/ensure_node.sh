#!/usr/bin/env bash
# Make sure Node.js and npm are there (Debian's nodejs and npm packages when they are missing), then
# install the pinned npm packages the tests use, each with `npm ci` from its package-lock.json:
# tools/openapi-lint (Redocly CLI, the OpenAPI lint test) and tools/axe (axe-core, injected into the page
# by the accessibility tests). When that cannot be done, it says so and those tests fail (they do not skip).
set -u
. "$(dirname "$0")/apt.sh"
TOOLS="$(cd "$(dirname "$0")" && pwd)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "installing Debian's nodejs and npm for the OpenAPI lint and accessibility tests ..." >&2
  apt_install nodejs npm || echo "warning: node/npm missing and could not be installed (as root: apt-get install nodejs npm)" >&2
fi
command -v npm >/dev/null 2>&1 || exit 0
for DIR in "$TOOLS/openapi-lint" "$TOOLS/axe"; do
  STAMP="$DIR/node_modules/.careerpath-installed"
  [ -f "$STAMP" ] && [ "$STAMP" -nt "$DIR/package-lock.json" ] && continue
  (cd "$DIR" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null) && touch "$STAMP" && continue
  echo "warning: npm ci in $DIR failed; the tests that use it will fail" >&2
done
exit 0
