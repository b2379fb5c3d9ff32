// Command merge combines what the workers of a sharded test run uploaded
// into one report and verifies that nothing was lost. See the README for
// usage.
package main

import (
	"os"
	"runtime/debug"
	"time"

	"github.com/xshard/xshard/internal/cli"
	"github.com/xshard/xshard/internal/memlimit"
)

// gcPercent is merge's GOGC unless the environment sets one. Its memory
// is mostly a pointer-free table of every test, which the collector
// need not scan, so collecting four times as often as Go's default costs
// little CPU and keeps the peak memory of a million-test merge about a
// third lower (docs/benchmarks.md).
const gcPercent = 25

// The soft memory limit follows the live heap at limitRatio times it,
// above GOGC 25's heap goal, and is at least limitFloor
// (internal/memlimit), unless the environment sets GOMEMLIMIT.
const (
	limitFloor = 64 << 20
	limitRatio = 1.35
)

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
		if os.Getenv("GOMEMLIMIT") == "" {
			defer memlimit.Follow(limitFloor, limitRatio, 20*time.Millisecond)()
		}
	}
	os.Exit(cli.Merge(os.Args[1:], cli.OSEnv()))
}
