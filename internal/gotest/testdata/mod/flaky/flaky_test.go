package flaky

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFlaky fails on its first run and passes afterwards, counting runs in
// a file named by FLAKY_COUNTER.
func TestFlaky(t *testing.T) {
	path := os.Getenv("FLAKY_COUNTER")
	if path == "" {
		path = filepath.Join(os.TempDir(), "xshard-flaky-counter")
	}
	b, _ := os.ReadFile(path)
	os.WriteFile(path, append(b, 'x'), 0o644)
	if len(b) == 0 {
		t.Fatal("first attempt fails")
	}
}

func TestStable(t *testing.T) {}

func TestAlwaysFails(t *testing.T) { t.Error("always") }
