package cobertura

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// benchReport writes a report of classes×lines lines, a branch every
// fifth line.
func benchReport(seed, classes, lines int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" ?><coverage version="7.4.0" timestamp="1"><packages><package name="app"><classes>`)
	for c := range classes {
		fmt.Fprintf(&b, `<class name="m%d.py" filename="app/m%d.py"><methods/><lines>`, c, c)
		for l := 1; l <= lines; l++ {
			if l%5 == 0 {
				fmt.Fprintf(&b, `<line number="%d" hits="%d" branch="true" condition-coverage="50%% (1/2)" missing-branches="%d"/>`, l, (seed+l)%3, l+1+seed%2)
			} else {
				fmt.Fprintf(&b, `<line number="%d" hits="%d"/>`, l, (seed+l)%3)
			}
		}
		b.WriteString(`</lines></class>`)
	}
	b.WriteString(`</classes></package></packages></coverage>`)
	return b.Bytes()
}

// BenchmarkMerge merges 8 reports of 200 classes × 200 lines.
func BenchmarkMerge(b *testing.B) {
	var inputs [][]byte
	size := 0
	for i := range 8 {
		inputs = append(inputs, benchReport(i, 200, 200))
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
