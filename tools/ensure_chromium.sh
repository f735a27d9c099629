#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (Playwright drives it; it
# never downloads a browser). Installs the `chromium` and `chromium-driver` packages when it can; when it
# cannot, it says so and the browser tests fail (they do not skip).
set -u
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    SUDO="none"
  fi
  if [ "$SUDO" != none ]; then
    echo "installing Debian's chromium for the browser tests ..." >&2
    $SUDO apt-get update -qq >/dev/null \
      && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null \
      && [ -x "$CHROMIUM" ] && exit 0
  fi
fi
echo "warning: $CHROMIUM is missing and could not be installed (as root: apt-get install chromium chromium-driver);" \
  "the browser tests will fail" >&2
exit 0
