package cobertura

import (
	"github.com/xshard/xshard/internal/memtest"
	"io"
	"strings"
	"testing"
)

// TestOneGigabyteLineIsAnErrorInBoundedMemory: a 1 GiB attribute or run
// of text stops the reader at MaxToken with the line named; encoding/xml
// alone would hold it whole.
func TestOneGigabyteLineIsAnErrorInBoundedMemory(t *testing.T) {
	for _, tc := range []struct{ name, head, want string }{
		{"text", "<coverage>\n<sources><source>", ":2: a tag or text longer than 16 MiB"},
		{"attribute", "<coverage>\n<packages><package name=\"", ":2: a tag or text longer than 16 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := io.MultiReader(strings.NewReader(tc.head), memtest.Repeat('x', 1<<30))
			var err error
			alloc := memtest.Allocated(func() { _, err = Parse(in) })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want ...%s", err, tc.want)
			}
			if alloc > 8*MaxToken {
				t.Errorf("allocated %d MiB, want it bounded by MaxToken", alloc>>20)
			}
		})
	}
}
