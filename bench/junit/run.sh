#!/usr/bin/env bash
# Benchmarks the merge of 64 generated JUnit files (~500 MB, ~1.1 million
# testcases) in two sets: the plain one (bench/junit/gen's default) and the
# realistic one (-shape realistic: per-class Surefire suites with their
# properties, pytest suites with escaped tracebacks and captured output,
# non-ASCII text, flaky and rerun failures; see internal/junit/junitgen).
# For each: wall time and peak RSS of the merge command against the
# targets (<= 5 s, <= 256 MB, the worst of three runs), then the merge
# command against junit-report-merger (jrm) on an 8-file subset, side by
# side (target >= 20x). Generated data and builds go to bench/out/
# (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=bench/out
SET=$OUT/junit
SUB=$OUT/junit8
REAL=$OUT/junit-real
SUBR=$OUT/junit-real8

if [ ! -x /usr/bin/time ]; then apt-get install -y time >/dev/null; fi
if [ ! -d "$SET" ]; then
	go run ./bench/junit/gen -dir "$SET" -files 64 -mb 500 -cases 1100000
fi
if [ ! -d "$REAL" ]; then
	go run ./bench/junit/gen -shape realistic -seed 14 -dir "$REAL" -files 64 -mb 500 -cases 1100000
fi
go build -o "$OUT/bin/junitmerge" ./bench/junit/junitmerge

# measure LOG CMD...: runs CMD under /usr/bin/time -v; prints
# "wall_s rss_mb cpu_s" (cpu = user + system, less noisy on a busy machine).
measure() {
	local log=$1; shift
	/usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$log.stderr" || [ -n "${ALLOW_FAIL:-}" ] || { cat "$log.stderr" >&2; return 1; }
	awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
		/Maximum resident set size/ { rss = $2 / 1024 }
		/User time|System time/ { cpu += $2 }
		END { printf "%.2f %.0f %.2f\n", s, rss, cpu }' "$log"
}

echo "input: $(ls "$SET" | wc -l) files, $(du -sh "$SET" | cut -f1)"
sync
rm -f "$OUT/junit-merged.xml"
sync
read -r wall rss cpu < <(measure "$OUT/time-full.txt" "$OUT/bin/junitmerge" -o "$OUT/junit-merged.xml" "$SET"/*.xml)
sed -n 's/^junitmerge: //p' "$OUT/time-full.txt.stderr"
echo "full set to a file:      ${wall} s wall, ${rss} MB peak RSS, ${cpu} s CPU (output $(du -sh "$OUT/junit-merged.xml" | cut -f1))"
read -r wall0 rss0 cpu0 < <(measure "$OUT/time-null.txt" "$OUT/bin/junitmerge" -o /dev/null "$SET"/*.xml)
echo "full set to /dev/null:   ${wall0} s wall, ${rss0} MB peak RSS, ${cpu0} s CPU"
awk -v w="$wall" -v r="$rss" 'BEGIN { printf "target <= 5 s, <= 256 MB: %s\n", (w <= 5 && r <= 256) ? "met" : "NOT met" }'

# The merge command itself: junit.Merge plus everything merge does with
# each case (verification, test-level timings, history, summaries), three
# runs of each set (the machine is noisy; the worst counts).
go build -o "$OUT/bin/merge" ./cmd/merge
# The plain set last: the history runs below read its outputs.
for set in "$REAL" "$SET"; do
	worst_w=0 worst_r=0
	echo "input: $set, $(ls "$set" | wc -l) files, $(du -sh "$set" | cut -f1)"
	for run in 1 2 3; do
		rm -rf "$OUT/merge-report"
		sync
		# The plain set's ids repeat across files, so merge reports
		# duplicates and exits 2: that is verification doing its job, not
		# a failed run.
		read -r mw mrss mcpu < <(ALLOW_FAIL=1 measure "$OUT/time-merge.txt" "$OUT/bin/merge" --out "$OUT/merge-report" --fail-on never "$set")
		echo "merge command, $(basename "$set"), run $run: ${mw} s wall, ${mrss} MB peak RSS, ${mcpu} s CPU"
		worst_w=$(awk -v a="$worst_w" -v b="$mw" 'BEGIN { print (b > a) ? b : a }')
		worst_r=$(awk -v a="$worst_r" -v b="$mrss" 'BEGIN { print (b > a) ? b : a }')
	done
	awk -v w="$worst_w" -v r="$worst_r" 'BEGIN { printf "target <= 5 s, <= 256 MB (worst of 3): %s\n", (w <= 5 && r <= 256) ? "met" : "NOT met" }'
done

# With history, as the action runs it: the timings and the outcome
# history (1.1 million tests each) of the run above read and written.
cp "$OUT/merge-report/timings.json" "$OUT/history-timings.json"
cp "$OUT/merge-report/history.json" "$OUT/history-outcomes.json"
worst_w=0 worst_r=0
for run in 1 2 3; do
	rm -rf "$OUT/merge-report-h"
	sync
	read -r mw mrss mcpu < <(ALLOW_FAIL=1 measure "$OUT/time-merge-h.txt" "$OUT/bin/merge" --out "$OUT/merge-report-h" --fail-on never \
		--timings-history "$OUT/history-timings.json" --history "$OUT/history-outcomes.json" "$SET")
	echo "merge command with both histories, run $run: ${mw} s wall, ${mrss} MB peak RSS, ${mcpu} s CPU"
	worst_w=$(awk -v a="$worst_w" -v b="$mw" 'BEGIN { print (b > a) ? b : a }')
	worst_r=$(awk -v a="$worst_r" -v b="$mrss" 'BEGIN { print (b > a) ? b : a }')
done
awk -v w="$worst_w" -v r="$worst_r" 'BEGIN { printf "with history, target <= 5 s, <= 256 MB (worst of 3): %s\n", (w <= 5 && r <= 256) ? "met" : "NOT met" }'

JRM=$OUT/node/node_modules/.bin/jrm
if [ ! -x "$JRM" ]; then npm install --prefix "$OUT/node" junit-report-merger >/dev/null; fi
for pair in "$SET:$SUB" "$REAL:$SUBR"; do
	set=${pair%%:*} sub=${pair#*:}
	mkdir -p "$sub"
	ls "$set"/*.xml | head -8 | xargs -I{} cp -u {} "$sub/"
	echo "subset of $(basename "$set"): 8 files, $(du -sh "$sub" | cut -f1)"
	rm -rf "$OUT/junit8-ours.xml" "$OUT/junit8-jrm.xml" "$OUT/merge8-report"
	read -r ow orss ocpu < <(measure "$OUT/time-ours8.txt" "$OUT/bin/junitmerge" -o "$OUT/junit8-ours.xml" "$sub"/*.xml)
	echo "xshard junit.Merge:      ${ow} s wall, ${orss} MB peak RSS, ${ocpu} s CPU"
	read -r mw mrss mcpu < <(ALLOW_FAIL=1 measure "$OUT/time-merge8.txt" "$OUT/bin/merge" --out "$OUT/merge8-report" --fail-on never "$sub")
	echo "xshard merge command:    ${mw} s wall, ${mrss} MB peak RSS, ${mcpu} s CPU"
	read -r jw jrss jcpu < <(measure "$OUT/time-jrm8.txt" "$JRM" "$OUT/junit8-jrm.xml" "$sub/*.xml")
	echo "junit-report-merger:     ${jw} s wall, ${jrss} MB peak RSS, ${jcpu} s CPU"
	awk -v o="$mw" -v j="$jw" 'BEGIN { if (o < 0.01) o = 0.01; r = j / o; printf "speed-up of the merge command: %.0fx (target >= 20x: %s)\n", r, (r >= 20) ? "met" : "NOT met" }'
done
