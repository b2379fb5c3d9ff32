package lcov

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

// TestOneGigabyteLineIsAnErrorInBoundedMemory: a 1 GiB line stops the
// reader at MaxLine with the line named.
func TestOneGigabyteLineIsAnErrorInBoundedMemory(t *testing.T) {
	in := io.MultiReader(strings.NewReader("TN:\nSF:a.c\n"), &repeatReader{c: 'x', n: 1 << 30})
	var err error
	alloc := allocated(func() { _, err = Parse(in) })
	want := ":3: line longer than 64 MiB (binary data, or a broken tracefile?): reading stops here"
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("error = %v, want ...%s", err, want)
	}
	if alloc > 4*MaxLine {
		t.Errorf("allocated %d MiB, want it bounded by MaxLine", alloc>>20)
	}
}
