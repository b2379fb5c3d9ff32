package subtests

import (
	"testing"
	"time"
)

func TestTable(t *testing.T) {
	for _, name := range []string{"one", "two", "three"} {
		t.Run(name, func(t *testing.T) {
			if name == "two" {
				t.Fatal("two is broken")
			}
		})
	}
}

func TestParallel(t *testing.T) {
	for _, name := range []string{"a", "b", "c"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			time.Sleep(10 * time.Millisecond)
			t.Logf("done %s", name)
			if name == "b" {
				t.Error("b failed in parallel")
			}
		})
	}
}

func TestNested(t *testing.T) {
	t.Run("outer", func(t *testing.T) {
		t.Run("inner", func(t *testing.T) { t.Skip("skipped deep") })
		t.Run("inner ok", func(t *testing.T) {})
	})
}
