package retry

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// The history tests stand for a suite's tests over many CI runs, for the
// end-to-end test of xshard's run history (internal/e2e): it sets
// XSHARD_DEMO_RUN to the run's number (1, 2, ...) and XSHARD_DEMO_COUNTER
// to a file that counts executions. Without them all three pass, so that
// make demo and the other oracles stay green.

// demoRun is the run's number, 0 outside the history test.
func demoRun() int {
	n, _ := strconv.Atoi(os.Getenv("XSHARD_DEMO_RUN"))
	return n
}

// TestHistoryIntermittent fails on every second execution: the counter
// file holds how many times it ran before.
func TestHistoryIntermittent(t *testing.T) {
	path := os.Getenv("XSHARD_DEMO_COUNTER")
	if path == "" {
		return
	}
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err := os.WriteFile(path, []byte(strconv.Itoa(n+1)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if n%2 == 1 {
		t.Fatalf("intermittent failure (execution %d)", n)
	}
}

// TestHistoryBrokenFromRun3 breaks for good at run 3.
func TestHistoryBrokenFromRun3(t *testing.T) {
	if r := demoRun(); r >= 3 {
		t.Fatalf("broken since run 3 (this is run %d)", r)
	}
}

// TestHistoryFixedAtRun4 fails until run 4 fixes it.
func TestHistoryFixedAtRun4(t *testing.T) {
	if r := demoRun(); r > 0 && r < 4 {
		t.Fatalf("not fixed before run 4 (this is run %d)", r)
	}
}
