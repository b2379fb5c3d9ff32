package memtest

import (
	"io"
	"testing"
)

func TestRepeat(t *testing.T) {
	var n int64
	alloc := Allocated(func() {
		var err error
		n, err = io.Copy(io.Discard, Repeat('x', 1<<26))
		if err != nil {
			t.Error(err)
		}
	})
	if n != 1<<26 {
		t.Errorf("read %d bytes, want %d", n, 1<<26)
	}
	if alloc > 1<<20 {
		t.Errorf("reading 64 MiB allocated %d bytes; the reader must hold nothing", alloc)
	}
	b, _ := io.ReadAll(Repeat('y', 3))
	if string(b) != "yyy" {
		t.Errorf("Repeat('y', 3) = %q", b)
	}
}
