package merge

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/junit"
	"github.com/xshard/xshard/internal/junit/junitdoc"
	"github.com/xshard/xshard/internal/manifest"
)

// qworker is one worker's artifact in a queue-run fixture.
type qworker struct {
	name    string
	queue   *manifest.Queue
	attempt int
	start   string
	end     string
	results map[string]string // test → "pass", "fail"
	gojson  string            // a go test -json stream, when set
}

// writeQueueRun writes each worker's manifest (a plan of t1..t4 over
// len(ws) workers, by test) and JUnit report into its own artifact
// directory, and returns the root.
func writeQueueRun(t *testing.T, ws []qworker) string {
	t.Helper()
	root := t.TempDir()
	total := len(ws)
	shards := make([]manifest.Shard, total)
	for i := range shards {
		shards[i] = manifest.Shard{Index: i, Units: []manifest.Unit{}}
	}
	for i, id := range []string{"t1", "t2", "t3", "t4"} {
		sh := &shards[i%total]
		sh.Units = append(sh.Units, manifest.Unit{ID: "s." + id, Seconds: 1, Known: true})
		sh.PredictedSeconds++
	}
	for i, w := range ws {
		dir := filepath.Join(root, "xshard-"+w.name)
		os.MkdirAll(dir, 0o755)
		m := &manifest.Manifest{Worker: w.name, Index: i, Total: total, Strategy: "timing", By: "test", Collector: "ids",
			Fingerprint: "v1-u-t-a", UniverseFingerprint: "u", TimingsFingerprint: fmt.Sprint("t", i), Items: 4, KnownShare: 1,
			PredictedSeconds: shards[i].PredictedSeconds, MakespanSeconds: 2, LowerBoundSeconds: 1, RunAttempt: w.attempt, TestRunUID: "r",
			TestStartedAt: w.start, TestFinishedAt: w.end, Shards: shards, Queue: w.queue}
		f, err := os.Create(filepath.Join(dir, "xshard-manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		manifest.Write(f, m)
		f.Close()
		var b strings.Builder
		b.WriteString("<testsuite name=\"s\">\n")
		for _, id := range []string{"t1", "t2", "t3", "t4"} {
			switch w.results[id] {
			case "pass":
				fmt.Fprintf(&b, "<testcase classname=\"s\" name=%q time=\"1\"/>\n", id)
			case "fail":
				fmt.Fprintf(&b, "<testcase classname=\"s\" name=%q time=\"0.5\"><failure message=\"killed\"/></testcase>\n", id)
			}
		}
		b.WriteString("</testsuite>\n")
		os.WriteFile(filepath.Join(dir, "junit.xml"), []byte(b.String()), 0o644)
		if w.gojson != "" {
			os.WriteFile(filepath.Join(dir, "test.json"), []byte(w.gojson), 0o644)
		}
	}
	return root
}

func batch(id string, units []string, finished bool, mod ...func(*manifest.Batch)) manifest.Batch {
	var us []string
	for _, u := range units {
		us = append(us, "s."+u)
	}
	units = us
	b := manifest.Batch{ID: id, Units: units, PredictedSeconds: float64(len(units)), ClaimedAt: "2026-11-22T10:00:00.000Z"}
	if finished {
		b.FinishedAt, b.Acked = "2026-11-22T10:00:05.000Z", true
	}
	for _, f := range mod {
		f(&b)
	}
	return b
}

func queued(bs ...manifest.Batch) *manifest.Queue {
	return &manifest.Queue{URL: "redis://h:1", Key: "xshard:{r}:", Fingerprint: "q1-u-b", Mode: manifest.ModeQueue, Batches: bs}
}

func runQueueMerge(t *testing.T, root string) *Result {
	t.Helper()
	res, _ := runQueueMergeOut(t, root)
	return res
}

// runQueueMergeOut merges root and returns the result and the output
// directory.
func runQueueMergeOut(t *testing.T, root string) (*Result, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	res, err := Run(Options{Inputs: []string{root}, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("problems: %q", res.Problems)
	}
	return res, out
}

// junitReports reads the merged junit.xml in out and returns, by test
// name, each of its testcases as "worker outcome", with " requeued
// (OTHERS)" when it carries junit.RequeuedProperty. It checks that every
// suite's and the root's totals count the testcases written.
func junitReports(t *testing.T, out string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, JUnitFile))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := junitdoc.Parse(data)
	if err != nil {
		t.Fatalf("junit.xml: %v", err)
	}
	got := map[string][]string{}
	tests := 0
	for _, s := range doc.Suites {
		fails := 0
		for _, c := range s.Cases {
			props := map[string]string{}
			for _, p := range c.Props {
				props[p.Name] = p.Value
			}
			r := props[junit.WorkerProperty] + " passed"
			if len(c.Failures) > 0 {
				r = props[junit.WorkerProperty] + " failed"
				fails++
			}
			if len(c.Errors) > 0 {
				r = props[junit.WorkerProperty] + " errored"
			}
			if v, ok := props[junit.RequeuedProperty]; ok {
				r += " requeued (" + v + ")"
			}
			got[c.Name] = append(got[c.Name], r)
		}
		if s.Tests != len(s.Cases) || s.Failures != fails {
			t.Errorf("junit.xml suite totals: tests %d, failures %d; it holds %d testcases, %d failed", s.Tests, s.Failures, len(s.Cases), fails)
		}
		tests += len(s.Cases)
	}
	if doc.Tests != tests {
		t.Errorf("junit.xml root: tests %d; it holds %d testcases", doc.Tests, tests)
	}
	return got
}

func TestALostWorkersBatchRunAgainIsRequeuedNotDuplicated(t *testing.T) {
	requeued := func(b *manifest.Batch) { b.Requeued = b.Units }
	root := writeQueueRun(t, []qworker{
		{name: "gw0", queue: queued(batch("b1", []string{"t1", "t2"}, true)), results: map[string]string{"t1": "pass", "t2": "pass"}},
		// gw1 was killed in the middle of b2: t3 was cut off, t4 never ran.
		{name: "gw1", queue: queued(batch("b2", []string{"t3", "t4"}, false)), results: map[string]string{"t3": "fail"}},
		{name: "gw2", queue: queued(batch("b3", []string{"t3", "t4"}, true, requeued)), results: map[string]string{"t3": "pass", "t4": "pass"}},
	})
	res, out := runQueueMergeOut(t, root)
	v := res.Verification
	if !v.OK() || !v.Queue {
		t.Fatalf("verification not OK: %+v", v)
	}
	// junit.xml holds one report per test, the one that counts, marked.
	wantJUnit := map[string][]string{
		"t1": {"gw0 passed"}, "t2": {"gw0 passed"},
		"t3": {"gw2 passed requeued (gw1)"}, "t4": {"gw2 passed requeued (gw1)"},
	}
	if diff := cmp.Diff(wantJUnit, junitReports(t, out)); diff != "" {
		t.Errorf("junit.xml testcases (-want +got):\n%s", diff)
	}
	want := []Requeued{
		{Test: "s.t3", Workers: []string{"gw1", "gw2"}, Kept: "gw2", Reason: "lease expired"},
		{Test: "s.t4", Workers: []string{"gw1", "gw2"}, Kept: "gw2", Reason: "lease expired"},
	}
	if diff := cmp.Diff(want, v.Requeued); diff != "" {
		t.Errorf("requeued (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]LostBatch{{Worker: "gw1", Batch: "b2", Units: []string{"s.t3", "s.t4"}, RerunBy: []string{"gw2"}}}, v.Lost); diff != "" {
		t.Errorf("lost batches (-want +got):\n%s", diff)
	}
	if res.Totals.Tests != 4 || res.Totals.Passed != 4 || res.Totals.Failed != 0 || len(res.Failures) != 0 {
		t.Errorf("totals %+v, failures %d: the cut-off report of t3 must not count", res.Totals, len(res.Failures))
	}
	if n := len(res.Tests); n != 4 {
		t.Errorf("%d rows in the test table, want one per test", n)
	}
}

func TestAFinishedClaimWinsOverACutOffOne(t *testing.T) {
	// gw1 was cut off in t4 after gw0 ran everything: gw0's report counts.
	root := writeQueueRun(t, []qworker{
		{name: "gw0", queue: queued(batch("b1", []string{"t1", "t2", "t3", "t4"}, true)), results: map[string]string{"t1": "pass", "t2": "pass", "t3": "pass", "t4": "pass"}},
		{name: "gw1", queue: queued(batch("b2", []string{"t4"}, false)), results: map[string]string{"t4": "fail"}},
	})
	res := runQueueMerge(t, root)
	if res.Totals.Failed != 0 || !res.Verification.OK() {
		t.Errorf("totals %+v, verification %+v", res.Totals, res.Verification)
	}
}

func TestWhenTheKeptWorkerReportedNothingTheOtherReportCounts(t *testing.T) {
	root := writeQueueRun(t, []qworker{
		{name: "gw0", queue: queued(batch("b1", []string{"t1", "t2", "t3"}, true)), results: map[string]string{"t1": "pass", "t2": "pass"}},
		{name: "gw1", queue: queued(batch("b2", []string{"t3", "t4"}, false), batch("b3", []string{"t4"}, true)), results: map[string]string{"t3": "fail", "t4": "pass"}},
	})
	res, out := runQueueMergeOut(t, root)
	if res.Totals.Tests != 4 || res.Totals.Failed != 1 {
		t.Errorf("totals %+v: gw1's report of t3 is the only one and must count", res.Totals)
	}
	if got := junitReports(t, out)["t3"]; !slices.Equal(got, []string{"gw1 failed requeued (gw0)"}) {
		t.Errorf("junit.xml's t3: %q, want gw1's report alone, marked", got)
	}
	if len(res.Verification.Missing) != 0 {
		t.Errorf("missing %v", res.Verification.Missing)
	}
	found := false
	for _, r := range res.Verification.Requeued {
		if r.Test == "s.t3" {
			found = true
			if r.Kept != "gw1" {
				t.Errorf("t3 kept from %s, want gw1 (the only report)", r.Kept)
			}
		}
	}
	if !found {
		t.Errorf("t3 not listed as requeued: %+v", res.Verification.Requeued)
	}
}

func TestAStaticFallbackBesideQueuedWorkersIsReconciled(t *testing.T) {
	fallback := &manifest.Queue{URL: "redis://h:1", Key: "xshard:{r}:", Fingerprint: "q1-u-b", Mode: manifest.ModeStaticFallback,
		Fallback: "queue redis://h:1: connect: connection refused", Batches: []manifest.Batch{}}
	root := writeQueueRun(t, []qworker{
		// gw0 could not reach Redis: its static share is t1 and t3.
		{name: "gw0", queue: fallback, start: "2026-11-22T10:00:00.000Z", end: "2026-11-22T10:00:02.000Z", results: map[string]string{"t1": "pass", "t3": "pass"}},
		{name: "gw1", queue: queued(batch("b1", []string{"t4", "t3"}, true), batch("b2", []string{"t2", "t1"}, true)),
			results: map[string]string{"t1": "pass", "t2": "pass", "t3": "pass", "t4": "pass"}},
	})
	res, out := runQueueMergeOut(t, root)
	v := res.Verification
	if !v.OK() {
		t.Fatalf("verification %+v", v)
	}
	// By the rule, gw0's static share (the lower worker index, both runs
	// finished, no end time for gw1's batches to compare) counts.
	wantJUnit := map[string][]string{
		"t1": {"gw0 passed requeued (gw1)"}, "t2": {"gw1 passed"}, "t3": {"gw0 passed requeued (gw1)"}, "t4": {"gw1 passed"},
	}
	if diff := cmp.Diff(wantJUnit, junitReports(t, out)); diff != "" {
		t.Errorf("junit.xml testcases (-want +got):\n%s", diff)
	}
	if res.Totals.Tests != 4 {
		t.Errorf("%d tests counted, want 4", res.Totals.Tests)
	}
	if len(v.Requeued) != 2 || v.Requeued[0].Reason != "static fallback" {
		t.Errorf("requeued %+v, want t1 and t3 by static fallback", v.Requeued)
	}
	if len(v.Fallbacks) != 1 || !strings.HasPrefix(v.Fallbacks[0], "gw0: queue redis://h:1: connect") {
		t.Errorf("fallbacks %q", v.Fallbacks)
	}
}

func TestAQueueLostMidRunLeavesTheUnclaimedTestsMissing(t *testing.T) {
	q0 := queued(batch("b1", []string{"t1", "t2"}, true))
	q0.Error = "queue redis://h:1: claim: connection refused"
	root := writeQueueRun(t, []qworker{
		{name: "gw0", queue: q0, results: map[string]string{"t1": "pass", "t2": "pass"}},
		{name: "gw1", queue: queued(batch("b2", []string{"t3"}, true)), results: map[string]string{"t3": "pass"}},
	})
	res := runQueueMerge(t, root)
	v := res.Verification
	if v.OK() || len(v.Missing) != 1 || v.Missing[0] != "s.t4" {
		t.Errorf("missing %v, want t4 (never claimed)", v.Missing)
	}
	if len(v.QueueErrors) != 1 || !strings.Contains(v.QueueErrors[0], "gw0: queue redis://h:1: claim") {
		t.Errorf("queue errors %q", v.QueueErrors)
	}
}

func TestATestReportedByAWorkerThatNeverClaimedItIsStillADuplicate(t *testing.T) {
	root := writeQueueRun(t, []qworker{
		{name: "gw0", queue: queued(batch("b1", []string{"t1", "t2", "t3", "t4"}, true)), results: map[string]string{"t1": "pass", "t2": "pass", "t3": "pass", "t4": "pass"}},
		{name: "gw1", queue: queued(), results: map[string]string{"t2": "pass"}},
	})
	res, out := runQueueMergeOut(t, root)
	if len(res.Verification.Duplicated) != 1 || res.Verification.Duplicated[0].Test != "s.t2" {
		t.Errorf("duplicated %+v, want t2", res.Verification.Duplicated)
	}
	if got := junitReports(t, out)["t2"]; !slices.Equal(got, []string{"gw0 passed", "gw1 passed"}) {
		t.Errorf("junit.xml's t2: %q, want both reports of a real duplicate, unmarked", got)
	}
}

func TestRealisedBalanceFromTheTestPhases(t *testing.T) {
	root := writeQueueRun(t, []qworker{
		{name: "gw0", start: "2026-11-22T10:00:00.000Z", end: "2026-11-22T10:00:03.000Z", results: map[string]string{"t1": "pass", "t3": "pass"}},
		{name: "gw1", start: "2026-11-22T10:00:01.000Z", end: "2026-11-22T10:00:02.500Z", results: map[string]string{"t2": "pass", "t4": "pass"}},
	})
	res := runQueueMerge(t, root)
	want := &Balance{
		Workers: []WorkerBalance{
			{Name: "gw0", Predicted: 2, Wall: 3, Tests: 2, Measured: true},
			{Name: "gw1", Predicted: 2, Wall: 1.5, Tests: 2, IdleEnd: 0.5, Measured: true},
		},
		// Four tests of 1 s over 2 workers: the bound is 2 s.
		Makespan: 3, LowerBound: 2, Ratio: 1.5, PredictedMakespan: 2, PredictedRatio: 2, Measured: true,
	}
	if diff := cmp.Diff(want, res.Balance); diff != "" {
		t.Errorf("balance (-want +got):\n%s", diff)
	}
}

func TestTheCutOffStreamOfALostBatchIsNoFailure(t *testing.T) {
	// gw1 was killed in b2 after t3 passed: its go test -json stream ends
	// before package s's result. gw2 ran b2 again.
	requeued := func(b *manifest.Batch) { b.Requeued = b.Units }
	cut := `{"Action":"start","Package":"s"}
{"Action":"run","Package":"s","Test":"t3"}
{"Action":"pass","Package":"s","Test":"t3","Elapsed":1}
`
	root := writeQueueRun(t, []qworker{
		{name: "gw0", queue: queued(batch("b1", []string{"t1", "t2"}, true)), results: map[string]string{"t1": "pass", "t2": "pass"}},
		{name: "gw1", queue: queued(batch("b2", []string{"t3", "t4"}, false)), gojson: cut},
		{name: "gw2", queue: queued(batch("b3", []string{"t3", "t4"}, true, requeued)), results: map[string]string{"t3": "pass", "t4": "pass"}},
	})
	res, out := runQueueMergeOut(t, root)
	if res.Totals.Tests != 4 || res.Totals.Passed != 4 || res.Totals.Errors != 0 || len(res.Failures) != 0 || !res.Verification.OK() {
		t.Errorf("totals %+v, failures %+v, verification %+v: the cut-off stream must not count as an error", res.Totals, res.Failures, res.Verification)
	}
	wantJUnit := map[string][]string{
		"t1": {"gw0 passed"}, "t2": {"gw0 passed"},
		"t3": {"gw2 passed requeued (gw1)"}, "t4": {"gw2 passed requeued (gw1)"},
	}
	if diff := cmp.Diff(wantJUnit, junitReports(t, out)); diff != "" {
		t.Errorf("junit.xml testcases (-want +got):\n%s", diff)
	}

	// The same stream from a batch that finished is a failure.
	root = writeQueueRun(t, []qworker{
		{name: "gw0", queue: queued(batch("b1", []string{"t1", "t2", "t4"}, true)), results: map[string]string{"t1": "pass", "t2": "pass", "t4": "pass"}},
		{name: "gw1", queue: queued(batch("b2", []string{"t3"}, true)), gojson: cut},
	})
	if res := runQueueMerge(t, root); res.Totals.Errors != 1 {
		t.Errorf("totals %+v: a stream cut off in a batch that finished must count as an error", res.Totals)
	}
}

func TestRealisedBalanceWithALostWorker(t *testing.T) {
	// gw1 ran b1, then was killed in b3, claimed 5.5 s into the run; gw0
	// ran b3 again and ended last.
	lostBatch := batch("b3", []string{"t3", "t4"}, false, func(b *manifest.Batch) { b.ClaimedAt = "2026-11-22T10:00:05.500Z" })
	requeued := func(b *manifest.Batch) { b.Requeued = b.Units }
	root := writeQueueRun(t, []qworker{
		{name: "gw0", start: "2026-11-22T10:00:00.000Z", end: "2026-11-22T10:00:07.000Z",
			queue:   queued(batch("b2", []string{"t2"}, true), batch("b4", []string{"t3", "t4"}, true, requeued)),
			results: map[string]string{"t2": "pass", "t3": "pass", "t4": "pass"}},
		{name: "gw1", start: "2026-11-22T10:00:00.500Z", queue: queued(batch("b1", []string{"t1"}, true), lostBatch),
			results: map[string]string{"t1": "pass"}},
	})
	res := runQueueMerge(t, root)
	b := res.Balance
	if b == nil || !b.Measured {
		t.Fatalf("balance %+v: a lost queue worker must not leave the run unmeasured", b)
	}
	if len(b.Workers) != 2 || !b.Workers[1].Lost || b.Workers[1].Wall != 5 || b.Workers[1].IdleEnd != 0 || b.Workers[0].Lost {
		t.Errorf("workers %+v: gw1 lost, known alive for 5 s (to its last claim), no idle time", b.Workers)
	}
	if b.Makespan != 7 || b.LowerBound != 2 || b.Ratio != 3.5 {
		t.Errorf("makespan %v, lower bound %v, ratio %v; want 7, 2 (4 tests of 1 s over 2 workers), 3.5", b.Makespan, b.LowerBound, b.Ratio)
	}
}

func TestAReRunJobsReplayCounts(t *testing.T) {
	// gw1 was lost in b3 in attempt 1 and gw0 ran b3 again (b4); the
	// re-run of gw1's job (attempt 2) replayed b1 and b3, and now t3
	// fails: the newer attempt's result counts (a re-run is run to
	// replace), in the totals and in junit.xml.
	replay := func(b *manifest.Batch) { b.Replay = true }
	root := writeQueueRun(t, []qworker{
		{name: "gw0", attempt: 1, queue: queued(batch("b2", []string{"t2"}, true), batch("b4", []string{"t3", "t4"}, true, func(b *manifest.Batch) { b.Requeued = b.Units })),
			results: map[string]string{"t2": "pass", "t3": "pass", "t4": "pass"}},
		{name: "gw1", attempt: 2, queue: queued(batch("b1", []string{"t1"}, true, replay), batch("b3", []string{"t3", "t4"}, true, replay)),
			results: map[string]string{"t1": "pass", "t3": "fail", "t4": "pass"}},
	})
	res, out := runQueueMergeOut(t, root)
	if !res.Verification.OK() || res.Totals.Tests != 4 || res.Totals.Failed != 1 {
		t.Errorf("totals %+v, verification %+v: gw1's newer t3 failure must count, once", res.Totals, res.Verification)
	}
	want := []Requeued{
		{Test: "s.t3", Workers: []string{"gw0", "gw1"}, Kept: "gw1", Reason: "lease expired, replayed by a re-run"},
		{Test: "s.t4", Workers: []string{"gw0", "gw1"}, Kept: "gw1", Reason: "lease expired, replayed by a re-run"},
	}
	if diff := cmp.Diff(want, res.Verification.Requeued); diff != "" {
		t.Errorf("requeued (-want +got):\n%s", diff)
	}
	wantJUnit := map[string][]string{
		"t1": {"gw1 passed"}, "t2": {"gw0 passed"},
		"t3": {"gw1 failed requeued (gw0)"}, "t4": {"gw1 passed requeued (gw0)"},
	}
	if diff := cmp.Diff(wantJUnit, junitReports(t, out)); diff != "" {
		t.Errorf("junit.xml testcases (-want +got):\n%s", diff)
	}
}

func TestOverheadShare(t *testing.T) {
	tests := []struct {
		name    string
		workers []WorkerBalance
		want    float64
	}{
		{"nothing measured", []WorkerBalance{{Wall: 10, Tests: 1}}, 0},
		{"start-up dominates", []WorkerBalance{{Wall: 1, Tests: 0.1, Measured: true}, {Wall: 1, Tests: 0.1, Measured: true}}, 0.9},
		{"test time dominates", []WorkerBalance{{Wall: 10, Tests: 9, Measured: true}, {Wall: 10, Tests: 8, Measured: true}}, 0.15},
		{"unmeasured workers left out", []WorkerBalance{{Wall: 10, Tests: 9, Measured: true}, {Wall: 10, Tests: 0}}, 0.1},
		{"tests run in parallel within a worker", []WorkerBalance{{Wall: 10, Tests: 30, Measured: true}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &Balance{Workers: tt.workers}
			if got := b.OverheadShare(); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("OverheadShare() = %v, want %v", got, tt.want)
			}
		})
	}
}
