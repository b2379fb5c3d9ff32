package plan

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelMin is the size of input from which the planner uses a second
// core.
const parallelMin = 4096

// chunkSize is the share of work claimed at a time from a chunks.
const chunkSize = 2048

// chunks is work over [0, n) split into chunks that any goroutine calling
// work may claim: the planner's helper goroutine takes some while the
// caller does something else, and the caller takes the rest in finish.
// Chunks are disjoint, so the result does not depend on who ran which.
type chunks struct {
	n    int
	f    func(lo, hi int)
	next atomic.Int64
	left sync.WaitGroup // chunks not done
}

func newChunks(n int, f func(lo, hi int)) *chunks {
	c := &chunks{n: n, f: f}
	c.left.Add((n + chunkSize - 1) / chunkSize)
	return c
}

// work runs chunks until none is left to claim.
func (c *chunks) work() {
	for {
		lo := int(c.next.Add(chunkSize)) - chunkSize
		if lo >= c.n {
			return
		}
		c.f(lo, min(lo+chunkSize, c.n))
		c.left.Done()
	}
}

// finish runs what is left of the work and waits for the chunks others
// claimed.
func (c *chunks) finish() {
	c.work()
	c.left.Wait()
}

// parallel reports whether a second core is worth using for n things.
func parallel(n int) bool {
	return n >= parallelMin && runtime.GOMAXPROCS(0) >= 2
}
