// Package memtest helps tests prove that a reader's memory stays bounded
// on huge inputs: a reader of any length that holds nothing, and a count
// of the bytes a function allocates. Only tests import it.
package memtest

import (
	"io"
	"runtime"
)

// Repeat returns a reader of n copies of the byte c that holds none of
// them: a gigabyte of input without a gigabyte of memory or disk.
func Repeat(c byte, n int64) io.Reader { return &repeatReader{c: c, n: n} }

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

// Allocated runs fn and returns the bytes it allocated on the heap.
func Allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
