package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/cli"
	"github.com/xshard/xshard/internal/history"
	"github.com/xshard/xshard/internal/merge"
)

// The run history end to end: the bundled suites' history tests
// (examples/go/retry/history_test.go, examples/pytest/tests/test_history.py)
// over consecutive simulated runs, sharded, run by the real go test and
// pytest, and merged with the history of the run before. One fails on
// every second execution (a counter file), one is broken for good from
// run 3, one is fixed at run 4.

// historyClasses is the truth table: each test's class in runs 1 to 5
// ("" for none). Run 4 is followed by a re-run of its failures, which
// amends it (see the tests).
var historyClasses = map[string][5]string{
	"intermittent": {"", "new", "fixed", "flaky", "flaky"},
	"broken":       {"", "", "new", "still failing", "still failing"},
	"fixed":        {"new", "still failing", "still failing", "fixed", ""},
}

// classOf returns the class of a test in a merge's history, "" for none.
func classOf(h *merge.History, id string) string {
	for _, l := range [][]merge.ClassifiedTest{h.New, h.StillFailing, h.Flaky, h.Fixed, h.Quarantined} {
		for _, c := range l {
			if c.ID == id {
				return c.Class.String()
			}
		}
	}
	return ""
}

// envWith is env with extra variables for the commands shard runs, and
// stdout going to out.
func envWith(out *os.File, extra map[string]string) (cli.Env, *bytes.Buffer) {
	e, _, errb := env(extra)
	if out != nil {
		e.Stdout = out
	}
	e.Environ = func() []string {
		var vars []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "XSHARD_") && !strings.HasPrefix(kv, "GITHUB_") {
				vars = append(vars, kv)
			}
		}
		for k, v := range extra {
			vars = append(vars, k+"="+v)
		}
		return vars
	}
	return e, errb
}

func TestHistoryGo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the example suite many times")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	suite := filepath.Join(repoRoot(t), "examples", "go")
	work := t.TempDir()
	counter := filepath.Join(work, "counter")
	ids := map[string]string{
		"intermittent": "example.com/xshard-demo/retry.TestHistoryIntermittent",
		"broken":       "example.com/xshard-demo/retry.TestHistoryBrokenFromRun3",
		"fixed":        "example.com/xshard-demo/retry.TestHistoryFixedAtRun4",
	}
	goEnv := func(run int) []string {
		return []string{"GOFLAGS=-mod=mod -count=1", "GOWORK=off", "GOTOOLCHAIN=local", "XSHARD_DEMO_FAIL=",
			"XSHARD_DEMO_RUN=" + strconv.Itoa(run), "XSHARD_DEMO_COUNTER=" + counter}
	}
	report := func(run string) string { return filepath.Join(work, "report-"+run) }
	mergeRun := func(run string, art string, prev string, wantExit int) *merge.Result {
		t.Helper()
		args := []string{"--out", report(run), "--history-length", "20"}
		if prev != "" {
			args = append(args, "--history", filepath.Join(report(prev), merge.HistoryFile), "--timings-history", filepath.Join(report(prev), merge.TimingsFile))
		}
		r := mergeCmd(t, append(args, art)...)
		if r.code != wantExit || !strings.Contains(r.stdout, "verified: all ") {
			t.Fatalf("run %s: merge exit %d, want %d and verified\n%s%s", run, r.code, wantExit, r.stdout, r.stderr)
		}
		opts := merge.Options{Inputs: []string{art}, OutDir: filepath.Join(report(run), "again")}
		if prev != "" {
			opts.History = filepath.Join(report(prev), merge.HistoryFile)
		}
		res, err := merge.Run(opts)
		if err != nil || len(res.Problems) > 0 || !res.Verification.OK() {
			t.Fatalf("run %s: %v %q %+v", run, err, res.Problems, res.Verification)
		}
		return res
	}

	prev := ""
	for run := 1; run <= 5; run++ {
		name := strconv.Itoa(run)
		art := filepath.Join(work, "run"+name, "artifacts")
		shardPattern(t, gobin, suite, goEnv(run), art, 3, "./retry")
		res := mergeRun(name, art, prev, 1)
		for test, classes := range historyClasses {
			if got := classOf(res.History, ids[test]); got != classes[run-1] {
				t.Errorf("run %d: %s is %q, want %q", run, test, got, classes[run-1])
			}
		}
		prev = name
		if run != 4 {
			continue
		}

		// Re-run only run 4's failures, as the action does on a second
		// attempt: exactly the failed set is planned, split over two
		// workers, and its merge verifies against that plan and amends
		// run 4.
		art = filepath.Join(work, "run4-rerun", "artifacts")
		var planned []string
		for i := range 2 {
			dir := filepath.Join(art, "xshard-"+strconv.Itoa(i))
			r := shard(t, "--go", "./retry", "-C", suite, "--index", strconv.Itoa(i), "--total", "2", "--format", "go-run",
				"--only-failed", report("4"), "--manifest", filepath.Join(dir, "xshard-manifest.json"))
			if r.code != 0 {
				t.Fatalf("shard --only-failed: exit %d\n%s", r.code, r.stderr)
			}
			for k, line := range lines(r.stdout) {
				runGo(t, gobin, suite, goEnv(4), dir, k, strings.Fields(line))
				f := strings.Fields(line)
				for _, n := range strings.Split(strings.TrimSuffix(strings.TrimPrefix(f[1], "^("), ")$"), "|") {
					if n != "" && n != "^$" { // "-run ^$": worker 0's untested packages
						planned = append(planned, f[2]+"."+n)
					}
				}
			}
		}
		wantPlanned := []string{ids["broken"], ids["intermittent"]}
		if diff := cmp.Diff(wantPlanned, sorted(planned)); diff != "" {
			t.Errorf("--only-failed planned (-want +got):\n%s", diff)
		}
		res = mergeRun("4-rerun", art, "4", 1)
		if res.Totals.Tests != 2 || !res.History.Amended {
			t.Errorf("the re-run merged %d tests, amended %v; want the 2 failures, amending run 4", res.Totals.Tests, res.History.Amended)
		}
		if got := classOf(res.History, ids["intermittent"]); got != "flaky" {
			t.Errorf("re-run: the intermittent test passed on the re-run: %q, want flaky", got)
		}
		if got := classOf(res.History, ids["broken"]); got != "still failing" {
			t.Errorf("re-run: the broken test is %q, want still failing", got)
		}
		prev = "4-rerun"
	}

	// --retries 2 with --exec: the intermittent test fails on its first
	// execution and passes on the retry, which makes it flaky; the broken
	// test fails every time, and the quarantine lets the worker pass and
	// merge report it apart.
	t.Run("retries and quarantine", func(t *testing.T) {
		os.WriteFile(counter, []byte("1\n"), 0o644)
		q := filepath.Join(work, "quarantine.txt")
		os.WriteFile(q, []byte(ids["broken"]+" # broken since run 3, issue 12\n"), 0o644)
		art := filepath.Join(work, "retries", "artifacts", "xshard-0")
		os.MkdirAll(art, 0o755)
		out, err := os.Create(filepath.Join(art, "test.json"))
		if err != nil {
			t.Fatal(err)
		}
		extra := map[string]string{"GOFLAGS": "-mod=mod -count=1", "GOWORK": "off", "GOTOOLCHAIN": "local",
			"XSHARD_DEMO_RUN": "5", "XSHARD_DEMO_COUNTER": counter}
		e, errb := envWith(out, extra)
		code := cli.Shard([]string{"--go", "./retry", "-C", suite, "--index", "0", "--total", "1", "--manifest", filepath.Join(art, "xshard-manifest.json"),
			"--retries", "2", "--quarantine", q, "--exec", "--", gobin, "test", "-json"}, e)
		out.Close()
		if code != 0 || !strings.Contains(errb.String(), "every failed test is quarantined ("+ids["broken"]+")") {
			t.Fatalf("shard --retries 2 --quarantine: exit %d, want 0 with the quarantine named\n%s", code, errb.String())
		}
		if !strings.Contains(errb.String(), "attempt 2 of 3: running 2 failed tests again") || !strings.Contains(errb.String(), "attempt 3 of 3: running 1 failed test again") {
			t.Errorf("attempts:\n%s", errb.String())
		}
		r := mergeCmd(t, "--out", filepath.Join(work, "retries", "report"), "--quarantine", q, filepath.Dir(art))
		if r.code != 0 || !strings.Contains(r.stdout, "quarantined: 1 failure does not fail the run: "+ids["broken"]) {
			t.Fatalf("merge --quarantine: exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
		}
		res, err := merge.Run(merge.Options{Inputs: []string{filepath.Dir(art)}, OutDir: filepath.Join(work, "retries", "again"),
			Quarantine: mustQuarantine(t, q)})
		if err != nil {
			t.Fatal(err)
		}
		var intermittent merge.TestRow
		for _, row := range res.Tests {
			if row.ID == ids["intermittent"] {
				intermittent = row
			}
		}
		if !intermittent.Flaky || intermittent.Outcome.String() != "passed" {
			t.Errorf("the intermittent test after a retry: %+v, want passed and flaky", intermittent)
		}
		if res.History.Counts.Quarantined != 1 || res.Blocking(false) {
			t.Errorf("quarantined %d, blocking %v: want the broken test quarantined and nothing blocking", res.History.Counts.Quarantined, res.Blocking(false))
		}
		summary := readFile(t, filepath.Join(work, "retries", "report", "summary.md"))
		if !strings.Contains(summary, "🧊 1 quarantined") {
			t.Errorf("the summary does not report the quarantined failure:\n%s", summary)
		}
	})
}

func TestHistoryPytest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the example suite many times")
	}
	if err := exec.Command(python, "-c", "import pytest, pytest_cov").Run(); err != nil {
		if os.Getenv("XSHARD_REQUIRE_PYTEST") == "1" {
			t.Fatalf("pytest and pytest-cov are required (apt-get install python3-pytest python3-pytest-cov): %v", err)
		}
		t.Skip("Debian's python3-pytest and python3-pytest-cov are not installed")
	}
	suite := filepath.Join(repoRoot(t), "examples", "pytest")
	work := t.TempDir()
	counter := filepath.Join(work, "counter")
	ids := map[string]string{
		"intermittent": "tests/test_history.py::test_history_intermittent",
		"broken":       "tests/test_history.py::test_history_broken_from_run_3",
		"fixed":        "tests/test_history.py::test_history_fixed_at_run_4",
	}
	all := []string{ids["intermittent"], ids["broken"], ids["fixed"], "tests/test_pricing.py::test_tier_discount[gold-0.10]"}
	idsFile := filepath.Join(work, "ids.txt")
	os.WriteFile(idsFile, []byte(strings.Join(all, "\n")+"\n"), 0o644)
	env := func(run int) []string {
		return []string{"XSHARD_DEMO_RUN=" + strconv.Itoa(run), "XSHARD_DEMO_COUNTER=" + counter}
	}
	prevHistory := ""
	for run := 1; run <= 5; run++ {
		art := filepath.Join(work, "run"+strconv.Itoa(run))
		for i := range 2 {
			dir := filepath.Join(art, "xshard-"+strconv.Itoa(i))
			r := shard(t, "--tests-from", idsFile, "--index", strconv.Itoa(i), "--total", "2", "--strategy", "hash",
				"--manifest", filepath.Join(dir, "xshard-manifest.json"))
			if r.code != 0 {
				t.Fatalf("shard: exit %d\n%s", r.code, r.stderr)
			}
			if mine := lines(r.stdout); len(mine) > 0 {
				runPytest(t, suite, dir, worker(i), mine, env(run))
			}
		}
		out := filepath.Join(work, "report"+strconv.Itoa(run))
		res, err := merge.Run(merge.Options{Inputs: []string{art}, OutDir: out, History: prevHistory})
		if err != nil || len(res.Problems) > 0 || !res.Verification.OK() || !res.Verification.Checked {
			t.Fatalf("run %d: %v %q %+v", run, err, res.Problems, res.Verification)
		}
		for test, classes := range historyClasses {
			want := classes[run-1]
			if run == 5 && test == "intermittent" {
				want = "fixed" // no re-run in between: run 4's failure, then a pass
			}
			if got := classOf(res.History, ids[test]); got != want {
				t.Errorf("run %d: %s is %q, want %q", run, test, got, want)
			}
		}
		prevHistory = filepath.Join(out, merge.HistoryFile)
	}

	// --only-failed from run 5's report plans exactly its one failure.
	r := shard(t, "--tests-from", idsFile, "--total", "2", "--plan", "--format", "json", "--only-failed", filepath.Dir(prevHistory))
	if r.code != 0 || !strings.Contains(r.stdout, `"items":["`+ids["broken"]+`"]`) || strings.Count(r.stdout, "tests/") != 1 {
		t.Errorf("--only-failed plan: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// --retries 2 with --results: the intermittent test fails on its first
	// execution and passes on a retry: flaky in the merged report.
	os.WriteFile(counter, []byte("1\n"), 0o644)
	dir := filepath.Join(work, "retries", "xshard-0")
	os.MkdirAll(dir, 0o755)
	junitPath := filepath.Join(dir, "junit.xml")
	extra := map[string]string{"XSHARD_DEMO_RUN": "1", "XSHARD_DEMO_COUNTER": counter, "XSHARD_OUTPUT_DIR": dir}
	e, errb := envWith(nil, extra)
	code := cli.Shard([]string{"--tests-from", idsFile, "-C", suite, "--index", "0", "--total", "1", "--manifest", filepath.Join(dir, "xshard-manifest.json"),
		"--retries", "2", "--results", junitPath, "--exec", "--", python, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--junitxml=" + junitPath}, e)
	// Run 1: only the fixed-at-run-4 test still fails, on every attempt.
	if code != 1 || !strings.Contains(errb.String(), "attempt 2 of 3: running 2 failed tests again") {
		t.Fatalf("shard --retries 2: exit %d, want 1\n%s", code, errb.String())
	}
	res, err := merge.Run(merge.Options{Inputs: []string{filepath.Dir(dir)}, OutDir: filepath.Join(work, "retries", "report")})
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("%v %q", err, res.Problems)
	}
	got := map[string]string{}
	for _, row := range res.Tests {
		o := row.Outcome.String()
		if row.Flaky {
			o = "flaky"
		}
		got[row.ID] = o
	}
	want := map[string]string{ids["intermittent"]: "flaky", ids["broken"]: "passed", ids["fixed"]: "failed", all[3]: "passed"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after --retries 2 (-want +got):\n%s", diff)
	}
	if res.Totals.Tests != 4 || res.Totals.Failed != 1 || res.Totals.Flaky != 1 || len(res.Verification.Duplicated) > 0 {
		t.Errorf("totals %+v, duplicated %v: each test once, one failed, one flaky", res.Totals, res.Verification.Duplicated)
	}
}

// shardPattern runs n workers of the Go packages matching pattern, each
// in its own artifact directory, as shardGo does for ./...: the history
// tests need only their package.
func shardPattern(t *testing.T, gobin, suite string, goEnv []string, art string, n int, pattern string) {
	t.Helper()
	for i := 0; i < n; i++ {
		dir := filepath.Join(art, "xshard-"+strconv.Itoa(i))
		args := []string{"--go", pattern, "-C", suite, "--index", strconv.Itoa(i), "--total", strconv.Itoa(n),
			"--strategy", "hash", "--format", "go-run", "--manifest", filepath.Join(dir, "xshard-manifest.json")}
		r := shard(t, args...)
		if r.code != 0 {
			t.Fatalf("shard %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
		for k, line := range lines(r.stdout) {
			runGo(t, gobin, suite, goEnv, dir, k, strings.Fields(line))
		}
	}
}

func mustQuarantine(t *testing.T, path string) *history.Quarantine {
	t.Helper()
	q, err := history.ReadQuarantine(path)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
