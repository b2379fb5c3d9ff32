// Package report renders a merge.Result for people: the Markdown job
// summary (summary.md), GitHub annotations, and report.html, one
// self-contained page with every test.
//
// Everything in a Result comes from artifacts that tests wrote, so every
// string in it is untrusted. The renderers escape it for where it goes
// (Markdown, HTML, workflow commands, JSON inside a script) so that it is
// shown and never becomes markup, a link, a script or a command. Output is
// deterministic for the same Result and Options. Nothing here prints,
// exits or reads the environment: callers pass writers and options.
package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xshard/xshard/internal/merge"
)

// DefaultMaxBytes bounds the summary when Options.MaxBytes is 0: GitHub
// rejects a step summary over 1 MiB, and other steps may add to it.
const DefaultMaxBytes = 1_000_000

// Options configure the renderers. The zero value works.
type Options struct {
	// Title heads the summary and the HTML report; "" means "xshard".
	Title string
	// ModulePath is the Go module path (go.mod's module directive) and
	// ModuleDir the module's directory relative to the repository root
	// ("" for the root). Together they map a Go import path to the
	// repository directory that annotations name.
	ModulePath string
	ModuleDir  string
	// RepoRoot is the absolute path of the checkout on the workers
	// ($GITHUB_WORKSPACE), stripped from absolute paths in stack traces.
	RepoRoot string
	// JobOverhead is the fixed cost of one matrix job in seconds
	// (checkout, setup, build), added to each predicted wall time.
	JobOverhead float64
	// TargetDuration, when above 0, is the wall time in seconds that the
	// recommended worker count should meet.
	TargetDuration float64
	// ReportURL links the full report; "" points at report.html in the
	// report directory.
	ReportURL string
	// MaxBytes bounds the summary; 0 means DefaultMaxBytes.
	MaxBytes int
	// Generated is when the report was made, shown in the HTML footer;
	// the zero time leaves it out so that output stays reproducible.
	Generated time.Time
}

func (o Options) title() string {
	if o.Title == "" {
		return "xshard"
	}
	return o.Title
}

func (o Options) maxBytes() int {
	if o.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return o.MaxBytes
}

// runStatus is the one-word verdict of a run and why.
type runStatus struct {
	Word  string // "passed", "failed", "incomplete", "no tests"
	Icon  string
	Class string // CSS class in the HTML report
}

func statusOf(res *merge.Result) runStatus {
	t := res.Totals
	switch {
	case t.Failed+t.Errors > 0:
		return runStatus{"failed", "❌", "bad"}
	case !res.Verification.OK() || len(res.Problems) > 0:
		return runStatus{"incomplete", "⚠️", "warn"}
	case t.Tests == 0:
		return runStatus{"no tests", "⚠️", "warn"}
	}
	return runStatus{"passed", "✅", "good"}
}

// duration formats seconds for people: "0.42s", "12.3s", "3m 10s",
// "1h 02m".
func duration(s float64) string {
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return "?"
	}
	if s < 0 {
		return "-" + duration(-s)
	}
	switch {
	case s == 0:
		return "0s"
	case s < 10:
		return strconv.FormatFloat(s, 'f', 2, 64) + "s"
	case s < 60:
		return strconv.FormatFloat(s, 'f', 1, 64) + "s"
	}
	r := int64(math.Round(s))
	if r < 3600 {
		return fmt.Sprintf("%dm %02ds", r/60, r%60)
	}
	return fmt.Sprintf("%dh %02dm", r/3600, (r%3600)/60)
}

// testDuration formats one test's time: milliseconds under a second,
// where most tests are ("0 ms", "<1 ms", "140 ms"), else as duration.
// The page's script formats the table of all tests the same way.
func testDuration(s float64) string {
	if ms := math.Round(s * 1000); ms < 1000 && ms >= 0 {
		if ms == 0 && s > 0 {
			return "<1 ms"
		}
		return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
	}
	return duration(s)
}

// count formats n with thousands separators: 1,234,567.
func count[T ~int | ~int64](n T) string {
	s := strconv.FormatInt(int64(n), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// percent formats a share 0..100 with one decimal.
func percent(p float64) string { return strconv.FormatFloat(p, 'f', 1, 64) + "%" }

// plural returns "1 test" or "2 tests".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return count(n) + " " + many
}

// clip shortens s to at most n bytes at a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// clipLines keeps at most n lines and m bytes of s.
func clipLines(s string, n, m int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > n {
		s = strings.Join(lines[:n], "") + fmt.Sprintf("… %d more lines\n", len(lines)-n)
	}
	return clip(s, m)
}
