package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/junit"
	"github.com/xshard/xshard/internal/junit/junitdoc"
	"github.com/xshard/xshard/internal/manifest"
	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/redistest"
)

// The queue's end-to-end tests run real worker processes (the shard
// command, built once) that share one real redis-server, as the jobs of
// a matrix would, and compare the merge with an unsharded run.

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binary returns the path of a command of this module (shard, or the
// sleeper test runner of bench/queue), built once for the tests.
func binary(t testing.TB, name string) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "xshard-e2e-bin-"); buildErr != nil {
			return
		}
		_, file, _, _ := runtime.Caller(0)
		for _, pkg := range []string{"./cmd/shard", "./bench/queue/sleeper"} {
			cmd := exec.Command("go", "build", "-o", binDir, pkg)
			cmd.Dir = filepath.Join(filepath.Dir(file), "..", "..")
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, name)
}

// proc is a running shard process.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan struct{}
	code           int
}

// startWorker starts the shard binary in its own process group (so that
// a kill takes its test runner too), with env added to the test's.
func startWorker(t testing.TB, dir string, env []string, stdout string, args ...string) *proc {
	t.Helper()
	w := &proc{done: make(chan struct{})}
	w.cmd = exec.Command(binary(t, "shard"), args...)
	w.cmd.Dir = dir
	w.cmd.Env = append(cleanEnv(), env...)
	w.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	w.cmd.Stderr = &w.stderr
	w.cmd.Stdout = &w.stdout
	if stdout != "" {
		os.MkdirAll(filepath.Dir(stdout), 0o755)
		f, err := os.Create(stdout)
		if err != nil {
			t.Fatal(err)
		}
		w.cmd.Stdout = f
		defer f.Close()
	}
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := w.cmd.Wait()
		w.code = 0
		if ee, ok := err.(*exec.ExitError); ok {
			w.code = ee.ExitCode()
		} else if err != nil {
			w.code = -1
		}
		close(w.done)
	}()
	t.Cleanup(func() { w.kill(); <-w.done })
	return w
}

func (w *proc) kill() {
	if w.cmd.Process != nil {
		syscall.Kill(-w.cmd.Process.Pid, syscall.SIGKILL)
	}
}

func (w *proc) wait(t testing.TB, limit time.Duration) int {
	t.Helper()
	select {
	case <-w.done:
		return w.code
	case <-time.After(limit):
		w.kill()
		<-w.done
		t.Fatalf("a worker did not finish within %v:\n%s", limit, w.stderr.String())
		return -1
	}
}

// cleanEnv is the test's environment without CI or xshard variables.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "XSHARD_") || strings.HasPrefix(k, "CI_") || strings.HasPrefix(k, "CIRCLE_") ||
			strings.HasPrefix(k, "BUILDKITE") || strings.HasPrefix(k, "SEMAPHORE") || strings.HasPrefix(k, "SYSTEM_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func TestQueueGoExampleEqualsUnsharded(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the example suite several times")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	srv := redistest.Start(t)
	suite := filepath.Join(repoRoot(t), "examples", "go")
	work := t.TempDir()
	goEnv := []string{"GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local", "XSHARD_DEMO_FAIL="}
	un := filepath.Join(work, "unsharded", "gw0")
	runGo(t, gobin, suite, goEnv, un, 0, []string{"./..."})
	want := outcomes(mergeResult(t, filepath.Dir(un), filepath.Join(work, "unsharded-report")))
	wantCover := readFile(t, filepath.Join(work, "unsharded-report", "coverage.out"))
	for _, n := range []int{4, 8} {
		t.Run("workers="+strconv.Itoa(n), func(t *testing.T) {
			art := filepath.Join(work, strconv.Itoa(n), "artifacts")
			var ws []*proc
			for i := range n {
				dir := filepath.Join(art, "xshard-"+strconv.Itoa(i))
				os.MkdirAll(dir, 0o755)
				ws = append(ws, startWorker(t, suite, append(goEnv, "XSHARD_QUEUE_URL="+srv.URL()), filepath.Join(dir, "test.json"),
					"--go", "./...", "--index", strconv.Itoa(i), "--total", strconv.Itoa(n), "--queue-key", "go-"+strconv.Itoa(n),
					"--manifest", filepath.Join(dir, "xshard-manifest.json"), "--queue-min-batch", "10s",
					"--exec", "--", gobin, "test", "-json", "-coverprofile="+filepath.Join(dir, "cover-{batch}.out")))
			}
			for i, w := range ws {
				if code := w.wait(t, 5*time.Minute); code != 0 {
					t.Fatalf("gw%d exited %d:\n%s", i, code, w.stderr.String())
				}
			}
			report := filepath.Join(work, strconv.Itoa(n), "report")
			r := mergeCmd(t, "--out", report, art)
			if r.code != 0 || !strings.Contains(r.stdout, "verified: all "+strconv.Itoa(n)+" workers reported") {
				t.Fatalf("merge exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			res := mergeResult(t, art, filepath.Join(report, "again"))
			if diff := cmp.Diff(want, outcomes(res)); diff != "" {
				t.Errorf("tests and outcomes differ from the unsharded run (-unsharded +queue):\n%s", diff)
			}
			if diff := cmp.Diff(wantCover, readFile(t, filepath.Join(report, "coverage.out"))); diff != "" {
				t.Errorf("merged coverage differs from the unsharded one (-unsharded +queue):\n%s", diff)
			}
			if !res.Verification.Queue || res.Balance == nil || !res.Balance.Measured {
				t.Errorf("queue run not recognised or not measured: %+v %+v", res.Verification, res.Balance)
			}
		})
	}
}

func TestQueuePytestExampleEqualsUnsharded(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the example suite several times")
	}
	if err := exec.Command(python, "-c", "import pytest, pytest_cov").Run(); err != nil {
		if os.Getenv("XSHARD_REQUIRE_PYTEST") == "1" {
			t.Fatalf("pytest and pytest-cov are required: %v", err)
		}
		t.Skip("Debian's python3-pytest and python3-pytest-cov are not installed")
	}
	srv := redistest.Start(t)
	suite := filepath.Join(repoRoot(t), "examples", "pytest")
	work := t.TempDir()
	var collected strings.Builder
	if code := sh(t, suite, nil, &collected, python, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q"); code != 0 {
		t.Fatalf("pytest --collect-only: exit %d", code)
	}
	var ids []string
	for _, l := range lines(collected.String()) {
		if strings.Contains(l, "::") {
			ids = append(ids, l)
		}
	}
	idsFile := filepath.Join(work, "ids.txt")
	os.WriteFile(idsFile, []byte(strings.Join(ids, "\n")+"\n"), 0o644)
	un := filepath.Join(work, "unsharded", "gw0")
	runPytest(t, suite, un, "gw0", nil, nil)
	want := outcomes(mergeResult(t, filepath.Dir(un), filepath.Join(work, "unsharded-report")))
	wantHits := lineHits(t, filepath.Join(work, "unsharded-report", "coverage.cobertura.xml"))
	// Each batch writes its own reports, named by $XSHARD_BATCH. Without
	// timings a unit counts one "second": --queue-min-batch 8s keeps the
	// batches (each a pytest start-up) to eight tests or more, and CI's
	// time modest.
	const batchCmd = `d=$ART/b$XSHARD_BATCH; mkdir -p "$d"; XSHARD_OUTPUT_DIR=$d COVERAGE_FILE=$d/.coverage exec ` + python +
		` -m pytest -p no:cacheprovider -q --junitxml=$d/junit.xml --cov=demo --cov-report=xml:$d/coverage.xml "$@"`
	for _, n := range []int{4, 8} {
		t.Run("workers="+strconv.Itoa(n), func(t *testing.T) {
			art := filepath.Join(work, strconv.Itoa(n), "artifacts")
			var ws []*proc
			for i := range n {
				dir := filepath.Join(art, "xshard-"+strconv.Itoa(i))
				ws = append(ws, startWorker(t, suite, []string{"XSHARD_QUEUE_URL=" + srv.URL(), "ART=" + dir, "XSHARD_DEMO_FAIL="}, "",
					"--tests-from", idsFile, "--index", strconv.Itoa(i), "--total", strconv.Itoa(n), "--queue-key", "py-"+strconv.Itoa(n),
					"--manifest", filepath.Join(dir, "xshard-manifest.json"), "--queue-min-batch", "8s", "--exec", "--", "sh", "-c", batchCmd, "sh"))
			}
			for i, w := range ws {
				if code := w.wait(t, 5*time.Minute); code != 0 {
					t.Fatalf("gw%d exited %d:\n%s", i, code, w.stderr.String())
				}
			}
			report := filepath.Join(work, strconv.Itoa(n), "report")
			r := mergeCmd(t, "--out", report, art)
			if r.code != 0 || !strings.Contains(r.stdout, "verified: all "+strconv.Itoa(n)+" workers reported") {
				t.Fatalf("merge exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if diff := cmp.Diff(want, outcomes(mergeResult(t, art, filepath.Join(report, "again")))); diff != "" {
				t.Errorf("tests and outcomes differ from the unsharded run (-unsharded +queue):\n%s", diff)
			}
			if diff := cmp.Diff(wantHits, lineHits(t, filepath.Join(report, "coverage.cobertura.xml"))); diff != "" {
				t.Errorf("merged line hits differ from the unsharded run (-unsharded +queue):\n%s", diff)
			}
			var outputs struct{ Tests map[string]any }
			json.Unmarshal([]byte(readFile(t, filepath.Join(report, "outputs.json"))), &outputs)
			if len(outputs.Tests) != len(ids) {
				t.Errorf("outputs.json has %d tests, pytest collected %d", len(outputs.Tests), len(ids))
			}
		})
	}
}

// sleepSuite is a suite of n sleeping tests: the history (what the plan
// predicts) and the real durations, which deviate from it by log-normal
// noise of sigma, all from seed.
type sleepSuite struct {
	ids            []string
	history, real  map[string]float64
	idsFile        string
	historyFile    string
	realFile       string
	total, longest float64
}

func newSleepSuite(t testing.TB, dir string, n int, mean, sigma float64, seed uint64) *sleepSuite {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 11))
	s := &sleepSuite{history: map[string]float64{}, real: map[string]float64{}}
	for i := range n {
		id := fmt.Sprintf("example.com/sleep/p%d.Test%03d", i%5, i)
		// Durations spread as real suites' are: log-normal around mean.
		h := mean * math.Exp(rng.NormFloat64()*0.8-0.32)
		h = math.Round(h*1000) / 1000
		r := math.Round(h*math.Exp(rng.NormFloat64()*sigma)*1000) / 1000
		s.ids = append(s.ids, id)
		s.history[id], s.real[id] = h, r
		s.total += r
		s.longest = max(s.longest, r)
	}
	s.idsFile = filepath.Join(dir, "ids.txt")
	s.historyFile = filepath.Join(dir, "history.json")
	s.realFile = filepath.Join(dir, "real.json")
	os.WriteFile(s.idsFile, []byte(strings.Join(s.ids, "\n")+"\n"), 0o644)
	for path, v := range map[string]map[string]float64{s.historyFile: s.history, s.realFile: s.real} {
		b, _ := json.Marshal(v)
		os.WriteFile(path, b, 0o644)
	}
	return s
}

// lowerBound is max(longest test, total / n) of the real durations.
func (s *sleepSuite) lowerBound(n int) float64 { return max(s.longest, s.total/float64(n)) }

// sleepRun is one run of a sleep suite over n worker processes.
type sleepRun struct {
	art     string
	workers []*proc
}

// startSleepRun starts n workers on s: with a queue URL they share it,
// else each runs its share of the static timing plan.
func startSleepRun(t testing.TB, s *sleepSuite, dir string, n int, queueURL, key string, extra ...string) *sleepRun {
	t.Helper()
	r := &sleepRun{art: filepath.Join(dir, "artifacts")}
	for i := range n {
		wd := filepath.Join(r.art, "xshard-"+strconv.Itoa(i))
		os.MkdirAll(wd, 0o755)
		env := []string{"XSHARD_SLEEPER=" + s.realFile, "XSHARD_SLEEPER_OUT=" + wd}
		args := []string{"--tests-from", s.idsFile, "--timings", s.historyFile, "--index", strconv.Itoa(i), "--total", strconv.Itoa(n),
			"--manifest", filepath.Join(wd, "xshard-manifest.json")}
		if queueURL != "" {
			args = append(args, "--queue", queueURL, "--queue-key", key)
		}
		args = append(args, extra...)
		args = append(args, "--exec", "--", binary(t, "sleeper"))
		r.workers = append(r.workers, startWorker(t, dir, env, "", args...))
	}
	return r
}

func (r *sleepRun) wait(t testing.TB) []int {
	t.Helper()
	codes := make([]int, len(r.workers))
	for i, w := range r.workers {
		codes[i] = w.wait(t, 5*time.Minute)
	}
	return codes
}

func readManifest(t testing.TB, path string) *manifest.Manifest {
	t.Helper()
	m, err := manifest.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestQueueSurvivesAWorkerKilledMidBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("runs worker processes")
	}
	srv := redistest.Start(t)
	dir := t.TempDir()
	s := newSleepSuite(t, dir, 40, 0.15, 0.3, 1)
	r := startSleepRun(t, s, dir, 4, srv.URL(), "kill", "--queue-lease", "1s")
	// Kill gw1 (with its runner) in the middle of a batch of several
	// tests, from its second on, once it has reported the first of them:
	// that report is superseded by the one of the worker that runs the
	// batch again.
	victim := filepath.Join(r.art, "xshard-1", "xshard-manifest.json")
	deadline := time.Now().Add(time.Minute)
	for {
		if m, err := manifest.ReadFile(victim); err == nil && m.Queue != nil && len(m.Queue.Batches) >= 2 {
			b := m.Queue.Batches[len(m.Queue.Batches)-1]
			out, _ := os.ReadFile(filepath.Join(r.art, "xshard-1", "test-gw1-"+strconv.Itoa(len(m.Queue.Batches))+".json"))
			if !b.Finished() && len(b.Units) >= 2 && bytes.Count(out, []byte(`{"Action":"pass","Elapsed"`)) == 1 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("gw1 never reported the first test of a batch of several, from its second on")
		}
		time.Sleep(2 * time.Millisecond)
	}
	r.workers[1].kill()
	codes := r.wait(t)
	for i, c := range codes {
		if i != 1 && c != 0 {
			t.Fatalf("gw%d exited %d:\n%s", i, c, r.workers[i].stderr.String())
		}
	}
	m := readManifest(t, victim)
	lost := m.Queue.Batches[len(m.Queue.Batches)-1]
	res := mergeCmd(t, "--out", filepath.Join(dir, "report"), r.art)
	if res.code != 0 {
		t.Fatalf("merge exit %d, want 0:\n%s%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, "LOST WORKER gw1: batch "+lost.ID+" ("+strconv.Itoa(len(lost.Units))+" units) did not finish; run again by gw") {
		t.Errorf("merge does not name the lost worker and its batch %s:\n%s", lost.ID, res.stdout)
	}
	for _, u := range lost.Units {
		named := false
		for _, l := range lines(res.stdout) {
			if strings.HasPrefix(l, "requeued: "+u+" ran on ") && strings.Contains(l, "gw1") && strings.Contains(l, "(lease expired)") {
				named = true
			}
		}
		if !named {
			t.Errorf("merge does not name the requeued unit %s:\n%s", u, res.stdout)
		}
	}
	out := outcomes(mergeResult(t, r.art, filepath.Join(dir, "again")))
	want := make([]string, len(s.ids))
	for i, id := range s.ids {
		want[i] = id + " passed"
	}
	sort.Strings(want)
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("every test must have exactly one passing result (-want +got):\n%s", diff)
	}
	// junit.xml, what users' own tools read, holds each test once: the
	// report of the worker that ran the lost batch again, marked with
	// gw1; gw1's own report of the test it finished is left out.
	cases := junitCases(t, filepath.Join(dir, "report", "junit.xml"))
	inLost := map[string]bool{}
	for _, u := range lost.Units {
		inLost[u] = true
	}
	for _, id := range s.ids {
		got := cases[id]
		if len(got) != 1 {
			t.Errorf("junit.xml holds %d testcases of %s, want 1: %+v", len(got), id, got)
			continue
		}
		c := got[0]
		if inLost[id] && (c.worker == "gw1" || !slices.Contains(strings.Fields(c.requeued), "gw1")) {
			t.Errorf("junit.xml's %s, of gw1's lost batch: worker %q, xshard.requeued %q; want another worker's report marked with gw1", id, c.worker, c.requeued)
		}
		if !inLost[id] && c.requeued != "" {
			t.Errorf("junit.xml's %s is marked requeued (%q) but was not in gw1's lost batch", id, c.requeued)
		}
	}
	reportedByVictim := 0
	for _, l := range lines(readFile(t, filepath.Join(r.art, "xshard-1", "test-gw1-"+strconv.Itoa(len(m.Queue.Batches))+".json"))) {
		if strings.Contains(l, `{"Action":"pass","Elapsed"`) && strings.Contains(l, `"Test":`) {
			reportedByVictim++
		}
	}
	if reportedByVictim == 0 {
		t.Error("gw1 reported no test of its lost batch: the test shows nothing of the dedup")
	}
}

// junitCase is a testcase of a merged junit.xml: its worker and its
// xshard.requeued property.
type junitCase struct{ worker, requeued string }

// junitCases reads a merged junit.xml and returns its testcases by test
// ID (classname.name), checking that its totals count what it holds.
func junitCases(t *testing.T, path string) map[string][]junitCase {
	t.Helper()
	doc, err := junitdoc.Parse([]byte(readFile(t, path)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := doc.CheckTotals(); err != nil {
		t.Errorf("%s: %v", path, err)
	}
	out := map[string][]junitCase{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			jc := junitCase{worker: c.Prop(junit.WorkerProperty), requeued: c.Prop(junit.RequeuedProperty)}
			out[c.Classname+"."+c.Name] = append(out[c.Classname+"."+c.Name], jc)
		}
	}
	return out
}

func TestQueueLostRedisFailsClearlyAndNothingUnrunPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs worker processes")
	}
	// A server with a password: every message names its URL without it.
	const pw = "lost-s3cret"
	srv := redistest.StartWith(t, redistest.Options{Password: pw})
	redacted := strings.Replace(srv.URL(), pw, "xxxxx", 1)
	dir := t.TempDir()
	s := newSleepSuite(t, dir, 60, 0.1, 0.3, 2)
	r := startSleepRun(t, s, dir, 4, srv.URL(), "lost")
	// Once every worker has claimed a batch, Redis dies.
	deadline := time.Now().Add(time.Minute)
	for i := 0; i < 4; {
		m, err := manifest.ReadFile(filepath.Join(r.art, "xshard-"+strconv.Itoa(i), "xshard-manifest.json"))
		if err == nil && m.Queue != nil && len(m.Queue.Batches) >= 1 {
			i++
			continue
		}
		if time.Now().After(deadline) {
			t.Fatalf("gw%d never claimed a batch", i)
		}
		time.Sleep(5 * time.Millisecond)
	}
	srv.Kill()
	codes := r.wait(t)
	for i, c := range codes {
		if c != 2 {
			t.Errorf("gw%d exited %d, want 2", i, c)
		}
		e := r.workers[i].stderr.String()
		if !strings.Contains(e, "queue "+redacted) || !strings.Contains(e, "stopped after") {
			t.Errorf("gw%d does not say the queue at %s was lost:\n%s", i, redacted, e)
		}
		m := readFile(t, filepath.Join(r.art, "xshard-"+strconv.Itoa(i), "xshard-manifest.json"))
		if strings.Contains(e, pw) || strings.Contains(m, pw) {
			t.Errorf("gw%d shows the password in its messages or its manifest", i)
		}
	}
	res := mergeCmd(t, "--out", filepath.Join(dir, "report"), r.art)
	if res.code != 2 || !strings.Contains(res.stdout, "MISSING: ") || !strings.Contains(res.stdout, "QUEUE ERROR: gw0: queue "+redacted) {
		t.Errorf("merge exit %d, want 2 naming the missing tests and the queue errors:\n%s%s", res.code, res.stdout, res.stderr)
	}
	if strings.Contains(res.stdout+res.stderr+readFile(t, filepath.Join(dir, "report", "summary.md")), pw) {
		t.Error("merge shows the password")
	}
	// Every passing result came from a batch its worker ran to its end.
	ran := map[string]bool{}
	for i := range 4 {
		m := readManifest(t, filepath.Join(r.art, "xshard-"+strconv.Itoa(i), "xshard-manifest.json"))
		for _, b := range m.Queue.Batches {
			if b.Finished() {
				for _, u := range b.Units {
					ran[u] = true
				}
			}
		}
	}
	got, err := merge.Run(merge.Options{Inputs: []string{r.art}, OutDir: filepath.Join(dir, "again")})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range got.Tests {
		if row.Outcome.String() == "passed" && !ran[row.ID] {
			t.Errorf("%s passed although no batch holding it ran to its end", row.ID)
		}
	}
	if len(got.Verification.Missing) == 0 {
		t.Error("no test is missing although Redis died early")
	}
}

// balanceRun runs s over n workers (static timing plan, or the queue
// when url is set) and returns the merge's realised balance.
func balanceRun(b *testing.B, s *sleepSuite, dir string, n int, url, key string, extra ...string) *merge.Balance {
	b.Helper()
	r := startSleepRun(b, s, dir, n, url, key, extra...)
	for i, c := range r.wait(b) {
		if c != 0 {
			b.Fatalf("gw%d exited %d:\n%s", i, c, r.workers[i].stderr.String())
		}
	}
	res, err := merge.Run(merge.Options{Inputs: []string{r.art}, OutDir: filepath.Join(dir, "report")})
	if err != nil {
		b.Fatal(err)
	}
	if !res.Verification.OK() || res.Balance == nil || !res.Balance.Measured {
		b.Fatalf("run not verified or not measured: %+v", res.Verification)
	}
	return res.Balance
}

// BenchmarkQueueBalance is the realised-balance bar: a suite of 200
// sleeping tests whose real durations deviate from their history by
// log-normal noise (sigma 0.3, fixed seed), run by N worker processes
// with the static timing plan and then with the queue, in the same run.
// It reports each one's realised makespan over the realised lower bound
// (max(longest test, total / N)), per-batch process start-up included.
//
//	go test ./internal/e2e -run '^$' -bench QueueBalance -benchtime 1x
func BenchmarkQueueBalance(b *testing.B) {
	srv := redistest.Start(b)
	for _, n := range []int{4, 8} {
		b.Run("workers="+strconv.Itoa(n), func(b *testing.B) {
			var static, queued, batches float64
			for k := range b.N {
				dir := b.TempDir()
				s := newSleepSuite(b, dir, 200, 0.2, 0.3, 42)
				st := balanceRun(b, s, filepath.Join(dir, "static"), n, "", "")
				q := balanceRun(b, s, filepath.Join(dir, "queue"), n, srv.URL(), fmt.Sprintf("bal-%d-%d", n, k))
				static += st.Ratio
				queued += q.Ratio
				for i := range n {
					m := readManifest(b, filepath.Join(dir, "queue", "artifacts", "xshard-"+strconv.Itoa(i), "xshard-manifest.json"))
					batches += float64(len(m.Queue.Batches))
				}
				for _, w := range q.Workers {
					b.Logf("  queue %s: wall %.2fs, tests %.2fs, idle at end %.2fs", w.Name, w.Wall, w.Tests, w.IdleEnd)
				}
				b.Logf("N=%d: lower bound %.2fs; static makespan %.2fs (%.3fx, predicted %.3fx); queue makespan %.2fs (%.3fx)",
					n, s.lowerBound(n), st.Makespan, st.Ratio, st.PredictedRatio, q.Makespan, q.Ratio)
			}
			b.ReportMetric(static/float64(b.N), "static-ratio")
			b.ReportMetric(queued/float64(b.N), "queue-ratio")
			b.ReportMetric(batches/float64(b.N), "batches")
		})
	}
}

// BenchmarkQueueLostWorker is the lost-worker bar: 4 workers share the
// queue; in one run none fails, in the other gw1 is killed (with its
// runner) at half the expected makespan. It reports the second run's
// makespan (the survivors' longest test phase) over the first's, and
// checks that every test still ran. A static plan would lose the rest of
// gw1's share.
//
//	go test ./internal/e2e -run '^$' -bench QueueLostWorker -benchtime 1x
func BenchmarkQueueLostWorker(b *testing.B) {
	srv := redistest.Start(b)
	var ratio float64
	for k := range b.N {
		dir := b.TempDir()
		s := newSleepSuite(b, dir, 200, 0.2, 0.3, 42)
		lease := []string{"--queue-lease", "2s"}
		base := balanceRun(b, s, filepath.Join(dir, "base"), 4, srv.URL(), fmt.Sprintf("lw-base-%d", k), lease...)
		r := startSleepRun(b, s, filepath.Join(dir, "lost"), 4, srv.URL(), fmt.Sprintf("lw-lost-%d", k), lease...)
		time.Sleep(time.Duration(s.lowerBound(4) / 2 * float64(time.Second)))
		r.workers[1].kill()
		for i, c := range r.wait(b) {
			if i != 1 && c != 0 {
				b.Fatalf("gw%d exited %d:\n%s", i, c, r.workers[i].stderr.String())
			}
		}
		res, err := merge.Run(merge.Options{Inputs: []string{r.art}, OutDir: filepath.Join(dir, "lost", "report")})
		if err != nil {
			b.Fatal(err)
		}
		if !res.Verification.OK() || res.Totals.Passed != len(s.ids) {
			b.Fatalf("with a lost worker: %d of %d tests passed, verification %+v", res.Totals.Passed, len(s.ids), res.Verification)
		}
		makespan := 0.0
		for _, w := range res.Balance.Workers {
			if w.Measured {
				makespan = max(makespan, w.Wall)
			}
		}
		ratio += makespan / base.Makespan
		b.Logf("no failure: makespan %.2fs; gw1 killed at %.2fs: makespan %.2fs (%.3fx); lost batches %d, requeued tests %d",
			base.Makespan, s.lowerBound(4)/2, makespan, makespan/base.Makespan, len(res.Verification.Lost), len(res.Verification.Requeued))
	}
	b.ReportMetric(ratio/float64(b.N), "makespan-ratio")
}
