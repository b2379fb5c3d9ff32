package dotnet

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"testing/iotest"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/junit"
	"github.com/xshard/xshard/internal/model"
)

// fuzzFormat seeds f with the table tests and golden inputs of format,
// and checks what the fuzzing finds for each input: Parse never panics,
// fails only with a *diag.Error on a line, returns sane cases, and the
// JUnit document ToJUnit writes reads back (with internal/junit, as
// merge reads it) as the same cases.
func fuzzFormat(f *testing.F, format Format, dir string) {
	for _, tt := range parseTests {
		if tt.format == format {
			f.Add([]byte(tt.in))
		}
	}
	inputs, _ := filepath.Glob(filepath.Join("testdata", dir, "*.input.*"))
	for _, in := range inputs {
		b, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		rep, err := ToJUnit(bytes.NewReader(in), &out, format)
		if err != nil {
			var d *diag.Error
			if !errors.As(err, &d) || d.Line < 1 {
				t.Fatalf("error %v is not a *diag.Error with a line", err)
			}
		}
		if rep == nil {
			t.Fatal("no report")
		}
		for _, c := range rep.Cases {
			if c.Outcome > model.Skipped || !(c.Seconds >= 0) || math.IsInf(c.Seconds, 0) || c.Suite != c.Classname {
				t.Fatalf("bad case %+v", c)
			}
		}
		// Split UTF-8 sequences and character references read the same.
		slow, serr := Parse(iotest.OneByteReader(bytes.NewReader(in)), format)
		// Repaired counts what was read ahead, which depends on the reads.
		slow.Repaired = rep.Repaired
		if (serr == nil) != (err == nil) || serr != nil && serr.Error() != err.Error() || !reflect.DeepEqual(slow, rep) {
			t.Fatalf("read a byte at a time: %v, %+v; at once: %v, %+v", serr, slow, err, rep)
		}
		var back []model.Case
		_, jerr := junit.Read(bytes.NewReader(out.Bytes()), junit.ReadOptions{MaxMessage: 16 << 20, MaxDetail: 16 << 20}, func(c *model.Case) error {
			back = append(back, *c)
			return nil
		})
		if jerr != nil {
			t.Fatalf("ToJUnit wrote a document junit.Read rejects: %v\n%s", jerr, out.Bytes())
		}
		if len(back) != len(rep.Cases) {
			t.Fatalf("ToJUnit wrote %d cases, junit.Read read %d", len(rep.Cases), len(back))
		}
		// ToJUnit groups the cases by suite, in the order suites first
		// appear.
		first := map[string]int{}
		written := slices.Clone(rep.Cases)
		for i, c := range written {
			if _, ok := first[c.Suite]; !ok {
				first[c.Suite] = i
			}
		}
		slices.SortStableFunc(written, func(a, b model.Case) int { return first[a.Suite] - first[b.Suite] })
		for i, c := range written {
			b := back[i]
			if b.Classname != c.Classname || b.Name != c.Name || b.Outcome != c.Outcome || b.Message != c.Message || b.Detail != c.Detail || b.Suite != c.Suite {
				t.Fatalf("case %d wrote\n%+v\nread back\n%+v", i, c, b)
			}
		}
	})
}

func FuzzNUnit2(f *testing.F) { fuzzFormat(f, NUnit2, "nunit2") }
func FuzzNUnit3(f *testing.F) { fuzzFormat(f, NUnit3, "nunit3") }
func FuzzXUnit(f *testing.F)  { fuzzFormat(f, XUnit, "xunit") }
func FuzzTRX(f *testing.F)    { fuzzFormat(f, TRX, "trx") }
