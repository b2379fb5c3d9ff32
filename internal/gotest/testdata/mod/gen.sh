#!/bin/sh
# gen.sh regenerates ../NNN-input.json from real `go test -json` runs of this
# throwaway module. Run it from this directory; then run
# `go test ./internal/gotest -update` to refresh the reports.
# Runs that fail are expected: the exit status of go test is ignored.
set -u
out=..
counter=$(mktemp)
export FLAKY_COUNTER="$counter"
export GOFLAGS=-count=1

go test -json ./basic > $out/001-input.json
go test -json ./subtests > $out/002-input.json
go test -json ./panicky > $out/003-input.json
go test -json ./broken > $out/004-input.json 2>/dev/null
# Before Go 1.24 build errors were plain text on stderr; GODEBUG brings
# that back, and 2>&1 interleaves them as CI logs do.
GODEBUG=gotestjsonbuildtext=1 go test -json ./basic ./broken > $out/005-input.json 2>&1
go test -json ./testmain > $out/006-input.json
rm -f "$counter"
go test -json -count=2 ./flaky > $out/007-input.json
# gotestsum --rerun-fails: a second run of the failed tests, appended.
rm -f "$counter"
{ go test -json ./flaky; go test -json -run '^(TestFlaky|TestAlwaysFails)$' ./flaky; } > $out/008-input.json
go test -json ./fuzzex > $out/009-input.json
go test -json -timeout 2s ./slow > $out/010-input.json
go test -json ./initfail > $out/011-input.json
go test -json -p 2 ./basic ./subtests ./broken ./testmain > $out/012-input.json 2>/dev/null
# Damaged streams: line 2 is JSON that does not parse; a worker killed
# mid-run leaves a stream that stops inside a package.
sed -e '2s/"Action":"run"/"Action":run/' $out/001-input.json > $out/013-input.json
head -n 30 $out/002-input.json > $out/014-input.json
# A wrapper script's lines around the events, as go test -json 2>&1 | tee
# in a CI script leaves them, in a stream cut in the middle of an event.
{ echo "+ go test -json ./basic ./subtests"; go test -json ./basic 2>&1; echo "wrapper: retrying ./subtests"; go test -json ./subtests 2>&1; } > "$counter.015"
{ head -n 40 "$counter.015"; sed -n 41p "$counter.015" | head -c 60; } > $out/015-input.json
rm -f "$counter.015"
# Elapsed that is not a duration: negative and absurd.
sed -e '6s/"Elapsed":0}/"Elapsed":-1}/' -e '12s/"Elapsed":0}/"Elapsed":1e308}/' -e '24s/"Elapsed":0.004}/"Elapsed":-0.5}/' $out/001-input.json > $out/016-input.json
# Tests that create and run other tests (testing.RunTests, as suite
# runners do): alone, and with another package's events around them.
go test -json ./runtests > $out/017-input.json
go test -json -p 2 ./runtests ./subtests > $out/018-input.json
rm -f "$counter"
