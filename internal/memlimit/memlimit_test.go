package memlimit

import (
	"math"
	"runtime/debug"
	"testing"
	"time"
)

func TestLimit(t *testing.T) {
	tests := []struct {
		name  string
		floor int64
		ratio float64
		live  uint64
		want  int64
	}{
		{"a small heap gets the floor", 64 << 20, 1.35, 10 << 20, 64 << 20},
		{"a large heap gets ratio times its size", 64 << 20, 1.35, 200 << 20, 270 << 20},
		{"no heap gets the floor", 1, 2, 0, 1},
		{"a limit past int64 is the largest", 0, 1e30, math.MaxUint64, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Limit(tt.floor, tt.ratio, tt.live); got != tt.want {
				t.Errorf("Limit(%d, %v, %d) = %d, want %d", tt.floor, tt.ratio, tt.live, got, tt.want)
			}
		})
	}
}

// Follow sets a limit at once, never below the floor, and stop gives back
// the limit there was.
func TestFollowSetsAndRestoresTheLimit(t *testing.T) {
	const floor = 1 << 40 // far above this test's heap: the floor is what is set
	before := debug.SetMemoryLimit(-1)
	stop := Follow(floor, 1.35, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	during := debug.SetMemoryLimit(-1)
	stop()
	after := debug.SetMemoryLimit(-1)
	if during != floor {
		t.Errorf("limit while following = %d, want the floor %d", during, int64(floor))
	}
	if after != before {
		t.Errorf("limit after stop = %d, want %d as before", after, before)
	}
}
