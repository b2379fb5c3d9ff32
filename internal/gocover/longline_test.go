package gocover

import (
	"github.com/xshard/xshard/internal/memtest"
	"io"
	"strings"
	"testing"
)

// TestOneGigabyteLineIsAnErrorInBoundedMemory: a 1 GiB line (binary
// data, a broken upload) stops the reader at MaxLine, with the line
// named, instead of taking a gigabyte of memory.
func TestOneGigabyteLineIsAnErrorInBoundedMemory(t *testing.T) {
	in := io.MultiReader(strings.NewReader("mode: set\na.go:1.1,2.2 1 1\n"), memtest.Repeat('x', 1<<30))
	var err error
	alloc := memtest.Allocated(func() { _, err = Parse(in) })
	want := ":3:1: line longer than 1 MiB: not a Go cover profile line (binary data, or a broken file?)"
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("error = %v, want ...%s", err, want)
	}
	if alloc > 8*MaxLine {
		t.Errorf("allocated %d MiB, want it bounded by MaxLine", alloc>>20)
	}
}
