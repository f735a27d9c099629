#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (Playwright drives it; it
# never downloads a browser). Installs the `chromium` and `chromium-driver` packages when it can; when it
# cannot, it says so and the browser tests fail (they do not skip).
set -u
. "$(dirname "$0")/apt.sh"
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0
echo "installing Debian's chromium for the browser tests ..." >&2
apt_install chromium chromium-driver && [ -x "$CHROMIUM" ] && exit 0
echo "warning: $CHROMIUM is missing and could not be installed (as root: apt-get install chromium chromium-driver);" \
  "the browser tests will fail" >&2
exit 0
