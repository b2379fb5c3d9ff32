#!/usr/bin/env bash
# Lints the GitHub Actions files: actionlint (with shellcheck on every
# run: script) over the workflows and the example workflows; then the
# static rules of internal/actionrules (shellcheck on action.yml's scripts,
# no ${{ }} in a run: script, actions pinned by SHA, the action's inputs
# documented and used as they exist), and shellcheck on this script.
# Installs what is missing: actionlint from the Go module proxy at a fixed
# version, shellcheck from Debian.
set -euo pipefail
cd "$(dirname "$0")/.."

actionlint_version=v1.7.12

if ! command -v shellcheck >/dev/null; then
  echo "installing shellcheck"
  sudo=
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo=sudo; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends shellcheck >/dev/null
fi

actionlint=(actionlint)
if ! command -v actionlint >/dev/null || ! actionlint -version 2>/dev/null | head -n1 | grep -qx "$actionlint_version"; then
  # go run keeps the build in Go's cache: only the first run compiles.
  actionlint=(env GOFLAGS=-mod=mod go run "github.com/rhysd/actionlint/cmd/actionlint@$actionlint_version")
fi

status=0
echo "actionlint: .github/workflows/*.yml examples/workflows/*.yml"
"${actionlint[@]}" -shellcheck shellcheck .github/workflows/*.yml examples/workflows/*.yml || status=1

echo "static rules: internal/actionrules (shellcheck on action.yml's scripts, pins, env:, docs)"
XSHARD_REQUIRE_SHELLCHECK=1 go test -count=1 ./internal/actionrules || status=1

echo "shellcheck: scripts/lint-actions.sh"
shellcheck scripts/lint-actions.sh || status=1

exit "$status"
