#!/usr/bin/env bash
# Make sure `kubectl kustomize` (kustomize v4 or newer) is there for the deploy tests, which render
# deploy/k8s with it. Installs Debian's `kubectl` package when the configured suites have one. Debian 12
# (bookworm) has none: its `kubernetes-client` is kubectl 1.20, whose kustomize v2.0.3 cannot read the
# overlays' `patches`, so it is not installed. When no kubectl renders the overlays, this says so and the
# deploy tests fail (they do not skip).
set -u
cd "$(dirname "$0")/.."
. tools/apt.sh
renders() { command -v kubectl >/dev/null 2>&1 && kubectl kustomize deploy/k8s/overlays/dev >/dev/null 2>&1; }
renders && exit 0
if apt_has kubectl; then
  echo "installing Debian's kubectl for the deploy tests ..." >&2
  apt_install kubectl && renders && exit 0
fi
echo "warning: no kubectl that renders deploy/k8s (kustomize v4 or newer), and Debian has no package for one" \
  "(bookworm's kubernetes-client is kubectl 1.20); install kubectl >= 1.21; the deploy tests will fail" >&2
exit 0
