package report

import (
	"regexp"
	"strings"
	"testing"

	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
)

func TestMarkdownTextNeutralisesAutolinks(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a bare URL goes in a code span", "see https://evil.example/login now", "see `https://evil.example/login` now"},
		{"any scheme", "ftp://x.example and javascript://x", "`ftp://x.example` and `javascript://x`"},
		{"a www. host", "visit WWW.evil.example.", "visit `WWW.evil.example.`"},
		{"an e-mail address", "mail admin@evil.example", "mail `admin@evil.example`"},
		{"a mailto link", "mailto:a@b.example", "`mailto:a@b.example`"},
		{"a mention", "cc @octocat, @org/team", "cc `@octocat,` `@org/team`"},
		{"an issue reference", "fixes #123", "fixes `#123`"},
		{"a reference at the start is not a heading", "#1 failed", "`#1` failed"},
		{"a GH- reference", "see gh-42 and GH-7", "see `gh-42` and `GH-7`"},
		{"a reference to another repository", "owner/repo#1 and owner/repo@abc123", "`owner/repo#1` and `owner/repo@abc123`"},
		{"a URL in Markdown link syntax", "[click](https://evil.example)", "`[click](https://evil.example)`"},
		{"a URL in angle brackets", "<https://evil.example>", "`<https://evil.example>`"},
		{"the word ends at a pipe, escaped outside the span", "a|https://x.example|b", "a\\|`https://x.example`\\|b"},
		{"the word ends at a backtick", "`https://x.example`", "\\``https://x.example`\\`"},
		{"emphasis around a URL stays literal", "*https://x.example*", "`*https://x.example*`"},
		{"a URL split over lines is one line", "https://x.\nexample", "`https://x.` example"},
		{"what links nothing is escaped as before", "C# #define a@ @ # x:y 1.5 v1-2 gh-x", "C# #define a@ @ # x:y 1.5 v1-2 gh-x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MarkdownText(tt.in)
			if got != tt.want {
				t.Errorf("MarkdownText(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if l := linkable(got); l != "" {
				t.Errorf("MarkdownText(%q) = %q: %q outside code spans", tt.in, got, l)
			}
		})
	}
}

// autolinkRE matches what GitHub autolinks, mentions or references.
var autolinkRE = regexp.MustCompile(`(?i)://|www\.|@[a-z0-9]|#[0-9]|gh-[0-9]`)

// linkable returns what GitHub could link in md outside code spans, ""
// for nothing. md is one line of MarkdownText output: a code span is an
// unescaped backtick up to the next backtick.
func linkable(md string) string {
	var out strings.Builder
	code := false
	for i := 0; i < len(md); i++ {
		switch {
		case md[i] == '\\' && !code && i+1 < len(md):
			out.WriteByte(md[i+1])
			i++
		case md[i] == '`':
			code = !code
			out.WriteByte(' ')
		case !code:
			out.WriteByte(md[i])
		}
	}
	if code {
		return "an unclosed code span"
	}
	return autolinkRE.FindString(out.String())
}

// FuzzMarkdownText checks that nothing GitHub links is left outside code
// spans, whatever the text.
func FuzzMarkdownText(f *testing.F) {
	for _, s := range []string{"https://x.example", "a@b.c", "#1 @u GH-2 www.x", "`a`|b\\c", "x\n#1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := MarkdownText(s)
		if l := linkable(got); l != "" {
			t.Errorf("MarkdownText(%q) = %q: %q outside code spans", s, got, l)
		}
		if strings.Contains(got, "\n") {
			t.Errorf("MarkdownText(%q) = %q: more than one line", s, got)
		}
	})
}

// TestSummaryNeutralisesAutolinks renders a summary whose artifact text
// is full of links, mentions and references: outside code blocks and
// code spans, none is left.
func TestSummaryNeutralisesAutolinks(t *testing.T) {
	const hostile = "Sign in at https://evil.example/login or www.evil.example, write to admin@evil.example, ping @octocat, see #1, GH-2 and owner/repo#3"
	c := model.Case{Classname: "pkg", Name: "TestA", Worker: "gw0", Outcome: model.Failed, Message: hostile + "\n" + hostile}
	f := model.Case{Classname: "pkg", Name: "TestB", Worker: "gw0", Outcome: model.Passed, FailedAttempts: 1, Message: hostile}
	res := &merge.Result{
		Totals:   merge.Totals{Tests: 2, Passed: 1, Failed: 1, Flaky: 1},
		Workers:  []merge.Worker{{Name: "gw0", Present: true, Tests: 2, Failed: 1}},
		Failures: []model.Case{c},
		Flaky:    []model.Case{f},
		Verification: merge.Verification{Checked: true, Expected: 1,
			Mismatches: []string{hostile}},
		Problems: []string{"in.xml:1:1: " + hostile},
		Warnings: []string{hostile},
		Outputs:  map[string]any{"m": map[string]any{"k": hostile, "j": 1.0}},
	}
	got := Summary(res, Options{Title: hostile})
	if n := strings.Count(got, "https://evil.example/login"); n < 6 {
		t.Fatalf("the URL is in the summary %d times, want at least 6 (title, message, flaky, mismatch, problem, warning):\n%s", n, got)
	}
	fence := false
	for i, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, "```") {
			fence = !fence
		}
		if fence || strings.HasPrefix(line, "```") {
			continue
		}
		if l := linkable(line); l != "" {
			t.Errorf("line %d has %q outside code spans: %s", i+1, l, line)
		}
	}
}
