package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/cobertura"
	"github.com/xshard/xshard/internal/testenv"
)

// python is Debian's interpreter, which python3-pytest installs for; the
// python3 first on PATH may be another without pytest.
const python = "/usr/bin/python3"

// TestPytestShardedEqualsUnsharded is the oracle for pytest: node ids
// from pytest --collect-only are sharded for every worker count and both
// strategies, each worker runs real pytest with JUnit XML, coverage.py's
// Cobertura XML and the example's custom JSON plugin, and the merge must
// equal one unsharded run: the same tests and outcomes, the same line hits,
// every test's entry in the merged custom output.
func TestPytestShardedEqualsUnsharded(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the example suite many times")
	}
	if err := exec.Command(python, "-c", "import pytest, pytest_cov").Run(); err != nil {
		testenv.Missing(t, "pytest", "XSHARD_REQUIRE_PYTEST", "apt-get install python3-pytest python3-pytest-cov")
	}
	suite := filepath.Join(repoRoot(t), "examples", "pytest")
	work := t.TempDir()

	var collected strings.Builder
	if code := sh(t, suite, nil, &collected, python, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q"); code != 0 {
		t.Fatalf("pytest --collect-only: exit %d\n%s", code, collected.String())
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
	unRes := mergeResult(t, filepath.Dir(un), filepath.Join(work, "unsharded-report"))
	want := outcomes(unRes)
	if len(want) != len(ids) {
		t.Fatalf("the unsharded run reports %d tests, pytest collected %d", len(want), len(ids))
	}
	wantHits := lineHits(t, filepath.Join(work, "unsharded-report", "coverage.cobertura.xml"))

	timings := ""
	for _, strategy := range []string{"hash", "timing"} {
		for _, n := range workerCounts {
			t.Run(strategy+"/workers="+strconv.Itoa(n), func(t *testing.T) {
				art := filepath.Join(work, strategy, strconv.Itoa(n), "artifacts")
				for i := 0; i < n; i++ {
					dir := filepath.Join(art, "xshard-"+strconv.Itoa(i))
					args := []string{"--tests-from", idsFile, "--index", strconv.Itoa(i), "--total", strconv.Itoa(n),
						"--strategy", strategy, "--manifest", filepath.Join(dir, "xshard-manifest.json")}
					if strategy == "timing" {
						args = append(args, "--timings", timings)
					}
					r := shard(t, args...)
					if r.code != 0 {
						t.Fatalf("shard: exit %d\n%s", r.code, r.stderr)
					}
					if mine := lines(r.stdout); len(mine) > 0 { // an empty worker runs nothing
						runPytest(t, suite, dir, worker(i), mine, nil)
					}
				}
				report := filepath.Join(work, strategy, strconv.Itoa(n), "report")
				r := mergeCmd(t, "--out", report, art)
				if r.code != 0 || !strings.Contains(r.stdout, "verified: all "+strconv.Itoa(n)+" workers reported") {
					t.Fatalf("merge exit %d, want 0 and verified\n%s%s", r.code, r.stdout, r.stderr)
				}
				got := outcomes(mergeResult(t, art, filepath.Join(report, "again")))
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("tests and outcomes differ from the unsharded run (-unsharded +sharded):\n%s", diff)
				}
				if diff := cmp.Diff(wantHits, lineHits(t, filepath.Join(report, "coverage.cobertura.xml"))); diff != "" {
					t.Errorf("merged Cobertura line hits differ from the unsharded run (-unsharded +sharded):\n%s", diff)
				}
				var outputs struct {
					Tests map[string]struct{ Worker string }
				}
				if err := json.Unmarshal([]byte(readFile(t, filepath.Join(report, "outputs.json"))), &outputs); err != nil {
					t.Fatal(err)
				}
				var gotIDs []string
				for id := range outputs.Tests {
					gotIDs = append(gotIDs, id)
				}
				sort.Strings(gotIDs)
				wantIDs := append([]string(nil), ids...)
				sort.Strings(wantIDs)
				if diff := cmp.Diff(wantIDs, gotIDs); diff != "" {
					t.Errorf("the merged custom output lacks tests (-collected +outputs.json):\n%s", diff)
				}
				if strategy == "hash" {
					timings = filepath.Join(report, "timings.json")
				}
			})
		}
	}

	t.Run("a failing test makes merge exit 1", func(t *testing.T) {
		art := filepath.Join(work, "failing", "artifacts")
		for i := 0; i < 2; i++ {
			dir := filepath.Join(art, "xshard-"+strconv.Itoa(i))
			r := shard(t, "--tests-from", idsFile, "--index", strconv.Itoa(i), "--total", "2", "--manifest", filepath.Join(dir, "m.json"))
			runPytest(t, suite, dir, worker(i), lines(r.stdout), []string{"XSHARD_DEMO_FAIL=1"})
		}
		r := mergeCmd(t, "--out", filepath.Join(work, "failing", "report"), art)
		if r.code != 1 || !strings.Contains(r.stdout, " 1 failed,") {
			t.Errorf("merge exit %d, want 1 with one failure\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
}

// runPytest runs pytest on ids (the whole suite when nil) with JUnit,
// Cobertura and the custom JSON output written into dir.
func runPytest(t *testing.T, suite, dir, worker string, ids []string, extra []string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"-m", "pytest", "-p", "no:cacheprovider", "-q",
		"--junitxml=" + filepath.Join(dir, "junit.xml"),
		"--cov=demo", "--cov-report=xml:" + filepath.Join(dir, "coverage.xml")}
	args = append(args, ids...)
	env := append([]string{"XSHARD_WORKER=" + worker, "XSHARD_OUTPUT_DIR=" + dir, "XSHARD_DEMO_FAIL=",
		"COVERAGE_FILE=" + filepath.Join(dir, ".coverage")}, extra...)
	var out strings.Builder
	if code := sh(t, suite, env, &out, python, args...); code != 0 && code != 1 {
		t.Fatalf("pytest: exit %d\n%s", code, out.String())
	}
}

// lineHits returns "file:line hits" for every line of a Cobertura report.
func lineHits(t *testing.T, name string) []string {
	t.Helper()
	r, err := cobertura.ParseFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range r.Packages {
		for _, c := range p.Classes {
			for _, l := range c.Lines {
				out = append(out, c.Filename+":"+strconv.Itoa(l.Number)+" "+strconv.FormatInt(l.Hits, 10))
			}
		}
	}
	sort.Strings(out)
	return out
}
