package gocover

import (
	"io"
	"runtime"
	"strings"
	"testing"
)

// repeatReader yields n copies of the byte c without holding them.
type repeatReader struct {
	c byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = r.c
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// allocated runs fn and returns the bytes it allocated on the heap.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestOneGigabyteLineIsAnErrorInBoundedMemory: a 1 GiB line (binary
// data, a broken upload) stops the reader at MaxLine, with the line
// named, instead of taking a gigabyte of memory.
func TestOneGigabyteLineIsAnErrorInBoundedMemory(t *testing.T) {
	in := io.MultiReader(strings.NewReader("mode: set\na.go:1.1,2.2 1 1\n"), &repeatReader{c: 'x', n: 1 << 30})
	var err error
	alloc := allocated(func() { _, err = Parse(in) })
	want := ":3:1: line longer than 1 MiB: not a Go cover profile line (binary data, or a broken file?)"
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("error = %v, want ...%s", err, want)
	}
	if alloc > 8*MaxLine {
		t.Errorf("allocated %d MiB, want it bounded by MaxLine", alloc>>20)
	}
}
