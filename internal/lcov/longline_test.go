package lcov

import (
	"github.com/xshard/xshard/internal/memtest"
	"io"
	"strings"
	"testing"
)

// TestOneGigabyteLineIsAnErrorInBoundedMemory: a 1 GiB line stops the
// reader at MaxLine with the line named.
func TestOneGigabyteLineIsAnErrorInBoundedMemory(t *testing.T) {
	in := io.MultiReader(strings.NewReader("TN:\nSF:a.c\n"), memtest.Repeat('x', 1<<30))
	var err error
	alloc := memtest.Allocated(func() { _, err = Parse(in) })
	want := ":3: line longer than 64 MiB (binary data, or a broken tracefile?): reading stops here"
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("error = %v, want ...%s", err, want)
	}
	if alloc > 4*MaxLine {
		t.Errorf("allocated %d MiB, want it bounded by MaxLine", alloc>>20)
	}
}
