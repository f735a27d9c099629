# Sourced by tools/ensure_*.sh: `apt_install PACKAGE...` installs Debian packages as root, or through a
# password-less sudo; it fails (status 1) when neither is possible or apt-get is missing.
apt_sudo() {
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ "$(id -u)" = 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    return 1
  fi
}
apt_install() {
  apt_sudo || return 1
  $SUDO apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}
# `apt_has PACKAGE`: the configured suites offer PACKAGE (after an update).
apt_has() {
  apt_sudo || return 1
  $SUDO apt-get update -qq >/dev/null 2>&1
  [ -n "$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | grep -v '(none)')" ]
}
