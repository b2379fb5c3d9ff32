package acttest

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// checkRerunFailedJobs runs the failing variant of an example on a store
// that holds the timings an earlier run saved (before): attempt 1 plans
// by them (call that entry K0), one worker fails and the report job saves
// new timings under this run's key. Then attempt 2 of the same run, as
// Re-run failed jobs runs it: only the failed worker (its test fixed) and
// the report job. The re-run worker restores attempt 1's entry first, but
// plans with K0, as attempt 1 did, so its plan is attempt 1's; the report
// job merges the kept workers' attempt-1 artifacts with its attempt-2
// artifact, verified complete, and saves K0 on for attempt 3.
func checkRerunFailedJobs(t *testing.T, ex example, store string, before *Result, js jobs) {
	t.Helper()
	k0 := js.timingsKey(before)
	first := Run{Workflow: ex.workflow, Source: ex.source, Store: store, Env: map[string]string{"XSHARD_DEMO_FAIL": "1"}}.Run(t)
	checkFailing(t, first, ex.failing, ex.failingFile, js)
	failed, fingerprint := -1, ""
	for i, j := range first.JobsOf(js.shard) {
		worker := "gw" + strconv.Itoa(i)
		if j.Result == "failure" {
			failed = i
		}
		if tc := j.Outputs["shard/timings-cache"]; tc["cache-matched-key"] != k0 {
			t.Errorf("attempt 1, %s: timings restored %v, want %s", worker, tc, k0)
		}
		if s := j.Output("shard", "strategy"); s != "timing" {
			t.Errorf("attempt 1, %s: strategy %q, want timing", worker, s)
		}
		if i == 0 {
			fingerprint = j.Output("shard", "fingerprint")
		}
		if data, err := first.ArtifactFile("xshard-worker-"+strconv.Itoa(i), "xshard-timings-planned"); err != nil || string(data) != k0+"\n" {
			t.Errorf("attempt 1, %s: xshard-timings-planned %q (%v), want %s", worker, data, err, k0)
		}
	}
	if failed < 0 {
		t.Fatalf("attempt 1: no worker failed")
	}
	// The report job saved new timings, naming K0 as planned with.
	saved := js.timingsKey(first)
	if got, err := cacheFile(store, saved, "planned-with"); err != nil || got != k0+"\n" {
		t.Errorf("entry %s: planned-with %q (%v), want %s", saved, got, err, k0)
	}
	// The same re-run on a copy of the store where K0 has been evicted
	// since attempt 1 (checkRerunEvicted).
	if !t.Failed() {
		t.Run("K0 evicted", func(t *testing.T) {
			evicted := filepath.Join(t.TempDir(), "store")
			if err := copyTree(store, evicted); err != nil {
				t.Fatal(err)
			}
			if err := removeCacheEntry(evicted, k0); err != nil {
				t.Fatal(err)
			}
			checkRerunEvicted(t, ex, evicted, first, failed, k0, saved, js)
		})
	}

	second, j := rerunFailedJob(t, ex, store, first, failed, js, true)
	out := j.Outputs["shard"]
	if out["testrun-uid"] != strconv.FormatInt(first.RunID, 10)+"-2" {
		t.Errorf("attempt 2: test-run uid %q, want this run's attempt 2", out["testrun-uid"])
	}
	if m := j.Output("shard/timings-cache", "cache-matched-key"); m != saved {
		t.Errorf("attempt 2: restored %q first, want this run's newest entry, %s", m, saved)
	}
	if m := j.Output("shard/planned-cache", "cache-matched-key"); m != k0 {
		t.Errorf("attempt 2: then restored %q, want the entry attempt 1 planned with, %s", m, k0)
	}
	if !j.Logged("planning with the timings attempt 1 planned with") || !j.Logged("timings history from cache entry "+k0) {
		t.Errorf("attempt 2: the shard step does not say it planned with attempt 1's timings, %s", k0)
	}
	if out["fingerprint"] != fingerprint || out["strategy"] != "timing" {
		t.Errorf("attempt 2: fingerprint %q, strategy %q; attempt 1 planned %q by timing", out["fingerprint"], out["strategy"], fingerprint)
	}
	if data, err := second.ArtifactFile("xshard-worker-"+strconv.Itoa(failed), "xshard-timings-planned"); err != nil || string(data) != k0+"\n" {
		t.Errorf("attempt 2: xshard-timings-planned %q (%v), want %s", data, err, k0)
	}
	report := second.Job(js.report)
	if report == nil || report.Result != "success" {
		t.Fatalf("attempt 2's report job: %v", report)
	}
	m := report.Outputs["merge"]
	if m["exit-code"] != "0" || m["failed"] != "0" || m["errors"] != "0" {
		t.Errorf("attempt 2's merge outputs %v, want exit-code 0 and no failure", m)
	}
	if !strings.Contains(report.Summary, "every planned test ran exactly once") || strings.Contains(report.Summary, "disagree") {
		t.Errorf("attempt 2's summary does not say the run is complete:\n%s", report.Summary)
	}
	// One CI run is one run of the outcome history: attempt 2 amends
	// attempt 1's marks (the re-run failure that passes now is flaky)
	// instead of counting the kept workers' tests twice.
	if !report.Logged("this re-run amended the last run") {
		t.Errorf("attempt 2's merge does not amend attempt 1's run of the outcome history")
	}
	// Attempt 3 would plan with K0 too.
	if got, err := cacheFile(store, strings.TrimSuffix(saved, "-1")+"-2", "planned-with"); err != nil || got != k0+"\n" {
		t.Errorf("attempt 2's entry: planned-with %q (%v), want %s", got, err, k0)
	}
}

// checkRerunEvicted re-runs attempt 1's failed worker (failed) and the
// report job, as checkRerunFailedJobs does, on a store from which K0 (the
// entry attempt 1 planned with) has been evicted: the re-run worker can
// only plan with this run's newest entry (saved), says so in a warning
// that names K0 and Re-run all jobs, and its plan does not fit the kept
// workers', so the report job must not report the run complete: merge
// refuses it, naming the timings the workers disagree on.
func checkRerunEvicted(t *testing.T, ex example, store string, first *Result, failed int, k0, saved string, js jobs) {
	t.Helper()
	second, j := rerunFailedJob(t, ex, store, first, failed, js, false)
	if m := j.Output("shard/timings-cache", "cache-matched-key"); m != saved {
		t.Errorf("attempt 2: restored %q first, want this run's newest entry, %s", m, saved)
	}
	if m := j.Output("shard/planned-cache", "cache-matched-key"); m != "" {
		t.Errorf("attempt 2: restored %q, evicted from the store", m)
	}
	if !j.Annotated("warning", "(cache entry "+k0+") are no longer in the cache") || !j.Annotated("warning", "use Re-run all jobs") {
		t.Errorf("attempt 2: no warning names the evicted entry %s and Re-run all jobs: %v", k0, j.Annotations)
	}
	if !j.Logged("timings history from cache entry " + saved) {
		t.Errorf("attempt 2: the shard step does not say it planned with %s", saved)
	}
	if data, err := second.ArtifactFile("xshard-worker-"+strconv.Itoa(failed), "xshard-timings-planned"); err != nil || string(data) != saved+"\n" {
		t.Errorf("attempt 2: xshard-timings-planned %q (%v), want %s", data, err, saved)
	}
	report := second.Job(js.report)
	if report == nil || report.Result != "failure" {
		t.Fatalf("attempt 2's report job: %v, want it run and failed", report)
	}
	if m := report.Outputs["merge"]; m["exit-code"] == "0" || m["exit-code"] == "" {
		t.Errorf("attempt 2's merge outputs %v, want a non-zero exit code", m)
	}
	// The refusal names what differs: the timings, the re-run worker apart
	// from the kept ones.
	if !strings.Contains(report.Summary, "workers disagree on the timings") || !regexp.MustCompile(`\b`+"gw"+strconv.Itoa(failed)+`: `).MatchString(report.Summary) {
		t.Errorf("attempt 2's summary does not name the timings %s disagrees on:\n%s", "gw"+strconv.Itoa(failed), report.Summary)
	}
	if strings.Contains(report.Summary, "every planned test ran exactly once") {
		t.Errorf("attempt 2's summary reports the run complete:\n%s", report.Summary)
	}
}

// checkRerunWithoutTimings re-runs a failing run on an empty cache (a
// repository's first run, first) as Re-run failed jobs does: attempt 1
// planned without cached timings, so its workers record an empty line as
// the entry they planned with, and the report job saves that as
// planned-with. The re-run worker restores that entry, which holds
// attempt 1's timings now, but plans without cached timings, as attempt 1
// did: the same plan, so the report job verifies the run complete.
func checkRerunWithoutTimings(t *testing.T, ex example, first *Result, js jobs) {
	t.Helper()
	failed, fingerprint, strategy := -1, "", ""
	for i, j := range first.JobsOf(js.shard) {
		worker := "gw" + strconv.Itoa(i)
		if j.Result == "failure" {
			failed = i
		}
		if m := j.Output("shard/timings-cache", "cache-matched-key"); m != "" {
			t.Errorf("attempt 1, %s: restored %q from an empty cache", worker, m)
		}
		if i == 0 {
			fingerprint, strategy = j.Output("shard", "fingerprint"), j.Output("shard", "strategy")
		}
		if data, err := first.ArtifactFile("xshard-worker-"+strconv.Itoa(i), "xshard-timings-planned"); err != nil || string(data) != "\n" {
			t.Errorf("attempt 1, %s: xshard-timings-planned %q (%v), want an empty line", worker, data, err)
		}
	}
	if failed < 0 {
		t.Fatalf("attempt 1: no worker failed")
	}
	saved := js.timingsKey(first)
	if got, err := cacheFile(first.Store, saved, "planned-with"); err != nil || got != "\n" {
		t.Fatalf("entry %s: planned-with %q (%v), want an empty line", saved, got, err)
	}
	if _, err := cacheFile(first.Store, saved, "timings.json"); err != nil {
		t.Fatalf("entry %s holds no timings.json (%v): the re-run would plan without timings anyway", saved, err)
	}

	second, j := rerunFailedJob(t, ex, first.Store, first, failed, js, true)
	out := j.Outputs["shard"]
	if m := j.Output("shard/timings-cache", "cache-matched-key"); m != saved {
		t.Errorf("attempt 2: restored %q, want this run's entry, %s", m, saved)
	}
	if !j.Logged("attempt 1 planned without cached timings (cache entry "+saved+" says so)") || j.Logged("timings history from cache entry") {
		t.Errorf("attempt 2: the shard step does not say it plans without cached timings, as attempt 1 did")
	}
	if out["fingerprint"] != fingerprint || out["strategy"] != strategy {
		t.Errorf("attempt 2: fingerprint %q, strategy %q; attempt 1 planned %q by %s", out["fingerprint"], out["strategy"], fingerprint, strategy)
	}
	if data, err := second.ArtifactFile("xshard-worker-"+strconv.Itoa(failed), "xshard-timings-planned"); err != nil || string(data) != "\n" {
		t.Errorf("attempt 2: xshard-timings-planned %q (%v), want an empty line", data, err)
	}
	report := second.Job(js.report)
	if report == nil || report.Result != "success" {
		t.Fatalf("attempt 2's report job: %v", report)
	}
	m := report.Outputs["merge"]
	if m["exit-code"] != "0" || m["failed"] != "0" || m["errors"] != "0" {
		t.Errorf("attempt 2's merge outputs %v, want exit-code 0 and no failure", m)
	}
	if !strings.Contains(report.Summary, "every planned test ran exactly once") || strings.Contains(report.Summary, "disagree") {
		t.Errorf("attempt 2's summary does not say the run is complete:\n%s", report.Summary)
	}
	// Attempt 3 would plan without cached timings too.
	if got, err := cacheFile(first.Store, strings.TrimSuffix(saved, "-1")+"-2", "planned-with"); err != nil || got != "\n" {
		t.Errorf("attempt 2's entry: planned-with %q (%v), want an empty line", got, err)
	}
}

// rerunFailedJob runs attempt 2 of the run first as Re-run failed jobs
// does: only the failed worker's shard job (and the report job that
// needs it), on store. It checks that act's exit says what pass wants
// and that the one shard job ran as that worker, and returns the run and
// that job.
func rerunFailedJob(t *testing.T, ex example, store string, first *Result, failed int, js jobs, pass bool) (*Result, *Job) {
	t.Helper()
	second := Run{Workflow: ex.workflow, Source: ex.source, Store: store, RunID: first.RunID, Attempt: 2,
		Matrix: map[string]string{"worker": strconv.Itoa(failed)}}.Run(t)
	if (second.Code == 0) != pass {
		t.Errorf("attempt 2: act exited %d, want the report job to pass: %v", second.Code, pass)
	}
	worker := "gw" + strconv.Itoa(failed)
	shards := second.JobsOf(js.shard)
	if len(shards) != 1 {
		t.Fatalf("attempt 2: %d shard jobs, want the failed one, %s", len(shards), worker)
	}
	j := shards[0]
	if j.Result != "success" || j.Output("shard", "worker") != worker {
		t.Errorf("attempt 2: %s %s, outputs %v", j.Name, orNone(j.Result), j.Outputs["shard"])
	}
	return second, j
}

// removeCacheEntry deletes the store's cache entry with the given key, as
// GitHub evicts one.
func removeCacheEntry(store, key string) error {
	entries, err := os.ReadDir(filepath.Join(store, "cache"))
	if err != nil {
		return err
	}
	for _, e := range entries {
		dir := filepath.Join(store, "cache", e.Name())
		if k, err := os.ReadFile(filepath.Join(dir, "key")); err == nil && string(k) == key {
			return os.RemoveAll(dir)
		}
	}
	return os.ErrNotExist
}

// cacheFile returns a file of the first saved path (a directory) of the
// store's cache entry with the given key.
func cacheFile(store, key, name string) (string, error) {
	entries, err := os.ReadDir(filepath.Join(store, "cache"))
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		dir := filepath.Join(store, "cache", e.Name())
		if k, err := os.ReadFile(filepath.Join(dir, "key")); err == nil && string(k) == key {
			data, err := os.ReadFile(filepath.Join(dir, "data", "0", name))
			return string(data), err
		}
	}
	return "", os.ErrNotExist
}
