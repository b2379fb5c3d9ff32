#!/usr/bin/env bash
# Installs what the tests need and a clean CI machine lacks: Debian's
# pytest and pytest-cov for the pytest oracle (internal/e2e) and the pytest
# workflow under act, pip (the setup-python stand-in's pip install finds
# them already there), Chromium for the browser test of report.html
# (internal/report), Redis for the queue's tests (internal/queue,
# internal/e2e), which start their own redis-server on a loopback port,
# and Node.js and npm for the Jest example, whose jest and jest-junit npm ci
# installs from package-lock.json. Safe to run again: it installs only what
# is missing (npm ci always runs: it also fills npm's cache, from which the
# act runs of the Jest workflow install offline). act itself is built by
# `make act` (scripts/install-act.sh).
set -euo pipefail
need=()
if ! /usr/bin/python3 -c 'import pytest, pytest_cov' 2>/dev/null; then
  need+=(python3-pytest python3-pytest-cov)
fi
if ! /usr/bin/python3 -c 'import pip' 2>/dev/null; then
  need+=(python3-pip)
fi
if ! command -v chromium >/dev/null 2>&1; then
  need+=(chromium)
fi
if ! [ -x /usr/bin/redis-server ] && ! command -v redis-server >/dev/null 2>&1; then
  need+=(redis-server)
fi
if ! command -v npm >/dev/null 2>&1; then
  need+=(nodejs npm)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "npm ci in examples/jest"
(cd "$(dirname "$0")/../examples/jest" && npm ci --no-audit --no-fund --loglevel=error)
