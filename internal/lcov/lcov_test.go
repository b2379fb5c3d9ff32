package lcov

import (
	"bytes"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/golden"
	"github.com/xshard/xshard/internal/model"
)

var update = flag.Bool("update", false, "rewrite golden files")

var parseTests = []struct {
	name      string
	in        string
	want      *Tracefile
	expectErr string
}{
	{
		name: "An empty input has no files",
		in:   "",
		want: &Tracefile{Files: []File{}},
	},
	{
		name: "A record holds functions, branches and lines, sorted",
		in: "TN:t\nSF:a.c\nFN:9,g\nFN:3,5,f\nFNDA:2,f\nFNDA:0,g\nFNF:2\nFNH:1\n" +
			"BRDA:4,0,1,-\nBRDA:4,0,0,7\nBRF:2\nBRH:1\nDA:4,2\nDA:3,2,cafe\nLF:2\nLH:2\nend_of_record\n",
		want: &Tracefile{TestName: "t", Files: []File{{
			Name:      "a.c",
			Functions: []Function{{Name: "f", Line: 3, EndLine: 5, Hits: 2}, {Name: "g", Line: 9}},
			Branches:  []Branch{{4, "0", "0", 7}, {4, "0", "1", NotTaken}},
			Lines:     []Line{{3, 2, "cafe"}, {4, 2, ""}},
		}}},
	},
	{
		name: "Function names may hold commas",
		in:   "SF:a.cc\nFN:3,f(int, int)\nFNDA:1,f(int, int)\nend_of_record\n",
		want: &Tracefile{Files: []File{{Name: "a.cc", Functions: []Function{{Name: "f(int, int)", Line: 3, Hits: 1}}}}},
	},
	{
		name: "Records for the same file are merged",
		in: "SF:a.c\nDA:1,1\nBRDA:1,0,0,-\nend_of_record\n" +
			"SF:a.c\nDA:1,2\nDA:2,0\nBRDA:1,0,0,1\nend_of_record\n",
		want: &Tracefile{Files: []File{{Name: "a.c",
			Branches: []Branch{{1, "0", "0", 1}},
			Lines:    []Line{{1, 3, ""}, {2, 0, ""}}}}},
	},
	{
		name: "CRLF, blank lines, summaries and unknown keys are skipped",
		in:   "VER:2\r\n\r\nSF:a.c\r\nFNL:0,1\r\nDA:1,1\r\nLF:9\r\nend_of_record\r\n",
		want: &Tracefile{Files: []File{{Name: "a.c", Lines: []Line{{1, 1, ""}}}}},
	},
	{
		name: "Integral float hit counts are accepted",
		in:   "SF:a.c\nDA:1,1.0e+03\nend_of_record\n",
		want: &Tracefile{Files: []File{{Name: "a.c", Lines: []Line{{1, 1000, ""}}}}},
	},
	{
		name:      "DA before SF is an error",
		in:        "TN:\nDA:1,1\n",
		expectErr: "2:1: DA outside a record: want SF first",
	},
	{
		name:      "A missing end_of_record is an error",
		in:        "SF:a.c\nDA:1,1\n",
		expectErr: `2: record of "a.c" has no end_of_record`,
	},
	{
		name:      "SF inside a record is an error",
		in:        "SF:a.c\nSF:b.c\n",
		expectErr: `2:1: SF "b.c" inside the record of "a.c": want end_of_record first`,
	},
	{
		name:      "A line without a key is an error",
		in:        "SF:a.c\ngarbage\n",
		expectErr: `2:1: malformed line "garbage": want KEY:VALUE`,
	},
	{
		name:      "A negative hit count is an error",
		in:        "SF:a.c\nDA:1,-1\nend_of_record\n",
		expectErr: `2:4: malformed DA "1,-1": want line,hits[,checksum]: "-1" is not a hit count`,
	},
	{
		name:      "A BRDA with three fields is an error",
		in:        "SF:a.c\nBRDA:1,0,1\nend_of_record\n",
		expectErr: `2:6: malformed BRDA "1,0,1": want line,block,branch,taken`,
	},
	{
		name:      "An FN without a name is an error",
		in:        "SF:a.c\nFN:1\nend_of_record\n",
		expectErr: `2:4: malformed FN "1": want line,name`,
	},
	{
		name:      "Different checksums for one line are an error",
		in:        "SF:a.c\nDA:1,1,aa\nDA:1,1,bb\nend_of_record\n",
		expectErr: `3:4: checksum "bb" of line 1 differs from "aa" at line 2`,
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

// TestMergeGolden merges each testdata/merge/NNN-*/ directory's *.info
// files, in every rotation of their order, and compares the result with
// merged.golden (regenerate with -update).
func TestMergeGolden(t *testing.T) {
	golden.MergeFixtures(t, "*.info", *update, merge, nil)
}

// TestMergeAloneReproducesInput checks that one input merged alone keeps
// its data: parse, write, parse gives the same tracefile.
func TestMergeAloneReproducesInput(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/merge/*/*.info")
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

func TestMergeErrorLeavesMergerUnchanged(t *testing.T) {
	var m Merger
	if err := m.Add("a.info", strings.NewReader("SF:a.c\nDA:1,1,aa\nend_of_record\n")); err != nil {
		t.Fatal(err)
	}
	var before, after bytes.Buffer
	m.Write(&before)
	err := m.Add("b.info", strings.NewReader("SF:b.c\nDA:1,1\nend_of_record\nSF:a.c\nDA:1,5,bb\nend_of_record\n"))
	golden.CheckErr(t, err, `b.info: checksum "bb" of a.c line 1 differs from "aa" at "a.info" line 2: tracefiles of different versions of the source`)
	m.Write(&after)
	if diff := cmp.Diff(before.String(), after.String()); diff != "" {
		t.Errorf("failed Add changed the merger (-want +got):\n%s", diff)
	}
}

func TestFiles(t *testing.T) {
	var m Merger
	for _, n := range []string{"testdata/merge/001-two-workers/gw0.info", "testdata/merge/001-two-workers/gw1.info"} {
		if err := m.AddFile(n); err != nil {
			t.Fatal(err)
		}
	}
	want := []model.FileCoverage{
		{File: "src/calc.js", Total: 4, Covered: 4},
		{File: "src/util.js", Total: 3, Covered: 2},
		{File: "src/web.js", Total: 2, Covered: 2},
	}
	if diff := cmp.Diff(want, m.Files()); diff != "" {
		t.Errorf("Files() mismatch (-want +got):\n%s", diff)
	}
}

// FuzzParse checks that whatever parses also survives write and parse,
// except for function names that FN cannot tell from an end line.
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
		for _, f := range got.Files {
			for _, fu := range f.Functions {
				if n, rest, err := cutNum(fu.Name); err == "" && n > 0 && rest != "" {
					t.Skip("function name starts like an end line")
				}
			}
		}
		var buf bytes.Buffer
		if err := Write(&buf, got); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(&buf)
		if err != nil {
			t.Fatalf("parsing written tracefile: %v\n%s", err, buf.String())
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("write and parse again mismatch (-want +got):\n%s", diff)
		}
	})
}
