// Package memlimit keeps the Go runtime's soft memory limit a little
// above the live heap, for commands that go through phases of different
// memory: so that the pages one phase freed go back to the operating
// system before the next phase's garbage piles up beside them, without
// the collector ever running more often than GOGC asks.
//
// The runtime returns freed pages lazily, in the background; in a merge
// of a million tests the reports are built after the index of the inputs
// is freed, and the peak resident memory was some 100 MB above the live
// heap (docs/benchmarks.md). A fixed limit close to the live heap would
// trim that, but make the collector run back to back on inputs larger
// than the limit was set for (a merge of twice as many tests took 70%
// more CPU). Following the live heap does neither: the limit stays above
// the heap goal that GOGC sets (live × (1 + GOGC/100)), so it never
// triggers a collection, while the scavenger keeps the memory retained
// under it.
package memlimit

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Follow sets the soft memory limit to max(floor, live × ratio) every
// interval, live being the heap live after the last collection, until
// stop is called; stop restores the limit there was. ratio must be above
// 1 + GOGC/100 for the limit never to trigger a collection.
func Follow(floor int64, ratio float64, interval time.Duration) (stop func()) {
	old := debug.SetMemoryLimit(-1)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			metrics.Read(s)
			debug.SetMemoryLimit(Limit(floor, ratio, s[0].Value.Uint64()))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		debug.SetMemoryLimit(old)
	}
}

// Limit returns max(floor, live × ratio), bounded by math.MaxInt64.
func Limit(floor int64, ratio float64, live uint64) int64 {
	l := float64(live) * ratio
	if l >= math.MaxInt64 {
		return math.MaxInt64
	}
	return max(floor, int64(l))
}
