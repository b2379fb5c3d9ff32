#!/usr/bin/env bash
# fuzz.sh runs every Go fuzz target under internal/ for $FUZZTIME each
# (default 60s), one after the other. A finding is written by go test to
# the package's testdata/fuzz/FuzzX/ directory, where it becomes a seed
# that every later `go test` runs: fix the package, keep the file.
#
#   scripts/fuzz.sh                    # every target, 60s each (make fuzz)
#   FUZZTIME=3s scripts/fuzz.sh        # a smoke run (make test)
#   scripts/fuzz.sh ./internal/junit   # only the targets of some packages
#   FUZZ_SKIP="./internal/gotest:FuzzRead" scripts/fuzz.sh   # leave some out
#
# Exits non-zero after running every target if any of them failed, unless
# FUZZ_REPORT_ONLY=1: then findings are printed, with the input go test
# wrote, and the exit code is 0. CI sets it (see .ci/run): a landing gate
# must be reproducible, and a random new input must not block unrelated
# changes; seeds of past findings are ordinary tests and always fail it.
set -u
cd "$(dirname "$0")/.." || exit 2
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-60s}
FUZZ_SKIP=${FUZZ_SKIP:-}
FUZZ_REPORT_ONLY=${FUZZ_REPORT_ONLY:-}

pkgs=("$@")
if [ ${#pkgs[@]} -eq 0 ]; then
	mapfile -t pkgs < <(grep -rl --include='*_test.go' '^func Fuzz' internal | grep -v '/testdata/' |
		while IFS= read -r f; do dirname "$f"; done | sort -u | sed 's|^|./|')
fi

failed=""
for pkg in "${pkgs[@]}"; do
	mapfile -t targets < <(grep -h '^func Fuzz[A-Za-z0-9_]*(f \*testing.F)' "$pkg"/*_test.go |
		sed 's/^func \(Fuzz[A-Za-z0-9_]*\).*/\1/' | sort)
	for target in "${targets[@]}"; do
		case " $FUZZ_SKIP " in
		*" $pkg:$target "*)
			echo "== $pkg $target: skipped (FUZZ_SKIP)"
			continue
			;;
		esac
		echo "== $pkg $target ($FUZZTIME)"
		if ! "$GO" test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" "$pkg"; then
			failed="$failed $pkg:$target"
		fi
	done
done
if [ -n "$failed" ]; then
	echo "fuzz.sh: failing targets:$failed (the inputs are in each package's testdata/fuzz/)" >&2
	if [ "$FUZZ_REPORT_ONLY" = 1 ]; then
		echo "fuzz.sh: FUZZ FINDINGS REPORTED, NOT FAILING (FUZZ_REPORT_ONLY=1): fix them and keep the inputs as seeds" >&2
		for f in $failed; do
			pkg=${f%%:*}
			target=${f##*:}
			for input in "$pkg/testdata/fuzz/$target"/*; do
				if [ -f "$input" ] && ! git ls-files --error-unmatch "$input" >/dev/null 2>&1; then
					echo "--- new input $input"
					cat "$input"
					echo
				fi
			done
		done
		exit 0
	fi
	exit 1
fi
