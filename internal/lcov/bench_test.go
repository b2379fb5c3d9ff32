package lcov

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// benchTracefile writes files records of lines DA lines, a function per
// ten lines and a branch pair per five.
func benchTracefile(seed, files, lines int) []byte {
	var b bytes.Buffer
	for f := range files {
		fmt.Fprintf(&b, "TN:\nSF:src/pkg%02d/file%03d.js\n", f/50, f)
		for l := 1; l <= lines; l += 10 {
			fmt.Fprintf(&b, "FN:%d,fn%d\nFNDA:%d,fn%d\n", l, l, (seed+l)%3, l)
		}
		for l := 1; l <= lines; l += 5 {
			fmt.Fprintf(&b, "BRDA:%d,0,0,%d\nBRDA:%d,0,1,-\n", l, (seed*l)%4, l)
		}
		for l := 1; l <= lines; l++ {
			fmt.Fprintf(&b, "DA:%d,%d\n", l, (seed+l)%5)
		}
		b.WriteString("end_of_record\n")
	}
	return b.Bytes()
}

// BenchmarkMerge merges 8 tracefiles of 200 files × 200 lines.
func BenchmarkMerge(b *testing.B) {
	var inputs [][]byte
	size := 0
	for i := range 8 {
		inputs = append(inputs, benchTracefile(i, 200, 200))
		size += len(inputs[i])
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		var m Merger
		for i, in := range inputs {
			if err := m.Add(fmt.Sprint(i), bytes.NewReader(in)); err != nil {
				b.Fatal(err)
			}
		}
		if err := m.Write(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
