#!/usr/bin/env bash
# Checks internal/gocover's golden merged profiles against the real
# gocovmerge (b5bfa59ec0ad, pinned in bench/cover/tools): for every
# internal/gocover/testdata/merge/NNN-*/ it runs `gocovmerge *.out` and
# compares the output with merged.golden byte for byte.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$PWD/bench/out/bin
mkdir -p "$BIN"
(cd bench/cover/tools && GOBIN="$BIN" go install github.com/wadey/gocovmerge)
for d in internal/gocover/testdata/merge/*/; do
	(cd "$d" && "$BIN/gocovmerge" *.out | cmp - merged.golden) && echo "ok   $d"
done
