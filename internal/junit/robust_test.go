package junit_test

import (
	"bytes"
	"github.com/xshard/xshard/internal/memtest"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xshard/xshard/internal/junit"
	"github.com/xshard/xshard/internal/model"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

const gigabyte = 1 << 30

func TestReadOneGigabyteLineOfOutputInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 1 GiB")
	}
	in := &countingReader{r: io.MultiReader(
		strings.NewReader(`<testsuites><testsuite name="s"><testcase name="big"><failure message="m">`),
		memtest.Repeat('x', gigabyte),
		strings.NewReader(`</failure></testcase><testcase name="after"/></testsuite></testsuites>`),
	)}
	var names []string
	var detail int
	var err error
	alloc := memtest.Allocated(func() {
		_, err = junit.Read(in, junit.ReadOptions{}, func(c *model.Case) error {
			names = append(names, c.Name)
			if c.Name == "big" {
				detail = len(c.Detail)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if in.n < gigabyte {
		t.Errorf("read %d bytes, want the whole input", in.n)
	}
	if len(names) != 2 || detail > junit.DefaultMaxDetail+len("…[truncated]") {
		t.Errorf("cases %q, detail %d bytes: want both cases, the detail cut to %d", names, detail, junit.DefaultMaxDetail)
	}
	if alloc > 16<<20 {
		t.Errorf("reading a 1 GiB line allocated %d MiB, want it bounded (under 16 MiB)", alloc>>20)
	}
}

func TestReadOneGigabyteTagStopsWithAnErrorInBoundedMemory(t *testing.T) {
	in := &countingReader{r: io.MultiReader(
		strings.NewReader("<testsuites><testsuite name=\"s\"><testcase name=\"kept\"/>\n<testcase name=\"x\" message=\""),
		memtest.Repeat('x', gigabyte),
		strings.NewReader(`"/></testsuite></testsuites>`),
	)}
	var names []string
	var err error
	alloc := memtest.Allocated(func() {
		_, err = junit.Read(in, junit.ReadOptions{Source: "big.xml"}, func(c *model.Case) error {
			names = append(names, c.Name)
			return nil
		})
	})
	want := "big.xml:2:1: a tag or DOCTYPE longer than 16 MiB (binary data, or a broken report?): reading stops here"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	if len(names) != 1 || names[0] != "kept" {
		t.Errorf("cases %q, want the one before the long tag", names)
	}
	if in.n > 2*junit.MaxTag || alloc > 4*junit.MaxTag {
		t.Errorf("read %d MiB and allocated %d MiB, want both bounded by MaxTag", in.n>>20, alloc>>20)
	}
}

func TestInvalidUTF8BecomesReplacementCharacters(t *testing.T) {
	// Merge copies through 256 KiB windows: over these paddings one of
	// them ends inside "é", which must survive the cut.
	for shift := 0; shift < 120; shift++ {
		pad := strings.Repeat("a", 256<<10-120+shift)
		doc := "<testsuite name=\"s\"><testcase name=\"bad\xff\xfe name\">" +
			"<failure message=\"m\xc3\">" + pad + "é\xe2\x82</failure></testcase>" +
			"<testcase name=\"ok é\"/></testsuite>"
		var cases []model.Case
		if _, err := junit.Read(strings.NewReader(doc), junit.ReadOptions{MaxDetail: 1 << 20}, func(c *model.Case) error {
			cases = append(cases, *c)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(cases) != 2 || cases[0].Name != "bad\uFFFD name" || cases[0].Message != "m\uFFFD" || !strings.HasSuffix(cases[0].Detail, "é\uFFFD") || cases[1].Name != "ok é" {
			t.Fatalf("cases not repaired: %q %q ...%q", cases[0].Name, cases[0].Message, cases[0].Detail[len(cases[0].Detail)-8:])
		}

		path := filepath.Join(t.TempDir(), "in.xml")
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if _, errs := junit.Merge(&out, []junit.Input{{Path: path, Worker: "gw0"}}, junit.MergeOptions{}); len(errs) > 0 {
			t.Fatal(errs)
		}
		if !utf8.Valid(out.Bytes()) {
			t.Fatalf("padding %d: merged output is not UTF-8", len(pad))
		}
		for _, want := range []string{`name="bad` + "\uFFFD" + ` name"`, "aé\uFFFD</failure>", `name="ok é"`} {
			if !strings.Contains(out.String(), want) {
				t.Fatalf("padding %d: merged output lacks %q", len(pad), want)
			}
		}
		if shift == 0 {
			checkWithEncodingXML(t, out.Bytes())
		}
	}
}
