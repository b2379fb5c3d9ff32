// Command merge combines what the workers of a sharded test run uploaded
// into one report and verifies that nothing was lost. See the README for
// usage.
package main

import (
	"os"
	"time"

	"github.com/xshard/xshard/internal/cli"
	"github.com/xshard/xshard/internal/memlimit"
)

// gc tunes the collector unless the environment sets GOGC or GOMEMLIMIT
// (internal/memlimit): GOGC 100 while the live heap is under 64 MiB, for
// the many small merges, and 25 above, for the large ones, whose memory
// is mostly a pointer-free table of every test that the collector need
// not scan, so collecting four times as often costs little CPU and keeps
// the peak a third lower; the soft memory limit 10% above the heap goal
// (docs/benchmarks.md).
var gc = memlimit.Config{
	Small:     memlimit.Phase{Heap: 64 << 20, GOGC: 100},
	LargeGOGC: 25,
	Floor:     96 << 20,
	Headroom:  0.1,
	Interval:  20 * time.Millisecond,
}

func main() {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		defer memlimit.Follow(gc)()
	}
	os.Exit(cli.Merge(os.Args[1:], cli.OSEnv()))
}
