package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xshard/xshard/internal/merge"
)

// The terminal gets plain text: no Markdown escapes (a reader would see
// "ledger\_test.go"), only what cannot harm a terminal or a log taken out.
// In GitHub Actions the caller writes it between stop-commands markers
// (WriteLog), so that a line of it cannot become a workflow command.

const (
	textMessageLines = 3
	textLineBytes    = 300
)

// PlainText makes s, untrusted text, printable on one line of a terminal:
// valid UTF-8, with line breaks, tabs and every other control character
// (escape sequences included) turned into spaces, and the ends trimmed.
func PlainText(s string) string { return oneLine(s) }

// WriteFailuresText writes the first limit failures of res for a terminal,
// each as a line naming the test, the worker and where it failed, then
// the first lines of its message indented, and says how many it left
// out.
func WriteFailuresText(w io.Writer, res *merge.Result, opts Options, limit int) {
	total := max(res.Totals.Failed+res.Totals.Errors, len(res.Failures))
	shown := min(len(res.Failures), limit)
	for i := range res.Failures[:shown] {
		c := &res.Failures[i]
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s on %s", strings.ToUpper(verb(c.Outcome)), PlainText(res.Name(c)), PlainText(workerName(c.Worker)))
		if c.Seconds > 0 {
			fmt.Fprintf(&b, " after %s", duration(c.Seconds))
		}
		if f, n := Locate(c, opts); f != "" {
			fmt.Fprintf(&b, " at %s", PlainText(f+":"+strconv.Itoa(n)))
		}
		b.WriteString("\n")
		msg := strings.TrimSpace(c.Message)
		if msg == "" {
			msg = firstLine(c.Detail)
		}
		lines := 0
		for line := range strings.SplitSeq(msg, "\n") {
			if line = PlainText(line); line == "" {
				continue
			}
			if lines == textMessageLines {
				b.WriteString("    …\n")
				break
			}
			b.WriteString("    " + clip(line, textLineBytes) + "\n")
			lines++
		}
		io.WriteString(w, b.String())
	}
	if total > shown {
		fmt.Fprintf(w, "... and %s (summary.md, report.html and junit.xml have them)\n", plural(total-shown, "more failure", "more failures"))
	}
}
