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
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/manifest"
	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/redistest"
)

// The queue's end-to-end tests run real worker processes (the shard
// command, built once) that share one real redis-server, as the jobs of
// a matrix would, and compare the merge with an unsharded run.

// TestMain lets the test binary play a test runner that sleeps: see
// sleeper.
func TestMain(m *testing.M) {
	if os.Getenv("XSHARD_SLEEPER") != "" {
		os.Exit(sleeper(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// sleeper "runs" the Go tests named by its arguments (pkg.TestName): each
// sleeps for its duration in $XSHARD_SLEEPER (a JSON object of seconds by
// id) and passes. It appends go test -json events to
// $XSHARD_SLEEPER_OUT/test-$XSHARD_WORKER-$XSHARD_BATCH.json as it goes,
// so that a runner killed in the middle leaves what it had done.
func sleeper(ids []string) int {
	var secs map[string]float64
	data, err := os.ReadFile(os.Getenv("XSHARD_SLEEPER"))
	if err == nil {
		err = json.Unmarshal(data, &secs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sleeper:", err)
		return 3
	}
	out := filepath.Join(os.Getenv("XSHARD_SLEEPER_OUT"), "test-"+os.Getenv("XSHARD_WORKER")+"-"+os.Getenv("XSHARD_BATCH")+".json")
	f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sleeper:", err)
		return 3
	}
	defer f.Close()
	emit := func(action, pkg, test string, elapsed float64) {
		ev := map[string]any{"Time": time.Now().Format(time.RFC3339Nano), "Action": action, "Package": pkg}
		if test != "" {
			ev["Test"] = test
		}
		if action != "run" {
			ev["Elapsed"] = elapsed
		}
		b, _ := json.Marshal(ev)
		f.Write(append(b, '\n'))
	}
	pkgs := map[string]float64{}
	for _, id := range ids {
		i := strings.LastIndexByte(id, '.')
		pkg, test := id[:i], id[i+1:]
		emit("run", pkg, test, 0)
		d := secs[id]
		time.Sleep(time.Duration(d * float64(time.Second)))
		emit("pass", pkg, test, d)
		pkgs[pkg] += d
	}
	for pkg, d := range pkgs {
		emit("pass", pkg, "", d)
	}
	return 0
}

var (
	shardOnce sync.Once
	shardBin  string
	shardErr  error
)

// shardBinary builds cmd/shard once for the worker processes.
func shardBinary(t testing.TB) string {
	t.Helper()
	shardOnce.Do(func() {
		dir, err := os.MkdirTemp("", "xshard-e2e-bin-")
		if err != nil {
			shardErr = err
			return
		}
		shardBin = filepath.Join(dir, "shard")
		cmd := exec.Command("go", "build", "-o", shardBin, "./cmd/shard")
		_, file, _, _ := runtime.Caller(0)
		cmd.Dir = filepath.Join(filepath.Dir(file), "..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			shardErr = fmt.Errorf("go build ./cmd/shard: %v\n%s", err, out)
		}
	})
	if shardErr != nil {
		t.Fatal(shardErr)
	}
	return shardBin
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
	w.cmd = exec.Command(shardBinary(t), args...)
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
					"--manifest", filepath.Join(dir, "xshard-manifest.json"), "--queue-min-batch", "3s",
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
	// timings a unit counts one "second": --queue-min-batch 3s keeps the
	// batches (each a pytest start-up) to three tests or more.
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
					"--manifest", filepath.Join(dir, "xshard-manifest.json"), "--queue-min-batch", "3s", "--exec", "--", "sh", "-c", batchCmd, "sh"))
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
		args = append(args, "--exec", "--", os.Args[0])
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
	// Kill gw1 (with its runner) in the middle of its second batch.
	victim := filepath.Join(r.art, "xshard-1", "xshard-manifest.json")
	deadline := time.Now().Add(time.Minute)
	for {
		if m, err := manifest.ReadFile(victim); err == nil && m.Queue != nil && len(m.Queue.Batches) >= 2 && !m.Queue.Batches[len(m.Queue.Batches)-1].Finished() {
			time.Sleep(50 * time.Millisecond)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("gw1 never claimed a second batch")
		}
		time.Sleep(5 * time.Millisecond)
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
}

func TestQueueLostRedisFailsClearlyAndNothingUnrunPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs worker processes")
	}
	srv := redistest.Start(t)
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
		if !strings.Contains(e, "queue "+strings.TrimSuffix(srv.URL(), "")) || !strings.Contains(e, "stopped after") {
			t.Errorf("gw%d does not say the queue at %s was lost:\n%s", i, srv.URL(), e)
		}
	}
	res := mergeCmd(t, "--out", filepath.Join(dir, "report"), r.art)
	if res.code != 2 || !strings.Contains(res.stdout, "MISSING: ") || !strings.Contains(res.stdout, "QUEUE ERROR: gw0: ") {
		t.Errorf("merge exit %d, want 2 naming the missing tests and the queue errors:\n%s%s", res.code, res.stdout, res.stderr)
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
