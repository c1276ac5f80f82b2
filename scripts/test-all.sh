#!/usr/bin/env bash
# Installs everything the whole test suite needs on a fresh Debian machine, starts the Docker engine
# when none answers, then type-checks, lints, builds and runs every test. The README's test command;
# .ci/run calls it with BERTH_REQUIRE_DOCKER=1 so that nothing can pass by being skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# 1. Debian packages: the Docker engine, the reference registry and the real clients the tests drive.
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v skopeo >/dev/null || need+=(skopeo)
command -v podman >/dev/null || need+=(podman)
command -v buildah >/dev/null || need+=(buildah)
command -v umoci >/dev/null || need+=(umoci)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v openssl >/dev/null || need+=(openssl)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v chromium >/dev/null || need+=(chromium)
# Sharing tests: ip netns for a second host, curl as a client (htpasswd and openssl above).
command -v ip >/dev/null || need+=(iproute2)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# 2. npm packages, exactly as locked. Electron's binary is not needed for tests (and cannot be downloaded here).
echo "== npm ci ($(date +%T))"
ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error

# 3. A Docker engine: use the one that answers, else start one (vfs storage, no iptables, no bridge).
if ! docker info >/dev/null 2>&1; then
  echo "== starting dockerd"
  root="${BERTH_DOCKER_ROOT:-/var/lib/berth-dockerd}"
  $SUDO mkdir -p "$root"
  $SUDO sh -c "nohup dockerd --data-root '$root' --storage-driver vfs --iptables=false --bridge=none >/tmp/berth-dockerd.log 2>&1 &"
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start; see /tmp/berth-dockerd.log"; tail -20 /tmp/berth-dockerd.log; exit 1; }
fi

# 4. Static checks and the build, then every test (unit and integration) with a summary line CI can read.
echo "== typecheck, lint, build ($(date +%T))"
# Type-check and lint side by side (one core each); either failing fails the run.
npx tsc -b & tsc_pid=$!
npx eslint . & lint_pid=$!
wait $tsc_pid
wait $lint_pid
npx electron-vite build >/dev/null

echo "== tests ($(date +%T))"
mkdir -p .tmp
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json || status=$?
node -e '
  const r = require("./.tmp/vitest.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit $status
