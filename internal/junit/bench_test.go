package junit_test

import (
	"io"
	"os"
	"testing"

	"github.com/xshard/xshard/internal/junit"
	"github.com/xshard/xshard/internal/junit/junitgen"
	"github.com/xshard/xshard/internal/model"
)

// BenchmarkMerge merges 8 generated files, about 32 MB and 64,000
// testcases in all; bench/junit/run.sh measures the full-size set.
func BenchmarkMerge(b *testing.B) {
	paths, err := junitgen.Set(b.TempDir(), 8, 32<<20, 64000)
	if err != nil {
		b.Fatal(err)
	}
	var inputs []junit.Input
	var size int64
	for i, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			b.Fatal(err)
		}
		size += fi.Size()
		inputs = append(inputs, junit.Input{Path: p, Worker: model.WorkerID(i)})
	}
	for _, onCase := range []bool{false, true} {
		name := "copy"
		opts := junit.MergeOptions{}
		if onCase {
			name = "copy+cases"
			opts.OnCase = func(*model.Case) {}
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				if _, errs := junit.Merge(io.Discard, inputs, opts); len(errs) > 0 {
					b.Fatal(errs)
				}
			}
		})
	}
}

// BenchmarkRead reads one generated file of about 4 MB.
func BenchmarkRead(b *testing.B) {
	paths, err := junitgen.Set(b.TempDir(), 1, 4<<20, 8000)
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(paths[0])
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := junit.Read(newBytesReader(data), junit.ReadOptions{}, func(*model.Case) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

type bytesReader struct{ b []byte }

func newBytesReader(b []byte) *bytesReader { return &bytesReader{b} }

func (r *bytesReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}
