package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/cli"
)

// TestGoShardedEqualsUnsharded is the oracle for Go: for every worker
// count and both strategies (timing fed by an earlier run's timings.json),
// the sharded and merged run has the same tests, each once, with the same
// outcomes, and the same coverage profile, as one unsharded go test.
func TestGoShardedEqualsUnsharded(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the example suite many times")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	suite := filepath.Join(repoRoot(t), "examples", "go")
	work := t.TempDir()
	goEnv := []string{"GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local", "XSHARD_DEMO_FAIL="}

	// One unsharded run: the oracle.
	un := filepath.Join(work, "unsharded", "gw0")
	os.MkdirAll(un, 0o755)
	runGo(t, gobin, suite, goEnv, un, 0, []string{"./..."})
	unRes := mergeResult(t, filepath.Dir(un), filepath.Join(work, "unsharded-report"))
	want := outcomes(unRes)
	wantCover := readFile(t, filepath.Join(work, "unsharded-report", "coverage.out"))
	wantFunc := coverFuncTotal(t, gobin, suite, filepath.Join(work, "unsharded-report", "coverage.out"))
	if len(want) < 60 {
		t.Fatalf("the unsharded run reports %d tests; the example suite has more", len(want))
	}

	timings := ""
	for _, strategy := range []string{"hash", "timing"} {
		for _, n := range workerCounts {
			name := strategy + "/workers=" + strconv.Itoa(n)
			t.Run(name, func(t *testing.T) {
				if strategy == "timing" && timings == "" {
					t.Fatal("no timings from the hash runs")
				}
				art := filepath.Join(work, strategy, strconv.Itoa(n), "artifacts")
				shardGo(t, gobin, suite, goEnv, art, n, strategy, timings)
				report := filepath.Join(work, strategy, strconv.Itoa(n), "report")
				r := mergeCmd(t, "--out", report, art)
				if r.code != 0 {
					t.Fatalf("merge exit %d\n%s%s", r.code, r.stdout, r.stderr)
				}
				if !strings.Contains(r.stdout, "verified: all "+strconv.Itoa(n)+" workers reported, every planned test ran exactly once") {
					t.Errorf("merge did not verify the run:\n%s", r.stdout)
				}
				got := outcomes(mergeResult(t, art, filepath.Join(report, "again")))
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("tests and outcomes differ from the unsharded run (-unsharded +sharded):\n%s", diff)
				}
				cover := filepath.Join(report, "coverage.out")
				if diff := cmp.Diff(wantCover, readFile(t, cover)); diff != "" {
					t.Errorf("merged coverage profile differs from the unsharded one (-unsharded +sharded):\n%s", diff)
				}
				if got := coverFuncTotal(t, gobin, suite, cover); got != wantFunc {
					t.Errorf("go tool cover -func total = %q, unsharded %q", got, wantFunc)
				}
				if strategy == "hash" {
					timings = filepath.Join(report, "timings.json")
				}
			})
		}
	}

	t.Run("a failing test makes merge exit 1", func(t *testing.T) {
		art := filepath.Join(work, "failing", "artifacts")
		fail := append(append([]string(nil), goEnv...), "XSHARD_DEMO_FAIL=1")
		shardGo(t, gobin, suite, fail, art, 3, "hash", "")
		r := mergeCmd(t, "--out", filepath.Join(work, "failing", "report"), art)
		if r.code != 1 || !strings.Contains(r.stdout, " 1 failed,") {
			t.Errorf("merge exit %d, want 1 with one failure\n%s%s", r.code, r.stdout, r.stderr)
		}
		// As a report job: the failure is annotated at its file in this
		// repository, from the module the manifests record (the working
		// directory's go.mod is another module's).
		gh := filepath.Join(work, "failing", "gh")
		e, out, errb := env(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": gh + ".out", "GITHUB_STEP_SUMMARY": gh + ".md"})
		code := cli.Merge([]string{"--out", gh, art}, e)
		if want := "::error file=examples/go/ledger/ledger_test.go,line="; code != 1 || !strings.Contains(out.String(), want) {
			t.Errorf("merge in GitHub Actions: exit %d, want 1 and %q in:\n%s%s", code, want, out, errb)
		}
	})

	t.Run("a missing worker makes merge exit 2 naming it and its tests", func(t *testing.T) {
		art := filepath.Join(work, "hash", "3", "artifacts")
		if err := os.RemoveAll(filepath.Join(art, "xshard-1")); err != nil {
			t.Fatal(err)
		}
		r := mergeCmd(t, "--out", filepath.Join(work, "missing", "report"), art)
		planned := lines(shard(t, "--go", "./...", "-C", suite, "--index", "1", "--total", "3", "--strategy", "hash").stdout)
		wantLine := "MISSING WORKER gw1: " + strconv.Itoa(len(planned)) + " planned tests did not run: " + strings.Join(planned[:min(5, len(planned))], ", ")
		if r.code != 2 || !strings.Contains(r.stdout, wantLine) {
			t.Errorf("merge exit %d, want 2 and %q in:\n%s%s", r.code, wantLine, r.stdout, r.stderr)
		}
	})
}

// shardGo runs n workers one after another, each in its own artifact
// directory as a matrix job's upload would be: manifest, go test -json
// output and cover profile of each go-run line.
func shardGo(t *testing.T, gobin, suite string, goEnv []string, art string, n int, strategy, timings string) {
	t.Helper()
	for i := 0; i < n; i++ {
		dir := filepath.Join(art, "xshard-"+strconv.Itoa(i))
		args := []string{"--go", "./...", "-C", suite, "--index", strconv.Itoa(i), "--total", strconv.Itoa(n),
			"--strategy", strategy, "--format", "go-run", "--manifest", filepath.Join(dir, "xshard-manifest.json")}
		if timings != "" {
			args = append(args, "--timings", timings)
		}
		r := shard(t, args...)
		if r.code != 0 {
			t.Fatalf("shard %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
		for k, line := range lines(r.stdout) {
			runGo(t, gobin, suite, goEnv, dir, k, strings.Fields(line))
		}
	}
}

// runGo runs go test -json with a cover profile into dir.
func runGo(t *testing.T, gobin, suite string, goEnv []string, dir string, k int, args []string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(dir, "test-"+strconv.Itoa(k)+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	full := append([]string{"test", "-json", "-coverprofile=" + filepath.Join(dir, "cover-"+strconv.Itoa(k)+".out")}, args...)
	sh(t, suite, goEnv, out, gobin, full...) // a failing test is the runner's business: its exit code is not ours
}

// coverFuncTotal returns the total line of go tool cover -func.
func coverFuncTotal(t *testing.T, gobin, suite, profile string) string {
	t.Helper()
	var out strings.Builder
	if code := sh(t, suite, []string{"GOFLAGS=-mod=mod", "GOWORK=off"}, &out, gobin, "tool", "cover", "-func="+profile); code != 0 {
		t.Fatalf("go tool cover -func=%s: exit %d", profile, code)
	}
	ls := lines(out.String())
	return strings.Join(strings.Fields(ls[len(ls)-1]), " ")
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
