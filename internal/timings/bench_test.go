package timings

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/xshard/xshard/internal/model"
)

// file1M is a timings file of a million tests, as merge writes it.
var file1M = sync.OnceValue(func() []byte {
	r := rand.New(rand.NewPCG(1, 2))
	tests := make(map[string]float64, 1_000_000)
	for mod := range 10 {
		for svc := range 100 {
			for test := range 1000 {
				id := fmt.Sprintf("com.example.module%d.Service%dTest.test%dHandlesCase%d", mod, svc, test, r.IntN(1000))
				tests[id] = float64(r.IntN(1_000_000)) / 1000
			}
		}
	}
	files := make(map[string]float64, 1000)
	for mod := range 10 {
		for svc := range 100 {
			files[fmt.Sprintf("src/test/java/com/example/module%d/Service%dTest.java", mod, svc)] = float64(r.IntN(100_000_000)) / 1000
		}
	}
	var buf bytes.Buffer
	f := &File{Runs: 7, Timings: model.Timings{Files: files}}
	if err := WriteTests(&buf, f, sorted(tests)); err != nil {
		panic(err)
	}
	return buf.Bytes()
})

func benchmarkRead(b *testing.B, read func(io.Reader, string) (*File, error)) {
	data := file1M()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		// As ingest.ReadTimingsFile hands it over.
		f, err := read(bufio.NewReaderSize(bytes.NewReader(data), 64<<10), "timings.json")
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Timings.Tests) != 1_000_000 {
			b.Fatalf("read %d tests, want 1000000", len(f.Timings.Tests))
		}
	}
}

// BenchmarkRead1M reads a timings file of a million tests (some 80 MB).
func BenchmarkRead1M(b *testing.B) { benchmarkRead(b, Read) }

// BenchmarkRead1MTokenParser is BenchmarkRead1M with the Token-based
// parser that Read replaced, for comparison.
func BenchmarkRead1MTokenParser(b *testing.B) { benchmarkRead(b, oldRead) }

// BenchmarkStream1M streams the tests of the same file, as merge reads
// its history.
func BenchmarkStream1M(b *testing.B) {
	data := file1M()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		s, err := newStream(bufio.NewReaderSize(bytes.NewReader(data), 64<<10), "timings.json")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			if _, _, ok := s.Next(); !ok {
				break
			}
			n++
		}
		if _, err := s.Rest(); err != nil || n != 1_000_000 {
			b.Fatalf("streamed %d tests, %v", n, err)
		}
	}
}

// BenchmarkHistoryStream1M streams an outcome history of a million tests
// with 20 marks each, as merge and shard --only-failed read it.
func BenchmarkHistoryStream1M(b *testing.B) {
	var buf bytes.Buffer
	hw := NewHistoryWriter(&buf, &History{Length: 20, Runs: 20})
	tests := map[string]float64{}
	for k := range sorted(mustRead(b).Timings.Tests) {
		tests[k] = 0
	}
	for k := range sorted(tests) {
		hw.Add(k, "PPPPPPPPPPFPPPPPPPKP")
	}
	hw.Close()
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		s, err := newHistoryStream(bufio.NewReaderSize(bytes.NewReader(data), 64<<10), "history.json")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for range s.All() {
			n++
		}
		if s.Err() != nil || n != 1_000_000 {
			b.Fatalf("streamed %d tests, %v", n, s.Err())
		}
	}
}

func mustRead(b *testing.B) *File {
	f, err := Read(bytes.NewReader(file1M()), "timings.json")
	if err != nil {
		b.Fatal(err)
	}
	return f
}
