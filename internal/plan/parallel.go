package plan

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelMin is the size of input from which the planner uses a second
// core.
const parallelMin = 4096

// chunkSize is the share of work claimed at a time by each goroutine of a
// chunks.
const chunkSize = 2048

// chunks runs a function over [0, n) in chunks, on a helper goroutine and
// on the goroutine that calls finish, whichever is free: work that can be
// split but that need not hold up the caller until its result is needed.
// Chunks are disjoint, so the result does not depend on who ran which.
type chunks struct {
	n    int
	f    func(lo, hi int)
	next atomic.Int64
	wg   sync.WaitGroup
}

// startChunks starts running f over [0, n) in the background, or runs it
// at once when n is small or there is only one core.
func startChunks(n int, f func(lo, hi int)) *chunks {
	c := &chunks{n: n, f: f}
	if n < parallelMin || runtime.GOMAXPROCS(0) < 2 {
		c.work()
		return c
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.work()
	}()
	return c
}

func (c *chunks) work() {
	for {
		lo := int(c.next.Add(chunkSize)) - chunkSize
		if lo >= c.n {
			return
		}
		c.f(lo, min(lo+chunkSize, c.n))
	}
}

// finish runs what is left of the work and waits for the rest.
func (c *chunks) finish() {
	c.work()
	c.wg.Wait()
}
