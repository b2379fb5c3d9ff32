package memlimit

import (
	"math"
	"runtime/debug"
	"testing"
	"time"
)

var threshold = float64(64 << 20)

var config = Config{Small: Phase{Heap: 64 << 20, GOGC: 100}, LargeGOGC: 25, Floor: 96 << 20, Headroom: 0.1, Interval: time.Millisecond}

func TestGOGCAndLimit(t *testing.T) {
	tests := []struct {
		name      string
		live      uint64
		wantGOGC  int
		wantLimit int64
	}{
		{"a small heap collects at GOGC 100, under the floor", 10 << 20, 100, 96 << 20},
		{"a heap at the threshold is still small: goal 128 MiB, limit 10% above", 64 << 20, 100, int64(threshold * 2.1)},
		{"a large heap collects at GOGC 25, its limit 35% above it", 200 << 20, 25, 270 << 20},
		{"no heap gets the floor", 0, 100, 96 << 20},
		{"a limit past int64 is the largest", math.MaxUint64, 25, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := GOGC(config, tt.live)
			l := Limit(config, g, tt.live)
			if g != tt.wantGOGC || l != tt.wantLimit {
				t.Errorf("live %d: GOGC %d, limit %d; want %d, %d", tt.live, g, l, tt.wantGOGC, tt.wantLimit)
			}
		})
	}
}

// Follow sets GOGC and the limit at once, and stop gives back those
// there were.
func TestFollowSetsAndRestores(t *testing.T) {
	c := config
	c.Floor = 1 << 40 // far above this test's heap: the floor is what is set
	c.Small.GOGC = 77
	beforeLimit := debug.SetMemoryLimit(-1)
	beforeGOGC := debug.SetGCPercent(123)
	stop := Follow(c)
	time.Sleep(20 * time.Millisecond)
	duringLimit := debug.SetMemoryLimit(-1)
	duringGOGC := debug.SetGCPercent(77)
	stop()
	afterLimit := debug.SetMemoryLimit(-1)
	afterGOGC := debug.SetGCPercent(beforeGOGC)
	if duringLimit != c.Floor || duringGOGC != 77 {
		t.Errorf("while following: limit %d, GOGC %d; want %d, 77", duringLimit, duringGOGC, c.Floor)
	}
	if afterLimit != beforeLimit || afterGOGC != 123 {
		t.Errorf("after stop: limit %d, GOGC %d; want %d, 123 as before", afterLimit, afterGOGC, beforeLimit)
	}
}
