package dotnet

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/golden"
	"github.com/xshard/xshard/internal/model"
)

// row is a case as the table tests state it: the fields that identify it
// and say what happened.
type row struct {
	Class, Name string
	Outcome     model.Outcome
	Seconds     float64
	Message     string
	Detail      string
	Output      string
}

func rows(cs []model.Case) []row {
	var out []row
	for _, c := range cs {
		out = append(out, row{c.Classname, c.Name, c.Outcome, c.Seconds, c.Message, c.Detail, c.Output})
	}
	return out
}

type parseTest struct {
	name      string
	format    Format
	in        string
	want      []row
	expectErr string
}

const (
	pass = model.Passed
	fail = model.Failed
	errd = model.Errored
	skip = model.Skipped
)

// nunit3Case wraps test-case attributes and children in a test-run.
func nunit3Case(attrs, body string) string {
	return `<test-run><test-suite type="TestFixture" fullname="Ns.C" classname="Ns.C"><test-case ` + attrs + `>` + body + `</test-case></test-suite></test-run>`
}

func nunit2Case(attrs, body string) string {
	return `<test-results><test-suite type="TestFixture" name="C"><results><test-case ` + attrs + `>` + body + `</test-case></results></test-suite></test-results>`
}

func xunitTest(attrs, body string) string {
	return `<assemblies><assembly name="T.dll"><collection><test type="Ns.C" method="M" ` + attrs + `>` + body + `</test></collection></assembly></assemblies>`
}

func trxDoc(attrs, body string) string {
	return `<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results><UnitTestResult testId="t" testName="M" ` + attrs + `>` + body + `</UnitTestResult></Results>` +
		`<TestDefinitions><UnitTest id="t"><TestMethod className="Ns.C" name="M"/></UnitTest></TestDefinitions></TestRun>`
}

var parseTests = []parseTest{
	// NUnit 3.
	{name: "An NUnit 3 test case is its fullname split at its class", format: NUnit3,
		in:   nunit3Case(`name="M" fullname="Ns.C.M" classname="Ns.C" result="Passed" duration="0.25"`, `<output>hi</output>`),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: pass, Seconds: 0.25, Output: "hi"}}},
	{name: "An NUnit 3 parametrised case keeps its arguments", format: NUnit3,
		in:   nunit3Case(`fullname="Ns.C.M(1.5,&quot;a.b&quot;)" classname="Ns.C" result="Passed"`, ``),
		want: []row{{Class: "Ns.C", Name: `M(1.5,"a.b")`, Outcome: pass}}},
	{name: "An NUnit 3 failure with label Error is an error", format: NUnit3,
		in: nunit3Case(`fullname="Ns.C.M" result="Failed" label="Error"`, `<failure><message>boom</message><stack-trace>at A
at B</stack-trace></failure>`),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: errd, Message: "boom", Detail: "at A\nat B"}}},
	{name: "An NUnit 3 invalid test is an error", format: NUnit3,
		in:   nunit3Case(`fullname="Ns.C.M" result="Failed" label="Invalid"`, `<reason><message>No arguments were provided</message></reason>`),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: errd, Message: "No arguments were provided"}}},
	{name: "An NUnit 3 plain failure is a failure", format: NUnit3,
		in:   nunit3Case(`fullname="Ns.C.M" result="Failed"`, `<failure><message>Expected: 1</message></failure>`),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: fail, Message: "Expected: 1"}}},
	{name: "An NUnit 3 inconclusive test is skipped and says so", format: NUnit3,
		in:   nunit3Case(`fullname="Ns.C.M" result="Inconclusive"`, `<reason><message>no data</message></reason>`),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: skip, Message: "inconclusive: no data"}}},
	{name: "An NUnit 3 explicit test without a reason is skipped as explicit", format: NUnit3,
		in:   nunit3Case(`fullname="Ns.C.M" result="Skipped" label="Explicit"`, ``),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: skip, Message: "explicit"}}},
	{name: "An NUnit 3 warning passed", format: NUnit3,
		in:   nunit3Case(`fullname="Ns.C.M" result="Warning"`, `<reason><message>careful</message></reason>`),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: pass}}},
	{name: "An unknown NUnit 3 result is an error, never a pass", format: NUnit3,
		in:   nunit3Case(`fullname="Ns.C.M" result="Bogus"`, ``),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: errd, Message: `unknown result "Bogus"`}}},
	{name: "Early NUnit 3 gives time and no classname", format: NUnit3,
		in:   `<test-suite type="TestFixture" fullname="Ns.C"><test-case name="M" fullname="Ns.C.M" result="Passed" time="0.5"/></test-suite>`,
		want: []row{{Class: "Ns.C", Name: "M", Outcome: pass, Seconds: 0.5}}},
	{name: "A bare NUnit 3 test-case is read", format: NUnit3,
		in:   `<test-case fullname="Ns.C.M" classname="Ns.C" result="Passed" duration="1"/>`,
		want: []row{{Class: "Ns.C", Name: "M", Outcome: pass, Seconds: 1}}},
	{name: "A OneTimeTearDown failure after passing tests is not lost", format: NUnit3,
		in: `<test-run><test-suite type="TestFixture" fullname="Ns.C" result="Failed" site="TearDown"><failure><message>TearDown : gone</message></failure>` +
			`<test-case fullname="Ns.C.M" classname="Ns.C" result="Passed"/></test-suite></test-run>`,
		want: []row{{Class: "Ns.C", Name: "M", Outcome: pass}, {Class: "Ns.C", Name: "[OneTimeTearDown failed]", Outcome: errd, Message: "TearDown : gone"}}},
	{name: "A failed NUnit 3 assembly without tests is an error", format: NUnit3,
		in:   `<test-run><test-suite type="Assembly" name="A.dll" fullname="/x/A.dll" result="Failed" label="Error" site="SetUp"><failure><message>BadImageFormatException</message></failure></test-suite></test-run>`,
		want: []row{{Class: "A.dll", Name: "[Assembly failed]", Outcome: errd, Message: "BadImageFormatException"}}},
	{name: "A suite failed by its children adds nothing", format: NUnit3,
		in:   `<test-run><test-suite type="TestFixture" fullname="Ns.C" result="Failed" site="Child"><failure><message>child</message></failure></test-suite></test-run>`,
		want: nil},
	{name: "An NUnit 3 report that ends early keeps the cases before", format: NUnit3,
		in:        "<test-run>\n<test-case fullname=\"Ns.C.A\" classname=\"Ns.C\" result=\"Passed\"/>\n<test-case fullname=\"Ns.C.B\" result=\"Passed\">",
		want:      []row{{Class: "Ns.C", Name: "A", Outcome: pass}},
		expectErr: "3: malformed XML: unexpected end of input (a truncated report?)"},
	{name: "A JUnit document is not NUnit 3", format: NUnit3,
		in:        `<testsuites/>`,
		expectErr: `1: root element <testsuites>: not a nunit3 report (want <test-run> or <test-suite> or <test-case>)`},

	// NUnit 2.
	{name: "An NUnit 2 test case is its name split at its class", format: NUnit2,
		in:   nunit2Case(`name="Ns.C.M(1,2.5)" executed="True" result="Success" success="True" time="0.012"`, ``),
		want: []row{{Class: "Ns.C", Name: "M(1,2.5)", Outcome: pass, Seconds: 0.012}}},
	{name: "An NUnit 2 time with a decimal comma is read", format: NUnit2,
		in:   nunit2Case(`name="Ns.C.M" result="Success" time="1,5"`, ``),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: pass, Seconds: 1.5}}},
	{name: "An NUnit 2 error is an error", format: NUnit2,
		in:   nunit2Case(`name="Ns.C.M" result="Error"`, `<failure><message>boom</message><stack-trace>at X</stack-trace></failure>`),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: errd, Message: "boom", Detail: "at X"}}},
	{name: "An NUnit 2 not-runnable test is an error", format: NUnit2,
		in:   nunit2Case(`name="Ns.C.M" executed="False" result="NotRunnable"`, `<reason><message>bad signature</message></reason>`),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: errd, Message: "bad signature"}}},
	{name: "An NUnit 2 ignored test is skipped with its reason", format: NUnit2,
		in:   nunit2Case(`name="Ns.C.M" executed="False" result="Ignored"`, `<reason><message>later</message></reason>`),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: skip, Message: "later"}}},
	{name: "NUnit 2.2 says it with executed and success", format: NUnit2,
		in: `<test-results><test-suite name="Ns.C"><results>` +
			`<test-case name="Ns.C.A" executed="True" success="False"><failure><message>no</message></failure></test-case>` +
			`<test-case name="Ns.C.B" executed="False"/></results></test-suite></test-results>`,
		want: []row{{Class: "Ns.C", Name: "A", Outcome: fail, Message: "no"}, {Class: "Ns.C", Name: "B", Outcome: skip, Message: "skipped"}}},
	{name: "An NUnit 2 name without a class is in its fixture", format: NUnit2,
		in:   `<test-results><test-suite type="Namespace" name="Ns"><results><test-suite type="TestFixture" name="C"><results><test-case name="M" result="Success"/></results></test-suite></results></test-suite></test-results>`,
		want: []row{{Class: "Ns.C", Name: "M", Outcome: pass}}},
	{name: "An NUnit 2 fixture that failed without tests is an error", format: NUnit2,
		in:   `<test-results><test-suite type="Namespace" name="Ns"><results><test-suite type="TestFixture" name="C" result="Failure"><failure><message>TestFixtureSetUp failed</message></failure></test-suite></results></test-suite></test-results>`,
		want: []row{{Class: "Ns.C", Name: "[TestFixture failed]", Outcome: errd, Message: "TestFixtureSetUp failed"}}},
	{name: "NUnit 3 is not NUnit 2", format: NUnit2,
		in:        `<test-run/>`,
		expectErr: `1: root element <test-run>: not a nunit2 report (want <test-results>)`},

	// xUnit.net.
	{name: "An xUnit.net theory row is its method and arguments", format: XUnit,
		in:   xunitTest(`name="Ns.C.M(x: 1, y: &quot;(&quot;)" result="Pass" time="0.0012345"`, `<output>log</output>`),
		want: []row{{Class: "Ns.C", Name: `M(x: 1, y: "(")`, Outcome: pass, Seconds: 0.0012345, Output: "log"}}},
	{name: "An xUnit.net display name does not change the ID", format: XUnit,
		in:   xunitTest(`name="Adds two numbers" result="Pass"`, ``),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: pass}}},
	{name: "An xUnit.net failure keeps its message and trace", format: XUnit,
		in:   xunitTest(`name="Ns.C.M" result="Fail"`, `<failure exception-type="E"><message>Assert.True() Failure</message><stack-trace>at M()</stack-trace></failure>`),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: fail, Message: "Assert.True() Failure", Detail: "at M()"}}},
	{name: "An xUnit.net skip has its reason", format: XUnit,
		in:   xunitTest(`name="Ns.C.M" result="Skip"`, `<reason><![CDATA[not today]]></reason>`),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: skip, Message: "not today"}}},
	{name: "An xUnit.net test not run is skipped", format: XUnit,
		in:   xunitTest(`name="Ns.C.M" result="NotRun"`, ``),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: skip, Message: "not run"}}},
	{name: "An xUnit.net cleanup failure is not lost", format: XUnit,
		in:   `<assemblies><assembly name="/x/T.dll"><errors><error type="fatal"><failure><message>host died</message></failure></error></errors></assembly></assemblies>`,
		want: []row{{Class: "T.dll", Name: "[fatal failed]", Outcome: errd, Message: "host died"}}},
	{name: "An xUnit.net test without type and method splits its name", format: XUnit,
		in:   `<assembly><class><test name="Ns.C.M" result="Pass"/></class></assembly>`,
		want: []row{{Class: "Ns.C", Name: "M", Outcome: pass}}},
	{name: "Text before the root is not a report", format: XUnit,
		in:        "hello <assemblies/>",
		expectErr: "1: text before the root element: not an XML report"},

	// TRX.
	{name: "A TRX result takes its class from its definition", format: TRX,
		in:   trxDoc(`outcome="Passed" duration="00:00:01.5000001"`, `<Output><StdOut>out</StdOut><StdErr>err</StdErr></Output>`),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: pass, Seconds: 1.5000001, Output: "out\nerr"}}},
	{name: "A TRX duration past a day has a day count", format: TRX,
		in:   trxDoc(`outcome="Passed" duration="2.01:00:00"`, ``),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: pass, Seconds: 2*86400 + 3600}}},
	{name: "A TRX result without a duration uses its start and end", format: TRX,
		in:   trxDoc(`outcome="Passed" startTime="2024-05-02T10:00:00.0000000+02:00" endTime="2024-05-02T10:00:02.5000000+02:00"`, ``),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: pass, Seconds: 2.5}}},
	{name: "A TRX duration that is not a TimeSpan reads as 0", format: TRX,
		in:   trxDoc(`outcome="Passed" duration="fast"`, ``),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: pass}}},
	{name: "A TRX failure keeps its ErrorInfo", format: TRX,
		in:   trxDoc(`outcome="Failed"`, `<Output><ErrorInfo><Message>Assert.AreEqual failed.</Message><StackTrace>at M()&#xD;`+"\n"+`at N()</StackTrace></ErrorInfo></Output>`),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: fail, Message: "Assert.AreEqual failed.", Detail: "at M()\nat N()"}}},
	{name: "A TRX timeout is a failure that says so", format: TRX,
		in:   trxDoc(`outcome="Timeout"`, ``),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: fail, Message: "timeout"}}},
	{name: "A TRX test not executed is skipped, its reason from its output", format: TRX,
		in:   trxDoc(`outcome="NotExecuted"`, `<Output><StdOut>needs a GPU</StdOut></Output>`),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: skip, Message: "not executed: needs a GPU", Output: "needs a GPU"}}},
	{name: "A TRX inconclusive test is skipped and says so", format: TRX,
		in:   trxDoc(`outcome="Inconclusive"`, ``),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: skip, Message: "inconclusive"}}},
	{name: "A TRX test still in progress when the run ended is an error", format: TRX,
		in:   trxDoc(`outcome="InProgress"`, ``),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: errd, Message: `outcome "InProgress"`}}},
	{name: "TRX inner results are the cases, told apart by their arguments", format: TRX,
		in: trxDoc(`outcome="Failed" resultType="DataDrivenTest"`, `<InnerResults>`+
			`<UnitTestResult testId="t" testName="M (1,2)" outcome="Passed"/><UnitTestResult testId="t" testName="M (3,4)" outcome="Failed"/></InnerResults>`),
		want: []row{{Class: "Ns.C", Name: "M(1,2)", Outcome: pass}, {Class: "Ns.C", Name: "M(3,4)", Outcome: fail, Message: "failed"}}},
	{name: "TRX data rows without arguments are told apart by their row", format: TRX,
		in: trxDoc(`outcome="Passed"`, `<InnerResults>`+
			`<UnitTestResult testId="t" testName="M" dataRowInfo="1" outcome="Passed"/><UnitTestResult testId="t" testName="M" dataRowInfo="2" outcome="Passed"/></InnerResults>`),
		want: []row{{Class: "Ns.C", Name: "M(data row 1)", Outcome: pass}, {Class: "Ns.C", Name: "M(data row 2)", Outcome: pass}}},
	{name: "An assembly-qualified TRX class name is cut at its comma", format: TRX,
		in: `<TestRun><Results><UnitTestResult testId="t" testName="M" outcome="Passed"/></Results>` +
			`<TestDefinitions><UnitTest id="t"><TestMethod className="Ns.C, Shop.Tests, Version=1.0.0.0" name="M"/></UnitTest></TestDefinitions></TestRun>`,
		want: []row{{Class: "Ns.C", Name: "M", Outcome: pass}}},
	{name: "A TRX run that failed with no failed test is not lost", format: TRX,
		in: `<TestRun><ResultSummary outcome="Failed"><RunInfos><RunInfo outcome="Warning"><Text>meh</Text></RunInfo>` +
			`<RunInfo outcome="Error"><Text>Test host process crashed</Text></RunInfo></RunInfos></ResultSummary></TestRun>`,
		want: []row{{Class: "TestRun", Name: "[test run failed]", Outcome: errd, Message: "Test host process crashed"}}},
	{name: "A truncated TRX keeps its results, named from their testName", format: TRX,
		in:        "<TestRun>\n<Results>\n<UnitTestResult testId=\"t\" testName=\"Ns.C.M\" outcome=\"Passed\"/>\n<UnitTestResult testId=\"u\"",
		want:      []row{{Class: "Ns.C", Name: "M", Outcome: pass}},
		expectErr: "4: malformed XML: unexpected end of input (a truncated report?)"},

	// What all four share.
	{name: "Control characters and bad UTF-8 are replaced, the report kept", format: XUnit,
		in:   xunitTest(`name="Ns.C.M" result="Pass"`, "<output>\x1b[31mred\x1b[0m &#27; &#x0; \xff</output>"),
		want: []row{{Class: "Ns.C", Name: "M", Outcome: pass, Output: "\uFFFD[31mred\uFFFD[0m \uFFFD \uFFFD \uFFFD"}}},
	{name: "An entity is never expanded", format: NUnit3,
		in:        `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><test-case fullname="Ns.C.M" result="Failed"><failure><message>&e;</message></failure></test-case>`,
		expectErr: "1: malformed XML: invalid character entity &e;"},
	{name: "A declared 8-bit encoding is refused with what to do", format: NUnit2,
		in:        `<?xml version="1.0" encoding="windows-1252"?><test-results/>`,
		expectErr: `the document declares encoding "windows-1252": merge reads UTF-8; convert it first, e.g. iconv -f windows-1252 -t UTF-8`},
	{name: "An empty file is an error", format: TRX,
		in:        "",
		expectErr: "1: no root element: the file is empty or holds only comments"},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			cases, err := parse(t, tt.format, tt.in)
			golden.CheckErr(t, err, tt.expectErr)
			if diff := cmp.Diff(tt.want, rows(cases)); diff != "" {
				t.Errorf("cases (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTimeSpan(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"00:00:00.0001254", 0.0001254, true},
		{"01:02:03", 3723, true},
		{"3.00:00:01.5", 3*86400 + 1.5, true},
		{"-00:00:01", 0, false},
		{"00:61:00", 0, false},
		{"1:2", 0, false},
		{"00:00:1e3", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := timeSpan(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("timeSpan(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestToJUnitEscapes(t *testing.T) {
	// Untrusted names and messages are escaped, never markup.
	in := xunitTest(`name="Ns.C.M(s: &quot;&lt;/testcase&gt;&lt;script&gt;&quot;)" result="Fail"`, `<failure><message>]]&gt;&lt;x/&gt;</message><stack-trace>]]&gt; end</stack-trace></failure>`)
	var out strings.Builder
	if _, err := ToJUnit(strings.NewReader(in), &out, XUnit); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, bad := range []string{"<script>", "</testcase><", "<x/>"} {
		if strings.Contains(got, bad) {
			t.Errorf("ToJUnit wrote %q unescaped:\n%s", bad, got)
		}
	}
	rep, err := ParseXUnit(strings.NewReader(in))
	if err != nil || len(rep.Cases) != 1 {
		t.Fatal(err)
	}
}

func TestRepairedCountsEveryReplacement(t *testing.T) {
	// Two raw escapes, a reference to ESC, one to NUL, a byte that is not
	// UTF-8 and U+FFFE: six replacements, the rest as it was.
	in := xunitTest(`name="Ns.C.M" result="Pass"`, "<output>\x1b[1m\x1b[0m &#27; &#x0; \xff \uFFFE ok \t&#9;&#x20AC;</output>")
	rep, err := ParseXUnit(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Repaired != 6 {
		t.Errorf("Repaired = %d, want 6", rep.Repaired)
	}
	if got, want := rep.Cases[0].Output, "\uFFFD[1m\uFFFD[0m \uFFFD \uFFFD \uFFFD \uFFFD ok \t\t€"; got != want {
		t.Errorf("Output = %q, want %q", got, want)
	}
}
