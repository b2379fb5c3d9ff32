package gocover

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/cover"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/golden"
	"github.com/xshard/xshard/internal/model"
)

var update = flag.Bool("update", false, "rewrite golden files")

var parseTests = []struct {
	name      string
	in        string
	want      *Profile
	expectErr string
}{
	{
		name: "An empty input is an empty profile",
		in:   "",
		want: &Profile{Files: []File{}},
	},
	{
		name: "A mode line alone is a profile without files",
		in:   "mode: set\n",
		want: &Profile{Mode: "set", Files: []File{}},
	},
	{
		name: "Blocks are grouped by file and sorted by start",
		in: "mode: count\n" +
			"b.go:9.1,10.2 1 0\n" +
			"a.go:3.4,5.6 2 7\n" +
			"b.go:1.1,2.2 3 4\n",
		want: &Profile{Mode: "count", Files: []File{
			{Name: "a.go", Blocks: []Block{{3, 4, 5, 6, 2, 7}}},
			{Name: "b.go", Blocks: []Block{{1, 1, 2, 2, 3, 4}, {9, 1, 10, 2, 1, 0}}},
		}},
	},
	{
		name: "Duplicate blocks in count mode are summed",
		in:   "mode: count\na.go:1.1,2.2 1 3\na.go:1.1,2.2 1 4\n",
		want: &Profile{Mode: "count", Files: []File{{Name: "a.go", Blocks: []Block{{1, 1, 2, 2, 1, 7}}}}},
	},
	{
		name: "Duplicate blocks in set mode are or-ed",
		in:   "mode: set\na.go:1.1,2.2 1 0\na.go:1.1,2.2 1 1\na.go:1.1,2.2 1 0\n",
		want: &Profile{Mode: "set", Files: []File{{Name: "a.go", Blocks: []Block{{1, 1, 2, 2, 1, 1}}}}},
	},
	{
		name: "CRLF line ends and a missing final newline are accepted",
		in:   "mode: atomic\r\na.go:1.1,2.2 1 3\r\na.go:4.1,5.2 1 0",
		want: &Profile{Mode: "atomic", Files: []File{{Name: "a.go", Blocks: []Block{{1, 1, 2, 2, 1, 3}, {4, 1, 5, 2, 1, 0}}}}},
	},
	{
		name: "A file name may hold colons, spaces and dots",
		in:   "mode: set\nC:\\my dir\\a.b.go:1.1,2.2 1 1\n",
		want: &Profile{Mode: "set", Files: []File{{Name: "C:\\my dir\\a.b.go", Blocks: []Block{{1, 1, 2, 2, 1, 1}}}}},
	},
	{
		name: "Numbers take a plus sign and leading zeros as strconv.Atoi does",
		in:   "mode: count\na.go:+1.01,2.-0 1 0042\n",
		want: &Profile{Mode: "count", Files: []File{{Name: "a.go", Blocks: []Block{{1, 1, 2, 0, 1, 42}}}}},
	},
	{
		name: "The largest count is accepted",
		in:   "mode: count\na.go:1.1,2.2 1 9223372036854775807\n",
		want: &Profile{Mode: "count", Files: []File{{Name: "a.go", Blocks: []Block{{1, 1, 2, 2, 1, MaxCount}}}}},
	},
	{
		name:      "A missing mode line is an error",
		in:        "a.go:1.1,2.2 1 1\n",
		expectErr: `1:1: bad mode line "a.go:1.1,2.2 1 1": want "mode: set", "mode: count" or "mode: atomic"`,
	},
	{
		name:      "An empty mode is an error",
		in:        "mode: \n",
		expectErr: `1:1: bad mode line "mode: "`,
	},
	{
		name:      "An unknown mode is an error",
		in:        "mode: sometimes\n",
		expectErr: `1:1: unsupported mode "sometimes": want "set", "count" or "atomic"`,
	},
	{
		name:      "A blank line is an error",
		in:        "mode: set\n\na.go:1.1,2.2 1 1\n",
		expectErr: `2:1: malformed block "": want ' ' before count`,
	},
	{
		name:      "A missing count is an error naming the line",
		in:        "mode: set\na.go:1.1,2.2 1 1\na.go:3.1,4.2 1\n",
		expectErr: `3:11: malformed block "a.go:3.1,4.2 1": want ' ' before statement count`,
	},
	{
		name:      "A negative count is an error",
		in:        "mode: count\na.go:1.1,2.2 1 -3\n",
		expectErr: `2:16: malformed block "a.go:1.1,2.2 1 -3": count is negative`,
	},
	{
		name:      "A count beyond int64 is an error",
		in:        "mode: count\na.go:1.1,2.2 1 9223372036854775808\n",
		expectErr: `malformed block "a.go:1.1,2.2 1 9223372036854775808": count is out of range`,
	},
	{
		name:      "A letter in a number is an error",
		in:        "mode: count\na.go:1.x,2.2 1 1\n",
		expectErr: `2:8: malformed block "a.go:1.x,2.2 1 1": want '.' before start column`,
	},
	{
		name:      "A trailing space is an error",
		in:        "mode: count\na.go:1.1,2.2 1 1 \n",
		expectErr: `malformed block "a.go:1.1,2.2 1 1 ": count is not a number`,
	},
	{
		name:      "An empty file name is an error",
		in:        "mode: count\n:1.1,2.2 1 1\n",
		expectErr: `2:1: malformed block ":1.1,2.2 1 1": file name is empty`,
	},
	{
		name:      "A line number beyond uint32 is an error",
		in:        "mode: count\na.go:4294967296.1,2.2 1 1\n",
		expectErr: `start line is out of range`,
	},
	{
		name:      "A second mode line is an error",
		in:        "mode: set\na.go:1.1,2.2 1 1\nmode: set\n",
		expectErr: `3:9: malformed block "mode: set": want ' ' before count`,
	},
	{
		name:      "Blocks with the same start and different ends are an error",
		in:        "mode: set\na.go:1.1,2.2 1 1\na.go:3.1,4.2 1 1\na.go:1.1,3.2 1 1\n",
		expectErr: `<input>:4:1: block "a.go:1.1,3.2 1" starts where block "a.go:1.1,2.2 1" from "<input>" line 2 ends elsewhere: profiles of different versions of the source`,
	},
	{
		name:      "The same block with different statement counts is an error",
		in:        "mode: set\na.go:1.1,2.2 1 1\na.go:1.1,2.2 2 1\n",
		expectErr: `has a different statement count`,
	},
}

func TestParse(t *testing.T) {
	for _, tc := range parseTests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tc.in))
			golden.CheckErr(t, err, tc.expectErr)
			if tc.expectErr != "" {
				var d *diag.Error
				if !errors.As(err, &d) || d.Line == 0 {
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

// fromXTools converts x/tools/cover's profiles to ours.
func fromXTools(mode string, ps []*cover.Profile) *Profile {
	p := &Profile{Mode: mode, Files: []File{}}
	for _, xp := range ps {
		f := File{Name: xp.FileName}
		for _, b := range xp.Blocks {
			f.Blocks = append(f.Blocks, Block{b.StartLine, b.StartCol, b.EndLine, b.EndCol, b.NumStmt, int64(b.Count)})
		}
		p.Files = append(p.Files, f)
	}
	return p
}

// modeOf returns the mode x/tools would read from in.
func modeOf(in string) string {
	line, _, _ := strings.Cut(in, "\n")
	return strings.TrimSuffix(strings.TrimPrefix(line, modePrefix), "\r")
}

// TestParseMatchesXTools cross-checks the byte-level parser against
// golang.org/x/tools/cover on every valid table input and every fixture.
func TestParseMatchesXTools(t *testing.T) {
	inputs := map[string]string{}
	for _, tc := range parseTests {
		if tc.expectErr == "" {
			inputs[tc.name] = tc.in
		}
	}
	fixtures, _ := filepath.Glob("testdata/merge/*/*.out")
	for _, f := range fixtures {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = string(b)
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			xp, err := cover.ParseProfilesFromReader(strings.NewReader(in))
			if err != nil {
				t.Fatalf("x/tools: %v", err)
			}
			got, err := Parse(strings.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			want := fromXTools(modeOf(in), xp)
			if in == "" {
				want.Mode = ""
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Parse() differs from x/tools (-want +got):\n%s", diff)
			}
		})
	}
}

func fixtureDirs(t testing.TB) []string {
	dirs, err := filepath.Glob("testdata/merge/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	return dirs
}

func mergeFiles(t testing.TB, files ...string) []byte {
	t.Helper()
	var m Merger
	if err := m.AddFiles(files...); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestMergeGolden merges each testdata/merge/NNN-*/ directory's *.out
// files and compares the result with merged.golden. Those golden files
// were first written by the real gocovmerge (github.com/wadey/gocovmerge
// b5bfa59ec0ad, built from bench/cover/tools) as `gocovmerge *.out`, and
// our output matched them byte for byte; bench/cover/golden.sh repeats
// that check. Inputs are merged in every rotation of their order, both
// with AddFiles and with Add, and must give the same bytes.
func TestMergeGolden(t *testing.T) {
	golden.MergeFixtures(t, "*.out", *update, func(t *testing.T, names ...string) []byte { return mergeFiles(t, names...) },
		func(t *testing.T, order []string, want []byte) {
			// Add, one file at a time and in reverse, must agree with AddFiles.
			var m Merger
			for i := len(order) - 1; i >= 0; i-- {
				f, err := os.Open(order[i])
				if err != nil {
					t.Fatal(err)
				}
				err = m.Add(order[i], f)
				f.Close()
				if err != nil {
					t.Fatal(err)
				}
			}
			var buf bytes.Buffer
			if err := m.Write(&buf); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("Add in reverse of %q gave different bytes:\n%s", order, buf.Bytes())
			}
		})
}

// TestMergeAloneReproducesInput checks that merging one input alone gives
// back its data, and that writing and parsing again changes nothing.
func TestMergeAloneReproducesInput(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/merge/*/*.out")
	for _, in := range inputs {
		t.Run(in, func(t *testing.T) {
			want, err := ParseFile(in)
			if err != nil {
				t.Fatal(err)
			}
			out := mergeFiles(t, in)
			got, err := Parse(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Files) == 0 {
				want.Mode = "" // gocovmerge writes nothing without blocks
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

type input struct{ name, data string }

var mergeErrTests = []struct {
	name      string
	inputs    []input
	expectErr string
}{
	{
		name: "Profiles of different modes are an error naming both",
		inputs: []input{
			{"a.out", "mode: set\na.go:1.1,2.2 1 1\n"},
			{"b.out", "mode: count\na.go:1.1,2.2 1 1\n"},
		},
		expectErr: `b.out:1:1: mode "count" does not match mode "set" of "a.out": profiles of different modes cannot be merged`,
	},
	{
		name: "Different modes are an error even for different files",
		inputs: []input{
			{"a.out", "mode: atomic\na.go:1.1,2.2 1 1\n"},
			{"b.out", "mode: count\nb.go:1.1,2.2 1 1\n"},
		},
		expectErr: `b.out:1:1: mode "count" does not match mode "atomic" of "a.out"`,
	},
	{
		name: "Blocks with the same start and different ends are an error naming both inputs",
		inputs: []input{
			{"a.out", "mode: set\na.go:1.1,2.2 1 1\na.go:3.1,4.2 1 1\n"},
			{"b.out", "mode: set\na.go:1.1,2.2 1 1\na.go:3.1,5.2 1 1\n"},
		},
		expectErr: `b.out:3:1: block "a.go:3.1,5.2 1" starts where block "a.go:3.1,4.2 1" from "a.out" line 3 ends elsewhere: profiles of different versions of the source`,
	},
	{
		name: "A block that overlaps the one before is an error naming both inputs",
		inputs: []input{
			{"a.out", "mode: count\na.go:1.1,3.2 1 1\n"},
			{"b.out", "mode: count\na.go:2.1,4.2 1 1\n"},
		},
		expectErr: `b.out:2:1: block "a.go:2.1,4.2 1" overlaps block "a.go:1.1,3.2 1" from "a.out" line 2: profiles of different versions of the source`,
	},
	{
		name: "A block that overlaps the one after is an error",
		inputs: []input{
			{"a.out", "mode: count\na.go:5.1,6.2 1 1\n"},
			{"b.out", "mode: count\na.go:1.1,5.2 1 1\n"},
		},
		expectErr: `b.out:2:1: block "a.go:1.1,5.2 1" overlaps block "a.go:5.1,6.2 1" from "a.out" line 2`,
	},
	{
		name: "A block nested in another is an error",
		inputs: []input{
			{"a.out", "mode: count\na.go:1.1,9.2 1 1\n"},
			{"b.out", "mode: count\na.go:2.1,3.2 1 1\n"},
		},
		expectErr: `overlaps block "a.go:1.1,9.2 1" from "a.out" line 2`,
	},
	{
		name: "A different statement count is an error",
		inputs: []input{
			{"a.out", "mode: count\na.go:1.1,9.2 1 1\n"},
			{"b.out", "mode: count\na.go:1.1,9.2 2 1\n"},
		},
		expectErr: `b.out:2:1: block "a.go:1.1,9.2 2" has a different statement count from block "a.go:1.1,9.2 1" from "a.out" line 2`,
	},
	{
		name: "A malformed line names its input",
		inputs: []input{
			{"a.out", "mode: count\na.go:1.1,9.2 1 1\n"},
			{"b.out", "mode: count\na.go:1.1,9.2 1 1\nbad\n"},
		},
		expectErr: `b.out:3:3: malformed block "bad": want ' ' before count`,
	},
	{
		name: "Blocks that only touch are not an overlap",
		inputs: []input{
			{"a.out", "mode: count\na.go:1.1,2.5 1 1\n"},
			{"b.out", "mode: count\na.go:2.5,3.1 1 1\n"},
		},
	},
}

func TestMergeErrors(t *testing.T) {
	for _, tc := range mergeErrTests {
		t.Run(tc.name, func(t *testing.T) {
			var m Merger
			var err error
			var before bytes.Buffer
			for _, in := range tc.inputs {
				before.Reset()
				m.Write(&before)
				if err = m.Add(in.name, strings.NewReader(in.data)); err != nil {
					break
				}
			}
			golden.CheckErr(t, err, tc.expectErr)
			if err == nil {
				return
			}
			if d := (*diag.Error)(nil); !errors.As(err, &d) {
				t.Errorf("error %v is not a *diag.Error", err)
			}
			var after bytes.Buffer
			m.Write(&after)
			if diff := cmp.Diff(before.String(), after.String()); diff != "" {
				t.Errorf("failed Add changed the merger (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAddFilesReportsFirstFailingFile(t *testing.T) {
	dir := t.TempDir()
	var names []string
	for i, data := range []string{
		"mode: count\na.go:1.1,2.2 1 1\n",
		"mode: count\na.go:1.1,2.2 1 x\n",
		"mode: set\na.go:1.1,2.2 1 1\n",
	} {
		n := filepath.Join(dir, fmt.Sprintf("%d.out", i))
		if err := os.WriteFile(n, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	var m Merger
	err := m.AddFiles(append(names, filepath.Join(dir, "missing.out"))...)
	golden.CheckErr(t, err, names[1]+`:2:16: malformed block "a.go:1.1,2.2 1 x"`)
	if got := m.Files(); !cmp.Equal(got, []model.FileCoverage{{File: "a.go", Total: 1, Covered: 1}}) {
		t.Errorf("files before the failure were not merged: %v", got)
	}
}

func TestCountsSaturate(t *testing.T) {
	var m Merger
	for _, in := range []input{
		{"a.out", "mode: count\na.go:1.1,2.2 1 9223372036854775000\nb.go:1.1,2.2 1 5\n"},
		{"b.out", "mode: count\na.go:1.1,2.2 1 1000\nb.go:1.1,2.2 1 6\n"},
		{"c.out", "mode: count\na.go:1.1,2.2 1 1\na.go:1.1,2.2 1 2\n"},
	} {
		if err := m.Add(in.name, strings.NewReader(in.data)); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	want := "mode: count\na.go:1.1,2.2 1 9223372036854775807\nb.go:1.1,2.2 1 11\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("Write() mismatch (-want +got):\n%s", diff)
	}
	wantOver := []Overflow{{Input: "b.out", File: "a.go", Line: 2, Block: "1.1,2.2"}}
	if diff := cmp.Diff(wantOver, m.Overflows()); diff != "" {
		t.Errorf("Overflows() mismatch (-want +got):\n%s", diff)
	}
	if got, want := m.Overflows()[0].String(), "b.out:2: count of a.go:1.1,2.2 overflowed and was clamped to 9223372036854775807"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestFiles(t *testing.T) {
	var m Merger
	if err := m.AddFiles("testdata/merge/001-count-workers/gw0.out", "testdata/merge/001-count-workers/gw1.out"); err != nil {
		t.Fatal(err)
	}
	want := []model.FileCoverage{
		{File: "example.com/m/calc/calc.go", Total: 4, Covered: 4},
		{File: "example.com/m/strs/strs.go", Total: 4, Covered: 4},
		{File: "example.com/m/web/web.go", Total: 4, Covered: 3},
	}
	if diff := cmp.Diff(want, m.Files()); diff != "" {
		t.Errorf("Files() mismatch (-want +got):\n%s", diff)
	}
	if m.Mode() != ModeCount {
		t.Errorf("Mode() = %q, want %q", m.Mode(), ModeCount)
	}
}

// FuzzParse checks the parser against x/tools/cover: whatever one accepts
// the other must accept with the same blocks, except for what this
// package rejects on purpose (unknown modes, line numbers beyond uint32,
// counts beyond int64, blocks of different source versions).
func FuzzParse(f *testing.F) {
	for _, tc := range parseTests {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := Parse(strings.NewReader(in))
		xp, xerr := cover.ParseProfilesFromReader(strings.NewReader(in))
		if err != nil {
			var d *diag.Error
			if !errors.As(err, &d) || d.Line == 0 {
				t.Fatalf("error %v is not a *diag.Error with a line", err)
			}
			if xerr == nil && !deliberate(err) {
				t.Fatalf("Parse failed where x/tools did not: %v", err)
			}
			return
		}
		if xerr != nil {
			if strings.Contains(xerr.Error(), "token too long") {
				return
			}
			t.Fatalf("x/tools failed where Parse did not: %v", xerr)
		}
		want := fromXTools(modeOf(in), xp)
		if got.Mode == "" {
			want.Mode = ""
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("Parse() differs from x/tools (-want +got):\n%s", diff)
		}
		var m Merger
		m.Add("", strings.NewReader(in))
		var buf bytes.Buffer
		if err := m.Write(&buf); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(&buf)
		if err != nil {
			t.Fatalf("parsing written profile: %v", err)
		}
		if len(got.Files) == 0 {
			got.Mode = ""
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("write and parse again mismatch (-want +got):\n%s", diff)
		}
	})
}

func deliberate(err error) bool {
	s := err.Error()
	return errors.Is(err, ErrSourceMismatch) || strings.Contains(s, "unsupported mode") ||
		strings.Contains(s, "out of range")
}
