#!/usr/bin/env bash
# skipped.sh LOG prints one line saying which tests `make test` skipped for
# lack of a component (the lines "component<TAB>test" that
# internal/testenv writes to $XSHARD_SKIPPED_LOG), or that none was.
set -euo pipefail
log=${1:?usage: skipped.sh LOG}
if [ ! -s "$log" ]; then
  echo "make test: no test skipped for a missing component"
  exit 0
fi
summary=$(cut -f1 "$log" | sort | uniq -c | awk '{n = $1; $1 = ""; sub(/^ /, ""); printf "%s%s (%d %s)", sep, $0, n, (n == 1 ? "skip" : "skips"); sep = ", "}')
echo "make test: SKIPPED for lack of ${summary}: install them to run everything (README, Development)"
