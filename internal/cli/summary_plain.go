package cli

import (
	"fmt"
	"strings"

	"github.com/xshard/xshard/internal/atomicfile"
	"github.com/xshard/xshard/internal/merge"
)

// plainSummary is a first Markdown summary.
func plainSummary(res *merge.Result) string {
	var b strings.Builder
	t := res.Totals
	fmt.Fprintf(&b, "# xshard: %d tests\n\n| passed | failed | errors | skipped | flaky |\n|---|---|---|---|---|\n| %d | %d | %d | %d | %d |\n", t.Tests, t.Passed, t.Failed, t.Errors, t.Skipped, t.Flaky)
	return b.String()
}

func writeFile(path, s string) error { return atomicfile.WriteFile(path, []byte(s)) }
