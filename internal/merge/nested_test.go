package merge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/gotest"
	"github.com/xshard/xshard/internal/junit"
)

// TestRanInPropertyNamesAgree: gotest writes the property that junit
// reads back.
func TestRanInPropertyNamesAgree(t *testing.T) {
	if gotest.RanInProperty != junit.RanInProperty {
		t.Errorf("gotest writes %q, junit reads %q", gotest.RanInProperty, junit.RanInProperty)
	}
}

// TestNestedResultsAreAttributed merges a JUnit report whose cases carry
// the ran-in property, as a merged junit.xml does, twice: the results a
// test ran count under it, in the totals but not in the test table or
// the timings, and merging the merged file again gives the same.
func TestNestedResultsAreAttributed(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "art", "gw0", "junit.xml")
	os.MkdirAll(filepath.Dir(in), 0o755)
	os.WriteFile(in, []byte(`<testsuites><testsuite name="m/p">
<testcase classname="m/p" name="TestSuite" time="2"/>
<testcase classname="m/p" name="TestInner" time="1.5"><properties><property name="xshard.ran-in" value="TestSuite"/></properties></testcase>
<testcase classname="m/p" name="TestInner/sub" time="1"><properties><property name="xshard.ran-in" value="TestSuite"/></properties></testcase>
<testcase classname="m/p" name="TestPar" time="1"><properties><property name="xshard.ran-in" value="TestA TestB"/></properties></testcase>
</testsuite></testsuites>`), 0o644)
	for i, input := range []string{filepath.Join(dir, "art"), filepath.Join(dir, "out0", JUnitFile)} {
		res, err := Run(Options{Inputs: []string{input}, OutDir: filepath.Join(dir, "out"+string(rune('0'+i)))})
		if err != nil {
			t.Fatal(err)
		}
		if tt := res.Totals; tt.Tests != 1 || tt.WithSubtests != 4 || tt.Seconds != 2 {
			t.Errorf("merge %d: %d tests (%d with subtests), %v s; want 1 (4), 2 s: TestSuite's", i, tt.Tests, tt.WithSubtests, tt.Seconds)
		}
		var ids []string
		for _, r := range res.Tests {
			ids = append(ids, r.ID)
		}
		if diff := cmp.Diff([]string{"m/p.TestSuite"}, ids); diff != "" {
			t.Errorf("merge %d: test table (-want +got):\n%s", i, diff)
		}
		want := []Attribution{{Test: "m/p.TestA or m/p.TestB", Results: 1}, {Test: "m/p.TestSuite", Results: 2}}
		if diff := cmp.Diff(want, res.Verification.Attributed); diff != "" || res.Verification.AttributedResults != 3 {
			t.Errorf("merge %d: attributed %d (-want +got):\n%s", i, res.Verification.AttributedResults, diff)
		}
		for id := range res.TestTimings() {
			if strings.Contains(id, "Inner") || strings.Contains(id, "Par") {
				t.Errorf("merge %d: timings hold %q, which ran inside another test", i, id)
			}
		}
	}
}
