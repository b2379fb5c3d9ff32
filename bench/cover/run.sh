#!/usr/bin/env bash
# Benchmarks Go cover profile merging: internal/gocover (through the
# bench-only bench/cover/covermerge) against gocovmerge b5bfa59ec0ad on
# N count-mode profiles of BLOCKS blocks each, timed side by side in the
# same run with /usr/bin/time -v, outputs compared with cmp.
#
#	bench/cover/run.sh              # 64 profiles of 400,000 blocks (~30 MB each)
#	N=8 BLOCKS=50000 bench/cover/run.sh
#
# Everything it writes goes under bench/out/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-64}
BLOCKS=${BLOCKS:-400000}
OUT=bench/out/cover
DATA=$OUT/profiles-$N-$BLOCKS
BIN=bench/out/bin
mkdir -p "$OUT" "$BIN"

if [ ! -x /usr/bin/time ]; then
	apt-get install -y time >/dev/null
fi
last=$(printf '%s/cover-%03d.out' "$DATA" $((N - 1)))
if [ ! -f "$last" ]; then
	echo "generating $N profiles of $BLOCKS blocks in $DATA"
	go run ./bench/cover/gen -n "$N" -blocks "$BLOCKS" -out "$DATA"
fi
go build -o "$BIN/covermerge" ./bench/cover/covermerge
(cd bench/cover/tools && GOBIN="$PWD/../../out/bin" go install github.com/wadey/gocovmerge)

inputs=("$DATA"/cover-*.out)
echo "inputs: ${#inputs[@]} files, $(du -sh "$DATA" | cut -f1), $(($(wc -l <"${inputs[0]}") - 1)) blocks in the first"
cat "${inputs[@]}" >/dev/null # warm the page cache for both tools alike

# wall prints a time -v report's wall clock in seconds and its peak RSS in MiB.
wall() {
	awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$1"
}
rss() {
	awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"
}

/usr/bin/time -v "$BIN/gocovmerge" "${inputs[@]}" >"$OUT/gocovmerge.out" 2>"$OUT/gocovmerge.time"
/usr/bin/time -v "$BIN/covermerge" -o "$OUT/covermerge.out" "${inputs[@]}" 2>"$OUT/covermerge.time"

g=$(wall "$OUT/gocovmerge.time")
c=$(wall "$OUT/covermerge.time")
printf '%-12s %8s s %8s MiB\n' tool wall RSS
printf '%-12s %8s s %8s MiB\n' gocovmerge "$g" "$(rss "$OUT/gocovmerge.time")"
printf '%-12s %8s s %8s MiB\n' covermerge "$c" "$(rss "$OUT/covermerge.time")"
if cmp "$OUT/gocovmerge.out" "$OUT/covermerge.out"; then
	echo "outputs identical ($(wc -c <"$OUT/covermerge.out") bytes)"
else
	echo "OUTPUTS DIFFER" >&2
	exit 1
fi
awk -v g="$g" -v c="$c" 'BEGIN { printf "speed-up: %.1fx\n", g / c }'
