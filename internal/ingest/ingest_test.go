package ingest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
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
		{"NUnit 2's test-results", `<?xml version="1.0" encoding="utf-8" standalone="no"?><!--This file represents the results of running a test suite--><test-results name="a.dll">`, NUnit2},
		{"NUnit 3's test-run", `<?xml version="1.0" encoding="utf-8"?><test-run id="0">`, NUnit3},
		{"a bare NUnit 3 test-suite", `<test-suite type="Assembly">`, NUnit3},
		{"a bare NUnit 3 test-case", `<test-case fullname="Ns.C.M">`, NUnit3},
		{"xUnit.net's assemblies", "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<assemblies timestamp=\"x\">", XUnit},
		{"a bare xUnit.net assembly", `<assembly name="a.dll">`, XUnit},
		{"a TRX TestRun in its namespace", `<TestRun id="x" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">`, TRX},
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
		{Classname: "m/p", Name: "TestInner", Seconds: 0.5, RanIn: "TestB"}, // TestB ran it: inside its 1s
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

func TestXMLRoot(t *testing.T) {
	tests := []struct {
		name, in  string
		want      string
		expectErr string
	}{
		{"a pom.xml has its root read", `<?xml version="1.0"?><!-- x --><project xmlns="u"><a></b></project>`, "project", ""},
		{"a DOCTYPE with an internal subset is read past", "<!DOCTYPE x [<!ENTITY a \"<b>\">]>\n<report/>", "report", ""},
		{"binary junk names its first illegal character", "\x7fELF\x02\x01", "", "1:5: not a well-formed XML document: character U+0002, which XML cannot hold (binary data?)"},
		{"invalid UTF-8 is binary", "<?xml version=\"1.0\"?>\n\xff\xfe<a/>", "", "2:1: not a well-formed XML document: invalid UTF-8 (binary data?)"},
		{"text is not a document", "\n  Tests passed: 3\n", "", "2:3: not a well-formed XML document: text before the root element"},
		{"a prolog cut off is named where it ends", "<?xml version=\"1.0\"?>\n<!-- cut", "", "2:9: not a well-formed XML document: the file ends before its root element (cut off?)"},
		{"an unterminated DOCTYPE ends the file", "<!DOCTYPE testsuites [\n<!ENTITY a \"b\">\n", "", "3:1: not a well-formed XML document: the file ends before its root element (cut off?)"},
		{"a malformed root tag is named", `<testsuites name=x>`, "", "1:19: not a well-formed XML document: unquoted or missing attribute value in element"},
		{"a document without an element has no root", "<?xml version=\"1.0\"?>\n", "", "2:1: not a well-formed XML document: no root element"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := XMLRoot(strings.NewReader(tt.in))
			gotErr := ""
			if err != nil {
				gotErr = strings.TrimPrefix(err.Error(), "<input>:")
			}
			if got != tt.want || gotErr != tt.expectErr {
				t.Errorf("XMLRoot = %q, %q; want %q, %q", got, gotErr, tt.want, tt.expectErr)
			}
		})
	}
}

func TestLooksLikeReport(t *testing.T) {
	tests := []struct {
		name, file, head string
		want             bool
	}{
		{"a file named .xml", "a/REPORT.XML", "junk", true},
		{"a file that starts with '<'", "out.log", "\xEF\xBB\xBF\n <x", true},
		{"a text file of another name", "build.log", "compiling", false},
		{"a screenshot", "shot.png", "\x89PNG", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LooksLikeReport(tt.file, []byte(tt.head)); got != tt.want {
				t.Errorf("LooksLikeReport(%q, %q) = %v, want %v", tt.file, tt.head, got, tt.want)
			}
		})
	}
}

func TestReadTimingsOfADotNetReport(t *testing.T) {
	// A TRX file's durations, keyed by fully qualified name; the pseudo
	// case of its failed run is no test and has no timing.
	trx := `<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results>` +
		`<UnitTestResult testId="t1" testName="Adds" duration="00:00:01.5000000" outcome="Passed"/>` +
		`<UnitTestResult testId="t2" testName="Rounds" outcome="Passed"><InnerResults>` +
		`<UnitTestResult testId="t2" testName="Rounds (1,2)" duration="00:00:00.2500000" outcome="Passed"/>` +
		`<UnitTestResult testId="t2" testName="Rounds (3,4)" duration="00:00:00.5000000" outcome="Passed"/></InnerResults></UnitTestResult></Results>` +
		`<TestDefinitions><UnitTest id="t1"><TestMethod className="Shop.CartTests" name="Adds"/></UnitTest>` +
		`<UnitTest id="t2"><TestMethod className="Shop.CartTests" name="Rounds"/></UnitTest></TestDefinitions>` +
		`<ResultSummary outcome="Aborted"/></TestRun>`
	path := filepath.Join(t.TempDir(), "results.trx")
	if err := os.WriteFile(path, []byte(trx), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTimings(path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"Shop.CartTests.Adds": 1.5, "Shop.CartTests.Rounds(1,2)": 0.25, "Shop.CartTests.Rounds(3,4)": 0.5}
	if diff := cmp.Diff(want, got.Tests); diff != "" {
		t.Errorf("tests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]float64{"Shop.CartTests": 2.25}, got.Packages); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
}
