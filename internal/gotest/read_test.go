package gotest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/model"
)

func TestTopLevel(t *testing.T) {
	tests := []struct {
		name, in, want string
		subtest        bool
	}{
		{"a top-level test is its own top level", "TestA", "TestA", false},
		{"a subtest belongs to its parent", "TestA/sub", "TestA", true},
		{"a nested subtest belongs to the outermost test", "TestA/b/c#01", "TestA", true},
		{"a fuzz seed belongs to its fuzz target", "FuzzX/seed#0", "FuzzX", true},
		{"an example is top-level", "Example_wrong", "Example_wrong", false},
		{"a package case is top-level", PackageFailedName, PackageFailedName, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TopLevel(tt.in); got != tt.want {
				t.Errorf("TopLevel(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := IsSubtest(tt.in); got != tt.subtest {
				t.Errorf("IsSubtest(%q) = %v, want %v", tt.in, got, tt.subtest)
			}
		})
	}
}

const (
	runA  = `{"Action":"run","Package":"p","Test":"TestA"}`
	passA = `{"Action":"pass","Package":"p","Test":"TestA","Elapsed":0.5}`
	failA = `{"Action":"fail","Package":"p","Test":"TestA","Elapsed":0.25}`
	passP = `{"Action":"pass","Package":"p","Elapsed":1}`
	failP = `{"Action":"fail","Package":"p","Elapsed":1}`
)

func out(test, s string) string {
	return `{"Action":"output","Package":"p","Test":"` + test + `","Output":"` + s + `\n"}`
}

type brief struct {
	Name           string
	Outcome        model.Outcome
	FailedAttempts int
	Message        string
}

func TestRead(t *testing.T) {
	tests := []struct {
		name      string
		in        []string
		want      []brief
		expectErr string // the error's text, "" for none
		errLine   int
		warning   string // the first warning's text, "" for none
		stray     string // what ToJUnit writes as the first suite's system-out
	}{
		{
			name: "an empty stream has no cases",
		},
		{
			name: "a passing test is one passed case",
			in:   []string{runA, out("TestA", "=== RUN   TestA"), passA, passP},
			want: []brief{{Name: "TestA", Outcome: model.Passed}},
		},
		{
			name: "a failure takes its message from the first line of output",
			in:   []string{runA, out("TestA", "    a_test.go:3: boom"), out("TestA", "    more"), failA, failP},
			want: []brief{{Name: "TestA", Outcome: model.Failed, Message: "a_test.go:3: boom"}},
		},
		{
			name: "a failure then a pass is flaky",
			in:   []string{runA, out("TestA", "first"), failA, runA, passA, failP},
			want: []brief{{Name: "TestA", Outcome: model.Passed, FailedAttempts: 1, Message: "first"}},
		},
		{
			name: "a pass then a failure is a failure with no earlier failed attempt",
			in:   []string{runA, passA, runA, out("TestA", "second"), failA, failP},
			want: []brief{{Name: "TestA", Outcome: model.Failed, Message: "second"}},
		},
		{
			name: "three failures count the two before the last",
			in:   []string{runA, out("TestA", "one"), failA, runA, failA, runA, failA, failP},
			want: []brief{{Name: "TestA", Outcome: model.Failed, FailedAttempts: 2, Message: "one"}},
		},
		{
			name: "a rerun in a later package run folds into the same case",
			in:   []string{runA, failA, failP, `{"Action":"start","Package":"p"}`, runA, passA, passP},
			want: []brief{{Name: "TestA", Outcome: model.Passed, FailedAttempts: 1, Message: "failed"}},
		},
		{
			name: "a test without a result is errored",
			in:   []string{runA, out("TestA", "panic: test timed out after 1s"), failP},
			want: []brief{{Name: "TestA", Outcome: model.Errored, Message: "panic: test timed out after 1s"}},
		},
		{
			name: "a package that fails with every test passing gets a package case",
			in:   []string{runA, passA, `{"Action":"output","Package":"p","Output":"PASS\n"}`, `{"Action":"output","Package":"p","Output":"leak\n"}`, failP},
			want: []brief{{Name: "TestA", Outcome: model.Passed}, {Name: PackageFailedName, Outcome: model.Errored, Message: "leak"}},
		},
		{
			name: "a stream that stops inside a package gets a package case",
			in:   []string{runA, passA},
			want: []brief{{Name: "TestA", Outcome: model.Passed}, {Name: PackageFailedName, Outcome: model.Errored, Message: "no result: the output ends before the package's result"}},
		},
		{
			name: "a package failure that a rerun does not repeat is flaky",
			in:   []string{failP, passP},
			want: []brief{{Name: PackageFailedName, Outcome: model.Passed, FailedAttempts: 1, Message: "the test binary failed outside any test"}},
		},
		{
			name: "a build failure in text before Go 1.24 is found by its header",
			in: []string{"# p [p.test]", "./a.go:1:2: undefined: x",
				`{"Action":"output","Package":"p","Output":"FAIL\tp [build failed]\n"}`, failP},
			want: []brief{{Name: BuildFailedName, Outcome: model.Errored, Message: "./a.go:1:2: undefined: x"}},
		},
		{
			name: "a build failure of Go 1.24 is found by FailedBuild",
			in: []string{`{"ImportPath":"q [p.test]","Action":"build-output","Output":"# q\n"}`,
				`{"ImportPath":"q [p.test]","Action":"build-output","Output":"q.go:1:1: bad\n"}`,
				`{"ImportPath":"q [p.test]","Action":"build-fail"}`,
				`{"Action":"fail","Package":"p","FailedBuild":"q [p.test]"}`},
			want: []brief{{Name: BuildFailedName, Outcome: model.Errored, Message: "q.go:1:1: bad"}},
		},
		{
			name:      "a line that starts like JSON but does not parse is an error with its line and column",
			in:        []string{"plain text", runA, `{"Action":"pass",`, passA, passP},
			want:      []brief{{Name: "TestA", Outcome: model.Passed}},
			expectErr: `x.json:3:17: invalid go test -json event: unexpected end of JSON input`,
			errLine:   3,
			stray:     "plain text",
		},
		{
			name:      "several malformed lines report the first and count the rest",
			in:        []string{`{"Action":1}`, `{x}`, `{`},
			expectErr: `x.json:1:11: invalid go test -json event: json: cannot unmarshal number into Go struct field event.Action of type string (and 2 more malformed lines)`,
			errLine:   1,
		},
		{
			name:  "plain text around the events is the output of the package of the latest event",
			in:    []string{"+ go test -json", "go: downloading x", runA, "wrapper: still here", passA, passP, "done"},
			want:  []brief{{Name: "TestA", Outcome: model.Passed}},
			stray: "+ go test -json\ngo: downloading x\nwrapper: still here\ndone",
		},
		{
			name:      "a stream cut inside its last event errs there and leaves its test errored",
			in:        []string{"$ go test -json 2>&1", runA, passA, `{"Action":"run","Package":"p","Test":"TestB"}`, `{"Action":"pa`},
			want:      []brief{{Name: "TestA", Outcome: model.Passed}, {Name: "TestB", Outcome: model.Errored, Message: "no result: the test did not finish"}},
			expectErr: `x.json:5:13: invalid go test -json event: unexpected end of JSON input (the stream ends inside its last event: was the worker stopped, or the file cut?)`,
			errLine:   5,
			stray:     "$ go test -json 2>&1",
		},
		{
			name:    "a line longer than MaxLine keeps its event and the head of its output, with a warning",
			in:      []string{runA, out("TestA", "boom "+strings.Repeat("x", MaxLine)), failA, failP},
			want:    []brief{{Name: "TestA", Outcome: model.Failed, Message: "boom " + strings.Repeat("x", 32<<10-5)}},
			warning: fmt.Sprintf("x.json:2: line of %d bytes, longer than the 4 MiB bound: its event is kept, with the head of its output", len(out("TestA", "boom "+strings.Repeat("x", MaxLine)))),
		},
		{
			name:    "plain text longer than MaxLine keeps its head, with a warning",
			in:      []string{runA, passA, strings.Repeat("y", MaxLine+10), passP},
			want:    []brief{{Name: "TestA", Outcome: model.Passed}},
			warning: fmt.Sprintf("x.json:3: line of %d bytes, longer than the 4 MiB bound: kept as text", MaxLine+10),
			stray:   strings.Repeat("y", 32<<10) + "\n[... ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Join(tt.in, "\n")
			var got []brief
			st, err := Read(strings.NewReader(in), Options{Source: "x.json"}, func(c *model.Case) error {
				got = append(got, brief{c.Name, c.Outcome, c.FailedAttempts, c.Message})
				return nil
			})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("cases mismatch (-want +got):\n%s", diff)
			}
			var warning string
			if len(st.Warnings) > 0 {
				warning = st.Warnings[0].Error()
			}
			if warning != tt.warning {
				t.Errorf("warning = %q, want %q", warning, tt.warning)
			}
			var doc bytes.Buffer
			ToJUnit(strings.NewReader(in), &doc, Options{Source: "x.json"})
			var parsed struct {
				Suites []struct {
					SystemOut string `xml:"system-out"`
				} `xml:"testsuite"`
			}
			if err := xml.Unmarshal(doc.Bytes(), &parsed); err != nil {
				t.Fatalf("ToJUnit wrote bad XML: %v", err)
			}
			stray := ""
			if len(parsed.Suites) > 0 {
				stray = parsed.Suites[0].SystemOut
			}
			if tt.stray == "" && stray != "" || !strings.HasPrefix(stray, tt.stray) {
				t.Errorf("system-out = %.80q..., want %.80q...", stray, tt.stray)
			}
			if tt.expectErr == "" {
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				return
			}
			var d *diag.Error
			if !errors.As(err, &d) {
				t.Fatalf("Read error = %v, want a *diag.Error", err)
			}
			if d.Line != tt.errLine || err.Error() != tt.expectErr {
				t.Errorf("Read error = %q (line %d), want %q (line %d)", err, d.Line, tt.expectErr, tt.errLine)
			}
		})
	}
}

func TestReadStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	in := strings.Join([]string{runA, passA, `{"Action":"run","Package":"p","Test":"TestB"}`, passP}, "\n")
	_, err := Read(strings.NewReader(in), Options{}, func(*model.Case) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("Read = %v after %d calls, want %v after 1", err, calls, stop)
	}
}

func TestReadBoundsDetail(t *testing.T) {
	lines := []string{runA}
	for range 1000 {
		lines = append(lines, out("TestA", strings.Repeat("x", 99)))
	}
	lines = append(lines, out("TestA", "the end"), failA, failP)
	var got *model.Case
	_, err := Read(strings.NewReader(strings.Join(lines, "\n")), Options{MaxDetail: 1000}, func(c *model.Case) error { got = c; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Message) > 1000 || len(got.Detail) > 1100 {
		t.Errorf("Message %d bytes, Detail %d bytes, want about 1000 at most", len(got.Message), len(got.Detail))
	}
	if !strings.HasSuffix(got.Detail, "the end") || !strings.Contains(got.Detail, "bytes omitted") {
		t.Errorf("Detail does not keep the end and say what it dropped: %q", got.Detail)
	}
}

// FuzzRead checks that no input makes Read or ToJUnit panic, that both
// agree, that every case is named and bounded, and that the XML parses.
func FuzzRead(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/*-input.json")
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(strings.Join([]string{runA, failA, runA, passA, passP}, "\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		const max = 256
		n := 0
		_, err := Read(bytes.NewReader(data), Options{MaxDetail: max}, func(c *model.Case) error {
			n++
			if c.Name == "" || c.Suite == "" {
				t.Errorf("case without a name: %+v", c)
			}
			if len(c.Message) > max || len(c.Detail) > max+64 {
				t.Errorf("case %q not bounded: message %d, detail %d bytes", c.Name, len(c.Message), len(c.Detail))
			}
			if c.FailedAttempts < 0 {
				t.Errorf("case %q: FailedAttempts %d", c.Name, c.FailedAttempts)
			}
			return nil
		})
		var d *diag.Error
		if err != nil && !errors.As(err, &d) {
			t.Errorf("Read error is not a *diag.Error: %v", err)
		}
		var buf bytes.Buffer
		st, jerr := ToJUnit(bytes.NewReader(data), &buf, Options{MaxDetail: max})
		if (err == nil) != (jerr == nil) || st.Tests != n {
			t.Errorf("ToJUnit = %d cases, %v; Read = %d cases, %v", st.Tests, jerr, n, err)
		}
		dec := xml.NewDecoder(&buf)
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("ToJUnit wrote bad XML: %v", err)
			}
		}
	})
}
