#!/usr/bin/env bash
# Installs what the tests need and a clean CI machine lacks: Debian's
# pytest and pytest-cov for the pytest oracle (internal/e2e), and Chromium
# for the browser test of report.html (internal/report), and Redis for the
# queue's tests (internal/queue, internal/e2e), which start their own
# redis-server on a loopback port. Safe to run
# again: it installs only what is missing.
set -euo pipefail
need=()
if ! /usr/bin/python3 -c 'import pytest, pytest_cov' 2>/dev/null; then
  need+=(python3-pytest python3-pytest-cov)
fi
if ! command -v chromium >/dev/null 2>&1; then
  need+=(chromium)
fi
if ! [ -x /usr/bin/redis-server ] && ! command -v redis-server >/dev/null 2>&1; then
  need+=(redis-server)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
