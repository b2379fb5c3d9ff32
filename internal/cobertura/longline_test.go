package cobertura

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

// TestOneGigabyteLineIsAnErrorInBoundedMemory: a 1 GiB attribute or run
// of text stops the reader at MaxToken with the line named; encoding/xml
// alone would hold it whole.
func TestOneGigabyteLineIsAnErrorInBoundedMemory(t *testing.T) {
	for _, tc := range []struct{ name, head, want string }{
		{"text", "<coverage>\n<sources><source>", ":2: a tag or text longer than 16 MiB"},
		{"attribute", "<coverage>\n<packages><package name=\"", ":2: a tag or text longer than 16 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := io.MultiReader(strings.NewReader(tc.head), &repeatReader{c: 'x', n: 1 << 30})
			var err error
			alloc := allocated(func() { _, err = Parse(in) })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want ...%s", err, tc.want)
			}
			if alloc > 8*MaxToken {
				t.Errorf("allocated %d MiB, want it bounded by MaxToken", alloc>>20)
			}
		})
	}
}
