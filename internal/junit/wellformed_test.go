package junit_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xshard/xshard/internal/junit"
	"github.com/xshard/xshard/internal/model"
)

// mergeOne merges one input holding doc as worker, and returns the merged
// document and the input's warnings.
func mergeOne(t testing.TB, doc, worker string) (string, []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.xml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	st, errs := junit.Merge(&out, []junit.Input{{Path: path, Worker: worker}}, junit.MergeOptions{})
	if len(errs) > 0 {
		t.Fatalf("Merge: %v", errs)
	}
	var warnings []string
	for _, w := range st.Read.Warnings {
		warnings = append(warnings, strings.TrimPrefix(w.Error(), path+":"))
	}
	return out.String(), warnings
}

// caseLines returns the lines of a merged document between its suite's
// start and end tags.
func caseLines(doc string) string {
	lines := strings.Split(doc, "\n")
	return strings.TrimSpace(strings.Join(lines[3:len(lines)-3], "\n"))
}

func TestMergeRepairsWhatIsNotWellFormed(t *testing.T) {
	tests := []struct {
		name, in, worker string
		want             string // the testcases and suite children, as merged
		warning          string // the input's warning, after "file:"
	}{
		{
			name:    "A NUL byte and an escape character become U+FFFD where they are",
			in:      "<testcase name=\"nul\x00\"><system-out>a\x1b[31mred</system-out></testcase>",
			want:    "<testcase name=\"nul\uFFFD\"><system-out>a\uFFFD[31mred</system-out></testcase>",
			warning: `1:40: character U+0000, which XML cannot hold: not well-formed XML 1.0, repaired in the merged report`,
		},
		{
			name:    "References to characters XML cannot hold become U+FFFD",
			in:      `<testcase name="a&#0;b"><failure message="&#x1B;[1m">&#27;[31m &#xFFFE; &#65;</failure></testcase>`,
			want:    "<testcase name=\"a\uFFFDb\"><failure message=\"\uFFFD[1m\">\uFFFD[31m \uFFFD &#65;</failure></testcase>",
			warning: `1:38: reference "&#0;" to a character XML cannot hold: not well-formed XML 1.0, repaired in the merged report`,
		},
		{
			name:    "Of a duplicate attribute the first is kept, as Read reads it",
			in:      `<testcase name="a" time="1" name="b"><failure message="x" message="y"/></testcase>`,
			want:    `<testcase name="a" time="1"><failure message="x"/></testcase>`,
			warning: `1:49: duplicate attribute "name" in element "testcase": not well-formed XML 1.0, repaired in the merged report`,
		},
		{
			name:    "A raw '<' in an attribute value is escaped",
			in:      `<testcase name="a<b" classname="List<int>"/>`,
			want:    `<testcase name="a&lt;b" classname="List&lt;int&gt;"/>`,
			warning: `1:38: '<' in the value of attribute "name" in element "testcase": not well-formed XML 1.0, repaired in the merged report`,
		},
		{
			name:    "An '&' that starts no reference, or one to an entity XML does not define, is text",
			in:      `<testcase name="AT&T"><system-out>x & y &nbsp; &#; &amp; &lt;</system-out></testcase>`,
			want:    `<testcase name="AT&amp;T"><system-out>x &amp; y &amp;nbsp; &amp;#; &amp; &lt;</system-out></testcase>`,
			warning: `1:39: '&' that starts no reference: not well-formed XML 1.0, repaired in the merged report`,
		},
		{
			name:    "]]> outside CDATA is escaped; comments and processing instructions of a repaired element are left out",
			in:      "<testcase name=\"a\"><system-out>x ]]> y <!-- a -- b --> <?pi data?> <![CDATA[c]]></system-out></testcase>",
			want:    "<testcase name=\"a\"><system-out>x ]]&gt; y   <![CDATA[c]]></system-out></testcase>",
			warning: `1:54: "]]>" outside a CDATA section: not well-formed XML 1.0, repaired in the merged report`,
		},
		{
			name:    "A comment with -- in it is not well-formed",
			in:      "<testcase name=\"a\"><!-- a -- b --></testcase>",
			want:    "<testcase name=\"a\"></testcase>",
			warning: `1:47: "--" in a comment: not well-formed XML 1.0, repaired in the merged report`,
		},
		{
			name:    "Malformed attributes are dropped, names that are not XML names renamed",
			in:      `<testcase name="a"><x 1bad="v" good="w"/><y a="1"b="2"/><z z=/><née k="v">t</née></testcase>`,
			want:    `<testcase name="a"><x good="w"/><y a="1" b="2"/><z/><n__e k="v">t</n__e></testcase>`,
			warning: `1:43: malformed attribute in element "x": not well-formed XML 1.0, repaired in the merged report`,
		},
		{
			name:    "A repaired testcase still gains its worker property: no properties",
			in:      `<testcase name="a&b"><skipped/></testcase>`,
			worker:  "gw1",
			want:    `<testcase name="a&amp;b"><properties><property name="xshard.worker" value="gw1"/></properties><skipped/></testcase>`,
			warning: `1:38: '&' that starts no reference: not well-formed XML 1.0, repaired in the merged report`,
		},
		{
			name:    "A repaired testcase still gains its worker property: an empty element",
			in:      `<testcase name="a&b"/>`,
			worker:  "gw1",
			want:    `<testcase name="a&amp;b"><properties><property name="xshard.worker" value="gw1"/></properties></testcase>`,
			warning: `1:38: '&' that starts no reference: not well-formed XML 1.0, repaired in the merged report`,
		},
		{
			name:    "A repaired testcase still gains its worker property: properties",
			in:      `<testcase name="a&b"><properties><property name="k" value="v"/></properties></testcase>`,
			worker:  "gw1",
			want:    `<testcase name="a&amp;b"><properties><property name="xshard.worker" value="gw1"/><property name="k" value="v"/></properties></testcase>`,
			warning: `1:38: '&' that starts no reference: not well-formed XML 1.0, repaired in the merged report`,
		},
		{
			name:    "A repaired testcase still gains its worker property: empty properties",
			in:      `<testcase name="a&b"><properties/></testcase>`,
			worker:  "gw1",
			want:    `<testcase name="a&amp;b"><properties><property name="xshard.worker" value="gw1"/></properties></testcase>`,
			warning: `1:38: '&' that starts no reference: not well-formed XML 1.0, repaired in the merged report`,
		},
		{
			name:    "Suite children and suite attributes are repaired too",
			in:      "<properties><property name=\"p\" value=\"a<b\" value=\"c\"/></properties><testcase name=\"ok\"/><system-out>&bogus; \x01</system-out>",
			want:    "<properties><property name=\"p\" value=\"a&lt;b\"/></properties>\n    <testcase name=\"ok\"/>\n    <system-out>&amp;bogus; \uFFFD</system-out>",
			warning: `1:60: '<' in the value of attribute "value" in element "property": not well-formed XML 1.0, repaired in the merged report (and 1 more element in this file)`,
		},
		{
			name: "Clean input is copied byte for byte, comments and all",
			in:   "<testcase name='a' time=\"1\"><!-- ok --><system-out>é &amp; &#10;<![CDATA[x & y]]></system-out></testcase>",
			want: "<testcase name='a' time=\"1\"><!-- ok --><system-out>é &amp; &#10;<![CDATA[x & y]]></system-out></testcase>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, warnings := mergeOne(t, `<testsuite name="s">`+tt.in+`</testsuite>`, tt.worker)
			if err := wellFormed([]byte(out)); err != nil {
				t.Fatalf("merged output is not well-formed: %v\n%s", err, out)
			}
			if got := caseLines(out); got != tt.want {
				t.Errorf("merged\n%s\nwant\n%s", got, tt.want)
			}
			warning := strings.Join(warnings, "\n")
			if warning != tt.warning {
				t.Errorf("warning %q, want %q", warning, tt.warning)
			}
		})
	}
}

// wellFormedTemplates put text of the fuzzer's where reports hold text of
// their own: attribute values, character data, CDATA, comments,
// attribute lists, element names.
var wellFormedTemplates = []string{
	`<testsuite name="s"><testcase name="%s" classname="c"/></testsuite>`,
	`<testsuite name="s"><testcase name="a"><system-out>%s</system-out></testcase></testsuite>`,
	`<testsuite name="s"><testcase name="a"><failure message="m"><![CDATA[%s]]></failure></testcase></testsuite>`,
	`<testsuite name="s"><testcase name="a"><!--%s--></testcase></testsuite>`,
	`<testsuite name="s"><testcase name="a"><x %s/></testcase></testsuite>`,
	`<testsuite name="s" %s><properties><property name="p" value="v"/></properties><testcase name="a"/></testsuite>`,
	`<testsuite name="s"><testcase name="a"><%s/></testcase><system-out>%s</system-out></testsuite>`,
	`<testsuites><testcase name="%s"><properties/></testcase></testsuites>`,
}

// wellFormedSeeds are the fuzzer's first texts.
var wellFormedSeeds = []string{
	"plain", "nul\x00", "\x1b[31m", "&#0;", "&#x1B;", "&#xFFFE;", "&nbsp;", "AT&T", "a<b", "]]>", "a -- b", "-",
	`a="1" a="2"`, `1bad="v"`, `a="1"b="2"`, `z=`, "n\u00e9e", "\xff\xfe", "\xef\xbf\xbe", "é", "&amp;&lt;&#10;", "x\ty\r\nz",
}

func FuzzMergeIsWellFormed(f *testing.F) {
	for i := range wellFormedTemplates {
		for _, s := range wellFormedSeeds {
			f.Add(uint8(i), []byte(s))
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		doc := strings.ReplaceAll(wellFormedTemplates[int(which)%len(wellFormedTemplates)], "%s", string(data))
		read := 0
		_, rerr := junit.Read(strings.NewReader(doc), junit.ReadOptions{}, func(*model.Case) error { read++; return nil })
		path := filepath.Join(dir, "in.xml")
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		st, errs := junit.Merge(&out, []junit.Input{{Path: path, Worker: "gw3"}}, junit.MergeOptions{})
		if err := wellFormed(out.Bytes()); err != nil {
			t.Fatalf("merged output is not well-formed XML: %v\ninput  %q\noutput %q", err, doc, out.Bytes())
		}
		if st.Cases != read || (rerr == nil) != (len(errs) == 0) {
			t.Fatalf("Merge wrote %d cases (errors %v), Read found %d (error %v)", st.Cases, errs, read, rerr)
		}
		var doc2 xmlDoc
		if err := xml.Unmarshal(out.Bytes(), &doc2); err != nil {
			t.Fatalf("merged output does not unmarshal: %v", err)
		}
		n := 0
		for _, s := range doc2.Suites {
			n += len(s.Cases)
		}
		if n != read {
			t.Fatalf("merged output holds %d testcases, want %d\n%s", n, read, out.Bytes())
		}
	})
}

// TestMergedOutputParsesWithPython has python3's SAX parser (expat
// without namespace processing: XML 1.0 well-formedness, stricter than
// encoding/xml on duplicate attributes) read the merged outputs of the
// hostile inputs, of the fuzzer's seeds and of every fixture.
func TestMergedOutputParsesWithPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("XSHARD_REQUIRE_PYTEST") != "" {
			t.Fatal("python3 is missing and XSHARD_REQUIRE_PYTEST is set (scripts/ci-deps.sh installs it with python3-pytest)")
		}
		t.Skip("python3 not installed: the check with its XML parser is skipped")
	}
	dir := t.TempDir()
	var docs []string
	docs = append(docs, hostile...)
	for _, tpl := range wellFormedTemplates {
		for _, s := range wellFormedSeeds {
			docs = append(docs, strings.ReplaceAll(tpl, "%s", s))
		}
	}
	var paths []string
	for i, doc := range docs {
		in := filepath.Join(dir, "in.xml")
		if err := os.WriteFile(in, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		junit.Merge(&out, []junit.Input{{Path: in, Worker: "gw0"}}, junit.MergeOptions{})
		p := filepath.Join(dir, "out"+strings.Repeat("0", 4-len(itoa(i)))+itoa(i)+".xml")
		if err := os.WriteFile(p, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	var inputs []junit.Input
	for _, p := range fixtures(t) {
		inputs = append(inputs, junit.Input{Path: p, Worker: "gw1"})
	}
	all, _, _ := mergeToBytes(t, inputs, junit.MergeOptions{})
	p := filepath.Join(dir, "fixtures.xml")
	if err := os.WriteFile(p, all, 0o644); err != nil {
		t.Fatal(err)
	}
	paths = append(paths, p)
	const script = `import sys, xml.sax
bad = 0
for p in sys.argv[1:]:
    try:
        xml.sax.parse(p, xml.sax.ContentHandler())
    except xml.sax.SAXParseException as e:
        print(p, e, open(p, encoding="utf-8", errors="replace").read()[:600])
        bad += 1
print(len(sys.argv) - 1, "parsed,", bad, "rejected")
sys.exit(1 if bad else 0)
`
	out, err := exec.Command(py, append([]string{"-c", script}, paths...)...).CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) || err != nil {
		t.Fatalf("python3 rejects merged outputs: %v\n%s", err, out)
	}
	t.Logf("python3: %s", bytes.TrimSpace(out))
}

func itoa(i int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + string(rune('0'+i/1000%10)) + string(rune('0'+i/100%10)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10)))
}
