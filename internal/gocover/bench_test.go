package gocover

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// benchProfile writes a count-mode profile of files×perFile blocks whose
// counts depend on seed, like the profiles bench/cover/gen writes.
func benchProfile(seed, files, perFile int) []byte {
	var b []byte
	b = append(b, "mode: count\n"...)
	for f := range files {
		name := fmt.Sprintf("github.com/acme/platform/svc%02d/internal/pkg%02d/file%02d.go", f/400, f/8%50, f%8)
		for k := range perFile {
			b = append(b, name...)
			b = fmt.Appendf(b, ":%d.%d,%d.%d %d ", 10*k+1, 2, 10*k+3, 40, 1+k%5)
			b = strconv.AppendInt(b, int64((seed*31+k*7)%11)*int64(seed+k), 10)
			b = append(b, '\n')
		}
	}
	return b
}

func BenchmarkParse(b *testing.B) {
	data := benchProfile(1, 250, 200) // 50,000 blocks, ~3.5 MB
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := parse("bench", 0, bytes.NewReader(data), 0, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMergeFiles merges 8 profiles of 50,000 blocks from disk, the
// path the merge command takes.
func BenchmarkMergeFiles(b *testing.B) {
	dir := b.TempDir()
	var names []string
	size := 0
	for i := range 8 {
		data := benchProfile(i, 250, 200)
		size += len(data)
		n := filepath.Join(dir, fmt.Sprintf("%d.out", i))
		if err := os.WriteFile(n, data, 0o644); err != nil {
			b.Fatal(err)
		}
		names = append(names, n)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		var m Merger
		if err := m.AddFiles(names...); err != nil {
			b.Fatal(err)
		}
		if err := m.Write(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWrite(b *testing.B) {
	var m Merger
	data := benchProfile(1, 250, 200)
	if err := m.Add("bench", bytes.NewReader(data)); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := m.Write(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
