package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
)

func TestConclusion(t *testing.T) {
	noTests := passingRun()
	noTests.Totals = merge.Totals{}
	tests := []struct {
		name string
		res  *merge.Result
		want string
	}{
		{"a verified passing run succeeds", passingRun(), ConclusionSuccess},
		{"failed tests fail", failingRun(), ConclusionFailure},
		{"a missing worker fails, though every test that ran passed", missingWorkerRun(), ConclusionFailure},
		{"a run checked by --expect only succeeds", uncheckedRun(), ConclusionSuccess},
		{"a run without manifests or --expect is neutral: its completeness is unknown", func() *merge.Result {
			r := uncheckedRun()
			r.Verification.Expected = 0
			return r
		}(), ConclusionNeutral},
		{"a run with no tests is neutral", noTests, ConclusionNeutral},
		{"an unreadable input fails", func() *merge.Result {
			r := passingRun()
			r.Problems = []string{"a.xml:1:1: bad"}
			return r
		}(), ConclusionFailure},
		{"flaky tests pass", flakyRun(), ConclusionSuccess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Conclusion(tt.res); got != tt.want {
				t.Errorf("Conclusion = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckTitle(t *testing.T) {
	unchecked := uncheckedRun()
	unchecked.Verification.Expected = 0
	for _, tt := range []struct {
		res  *merge.Result
		want string
	}{
		{passingRun(), "40 tests passed, 2 skipped"},
		{failingRun(), "3 tests failed of 42"},
		{missingWorkerRun(), "40 tests passed, but the run is incomplete: worker gw3 is missing"},
		{unchecked, "40 tests passed, 2 skipped (completeness not checked: no shard manifests)"},
	} {
		if got := CheckTitle(tt.res); got != tt.want {
			t.Errorf("CheckTitle = %q, want %q", got, tt.want)
		}
	}
}

func TestCheckAnnotationsRankAndCap(t *testing.T) {
	res := hugeRun() // 1 problem, 4,000 missing tests (one annotation), 3,000 failures
	res.Flaky = flakyRun().Flaky
	list, omitted := CheckAnnotations(res, Options{ModulePath: mod}, 0)
	if len(list) != DefaultCheckAnnotations || omitted != 1+1+3000+2-DefaultCheckAnnotations {
		t.Fatalf("%d annotations, %d omitted", len(list), omitted)
	}
	if list[0].Title != "xshard: input error" || !strings.HasPrefix(list[1].Title, "xshard: 4,000 planned tests did not run") {
		t.Errorf("first annotations: %q, %q: input errors and verification come first", list[0].Title, list[1].Title)
	}
	// Every failure chosen is located.
	for _, a := range list[2:] {
		if a.Level != LevelError || a.File == "" || a.Line == 0 {
			t.Fatalf("annotation %+v is not a located failure", a)
		}
	}
	if list[2].File != "pkg00/gen_test.go" || list[2].Line != 10 {
		t.Errorf("first failure at %s:%d", list[2].File, list[2].Line)
	}
	// With room for all, the warnings come last.
	all, omitted := CheckAnnotations(res, Options{ModulePath: mod}, 10_000)
	if omitted != 0 || len(all) != 3004 || all[3003].Level != LevelWarning || all[3002].Level != LevelWarning {
		t.Errorf("%d annotations, %d omitted; last %+v", len(all), omitted, all[len(all)-1])
	}
}

func TestCheckAnnotationTitlesFitGitHub(t *testing.T) {
	res := failingRun()
	res.Failures[0].Name = strings.Repeat("é", 400)
	list, _ := CheckAnnotations(res, fixtureOpts, 0)
	for _, a := range list {
		if n := utf8.RuneCountInString(a.Title); n > 255 {
			t.Errorf("title of %d characters", n)
		}
		if len(a.Message) > 4000+len("…") {
			t.Errorf("message of %d bytes", len(a.Message))
		}
	}
}

func TestCheckSummaryFits(t *testing.T) {
	res := hugeRun()
	title := CheckTitle(res)
	got := CheckSummary(res, Options{ModulePath: mod}, title, 1000, 2002)
	if n := utf8.RuneCountInString(title) + utf8.RuneCountInString(got); n > MaxCheckChars {
		t.Errorf("title and summary are %d characters, over %d", n, MaxCheckChars)
	}
	if len(got) < MaxCheckChars*9/10 {
		t.Errorf("summary of %d bytes: the budget is not used", len(got))
	}
	for _, want := range []string{"2,002 annotations were left out: this check run carries the first 1,000", "This summary was shortened"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
}

func commentBase() *Base {
	return &Base{
		Label:          "main at 1a2b3c4",
		Totals:         merge.Totals{Tests: 40, Passed: 39, Failed: 1},
		Coverage:       []CoverageFigure{{Kind: "go", Covered: 800, Total: 990}},
		Failed:         []string{mod + "/cart.TestTaxes", mod + "/users.TestGone"},
		FailedComplete: true,
	}
}

func TestCompare(t *testing.T) {
	got := Compare(failingRun(), commentBase())
	want := &Changes{
		Against:      "main at 1a2b3c4",
		New:          []string{"com.shop.PaymentTest.chargesCard", "tests/test_api.py::TestOrders::test_refund[eur]"},
		Fixed:        []string{mod + "/users.TestGone"},
		StillFailing: 1,
		FixedKnown:   true,
		TestsDelta:   2,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Compare (-want +got):\n%s", diff)
	}
	// A cut failure list cannot tell fixed tests.
	res := failingRun()
	res.Totals.Failed += 5000
	if ch := Compare(res, commentBase()); ch.FixedKnown || len(ch.Fixed) != 0 {
		t.Errorf("Compare of a cut list = %+v", ch)
	}
	if Compare(res, nil) != nil {
		t.Error("Compare without a base is not nil")
	}
}

func TestCommentWanted(t *testing.T) {
	same := &Base{Totals: passingRun().Totals, Coverage: []CoverageFigure{{Kind: "go", Covered: 812, Total: 1000}}, FailedComplete: true}
	moved := &Base{Totals: passingRun().Totals, Coverage: []CoverageFigure{{Kind: "go", Covered: 800, Total: 1000}}, FailedComplete: true}
	tests := []struct {
		mode string
		res  *merge.Result
		base *Base
		want bool
	}{
		{CommentAlways, passingRun(), nil, true},
		{CommentFailures, passingRun(), nil, false},
		{CommentFailures, failingRun(), nil, true},
		{CommentFailures, missingWorkerRun(), nil, true},
		{CommentChanges, passingRun(), nil, false},
		{CommentChanges, failingRun(), nil, true},
		{CommentChanges, passingRun(), same, false},
		{CommentChanges, passingRun(), moved, true},
		{CommentChanges, failingRun(), commentBase(), true},
	}
	for i, tt := range tests {
		if got := CommentWanted(tt.mode, tt.res, tt.base, Compare(tt.res, tt.base)); got != tt.want {
			t.Errorf("%d: CommentWanted(%s) = %v, want %v", i, tt.mode, got, tt.want)
		}
	}
}

func TestCommentGolden(t *testing.T) {
	marker := "<!-- xshard-report 0123456789abcdef -->"
	links := CommentOptions{Marker: marker, RunURL: "https://github.com/octo/shop/actions/runs/7", CheckURL: "https://github.com/octo/shop/runs/9"}
	withBase := links
	withBase.Base = commentBase()
	withBase.Changes = Compare(failingRun(), commentBase())
	tests := []struct {
		name string
		res  *merge.Result
		co   CommentOptions
	}{
		{"a passing run", passingRun(), links},
		{"a failing run", failingRun(), links},
		{"a failing run against its base", failingRun(), withBase},
		{"a run with a missing worker", missingWorkerRun(), links},
		{"a huge run trimmed to the cap", hugeRun(), CommentOptions{Marker: marker, MaxBytes: 6000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Comment(tt.res, fixtureOpts, tt.co)
			golden(t, "comment-"+strings.ReplaceAll(tt.name, " ", "-")+".md", got)
			if !strings.HasPrefix(got, marker+"\n") {
				t.Error("the comment does not start with its marker")
			}
			max := tt.co.MaxBytes
			if max == 0 {
				max = DefaultCommentBytes
			}
			if len(got) > max {
				t.Errorf("comment is %d bytes, over %d", len(got), max)
			}
		})
	}
}

// TestFiftyThousandFailures: a run with 50,000 failures, each with a long
// message and trace, stays under every limit. merge keeps the first 1,000
// failures in the Result (merge.Options.MaxListed); the totals count all.
func TestFiftyThousandFailures(t *testing.T) {
	res := &merge.Result{Verification: merge.Verification{Checked: true, Expected: 8}}
	long := strings.Repeat("x", 3000)
	for i := range 1000 {
		c := goCase(fmt.Sprintf("pkg%03d", i%300), fmt.Sprintf("TestHuge%05d/sub_%s", i, strings.Repeat("y", i%200)), model.WorkerID(i%8), 1)
		c.Outcome = model.Failed
		c.Message = fmt.Sprintf("    huge_test.go:%d: @someone #%d %s", 1+i%500, i, long)
		c.Detail = strings.Repeat("\tframe\n", 8000)
		res.Failures = append(res.Failures, c)
	}
	res.Totals = merge.Totals{Tests: 60_000, Passed: 10_000, Failed: 50_000}
	opts := Options{ModulePath: mod}
	list, omitted := CheckAnnotations(res, opts, 0)
	if len(list) != DefaultCheckAnnotations || omitted != 49_000 {
		t.Errorf("%d annotations, %d omitted", len(list), omitted)
	}
	title := CheckTitle(res)
	summary := CheckSummary(res, opts, title, len(list), omitted)
	if n := utf8.RuneCountInString(title) + utf8.RuneCountInString(summary); n > MaxCheckChars {
		t.Errorf("check run title and summary: %d characters", n)
	}
	comment := Comment(res, opts, CommentOptions{Marker: "<!-- m -->"})
	if len(comment) > DefaultCommentBytes || utf8.RuneCountInString(comment) > MaxCommentChars {
		t.Errorf("comment: %d bytes", len(comment))
	}
	if !strings.Contains(summary, "49,000 annotations were left out") {
		t.Error("the check summary does not say how many annotations it leaves out")
	}
	if !strings.Contains(comment, "### ❌ Failures (50,000)") || !strings.Contains(comment, "and 49,950 more") {
		t.Errorf("the comment does not say how many failures it leaves out:\n%s", comment[:2000])
	}
}

// Hostile test names and messages: nothing in a check run summary or a
// comment, outside code, is a mention, an issue reference, raw HTML, a
// table row or a workflow command.
func TestInjectionGitHub(t *testing.T) {
	res := evilRun()
	res.Failures[0].Message = "@octocat see #123 and GH-7, owner/repo#9 | a | b |\n<img src=x onerror=alert(1)>\n::error::pwned\n[click](https://evil.example) <https://evil.example>"
	res.Failures = append(res.Failures, model.Case{Classname: "evil", Name: "@admin #1 <b>", Worker: "@gw", Outcome: model.Failed, Message: "ping @team/all"})
	base := &Base{Label: "@main <b> #5", Failed: []string{"@x #4"}, FailedComplete: true}
	for name, md := range map[string]string{
		"check summary": CheckSummary(res, Options{}, CheckTitle(res), 1, 0),
		"comment":       Comment(res, Options{}, CommentOptions{Marker: "<!-- m -->", Base: base, Changes: Compare(res, base)}),
	} {
		t.Run(name, func(t *testing.T) {
			text := outsideCode(md)
			for _, bad := range []*regexp.Regexp{
				regexp.MustCompile(`(^|[^\w])@[A-Za-z0-9]`),    // mention
				regexp.MustCompile(`(^|[^\w&])#[0-9]`),         // issue reference
				regexp.MustCompile(`(?i)\bGH-[0-9]`),           // issue reference
				regexp.MustCompile(`<(img|b|script|/details)`), // raw HTML from the test
				regexp.MustCompile(`(?m)^::`),                  // workflow command at a line start
				regexp.MustCompile(`[^\\]\]\(https://evil`),    // a link
				regexp.MustCompile(`<https://`),                // an autolink
				regexp.MustCompile(`https?://|www\.`),          // a bare URL GitHub would link
			} {
				if m := bad.FindString(text); m != "" {
					t.Errorf("%q found outside code in:\n%s", m, text)
				}
			}
		})
	}
}

// outsideCode removes fenced blocks and code spans, and the HTML comment
// marker, which GitHub does not render as Markdown text.
func outsideCode(md string) string {
	var b strings.Builder
	fence := ""
	for line := range strings.Lines(md) {
		t := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(t, fence) && strings.Trim(t, "`") == "" {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(t, "```") {
			fence = t[:strings.IndexFunc(t+"x", func(r rune) bool { return r != '`' })]
			continue
		}
		b.WriteString(line)
	}
	s := b.String()
	s = regexp.MustCompile("<!-- m -->|<details><summary>|</summary>|</details>").ReplaceAllString(s, "")
	// Code spans: runs of n backticks to the next run of n backticks.
	var out strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '`' || i > 0 && s[i-1] == '\\' {
			out.WriteByte(s[i])
			i++
			continue
		}
		n := 0
		for i+n < len(s) && s[i+n] == '`' {
			n++
		}
		run := strings.Repeat("`", n)
		end := strings.Index(s[i+n:], run)
		if end < 0 {
			out.WriteString(run)
			i += n
			continue
		}
		i += n + end + n
	}
	return out.String()
}

func TestHistoryChanges(t *testing.T) {
	if HistoryChanges(failingRun()) != nil {
		t.Error("changes without a history")
	}
	res := failingRun()
	res.History = &merge.History{Known: false}
	if HistoryChanges(res) != nil {
		t.Error("changes from a first run's history")
	}
	res.History = &merge.History{Known: true, Runs: 6,
		Counts: merge.HistoryCounts{New: 1500, StillFailing: 2, Flaky: 1, Fixed: 1},
		New:    []merge.ClassifiedTest{{ID: "com.shop.PaymentTest.chargesCard"}},
		Fixed:  []merge.ClassifiedTest{{ID: mod + "/users.TestGone"}},
	}
	ch := HistoryChanges(res)
	want := &Changes{Against: "the last 5 runs", New: []string{"com.shop.PaymentTest.chargesCard"}, Fixed: []string{mod + "/users.TestGone"},
		StillFailing: 2, FixedKnown: true, NewCount: 1500, FixedCount: 1, Flaky: 1}
	if diff := cmp.Diff(want, ch); diff != "" {
		t.Errorf("HistoryChanges (-want +got):\n%s", diff)
	}
	got := Comment(res, fixtureOpts, CommentOptions{Changes: ch})
	for _, w := range []string{"### 🔀 Against the last 5 runs\n\n🆕 1,500 new failures · ✅ 1 fixed · ❌ 2 still failing · 🔁 1 flaky\n",
		"### ❌ Failures (3, 1,500 new)", "- 🆕 `com.shop.PaymentTest.chargesCard` errored"} {
		if !strings.Contains(got, w) {
			t.Errorf("comment lacks %q:\n%s", w, got)
		}
	}
	if !CommentWanted(CommentChanges, passingRun(), nil, &Changes{Fixed: []string{"x"}, FixedKnown: true}) ||
		CommentWanted(CommentChanges, passingRun(), nil, &Changes{FixedKnown: true}) {
		t.Error("comment-mode changes does not follow the history's changes")
	}
}
