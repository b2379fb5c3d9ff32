package merge

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/model"
)

// writeBigRun writes files JUnit reports of 4 workers, with failures whose
// traces are longer than shortTrace, flaky tests, reruns and a test
// reported by two workers, and returns the directory.
func writeBigRun(t *testing.T, files, cases int) string {
	t.Helper()
	dir := t.TempDir()
	for f := range files {
		var b strings.Builder
		b.WriteString("<testsuites>\n")
		fmt.Fprintf(&b, "<testsuite name=\"s%d\">\n", f)
		for c := range cases {
			cls := fmt.Sprintf("com.example.S%dTest", (f*cases+c)%13)
			name := fmt.Sprintf("test%d", (f*cases+c)*7919%(files*cases))
			fmt.Fprintf(&b, "<testcase classname=%q name=%q time=\"%d.%03d\">", cls, name, c%5, (f*31+c)%1000)
			switch c % 9 {
			case 0, 4:
				fmt.Fprintf(&b, "<failure message=\"boom %d\">%s</failure>", c, strings.Repeat(fmt.Sprintf("at %s.%s(S.java:%d)\n", cls, name, c), 200))
			case 5:
				b.WriteString("<flakyFailure message=\"once\">" + strings.Repeat("é", 3000) + "</flakyFailure>")
			}
			b.WriteString("</testcase>\n")
			if c%50 == 0 { // a rerun on the same worker
				fmt.Fprintf(&b, "<testcase classname=%q name=%q time=\"0.5\"/>\n", cls, name)
			}
		}
		if f < 2 { // reported by gw0 and gw1
			b.WriteString("<testcase classname=\"com.example.Twice\" name=\"test\" time=\"1\"/>\n")
		}
		b.WriteString("</testsuite>\n</testsuites>\n")
		p := filepath.Join(dir, fmt.Sprintf("gw%d", f%4), fmt.Sprintf("r%02d.xml", f))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// The bounded lists and the test table keep the first entries of a total
// order, whatever the order cases arrive in from the concurrent readers:
// the same as the first entries of the unbounded lists, run after run.
func TestBoundedListsAreTheFirstOfTheWholeLists(t *testing.T) {
	dir := writeBigRun(t, 12, 400)
	run := func(maxListed, maxRows int) *Result {
		t.Helper()
		res, err := Run(Options{Inputs: []string{dir}, OutDir: t.TempDir(), MaxListed: maxListed, MaxTestRows: maxRows})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	whole := run(1<<30, 1<<30)
	if len(whole.Failures) < 3*fullTraces || len(whole.Flaky) < 30 || len(whole.Verification.Duplicated) != 1 {
		t.Fatalf("the run is not big enough to test: %d failures, %d flaky, %d duplicated",
			len(whole.Failures), len(whole.Flaky), len(whole.Verification.Duplicated))
	}
	const maxListed, maxRows = 2*fullTraces + 3, 777
	for _, procs := range []int{1, 2, 5} {
		old := runtime.GOMAXPROCS(procs)
		for range 3 {
			got := run(maxListed, maxRows)
			if diff := cmp.Diff(whole.Tests[:maxRows], got.Tests); diff != "" {
				t.Fatalf("GOMAXPROCS %d: the test table is not the first %d rows (-want +got):\n%s", procs, maxRows, diff)
			}
			if got.TestsOmitted != len(whole.Tests)-maxRows {
				t.Errorf("GOMAXPROCS %d: TestsOmitted = %d, want %d", procs, got.TestsOmitted, len(whole.Tests)-maxRows)
			}
			for _, l := range []struct {
				name      string
				want, got []model.Case
			}{{"failures", whole.Failures, got.Failures}, {"flaky", whole.Flaky, got.Flaky}} {
				want := append([]model.Case(nil), l.want[:min(len(l.want), maxListed)]...)
				for i := fullTraces; i < len(want); i++ {
					if len(want[i].Detail) > shortTrace {
						want[i].Detail = cutRunes(want[i].Detail, shortTrace) + "…[truncated]"
					}
				}
				if diff := cmp.Diff(want, l.got); diff != "" {
					t.Fatalf("GOMAXPROCS %d: %s are not the first %d (-want +got):\n%s", procs, l.name, maxListed, diff)
				}
			}
			if diff := cmp.Diff(whole.Slowest, got.Slowest); diff != "" {
				t.Fatalf("GOMAXPROCS %d: slowest differ (-want +got):\n%s", procs, diff)
			}
			if diff := cmp.Diff(whole.Totals, got.Totals); diff != "" {
				t.Fatalf("GOMAXPROCS %d: totals differ (-want +got):\n%s", procs, diff)
			}
		}
		runtime.GOMAXPROCS(old)
	}
}

func TestBounded(t *testing.T) {
	for _, max := range []int{0, 1, 3, 10, 100} {
		b := bounded[int]{max: max, less: func(a, b int) bool { return a < b }}
		for i := range 50 {
			b.add((i * 37) % 50)
		}
		got := b.sorted(b.less, max)
		for i, v := range got {
			if v != i {
				t.Fatalf("max %d: kept %v, want the %d smallest", max, got, max)
			}
		}
		if len(got) != min(max, 50) || b.more() != 50-len(got) {
			t.Errorf("max %d: kept %d, more %d", max, len(got), b.more())
		}
	}
}

func TestCutRunes(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{{"abc", 5, "abc"}, {"abc", 2, "ab"}, {"aé", 2, "a"}, {"aé", 3, "aé"}, {"é", 1, ""}} {
		if got := cutRunes(tc.s, tc.n); got != tc.want {
			t.Errorf("cutRunes(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
