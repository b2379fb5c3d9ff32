#!/bin/sh
# fuzz.sh runs every Go fuzz target under internal/ for $FUZZTIME each
# (default 60s), one after the other. A finding is written by go test to
# the package's testdata/fuzz/FuzzX/ directory, where it becomes a seed
# that every later `go test` runs: fix the package, keep the file.
#
#   scripts/fuzz.sh                    # every target, 60s each (make fuzz)
#   FUZZTIME=3s scripts/fuzz.sh        # a smoke run (make test)
#   scripts/fuzz.sh ./internal/junit   # only the targets of some packages
#
# Exits non-zero after running every target if any of them failed.
set -u
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-60s}

if [ $# -eq 0 ]; then
	set -- $(find internal -name '*_test.go' -not -path '*/testdata/*' | xargs grep -l '^func Fuzz' | xargs -n1 dirname | sort -u | sed 's|^|./|')
fi

failed=""
for pkg in "$@"; do
	for target in $(grep -h '^func Fuzz[A-Za-z0-9_]*(f \*testing.F)' "$pkg"/*_test.go | sed 's/^func \(Fuzz[A-Za-z0-9_]*\).*/\1/' | sort); do
		echo "== $pkg $target ($FUZZTIME)"
		if ! $GO test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" "$pkg"; then
			failed="$failed $pkg:$target"
		fi
	done
done
if [ -n "$failed" ]; then
	echo "fuzz.sh: failing targets:$failed (the inputs are in each package's testdata/fuzz/)" >&2
	exit 1
fi
