package ingest

import (
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/model"
)

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Kind
	}{
		{"a testsuites root is JUnit", `<?xml version="1.0"?><testsuites>`, JUnit},
		{"a bare testsuite root after a BOM and a comment is JUnit", "\xEF\xBB\xBF\n<!-- hi --><testsuite name=\"x\">", JUnit},
		{"a DOCTYPE with an internal subset is skipped", `<!DOCTYPE x [<!ENTITY a "b">]><testsuites/>`, JUnit},
		{"a coverage root is Cobertura", `<?xml version="1.0" ?><!DOCTYPE coverage SYSTEM "x.dtd"><coverage line-rate="1">`, Cobertura},
		{"a testcase root is JUnit", `<?xml version="1.0"?><testcase name="a"/>`, JUnit},
		{"another XML root is unknown", `<project>`, Unknown},
		{"a Go cover profile", "mode: atomic\na.go:1.1,2.2 1 0\n", GoCover},
		{"an LCOV tracefile", "TN:\nSF:/a.js\n", LCOV},
		{"an LCOV tracefile without TN", "SF:a.c\nDA:1,1\n", LCOV},
		{"a go test -json stream", `{"Time":"2024-01-01T00:00:00Z","Action":"start","Package":"p"}` + "\n", GoTestJSON},
		{"a go test -json stream after plain text (2>&1, tee, a wrapper script)", "+ go test -json ./...\ngo: downloading x v1\n" + `{"Action":"run","Package":"p","Test":"TestA"}` + "\n", GoTestJSON},
		{"plain text without events is unknown", "go: downloading x v1\n{\"Action\" but not an event\n", Unknown},
		{"a manifest", `{"schema": "xshard.manifest/v1", "worker": "gw0"}`, Manifest},
		{"xshard timings", `{"schema":"xshard.timings/v1","tests":{}}`, Timings},
		{"flat timings", `{"t.py::a": 1.5}`, Timings},
		{"other JSON is unknown", `{"name": "x"}`, Unknown},
		{"an empty file is unknown", "", Unknown},
		{"binary junk is unknown", "\x00\x01\x02", Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sniff([]byte(tt.in)); got != tt.want {
				t.Errorf("Sniff = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRollup(t *testing.T) {
	r := NewRollup(regexp.MustCompile(`^tests/(\w+)/`))
	for _, c := range []model.Case{
		{Classname: "m/p", Name: "TestA", Seconds: 2},
		{Classname: "m/p", Name: "TestA/sub", Seconds: 1.5}, // inside TestA's 2s
		{Classname: "m/p", Name: "TestB", Seconds: 1},
		{Classname: "tests.db.test_q", Name: "test_x[1]", File: "tests/db/test_q.py", Seconds: 0.5},
		{Classname: "tests.db.test_q", Name: "test_x[2]", File: "tests/db/test_q.py", Seconds: 0.25},
		{Classname: "m/p", Name: "TestNaN", Seconds: -1},
	} {
		r.Add(&c)
	}
	want := &model.Timings{
		Tests:    map[string]float64{"m/p.TestA": 2, "m/p.TestB": 1, "m/p.TestNaN": 0, "tests/db/test_q.py::test_x[1]": 0.5, "tests/db/test_q.py::test_x[2]": 0.25},
		Files:    map[string]float64{"tests/db/test_q.py": 0.75},
		Packages: map[string]float64{"m/p": 3, "tests/db/test_q.py": 0.75},
		Groups:   map[string]float64{"db": 0.75},
	}
	if diff := cmp.Diff(want, r.Timings()); diff != "" {
		t.Errorf("Rollup (-want +got):\n%s", diff)
	}
}
