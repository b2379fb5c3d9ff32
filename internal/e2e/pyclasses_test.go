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

	"github.com/xshard/xshard/internal/testenv"
)

// TestPytestClassesMatchTheirIDs runs real pytest on a project whose tests
// live in unittest classes (SomeTests, a test inherited from a base class
// in another file), nested classes, parametrized methods (parameters with
// ".", "::", spaces and brackets), a package directory with a capital
// letter, and a module and class whose names do not say "test"
// (testdata/pyclasses). For both JUnit families (xunit2, pytest's
// default, has no file attribute; xunit1 has one) and 1 and 3 workers,
// merge must match every result to its collected node ID and verify the
// run complete, and the timings.json it writes must hold every collected
// ID, so that the next timing plan knows the duration of every unit.
func TestPytestClassesMatchTheirIDs(t *testing.T) {
	if err := exec.Command(python, "-c", "import pytest").Run(); err != nil {
		testenv.Missing(t, "pytest", "XSHARD_REQUIRE_PYTEST", "apt-get install python3-pytest")
	}
	suite := filepath.Join(repoRoot(t), "internal", "e2e", "testdata", "pyclasses")
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
	if len(ids) < 20 {
		t.Fatalf("pytest collected %d tests, the fixture has more:\n%s", len(ids), collected.String())
	}
	sort.Strings(ids)
	idsFile := filepath.Join(work, "ids.txt")
	os.WriteFile(idsFile, []byte(strings.Join(ids, "\n")+"\n"), 0o644)

	for _, family := range []string{"xunit2", "xunit1"} {
		for _, n := range []int{1, 3} {
			t.Run(family+"/workers="+strconv.Itoa(n), func(t *testing.T) {
				dir := filepath.Join(work, family, strconv.Itoa(n))
				art := filepath.Join(dir, "artifacts")
				for i := 0; i < n; i++ {
					out := filepath.Join(art, "xshard-"+strconv.Itoa(i))
					r := shard(t, "--tests-from", idsFile, "--index", strconv.Itoa(i), "--total", strconv.Itoa(n),
						"--manifest", filepath.Join(out, "xshard-manifest.json"))
					if r.code != 0 {
						t.Fatalf("shard: exit %d\n%s", r.code, r.stderr)
					}
					mine := lines(r.stdout)
					if len(mine) == 0 {
						continue
					}
					var log strings.Builder
					args := append([]string{"-m", "pytest", "-p", "no:cacheprovider", "-q", "-o", "junit_family=" + family,
						"--junitxml=" + filepath.Join(out, "junit.xml")}, mine...)
					if code := sh(t, suite, nil, &log, python, args...); code != 0 {
						t.Fatalf("pytest: exit %d\n%s", code, log.String())
					}
				}
				report := filepath.Join(dir, "report")
				r := mergeCmd(t, "--out", report, art)
				if r.code != 0 || !strings.Contains(r.stdout, "verified: all "+strconv.Itoa(n)+" workers reported, every planned test ran exactly once") {
					t.Fatalf("merge exit %d, want 0 and verified\n%s%s", r.code, r.stdout, r.stderr)
				}
				var got []string
				for _, row := range mergeResult(t, art, filepath.Join(dir, "again")).Tests {
					got = append(got, row.ID)
				}
				sort.Strings(got)
				if diff := cmp.Diff(ids, got); diff != "" {
					t.Errorf("merged test IDs differ from the collected node IDs (-collected +merged):\n%s", diff)
				}

				// The timings are keyed by the collected IDs: every one of
				// them, and the next timing plan knows every unit.
				var tf struct{ Tests map[string]float64 }
				if err := json.Unmarshal([]byte(readFile(t, filepath.Join(report, "timings.json"))), &tf); err != nil {
					t.Fatal(err)
				}
				var keys []string
				for k := range tf.Tests {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				if diff := cmp.Diff(ids, keys); diff != "" {
					t.Errorf("timings.json keys differ from the collected node IDs (-collected +timings):\n%s", diff)
				}
				next := filepath.Join(dir, "next.json")
				if r := shard(t, "--tests-from", idsFile, "--index", "0", "--total", "2", "--strategy", "timing",
					"--timings", filepath.Join(report, "timings.json"), "--manifest", next); r.code != 0 {
					t.Fatalf("next shard: exit %d\n%s", r.code, r.stderr)
				}
				var m struct {
					KnownShare float64 `json:"known_share"`
				}
				if err := json.Unmarshal([]byte(readFile(t, next)), &m); err != nil {
					t.Fatal(err)
				}
				if m.KnownShare != 1 {
					t.Errorf("the next plan knows the timings of %.0f%% of the units, want 100%%", 100*m.KnownShare)
				}
				// The raw reports, given to shard as timings, are keyed by
				// the collected IDs too.
				var reports []string
				filepath.Walk(art, func(p string, info os.FileInfo, err error) error {
					if err == nil && filepath.Base(p) == "junit.xml" {
						reports = append(reports, "--timings", p)
					}
					return nil
				})
				args := append([]string{"--tests-from", idsFile, "--index", "0", "--total", "2", "--strategy", "timing", "--manifest", next}, reports...)
				if r := shard(t, args...); r.code != 0 {
					t.Fatalf("shard --timings junit.xml: exit %d\n%s", r.code, r.stderr)
				}
				if err := json.Unmarshal([]byte(readFile(t, next)), &m); err != nil {
					t.Fatal(err)
				}
				if m.KnownShare != 1 {
					t.Errorf("with the JUnit reports as timings, the plan knows %.0f%% of the units, want 100%%", 100*m.KnownShare)
				}
			})
		}
	}
}
