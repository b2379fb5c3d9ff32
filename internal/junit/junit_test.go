package junit_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/junit"
	"github.com/xshard/xshard/internal/junit/junitdoc"
	"github.com/xshard/xshard/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenCase is model.Case with the outcome spelled out, for golden files.
type goldenCase struct {
	Suite, Classname, Name string
	File                   string `json:",omitempty"`
	Line                   int    `json:",omitempty"`
	Seconds                float64
	BadTime                bool `json:",omitempty"`
	Outcome                string
	FailedAttempts         int    `json:",omitempty"`
	Message                string `json:",omitempty"`
	Detail                 string `json:",omitempty"`
	Worker                 string `json:",omitempty"`
	Source                 string `json:",omitempty"`
}

func toGolden(c *model.Case) goldenCase {
	return goldenCase{
		Suite: c.Suite, Classname: c.Classname, Name: c.Name, File: c.File, Line: c.Line,
		Seconds: c.Seconds, BadTime: c.BadTime, Outcome: c.Outcome.String(), FailedAttempts: c.FailedAttempts,
		Message: c.Message, Detail: c.Detail, Worker: c.Worker, Source: c.Source,
	}
}

type goldenRead struct {
	Error string `json:",omitempty"`
	Stats junit.Stats
	Cases []goldenCase
}

func fixtures(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "[0-9][0-9][0-9]-*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range paths {
		if !strings.HasSuffix(p, ".merged.xml") {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		t.Fatal("no fixtures")
	}
	return out
}

// broken reports whether the fixture is one of the malformed inputs
// (numbered 020 and up).
func broken(path string) bool { return filepath.Base(path) >= "020" }

func readFile(t testing.TB, path string, opts junit.ReadOptions) ([]goldenCase, junit.Stats, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if opts.Source == "" {
		opts.Source = filepath.ToSlash(path)
	}
	var cases []goldenCase
	st, err := junit.Read(f, opts, func(c *model.Case) error {
		cases = append(cases, toGolden(c))
		return nil
	})
	return cases, st, err
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func goldenJSON(t *testing.T, path string, v any) {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	golden(t, path, b.Bytes())
}

func TestReadFixtures(t *testing.T) {
	for _, path := range fixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cases, st, err := readFile(t, path, junit.ReadOptions{Worker: "gw7"})
			g := goldenRead{Stats: st, Cases: cases}
			if err != nil {
				var d *diag.Error
				if !errors.As(err, &d) || d.Line < 1 || d.Col < 1 {
					t.Errorf("error %v is not a *diag.Error with a line and column", err)
				}
				g.Error = err.Error()
			}
			if (err != nil) != broken(path) {
				t.Errorf("error = %v, want one only for fixtures 020 and up", err)
			}
			goldenJSON(t, strings.TrimSuffix(path, ".xml")+".json", g)
		})
	}
}

func mergeToBytes(t testing.TB, inputs []junit.Input, opts junit.MergeOptions) ([]byte, *junit.MergeStats, []error) {
	t.Helper()
	var buf bytes.Buffer
	st, errs := junit.Merge(&buf, inputs, opts)
	return buf.Bytes(), st, errs
}

func TestMergeFixtures(t *testing.T) {
	for _, path := range fixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src := filepath.ToSlash(path)
			out, _, errs := mergeToBytes(t, []junit.Input{{Path: src, Worker: "gw1"}}, junit.MergeOptions{})
			_, _, rerr := readFile(t, path, junit.ReadOptions{})
			var want []string
			if rerr != nil {
				want = []string{rerr.Error()}
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Merge errors differ from Read's (-want +got):\n%s", diff)
			}
			golden(t, strings.TrimSuffix(path, ".xml")+".merged.xml", out)
		})
	}
}

// sortCases orders cases independently of suite order and input order.
func sortCases(cs []goldenCase) {
	slices.SortStableFunc(cs, func(a, b goldenCase) int {
		return strings.Compare(a.Suite+"\x00"+a.Classname+"\x00"+a.Name+"\x00"+a.Message, b.Suite+"\x00"+b.Classname+"\x00"+b.Name+"\x00"+b.Message)
	})
}

func TestReadAndMergeAgree(t *testing.T) {
	for _, path := range fixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want, _, _ := readFile(t, path, junit.ReadOptions{Worker: "gw1"})
			var got []goldenCase
			out, st, _ := mergeToBytes(t, []junit.Input{{Path: path, Worker: "gw1"}}, junit.MergeOptions{
				OnCase: func(c *model.Case) { got = append(got, toGolden(c)) },
			})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("OnCase cases differ from Read (-want +got):\n%s", diff)
			}
			if st.Cases != len(want) {
				t.Errorf("MergeStats.Cases = %d, want %d", st.Cases, len(want))
			}

			// The merged document reads back as the same cases, with the
			// merged file as their source.
			again, _, err := readFileBytes(t, out, "merged.xml")
			if err != nil {
				t.Fatalf("reading the merged output: %v", err)
			}
			for i := range want {
				want[i].Source = "merged.xml"
			}
			sortCases(want)
			sortCases(again)
			if diff := cmp.Diff(want, again); diff != "" {
				t.Errorf("merged output reads back differently (-want +got):\n%s", diff)
			}
			checkWithEncodingXML(t, out)
		})
	}
}

func readFileBytes(t testing.TB, b []byte, source string) ([]goldenCase, junit.Stats, error) {
	t.Helper()
	var cases []goldenCase
	st, err := junit.Read(bytes.NewReader(b), junit.ReadOptions{Source: source}, func(c *model.Case) error {
		cases = append(cases, toGolden(c))
		return nil
	})
	return cases, st, err
}

// xmlDoc is the merged document as encoding/xml sees it.
type xmlDoc = junitdoc.Doc

// checkWithEncodingXML parses a merged document with encoding/xml, in
// strict mode, and checks its totals against its testcases.
func checkWithEncodingXML(t *testing.T, out []byte) {
	t.Helper()
	var doc xmlDoc
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("encoding/xml cannot parse the merged output: %v\n%s", err, out)
	}
	var tests, fails, errs, skips int
	for _, s := range doc.Suites {
		var f, e, sk int
		for _, c := range s.Cases {
			switch {
			case len(c.Errors) > 0:
				e++
			case len(c.Failures) > 0 || len(c.Reruns) > 0:
				f++
			case len(c.Skipped) > 0:
				sk++
			}
			workers := 0
			for _, p := range c.Props {
				if p.Name == junit.WorkerProperty {
					workers++
				}
			}
			if workers != 1 {
				t.Errorf("suite %q case %q has %d worker properties, want 1", s.Name, c.Name, workers)
			}
		}
		got := [4]int{s.Tests, s.Failures, s.Errors, s.Skipped}
		if want := [4]int{len(s.Cases), f, e, sk}; got != want {
			t.Errorf("suite %q totals (tests, failures, errors, skipped) = %v, want %v", s.Name, got, want)
		}
		tests, fails, errs, skips = tests+len(s.Cases), fails+f, errs+e, skips+sk
	}
	got := [4]int{doc.Tests, doc.Failures, doc.Errors, doc.Skipped}
	if want := [4]int{tests, fails, errs, skips}; got != want {
		t.Errorf("root totals = %v, want %v", got, want)
	}
}

// goodFixtures are the well-formed fixtures.
func goodFixtures(t testing.TB) []string {
	var out []string
	for _, p := range fixtures(t) {
		if !broken(p) {
			out = append(out, p)
		}
	}
	return out
}

func TestMergeAllFixtures(t *testing.T) {
	var inputs []junit.Input
	for i, p := range fixtures(t) {
		inputs = append(inputs, junit.Input{Path: filepath.ToSlash(p), Worker: model.WorkerID(i % 3)})
	}
	out, st, errs := mergeToBytes(t, inputs, junit.MergeOptions{})
	var broken int
	for _, p := range fixtures(t) {
		if filepath.Base(p) >= "020" {
			broken++
		}
	}
	if len(errs) != broken {
		t.Errorf("got %d errors, want one per broken fixture (%d): %v", len(errs), broken, errs)
	}
	for _, err := range errs {
		var d *diag.Error
		if !errors.As(err, &d) || d.File == "" {
			t.Errorf("error %v does not name its file", err)
		}
	}
	checkWithEncodingXML(t, out)
	golden(t, filepath.Join("testdata", "all.merged.xml"), out)
	goldenJSON(t, filepath.Join("testdata", "all.stats.json"), st)
}

func permutations[T any](s []T) [][]T {
	if len(s) <= 1 {
		return [][]T{slices.Clone(s)}
	}
	var out [][]T
	for i := range s {
		rest := slices.Concat(s[:i], s[i+1:])
		for _, p := range permutations(rest) {
			out = append(out, append([]T{s[i]}, p...))
		}
	}
	return out
}

// shardFiles writes reports as four workers of one run would: the same
// suites split across files.
func shardFiles(t testing.TB) []junit.Input {
	dir := t.TempDir()
	var inputs []junit.Input
	for w := range 4 {
		var b strings.Builder
		fmt.Fprintf(&b, "<testsuites>\n")
		for _, s := range []string{"api", "db", "ui"} {
			if s == "db" && w == 2 {
				continue
			}
			fmt.Fprintf(&b, "<testsuite name=%q time=\"%d.5\" hostname=\"host%d\" tests=\"99\">\n<properties><property name=\"w\" value=\"%d\"/></properties>\n", s, w, w, w)
			for c := range 3 {
				fmt.Fprintf(&b, "  <testcase name=\"%s_%d_%d\" classname=%q time=\"0.25\">", s, w, c, s)
				switch (w + c) % 4 {
				case 1:
					fmt.Fprintf(&b, "<failure message=\"boom %d\">trace</failure>", c)
				case 2:
					b.WriteString("<skipped/>")
				case 3:
					b.WriteString("<flakyFailure message=\"once\"/>")
				}
				b.WriteString("</testcase>\n")
			}
			fmt.Fprintf(&b, "<system-out>out of worker %d</system-out>\n</testsuite>\n", w)
		}
		b.WriteString("</testsuites>\n")
		path := filepath.Join(dir, fmt.Sprintf("w%d.xml", w))
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, junit.Input{Path: path, Worker: model.WorkerID(w)})
	}
	return inputs
}

func TestMergeIsIndependentOfInputOrder(t *testing.T) {
	inputs := shardFiles(t)
	want, _, errs := mergeToBytes(t, inputs, junit.MergeOptions{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, perm := range permutations(inputs) {
		for _, par := range []int{1, 3} {
			got, _, errs := mergeToBytes(t, perm, junit.MergeOptions{Parallel: par})
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if !bytes.Equal(want, got) {
				t.Fatalf("order %v gives different bytes (-want +got):\n%s", perm, cmp.Diff(string(want), string(got)))
			}
		}
	}
	checkWithEncodingXML(t, want)
	out := bytes.ReplaceAll(want, []byte(filepath.Dir(inputs[0].Path)), []byte("DIR"))
	golden(t, filepath.Join("testdata", "shards.merged.xml"), out)
}

func TestMergingAMergedFileChangesNothing(t *testing.T) {
	inputs := shardFiles(t)
	for _, p := range goodFixtures(t) {
		inputs = append(inputs, junit.Input{Path: p, Worker: "gw9"})
	}
	first, st1, errs := mergeToBytes(t, inputs, junit.MergeOptions{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	path := filepath.Join(t.TempDir(), "merged.xml")
	if err := os.WriteFile(path, first, 0o644); err != nil {
		t.Fatal(err)
	}
	second, st2, errs := mergeToBytes(t, []junit.Input{{Path: path, Worker: "gw5"}}, junit.MergeOptions{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	st1.Read, st2.Read, st2.Inputs = junit.Stats{}, junit.Stats{}, st1.Inputs
	if diff := cmp.Diff(st1, st2); diff != "" {
		t.Errorf("totals changed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(string(first), string(second)); diff != "" {
		t.Errorf("merging the merged file changed it (-want +got):\n%s", diff)
	}
}

func TestMergeKeepsOtherInputsWhenOneIsBroken(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.xml")
	bad := filepath.Join(dir, "bad.xml")
	os.WriteFile(good, []byte(`<testsuite name="s"><testcase name="g"/></testsuite>`), 0o644)
	os.WriteFile(bad, []byte("<testsuite name=\"s\">\n<testcase name=\"kept\"/>\n<testcase name=\"lost\">"), 0o644)
	out, st, errs := mergeToBytes(t, []junit.Input{
		{Path: bad, Worker: "gw0"}, {Path: good, Worker: "gw1"}, {Path: filepath.Join(dir, "missing.xml"), Worker: "gw2"},
	}, junit.MergeOptions{})
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, strings.ReplaceAll(e.Error(), dir+string(filepath.Separator), ""))
	}
	want := []string{
		`bad.xml:3:23: unexpected end of input: element "testcase" is not closed`,
		`missing.xml: open: no such file or directory`,
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if st.Cases != 2 || st.Suites != 1 {
		t.Errorf("merged %d cases in %d suites, want 2 in 1", st.Cases, st.Suites)
	}
	checkWithEncodingXML(t, out)
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, in string
		cases    int
		wantErr  string
	}{
		{"An empty input is not a report.", "", 0, `x.xml:1:1: not a JUnit report: no testsuites or testsuite element`},
		{"Plain text is not a report.", "\n  oops", 0, `x.xml:2:3: not a JUnit report: text outside the root element`},
		{"An HTML page is not a report.", "<html><body/></html>", 0, `x.xml:1:1: not a JUnit report: root element "html", want "testsuites" or "testsuite"`},
		{"A report cut inside a tag names the end of input.", "<testsuite>\n<testcase name=\"a\"/>\n<testcase na", 1, `x.xml:3:13: unexpected end of input in start tag`},
		{"A report cut inside CDATA names the end of input.", "<testsuite><testcase><failure><![CDATA[abc", 0, `x.xml:1:43: unexpected end of input in CDATA section`},
		{"A report cut inside a comment names the end of input.", "<testsuite><!-- abc", 0, `x.xml:1:20: unexpected end of input in comment`},
		{"A mismatched end tag is an error at that tag.", "<testsuite>\n  <testcase/>\n  <testcase></failure>", 1, `x.xml:3:13: end tag "failure" does not match start tag "testcase"`},
		{"An end tag with nothing open is an error.", "<testsuite/></testsuite>", 0, `x.xml:1:13: unexpected end tag "testsuite"`},
		{"A malformed attribute is an error.", "<testsuite>\n<testcase name=a/></testsuite>", 0, `x.xml:2:1: malformed attribute in element "testcase"`},
		{"A tag without a name is an error.", "<testsuite>< testcase/></testsuite>", 0, `x.xml:1:12: expected an element name after '<'`},
		{"Text after the root element is an error.", "<testsuite/>\nPASS", 0, `x.xml:2:1: not a JUnit report: text outside the root element`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			_, err := junit.Read(strings.NewReader(tt.in), junit.ReadOptions{Source: "x.xml"}, func(*model.Case) error {
				n++
				return nil
			})
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("error = %v, want %s", err, tt.wantErr)
			}
			if n != tt.cases {
				t.Errorf("delivered %d cases before the error, want %d", n, tt.cases)
			}
		})
	}
}

func TestReadBoundsMessageAndDetail(t *testing.T) {
	in := `<testsuite><testcase name="t"><failure message="` + strings.Repeat("é", 10) + `">` +
		strings.Repeat("&lt;", 50) + `<![CDATA[` + strings.Repeat("x", 50) + `]]></failure></testcase></testsuite>`
	var got model.Case
	st, err := junit.Read(strings.NewReader(in), junit.ReadOptions{MaxMessage: 5, MaxDetail: 60}, func(c *model.Case) error {
		got = *c
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "éé…[truncated]"; got.Message != want {
		t.Errorf("Message = %q, want %q (cut on a rune boundary)", got.Message, want)
	}
	if want := strings.Repeat("<", 50) + strings.Repeat("x", 10) + "…[truncated]"; got.Detail != want {
		t.Errorf("Detail = %q, want %q", got.Detail, want)
	}
	if st.Truncated != 2 {
		t.Errorf("Stats.Truncated = %d, want 2", st.Truncated)
	}
}

func TestReadNeverExpandsDeclaredEntities(t *testing.T) {
	cases, _, err := readFile(t, filepath.Join("testdata", "011-doctype-entities.xml"), junit.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := cases[0]
	if c.Name != "external &xxe;" || c.Message != "leaked: &xxe;" || !strings.HasPrefix(c.Detail, "&xxe; &boom; <kept> AB") {
		t.Errorf("entities were expanded or mangled: %+v", c)
	}
}

func TestReadStopsOnCallbackError(t *testing.T) {
	stop := errors.New("enough")
	n := 0
	_, err := junit.Read(strings.NewReader(`<testsuite><testcase/><testcase/></testsuite>`), junit.ReadOptions{}, func(*model.Case) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Errorf("got error %v after %d cases, want %v after 1", err, n, stop)
	}
}

// oneByte reads one byte at a time, to cross every buffer boundary.
type oneByte struct{ r io.Reader }

func (o oneByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

func TestReadIsIndependentOfReadSizes(t *testing.T) {
	for _, path := range fixtures(t) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want, wantSt, wantErr := readFileBytes(t, b, "x")
		var got []goldenCase
		gotSt, gotErr := junit.Read(oneByte{bytes.NewReader(b)}, junit.ReadOptions{Source: "x"}, func(c *model.Case) error {
			got = append(got, toGolden(c))
			return nil
		})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: one byte at a time (-want +got):\n%s", path, diff)
		}
		if fmt.Sprint(wantSt) != fmt.Sprint(gotSt) || fmt.Sprint(wantErr) != fmt.Sprint(gotErr) {
			t.Errorf("%s: stats, error = %+v, %v; want %+v, %v", path, gotSt, gotErr, wantSt, wantErr)
		}
	}
}

// OnCaseFrom gets every case of every input once, from readers in
// [0, Parallel), the same cases OnCase gets.
func TestOnCaseFrom(t *testing.T) {
	paths := fixtures(t)
	var inputs []junit.Input
	for i, p := range paths {
		inputs = append(inputs, junit.Input{Path: p, Worker: model.WorkerID(i % 3)})
	}
	var want []goldenCase
	mergeToBytes(t, inputs, junit.MergeOptions{OnCase: func(c *model.Case) { want = append(want, toGolden(c)) }})
	const par = 3
	var perReader [par][]goldenCase
	mergeToBytes(t, inputs, junit.MergeOptions{
		Parallel: par,
		OnCaseFrom: func(r int, c *model.Case) {
			if r < 0 || r >= par {
				t.Errorf("reader %d outside [0, %d)", r, par)
				return
			}
			perReader[r] = append(perReader[r], toGolden(c)) // no lock: one reader is serial
		},
	})
	var got []goldenCase
	for _, cs := range perReader {
		got = append(got, cs...)
	}
	sortCases(want)
	sortCases(got)
	if len(want) == 0 {
		t.Fatal("no cases in the fixtures")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("OnCaseFrom cases differ from OnCase's (-want +got):\n%s", diff)
	}
}

// OnIndexed comes once, after every case and before any byte of the
// document, with the errors of the broken inputs.
func TestOnIndexed(t *testing.T) {
	var inputs []junit.Input
	for _, p := range fixtures(t) {
		inputs = append(inputs, junit.Input{Path: p, Worker: "gw0"})
	}
	var buf bytes.Buffer
	cases, calls, casesAtIndexed := 0, 0, -1
	var indexedErrs []error
	var indexedWarnings []*diag.Error
	st, errs := junit.Merge(&buf, inputs, junit.MergeOptions{
		OnCase: func(*model.Case) { cases++ },
		OnIndexed: func(errs []error, warnings []*diag.Error) {
			calls++
			casesAtIndexed = cases
			indexedErrs, indexedWarnings = errs, warnings
			if buf.Len() != 0 {
				t.Errorf("OnIndexed after %d bytes of the document were written", buf.Len())
			}
		},
	})
	if calls != 1 || casesAtIndexed != cases || cases == 0 {
		t.Fatalf("OnIndexed called %d times, after %d of %d cases", calls, casesAtIndexed, cases)
	}
	if len(indexedErrs) == 0 {
		t.Fatal("the fixtures hold broken reports, but OnIndexed got no errors")
	}
	var want, got []string
	for _, e := range errs {
		want = append(want, e.Error())
	}
	for _, e := range indexedErrs {
		got = append(got, e.Error())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("OnIndexed errors differ from Merge's (-want +got):\n%s", diff)
	}
	if len(indexedWarnings) == 0 || fmt.Sprint(indexedWarnings) != fmt.Sprint(st.Read.Warnings) {
		t.Errorf("OnIndexed warnings %v, want those of MergeStats.Read, %v (and some: the fixtures have unusable times)", indexedWarnings, st.Read.Warnings)
	}
}
