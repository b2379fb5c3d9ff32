// Package memlimit tunes the Go collector of a command that goes through
// phases of different memory, from a goroutine that follows the live
// heap:
//
//   - GOGC is Small.GOGC while the live heap is under Small.Heap, and
//     Large.GOGC above it: a small run spends little on collecting, a
//     large one little memory beyond its live heap. Merging 8 reports
//     took a quarter less CPU at GOGC 100 than at 25; merging a million
//     tests peaked a third lower at 25 (docs/benchmarks.md).
//   - The soft memory limit stays a little above the heap goal that GOGC
//     sets (live × (1 + GOGC/100)), so it never triggers a collection,
//     but the scavenger keeps the memory retained under it. The runtime
//     otherwise gives freed pages back lazily: in a merge of a million
//     tests the reports are built after the index of the inputs is
//     freed, and the peak resident memory was some 100 MB above the live
//     heap. A fixed limit near the live heap would trim that too, but
//     make the collector run back to back on inputs larger than it was
//     set for (on twice the tests, 70% more CPU); following the heap does
//     neither.
package memlimit

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Phase is a GOGC for heaps up to Heap bytes live.
type Phase struct {
	Heap uint64
	GOGC int
}

// Config configures Follow.
type Config struct {
	// Small applies while the live heap is at most Small.Heap bytes,
	// LargeGOGC above.
	Small     Phase
	LargeGOGC int
	// Floor is the least memory limit; Headroom the fraction of the live
	// heap the limit keeps above the heap goal.
	Floor    int64
	Headroom float64
	// Interval is how often the live heap is read.
	Interval time.Duration
}

// Follow applies c until stop is called; stop restores the GOGC and the
// memory limit there were.
func Follow(c Config) (stop func()) {
	oldLimit := debug.SetMemoryLimit(-1)
	oldGOGC := debug.SetGCPercent(c.Small.GOGC)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(c.Interval)
		defer t.Stop()
		gogc := c.Small.GOGC
		for {
			metrics.Read(s)
			live := s[0].Value.Uint64()
			if g := GOGC(c, live); g != gogc {
				gogc = g
				debug.SetGCPercent(g)
			}
			debug.SetMemoryLimit(Limit(c, gogc, live))
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
		debug.SetMemoryLimit(oldLimit)
		debug.SetGCPercent(oldGOGC)
	}
}

// GOGC returns the GOGC for a live heap of live bytes.
func GOGC(c Config, live uint64) int {
	if live <= c.Small.Heap {
		return c.Small.GOGC
	}
	return c.LargeGOGC
}

// Limit returns the memory limit for a live heap of live bytes under
// gogc: live × (1 + gogc/100 + Headroom), at least Floor, at most
// math.MaxInt64.
func Limit(c Config, gogc int, live uint64) int64 {
	l := float64(live) * (1 + float64(gogc)/100 + c.Headroom)
	if l >= math.MaxInt64 {
		return math.MaxInt64
	}
	return max(c.Floor, int64(l))
}
