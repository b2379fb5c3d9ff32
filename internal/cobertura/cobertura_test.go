package cobertura

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/golden"
	"github.com/xshard/xshard/internal/model"
)

var update = flag.Bool("update", false, "rewrite golden files")

const head = `<?xml version="1.0" ?><coverage version="1" timestamp="5"><packages><package name="p"><classes>`
const tail = `</classes></package></packages></coverage>`

var parseTests = []struct {
	name      string
	in        string
	want      *Report
	expectErr string
}{
	{
		name: "A class with lines and a branch is read",
		in: head + `<class name="a.py" filename="p/a.py"><methods/><lines>` +
			`<line number="2" hits="3" branch="true" condition-coverage="50% (1/2)" missing-branches="9"/>` +
			`<line number="1" hits="1"/></lines></class>` + tail,
		want: &Report{Version: "1", Timestamp: "5", Sources: []string{}, Packages: []Package{{Name: "p", Classes: []Class{{
			Name: "a.py", Filename: "p/a.py",
			Lines: []Line{{Number: 1, Hits: 1}, {Number: 2, Hits: 3, Branch: true, Covered: 1, Conditions: 2, Missing: []string{"9"}, MissingKnown: true}},
		}}}}},
	},
	{
		name: "Methods keep their own lines",
		in: head + `<class name="a.js" filename="a.js"><methods><method name="f" signature="()V" hits="2">` +
			`<lines><line number="1" hits="2"/></lines></method></methods><lines><line number="1" hits="2"/></lines></class>` + tail,
		want: &Report{Version: "1", Timestamp: "5", Sources: []string{}, Packages: []Package{{Name: "p", Classes: []Class{{
			Name: "a.js", Filename: "a.js",
			Methods: []Method{{Name: "f", Signature: "()V", Hits: 2, Lines: []Line{{Number: 1, Hits: 2}}}},
			Lines:   []Line{{Number: 1, Hits: 2}},
		}}}}},
	},
	{
		name: "Sources are trimmed, deduplicated and sorted",
		in:   `<coverage><sources><source> /b </source><source>/a</source><source>/b</source></sources></coverage>`,
		want: &Report{Sources: []string{"/a", "/b"}, Packages: []Package{}},
	},
	{
		name: "A DOCTYPE is skipped and no entity is expanded",
		in:   `<?xml version="1.0"?><!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd"><coverage/>`,
		want: &Report{Sources: []string{}, Packages: []Package{}},
	},
	{
		name:      "An unknown entity is an error, never a file read",
		in:        `<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]><coverage><sources><source>&x;</source></sources></coverage>`,
		expectErr: `1: malformed XML: invalid character entity &x;`,
	},
	{
		name:      "A root other than coverage is an error",
		in:        `<report/>`,
		expectErr: `1:10: root element is <report>, want <coverage>`,
	},
	{
		name:      "An empty input is an error",
		in:        ``,
		expectErr: `1: no <coverage> element`,
	},
	{
		name:      "Truncated XML is an error",
		in:        head + `<class name="a" filename="a"><lines>`,
		expectErr: `1: malformed XML: unexpected EOF`,
	},
	{
		name:      "A bad hit count is an error",
		in:        head + "<class name=\"a\" filename=\"a\"><lines>\n<line number=\"1\" hits=\"x\"/></lines></class>" + tail,
		expectErr: `2:28: <line> 1: hits="x" is not a hit count`,
	},
	{
		name:      "A bad condition coverage is an error",
		in:        head + `<class name="a" filename="a"><lines><line number="1" hits="1" branch="true" condition-coverage="50%"/></lines></class>` + tail,
		expectErr: `<line> 1: condition-coverage="50%": want "50% (1/2)"`,
	},
	{
		name:      "A class without a filename is an error",
		in:        head + `<class name="a"></class>` + tail,
		expectErr: `<class> "a" has no filename`,
	},
}

func TestParse(t *testing.T) {
	for _, tc := range parseTests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tc.in))
			golden.CheckErr(t, err, tc.expectErr)
			if tc.expectErr != "" {
				if d := (*diag.Error)(nil); !errors.As(err, &d) || d.Line == 0 {
					t.Errorf("error %v is not a *diag.Error with a line", err)
				}
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func merge(t *testing.T, names ...string) []byte {
	t.Helper()
	var m Merger
	for _, n := range names {
		if err := m.AddFile(n); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestMergeGolden merges each testdata/merge/NNN-*/ directory's *.xml
// files, in every rotation of their order, and compares the result with
// merged.golden (regenerate with -update).
func TestMergeGolden(t *testing.T) {
	golden.MergeFixtures(t, "*.xml", *update, merge, nil)
}

// TestMergeAloneReproducesInput checks that one input merged alone keeps
// its data: parse, write, parse gives the same report.
func TestMergeAloneReproducesInput(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/merge/*/*.xml")
	for _, in := range inputs {
		t.Run(in, func(t *testing.T) {
			want, err := ParseFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(bytes.NewReader(merge(t, in)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDifferentConditionCountsAreAnError(t *testing.T) {
	var m Merger
	a := head + "<class name=\"a\" filename=\"a.py\"><lines>\n<line number=\"4\" hits=\"1\" branch=\"true\" condition-coverage=\"50% (1/2)\"/></lines></class>" + tail
	b := head + "<class name=\"a\" filename=\"a.py\"><lines>\n\n<line number=\"4\" hits=\"1\" branch=\"true\" condition-coverage=\"33% (1/3)\"/></lines></class>" + tail
	if err := m.Add("a.xml", strings.NewReader(a)); err != nil {
		t.Fatal(err)
	}
	var before, after bytes.Buffer
	m.Write(&before)
	err := m.Add("b.xml", strings.NewReader(b))
	golden.CheckErr(t, err, `b.xml:3: line 4 of "a.py" has 3 conditions but 2 at "a.xml" line 2: reports of different versions of the source`)
	if !errors.Is(err, ErrSourceMismatch) {
		t.Errorf("error %v does not wrap ErrSourceMismatch", err)
	}
	m.Write(&after)
	if diff := cmp.Diff(before.String(), after.String()); diff != "" {
		t.Errorf("failed Add changed the merger (-want +got):\n%s", diff)
	}
}

func TestFiles(t *testing.T) {
	var m Merger
	for _, n := range []string{"testdata/merge/001-coveragepy/gw0.xml", "testdata/merge/001-coveragepy/gw1.xml"} {
		if err := m.AddFile(n); err != nil {
			t.Fatal(err)
		}
	}
	want := []model.FileCoverage{
		{File: "app/calc.py", Total: 6, Covered: 6},
		{File: "app/util/strs.py", Total: 3, Covered: 2},
	}
	if diff := cmp.Diff(want, m.Files()); diff != "" {
		t.Errorf("Files() mismatch (-want +got):\n%s", diff)
	}
}

// FuzzParse checks that whatever parses also survives write and parse.
func FuzzParse(f *testing.F) {
	for _, tc := range parseTests {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := Parse(strings.NewReader(in))
		if err != nil {
			if d := (*diag.Error)(nil); !errors.As(err, &d) {
				t.Fatalf("error %v is not a *diag.Error", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, got); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(&buf)
		if err != nil {
			t.Fatalf("parsing written report: %v\n%s", err, buf.String())
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("write and parse again mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestCoveragePyHitsMergeAsCoveredIfAny(t *testing.T) {
	const doc = `<?xml version="1.0" ?>
<coverage version="6.5.0" timestamp="1">
	%s
	<packages><package name="demo"><classes><class name="a.py" filename="a.py"><lines>
		<line number="1" hits="1"/><line number="2" hits="%d"/>
	</lines></class></classes></package></packages>
</coverage>`
	const byCoveragePy = "<!-- Generated by coverage.py: https://coverage.readthedocs.io -->"
	tests := []struct {
		name                string
		first, second       string
		wantHits1, wantHit2 int64
		wantSet             bool
	}{
		{"two coverage.py reports: a line that ran in both ran", byCoveragePy, byCoveragePy, 1, 1, true},
		{"two counting reports: hits are summed", "", "", 2, 1, false},
		{"a counting report among them: hits are summed", byCoveragePy, "", 2, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Merger
			if err := m.Add("one", strings.NewReader(fmt.Sprintf(doc, tt.first, 1))); err != nil {
				t.Fatal(err)
			}
			if err := m.Add("two", strings.NewReader(fmt.Sprintf(doc, tt.second, 0))); err != nil {
				t.Fatal(err)
			}
			if m.SetMode() != tt.wantSet {
				t.Errorf("SetMode() = %v, want %v", m.SetMode(), tt.wantSet)
			}
			lines := m.Report().Packages[0].Classes[0].Lines
			if lines[0].Hits != tt.wantHits1 || lines[1].Hits != tt.wantHit2 {
				t.Errorf("hits = %d, %d; want %d, %d", lines[0].Hits, lines[1].Hits, tt.wantHits1, tt.wantHit2)
			}
		})
	}
}
