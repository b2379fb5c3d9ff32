package report

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
)

// evilRun carries workflow commands, percent escapes, Markdown, HTML and
// script in every string that comes from an artifact.
func evilRun() *merge.Result {
	c := model.Case{
		Classname: "evil",
		Name:      "test_`x`|<script>alert(1)</script>\n::error::pwned%0A**bold**",
		Worker:    "gw0",
		Outcome:   model.Failed,
		Message:   "</details>\n::set-output name=x::y\n<img src=x onerror=alert(1)>\n```\n# heading",
		Detail:    "```\n</details><script>alert(2)</script>\n::add-mask::secret",
	}
	id := "evil." + c.Name
	return &merge.Result{
		Totals:   merge.Totals{Tests: 1, Failed: 1},
		Workers:  []merge.Worker{{Name: "gw0", Present: true, Tests: 1, Failed: 1}},
		Failures: []model.Case{c},
		Flaky:    []model.Case{{Classname: "evil", Name: "test_y | `z` [a](javascript:alert(3))", Worker: "gw0", FailedAttempts: 1, Message: "<b>x</b> | y"}},
		Tests:    []merge.TestRow{{ID: id, Worker: "gw0", Outcome: model.Failed}},
		Problems: []string{"in.json:1:1: ::error::<script>alert(4)</script>"},
		Outputs:  map[string]any{"m": map[string]any{"</script><script>alert(5)</script>": 3.0, "b|`": 2.0}},
	}
}

func TestInjectionAnnotations(t *testing.T) {
	list, _ := Annotations(evilRun(), Options{})
	var b strings.Builder
	if err := WriteAnnotations(&b, list); err != nil {
		t.Fatal(err)
	}
	want := "::error title=xshard%3A input error::in.json:1:1: ::error::<script>alert(4)</script>\n" +
		"::error title=evil.test_`x`|<script>alert(1)</script> %3A%3Aerror%3A%3Apwned%250A**bold** failed on gw0::" +
		"</details>%0A::set-output name=x::y%0A<img src=x onerror=alert(1)>%0A```%0A# heading%0A%0A```%0A</details><script>alert(2)</script>%0A::add-mask::secret\n" +
		"::warning title=evil.test_y | `z` [a](javascript%3Aalert(3)) is flaky%3A passed on gw0 after 1 failed attempt::<b>x</b> | y\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("workflow commands (-want +got):\n%s", diff)
	}
}

func TestInjectionSummary(t *testing.T) {
	got := Summary(evilRun(), Options{})
	for _, want := range []string{
		// The test ID in a code span: one line, fenced with more backticks than it holds.
		"❌ **``evil.test_`x`|<script>alert(1)</script> ::error::pwned%0A**bold**``** failed on `gw0`\n",
		// The message as escaped text, line by line.
		"> &lt;/details&gt;\n> \\::set-output name=x\\::y\n> &lt;img src=x onerror=alert(1)&gt;\n> \\`\\`\\`\n> \\# heading\n",
		// The trace in a fence longer than any run of backticks in it.
		"````text\n```\n</details><script>alert(2)</script>\n::add-mask::secret\n````\n",
		// Table cells: | escaped even inside code spans.
		"| ``evil.test_y \\| `z` [a](javascript:alert(3))`` | `gw0` | 1 | &lt;b&gt;x&lt;/b&gt; \\| y |\n",
		"- in.json:1:1: \\::error\\::&lt;script&gt;alert(4)&lt;/script&gt;\n",
		"| 1 | `</script><script>alert(5)</script>` | 3 |\n",
		"| 2 | `` b\\|` `` | 2 |\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary does not contain %q; it is:\n%s", want, got)
		}
	}
	if o, c := strings.Count(got, "<details>"), strings.Count(got, "</details>\n\n"); o != 1 || c != 1 {
		t.Errorf("summary has %d <details> and %d closing lines, want 1 of each", o, c)
	}
	// The only line that starts like a workflow command is in the trace's
	// code block (and a summary is a file, never parsed for commands).
	var commands []string
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "::") {
			commands = append(commands, line)
		}
	}
	if diff := cmp.Diff([]string{"::add-mask::secret"}, commands); diff != "" {
		t.Errorf("lines starting with :: (-want +got):\n%s", diff)
	}
}

func TestInjectionHTML(t *testing.T) {
	var b strings.Builder
	if err := HTML(&b, evilRun(), Options{}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	if n := strings.Count(got, "<script"); n != 2 {
		t.Errorf("page has %d <script elements, want 2 (the data and the page's own)", n)
	}
	if n := strings.Count(strings.ToLower(got), "<img"); n != 0 {
		t.Errorf("page has %d <img elements, want none", n)
	}
	for _, want := range []string{
		`<code class="id">evil.test_` + "`x`" + `|&lt;script&gt;alert(1)&lt;/script&gt;`,
		`<pre class="trace">` + "```\n" + `&lt;/details&gt;&lt;script&gt;alert(2)&lt;/script&gt;`,
		`<pre class="msg">&lt;/details&gt;`,
		`"r":[["evil.test_` + "`x`" + `|\u003cscript\u003ealert(1)\u003c/script\u003e\n::error::pwned%0A**bold**",0,1,0,0,"",0]]`,
		`<td><code>&lt;/script&gt;&lt;script&gt;alert(5)&lt;/script&gt;</code></td>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("page does not contain %q", want)
		}
	}
}
