package acttest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// An example is a workflow of examples/workflows and the example it runs
// on, with the test that its failing variant fails.
type example struct {
	name     string
	workflow string
	source   string
	// failing names the test that XSHARD_DEMO_FAIL=1 makes fail, and
	// failingFile its file in the repository, where the report job (which
	// has no checkout) annotates it.
	failing, failingFile string
}

var examples = []example{
	{name: "go", workflow: "examples/workflows/go.yml", source: "examples/go", failing: "ledger.TestRefundRestoresBalance", failingFile: "ledger/ledger_test.go"},
	{name: "pytest", workflow: "examples/workflows/pytest.yml", source: "examples/pytest", failing: "test_refund_restores_stock", failingFile: "tests/test_orders.py"},
	{name: "jest", workflow: "examples/workflows/jest.yml", source: "examples/jest", failing: "ledger refunds restore the balance", failingFile: "src/util/ledger.test.js"},
}

// workers is the matrix size of the example workflows.
const workers = 4

// TestExampleWorkflows runs each example workflow on its example as a
// user who copied it would see it run: four shard jobs and the report job,
// green, then its variant with a failing test. The Go example also runs a
// second time, planning by the timings the first run saved; its failing
// variant runs third, on those timings, and is then re-run as Re-run
// failed jobs does it (checkRerunFailedJobs; and, with K0 evicted in
// between, checkRerunEvicted). The pytest example's failing variant runs
// on an empty cache, as a repository's first run, and is re-run the same
// way (checkRerunWithoutTimings).
func TestExampleWorkflows(t *testing.T) {
	for _, ex := range examples {
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			t.Run("green", func(t *testing.T) {
				first := Run{Workflow: ex.workflow, Source: ex.source}.Run(t)
				plan := checkGreen(t, first, exampleJobs)
				if ex.name != "go" || t.Failed() {
					return
				}
				// The timings round trip: the same store, the next run.
				second := Run{Workflow: ex.workflow, Source: ex.source, Store: first.Store}.Run(t)
				checkTimingRun(t, first, second, plan, exampleJobs)
				if t.Failed() {
					return
				}
				t.Run("failing, then Re-run failed jobs", func(t *testing.T) {
					checkRerunFailedJobs(t, ex, first.Store, second, exampleJobs)
				})
			})
			if ex.name == "go" {
				return // its failing variant ran above
			}
			t.Run("failing", func(t *testing.T) {
				res := Run{Workflow: ex.workflow, Source: ex.source, Env: map[string]string{"XSHARD_DEMO_FAIL": "1"}}.Run(t)
				checkFailing(t, res, ex.failing, ex.failingFile, exampleJobs)
				// A repository's first run, on an empty cache, re-run: one
				// example is enough (the action's steps are the same).
				if ex.name == "pytest" && !t.Failed() {
					t.Run("then Re-run failed jobs, no cached timings", func(t *testing.T) {
						checkRerunWithoutTimings(t, ex, res, exampleJobs)
					})
				}
			})
		})
	}
}

// jobs names a workflow and its shard and report jobs.
type jobs struct {
	workflow, shard, report string
}

// exampleJobs are those of the example workflows.
var exampleJobs = jobs{workflow: "test", shard: "test", report: "report"}

// timingsKey is the key the report job saves the timings under.
func (j jobs) timingsKey(res *Result) string {
	return fmt.Sprintf("xshard-timings-v1-%s-%s-%d-1", j.workflow, j.shard, res.RunID)
}

// A plan is what the shard jobs of a run planned.
type plan struct {
	fingerprint string
	tests       map[string]string // test id -> worker
}

// checkGreen checks a green run: every shard job planned and ran its
// part with the identity and outputs docs/action.md promises, and the
// report job merged them, verified, into the report and the summary.
func checkGreen(t *testing.T, res *Result, js jobs) plan {
	t.Helper()
	if res.Code != 0 {
		t.Errorf("act exited %d, want 0", res.Code)
	}
	p := checkShardJobs(t, res, js.shard, "hash")
	report := res.Job(js.report)
	if report == nil || report.Result != "success" {
		t.Fatalf("report job: %v", report)
	}
	m := report.Outputs["merge"]
	total, _ := strconv.Atoi(m["total"])
	passed, _ := strconv.Atoi(m["passed"])
	skipped, _ := strconv.Atoi(m["skipped"])
	flaky, _ := strconv.Atoi(m["flaky"])
	// Results may outnumber the planned tests (subtests, parametrized
	// cases); merge's verification proves every planned one ran once.
	if total < len(p.tests) || passed+skipped+flaky != total || m["failed"] != "0" || m["errors"] != "0" || m["exit-code"] != "0" {
		t.Errorf("merge outputs %v; the shard jobs planned %d tests", m, len(p.tests))
	}
	if m["report-dir"] != "xshard-report" || m["timings-file"] == "" || m["coverage-percent"] == "" || m["recommended-workers"] == "" {
		t.Errorf("merge outputs %v", m)
	}
	// The timings key went from the shard jobs to the report job beside
	// the manifests.
	if k := report.Output("merge/prep", "timings-key"); k != js.shard {
		t.Errorf("the report job's timings key is %q, want the shard job's id, %s", k, js.shard)
	}
	// What the action uploads, its own timings key included, merge knows.
	if report.Logged("not recognised") {
		t.Errorf("merge did not recognise some of the uploaded files:\n%s", strings.Join(report.Log, "\n"))
	}
	// The totals row starts with the number of tests ("| 73 |", or "| 73
	// (131 with subtests) |").
	if !strings.Contains(report.Summary, "every planned test ran exactly once") || !regexp.MustCompile(`(?m)^\| `+m["total"]+`[ |]`).MatchString(report.Summary) {
		t.Errorf("the job summary does not give the total (%s) and the verification:\n%s", m["total"], report.Summary)
	}
	if want := "xshard-report xshard-worker-0 xshard-worker-1 xshard-worker-2 xshard-worker-3"; strings.Join(res.Artifacts(), " ") != want {
		t.Errorf("artifacts %q, want %s", res.Artifacts(), want)
	}
	for _, f := range []string{"junit.xml", "summary.md", "timings.json", "report.html"} {
		if _, err := res.ArtifactFile("xshard-report", f); err != nil {
			t.Errorf("the report artifact: %v", err)
		}
	}
	checkTimingsSaved(t, res, js)
	return p
}

// checkShardJobs checks the shard jobs of a run and returns their plan.
func checkShardJobs(t *testing.T, res *Result, job, strategy string) plan {
	t.Helper()
	jobs := res.JobsOf(job)
	if len(jobs) != workers {
		t.Fatalf("%d %s jobs, want %d", len(jobs), job, workers)
	}
	p := plan{tests: map[string]string{}}
	uid := fmt.Sprintf("%d-1", res.RunID)
	for i, j := range jobs {
		worker := "gw" + strconv.Itoa(i)
		if j.Result != "success" {
			t.Errorf("%s (%s): %s", j.Name, worker, orNone(j.Result))
			continue
		}
		out := j.Outputs["shard"]
		for k, want := range map[string]string{"worker": worker, "index": strconv.Itoa(i), "total": strconv.Itoa(workers), "testrun-uid": uid, "strategy": strategy, "manifest": "xshard-out/xshard-manifest.json"} {
			if out[k] != want {
				t.Errorf("%s: output %s = %q, want %q", worker, k, out[k], want)
			}
		}
		for k, want := range map[string]string{"XSHARD_WORKER": worker, "XSHARD_WORKER_INDEX": strconv.Itoa(i), "XSHARD_WORKER_COUNT": strconv.Itoa(workers), "XSHARD_TESTRUN_UID": uid} {
			if j.Env[k] != want {
				t.Errorf("%s: $GITHUB_ENV %s = %q, want %q", worker, k, j.Env[k], want)
			}
		}
		if bin := out["bin-dir"]; bin == "" || !contains(j.Paths, bin) {
			t.Errorf("%s: bin-dir %q is not on $GITHUB_PATH %q", worker, bin, j.Paths)
		}
		// The binary came from the seed's cache entry, not a build.
		if hit := j.Output("shard/bin-cache", "cache-hit"); hit != "true" {
			t.Errorf("%s: the binary was not restored from the cache (cache-hit %q)", worker, hit)
		}
		var ids []string
		for _, id := range strings.Split(out["tests-lines"], "\n") {
			if id != "" {
				ids = append(ids, id)
			}
		}
		if n, err := strconv.Atoi(out["count"]); err != nil || n != len(ids) {
			t.Errorf("%s: count %q, %d tests in tests-lines", worker, out["count"], len(ids))
		}
		for _, id := range ids {
			if w, dup := p.tests[id]; dup {
				t.Errorf("%s: %s is planned on %s too", worker, id, w)
			}
			p.tests[id] = worker
		}
		if i == 0 {
			p.fingerprint = out["fingerprint"]
		} else if out["fingerprint"] != p.fingerprint {
			t.Errorf("%s: fingerprint %q, gw0's %q: the workers planned differently", worker, out["fingerprint"], p.fingerprint)
		}
	}
	if len(p.tests) == 0 {
		t.Errorf("the shard jobs planned no test")
	}
	return p
}

// checkTimingsSaved: the report job saved the blended timings under the
// prefix the shard jobs restore from, keyed by this run.
func checkTimingsSaved(t *testing.T, res *Result, js jobs) {
	t.Helper()
	want := js.timingsKey(res)
	if !contains(CacheKeys(res.Store), want) {
		t.Errorf("timings not saved under %s; cache keys %q", want, CacheKeys(res.Store))
	}
}

// checkTimingRun checks the second run of the round trip: every worker
// restored the first run's timings through the cache step and planned by
// them, and its manifest says so.
func checkTimingRun(t *testing.T, first, second *Result, before plan, js jobs) {
	t.Helper()
	if second.Code != 0 {
		t.Errorf("second run: act exited %d", second.Code)
	}
	p := checkShardJobs(t, second, js.shard, "timing")
	if p.fingerprint == before.fingerprint {
		t.Errorf("second run: the plan's fingerprint %q did not change with timings", p.fingerprint)
	}
	saved := js.timingsKey(first)
	for i, j := range second.JobsOf(js.shard) {
		worker := "gw" + strconv.Itoa(i)
		tc := j.Outputs["shard/timings-cache"]
		if tc["cache-matched-key"] != saved || tc["cache-hit"] != "false" {
			t.Errorf("%s: timings restored %v, want the first run's %s by prefix (cache-hit false)", worker, tc, saved)
		}
		if !j.Logged("timings history from cache entry " + saved) {
			t.Errorf("%s: the shard step does not say which timings it used", worker)
		}
		if s, _ := strconv.ParseFloat(j.Output("shard", "predicted-seconds"), 64); s <= 0 {
			t.Errorf("%s: predicted-seconds %q", worker, j.Output("shard", "predicted-seconds"))
		}
		var m struct {
			Strategy string `json:"strategy"`
		}
		data, err := second.ArtifactFile("xshard-worker-"+strconv.Itoa(i), "xshard-manifest.json")
		if err == nil {
			err = json.Unmarshal(data, &m)
		}
		if err != nil || m.Strategy != "timing" {
			t.Errorf("%s: manifest strategy %q, err %v", worker, m.Strategy, err)
		}
	}
	if r := second.Job(js.report); r == nil || r.Result != "success" {
		t.Errorf("second run's report job: %v", r)
	} else {
		// The outcome history came back from the cache with the timings.
		m := r.Outputs["merge"]
		if m["new-failures"] != "0" || m["still-failing"] != "0" || !strings.HasSuffix(m["history-file"], "history.json") {
			t.Errorf("second run's merge outputs %v: want new-failures 0, still-failing 0 and the history file", m)
		}
		if !r.Logged("history (2 runs): 0 new, 0 still failing, 0 flaky, 0 fixed") {
			t.Errorf("second run's merge did not read the first run's outcome history")
		}
	}
	checkTimingsSaved(t, second, js)
}

// checkFailing checks the failing variant: the worker with the failing
// test fails, the report job still runs, annotates the failure and fails,
// and act exits non-zero.
func checkFailing(t *testing.T, res *Result, failing, file string, js jobs) {
	t.Helper()
	if res.Code == 0 {
		t.Errorf("act exited 0 with a failing test")
	}
	failed := 0
	for _, j := range res.JobsOf(js.shard) {
		if j.Result == "failure" {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d shard jobs failed, want the one that ran %s", failed, failing)
	}
	report := res.Job(js.report)
	if report == nil || report.Result != "failure" {
		t.Fatalf("report job: %v, want it run and failed", report)
	}
	m := report.Outputs["merge"]
	if m["failed"] != "1" || m["exit-code"] != "1" {
		t.Errorf("merge outputs %v, want failed 1, exit-code 1", m)
	}
	if !report.Annotated("error", failing) {
		t.Errorf("no error annotation names %s: %v", failing, report.Annotations)
	}
	for _, a := range report.Annotations {
		if a.Level == "error" && strings.Contains(a.Title+a.Message, failing) && (a.File != file || a.Line == "") {
			t.Errorf("the failure is annotated at file %q line %q, want %q and its line: %v", a.File, a.Line, file, a)
		}
	}
	if !strings.Contains(report.Summary, failing) || !strings.Contains(report.Summary, "1 test failed") {
		t.Errorf("the summary does not report the failure of %s:\n%s", failing, report.Summary)
	}
	// Timings are saved even when tests failed (docs/action.md).
	checkTimingsSaved(t, res, js)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
