package gotest

import (
	"github.com/xshard/xshard/internal/memtest"
	"io"
	"strings"
	"testing"

	"github.com/xshard/xshard/internal/model"
)

// TestOneGigabyteLineInBoundedMemory: a 1 GiB line of output is read
// past (with a warning that it was cut) without holding it; its event
// and the events around it are kept.
func TestOneGigabyteLineInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 1 GiB")
	}
	ev := func(action, test string) string {
		return `{"Action":"` + action + `","Package":"p","Test":"` + test + `","Elapsed":0.5}` + "\n"
	}
	in := io.MultiReader(
		strings.NewReader(ev("run", "TestA")+`{"Action":"output","Package":"p","Test":"TestA","Output":"`),
		memtest.Repeat('x', 1<<30),
		strings.NewReader("\"}\n"+ev("pass", "TestA")+ev("run", "TestB")+ev("pass", "TestB")),
	)
	var names []string
	var err error
	var st Stats
	alloc := memtest.Allocated(func() {
		st, err = Read(in, Options{Source: "big.json"}, func(c *model.Case) error {
			names = append(names, c.Name)
			return nil
		})
	})
	if len(names) < 2 || names[0] != "TestA" || names[1] != "TestB" {
		t.Errorf("cases %q (error %v), want TestA and TestB first", names, err)
	}
	if err != nil {
		t.Errorf("error = %v, want none", err)
	}
	if len(st.Warnings) != 1 || !strings.HasPrefix(st.Warnings[0].Error(), "big.json:2: line of 1073741") {
		t.Errorf("warnings = %v, want the long line named", st.Warnings)
	}
	if alloc > 64<<20 {
		t.Errorf("allocated %d MiB, want it bounded", alloc>>20)
	}
}
