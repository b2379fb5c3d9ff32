// Command merge combines what the workers of a sharded test run uploaded
// into one report and verifies that nothing was lost. See the README for
// usage.
package main

import (
	"os"
	"runtime/debug"

	"github.com/xshard/xshard/internal/cli"
)

// gcPercent is merge's GOGC unless the environment sets one. Its memory
// is mostly a pointer-free table of every test, which the collector
// need not scan, so collecting four times as often as Go's default costs
// little CPU and keeps the peak memory of a million-test merge about a
// third lower (docs/benchmarks.md).
const gcPercent = 25

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	os.Exit(cli.Merge(os.Args[1:], cli.OSEnv()))
}
