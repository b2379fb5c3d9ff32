#!/usr/bin/env bash
# make demo: shard the bundled Go example across 4 workers, run them one
# after another as a CI matrix would (each in its own artifact directory),
# then merge and say where the report and the job summary are.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/bin
out=${DEMO_OUT:-$root/demo-out}
workers=${DEMO_WORKERS:-4}
suite=$root/examples/go

rm -rf "$out"
mkdir -p "$out/artifacts"
cd "$suite"
for ((i = 0; i < workers; i++)); do
  art=$out/artifacts/xshard-$i
  mkdir -p "$art"
  echo "== worker gw$i of $workers"
  "$bin/shard" --go ./... --index "$i" --total "$workers" \
    --manifest "$art/xshard-manifest.json" --format go-run >"$out/go-run-$i.txt"
  n=0
  while read -r line; do
    # shellcheck disable=SC2086 # each line is go test arguments
    go test -json -coverprofile="$art/cover-$n.out" $line >"$art/test-$n.json" || true
    n=$((n + 1))
  done <"$out/go-run-$i.txt"
  echo "   $(wc -l <"$out/go-run-$i.txt") go test invocation(s), manifest and results in $art"
done
echo "== merge"
status=0
"$bin/merge" --out "$out/report" "$out/artifacts" || status=$?
echo "job summary (the Markdown GitHub shows on the run's page): $out/report/summary.md"
echo
echo "== the next run, planned with this run's timings ($out/report/timings.json)"
(cd "$suite" && "$bin/shard" --go ./... --total "$workers" --plan --timings "$out/report/timings.json")
echo
echo "report directory: $out/report"
[ -f "$out/report/report.html" ] && echo "HTML report: $out/report/report.html"
exit "$status"
