package junit_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/junit"
	"github.com/xshard/xshard/internal/model"
)

func FuzzRead(f *testing.F) {
	for _, path := range fixtures(f) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range hostile {
		f.Add([]byte(s))
	}
	const maxMsg, maxDetail = 16, 64
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, in []byte) {
		var cases []model.Case
		_, err := junit.Read(bytes.NewReader(in), junit.ReadOptions{MaxMessage: maxMsg, MaxDetail: maxDetail}, func(c *model.Case) error {
			if c.Outcome > model.Skipped || c.FailedAttempts < 0 || !model.UsableSeconds(c.Seconds) || c.BadTime && c.Seconds != 0 {
				t.Errorf("bad case %+v", c)
			}
			if len(c.Message) > maxMsg+len("…[truncated]") || len(c.Detail) > maxDetail+len("…[truncated]") {
				t.Errorf("message or detail over its bound: %q, %q", c.Message, c.Detail)
			}
			cases = append(cases, *c)
			return nil
		})
		if err != nil {
			var d *diag.Error
			if !errors.As(err, &d) || d.Line < 1 {
				t.Fatalf("error %v is not a *diag.Error with a line", err)
			}
		}

		// Merge sees the same cases as Read, and what it keeps of the
		// input reads back as just as many cases.
		path := filepath.Join(dir, "in.xml")
		if err := os.WriteFile(path, in, 0o644); err != nil {
			t.Fatal(err)
		}
		var n int
		var out bytes.Buffer
		st, errs := junit.Merge(&out, []junit.Input{{Path: path, Worker: "gw0"}}, junit.MergeOptions{
			MaxMessage: maxMsg, MaxDetail: maxDetail,
			OnCase: func(c *model.Case) {
				if n < len(cases) && (c.Name != cases[n].Name || c.Outcome != cases[n].Outcome || c.Message != cases[n].Message || c.Detail != cases[n].Detail) {
					t.Errorf("Merge case %d = %+v, Read gave %+v", n, *c, cases[n])
				}
				n++
			},
		})
		if n != len(cases) || st.Cases != len(cases) {
			t.Fatalf("Merge saw %d cases and wrote %d, Read %d", n, st.Cases, len(cases))
		}
		if (err == nil) != (len(errs) == 0) {
			t.Fatalf("Read error %v, Merge errors %v", err, errs)
		}
		// Whatever the input, the merged document is well-formed XML 1.0.
		if err := wellFormed(out.Bytes()); err != nil {
			t.Fatalf("merged output is not well-formed XML: %v\n%q", err, out.Bytes())
		}
		if err == nil {
			m := 0
			_, err := junit.Read(&out, junit.ReadOptions{}, func(*model.Case) error { m++; return nil })
			if err != nil || m != len(cases) {
				t.Fatalf("merged output gives %d cases and error %v, want %d cases\n%s", m, err, len(cases), out.Bytes())
			}
		}

		// Held cases (a queue's requeued tests): every other one dropped,
		// the others marked; still well-formed, with the totals of what
		// is written.
		held := 0
		var outHeld bytes.Buffer
		st, _ = junit.Merge(&outHeld, []junit.Input{{Path: path, Worker: "gw0"}}, junit.MergeOptions{
			OnCase: func(*model.Case) {},
			Hold: func(int, *model.Case) uint64 {
				held++
				return uint64(held%2 + 1)
			},
			Resolve: func(key uint64) (bool, []junit.Property) {
				return key == 2, []junit.Property{{Name: junit.RequeuedProperty, Value: "gw1 <\"&'>\t\n"}}
			},
		})
		// The first, third, ... are dropped.
		if drop := (len(cases) + 1) / 2; held != len(cases) || st.Dropped != drop || st.Cases != len(cases)-drop {
			t.Fatalf("held %d of %d cases, dropped %d and wrote %d; want all held, %d dropped, %d written", held, len(cases), st.Dropped, st.Cases, drop, len(cases)-drop)
		}
		if err := wellFormed(outHeld.Bytes()); err != nil {
			t.Fatalf("merged output with held cases is not well-formed XML: %v\n%q", err, outHeld.Bytes())
		}
		if err == nil {
			m := 0
			_, err := junit.Read(&outHeld, junit.ReadOptions{}, func(*model.Case) error { m++; return nil })
			if err != nil || m != st.Cases {
				t.Fatalf("merged output with held cases gives %d cases and error %v, want %d\n%s", m, err, st.Cases, outHeld.Bytes())
			}
		}
	})
}

// wellFormed reads b to its end with encoding/xml in strict mode, which
// rejects what XML 1.0 does not allow: characters it cannot hold, raw or
// as references, undeclared entities, duplicate attributes, '<' in an
// attribute value, unbalanced tags.
func wellFormed(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := d.Token(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// hostile are inputs that the merger accepts but whose bytes, copied
// through, would not be well-formed XML.
var hostile = []string{
	"<testsuite name=\"s\"><testcase name=\"nul\x00byte\"><system-out>a\x00b\x1b[31m</system-out></testcase></testsuite>",
	`<testsuite name="s"><testcase name="refs &#0; &#x1B;"><failure message="&#1;">&#27;[31mred&#xFFFE;</failure></testcase></testsuite>`,
	`<testsuite name="s" name="t"><testcase name="a" name="b" time="1" time="2"><failure message="x" message="y"/></testcase></testsuite>`,
	`<testsuite name="s"><testcase name="a<b" classname="c<d"><skipped message="<"/></testcase></testsuite>`,
	`<testsuite name="s"><testcase name="amp & amp"><system-out>x & y &nbsp; &#; &#xZZ; AT&T</system-out></testcase></testsuite>`,
	"<testsuite name=\"s\"><testcase name=\"a\"><system-out>\xef\xbf\xbe \xef\xbf\xbf ]]> <!-- \x01 --> <?pi \x02?></system-out></testcase></testsuite>",
	`<testsuite name="s"><testcase name="a"><x 1bad="v" good="w"/><y z=></y></testcase></testsuite>`,
	`<testsuites><testsuite name="s"><properties><property name="p" value="a<b" value="c"/></properties><testcase name="a"/><system-out>&bogus;</system-out></testsuite></testsuites>`,
}
