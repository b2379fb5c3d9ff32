package history

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const quarantineFile = `# known flaky tests
example.com/m/pkg.TestFlaky      # races with the cache, issue 123

tests/test_net.py::test_retry[*]
  tests/e2e/*  
*::test_slow_*_io #
tests/test_a.py::test_x[a b] # reason with # inside
`

func TestParseQuarantine(t *testing.T) {
	q, err := ParseQuarantine(strings.NewReader(quarantineFile), "q.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []Rule{
		{Pattern: "example.com/m/pkg.TestFlaky", Reason: "races with the cache, issue 123", File: "q.txt", Line: 2},
		{Pattern: "tests/test_net.py::test_retry[*]", File: "q.txt", Line: 4},
		{Pattern: "tests/e2e/*", File: "q.txt", Line: 5},
		{Pattern: "*::test_slow_*_io", File: "q.txt", Line: 6},
		{Pattern: "tests/test_a.py::test_x[a b]", Reason: "reason with # inside", File: "q.txt", Line: 7},
	}
	if diff := cmp.Diff(want, q.Rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
}

func TestQuarantineMatch(t *testing.T) {
	q, err := ParseQuarantine(strings.NewReader(quarantineFile), "q.txt")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id   string
		line int // 0: no match
	}{
		{"example.com/m/pkg.TestFlaky", 2},
		{"example.com/m/pkg.TestFlakyToo", 0},
		{"tests/test_net.py::test_retry[1]", 4},
		{"tests/test_net.py::test_retry[]", 4},
		{"tests/test_net.py::test_retry", 0},
		{"tests/e2e/test_login.py::test_ok", 5},
		{"tests/e2e", 0},
		{"tests/unit/test_x.py::test_slow_disk_io", 6},
		{"tests/unit/test_x.py::test_slow_disk_io2", 0},
		{"tests/test_a.py::test_x[a b]", 7},
		{"tests/test_a.py::test_x[a c]", 0},
	}
	for _, tt := range tests {
		r, ok := q.Match(tt.id)
		if got := map[bool]int{true: r.Line, false: 0}[ok]; got != tt.line {
			t.Errorf("Match(%q) = line %d, want %d", tt.id, got, tt.line)
		}
	}
	var nilQ *Quarantine
	if _, ok := nilQ.Match("x"); ok {
		t.Error("a nil quarantine matched")
	}
}

func TestQuarantineMatchFirstRuleWins(t *testing.T) {
	q, _ := ParseQuarantine(strings.NewReader("a* # first\nab # second\n"), "q")
	if r, _ := q.Match("ab"); r.Reason != "first" {
		t.Errorf("Match(ab) = %+v, want the first line's rule", r)
	}
	q, _ = ParseQuarantine(strings.NewReader("ab # first\na* # second\n"), "q")
	if r, _ := q.Match("ab"); r.Reason != "first" {
		t.Errorf("Match(ab) = %+v, want the first line's rule", r)
	}
}

func TestWriteSuggestionsReadsBack(t *testing.T) {
	ranked := []Flakiness{
		Measure("pkg.TestA", "PFPFPF"),
		Measure("tests/t.py::test_b[x y]", "PPKPPK"),
		Measure("bad #id", "PFPF"), // cannot be a line: left out
	}
	var b bytes.Buffer
	if err := WriteSuggestions(&b, "suggested by merge\nreview before use", ranked); err != nil {
		t.Fatal(err)
	}
	want := "# suggested by merge\n# review before use\n" +
		"pkg.TestA  # flip rate 100% (5 flips in 6 runs: PFPFPF)\n" +
		"tests/t.py::test_b[x y]  # flip rate 80% (4 flips in 6 runs: PPKPPK)\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	q, err := ParseQuarantine(&b, "s")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ranked[:2] {
		if _, ok := q.Match(f.ID); !ok {
			t.Errorf("the suggestions do not match %q", f.ID)
		}
	}
}
