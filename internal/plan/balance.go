package plan

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// balance assigns units with durations sec to total shards and returns the
// shard of every unit.
//
// Longest-processing-time first takes the units longest first, ties by
// index (by ID, since units are sorted), and puts each on the least
// loaded shard, lowest index on ties, which is within 4/3 of the optimum
// and, with many small units, within the last unit's duration of it.
// improve then repairs what LPT gets wrong with few large units.
//
// Only additions, subtractions, comparisons and halving touch the
// durations, so the result is bit-for-bit the same on every platform (Go
// may fuse a multiply-add; there is none here).
func balance(sec []float64, total int) []int32 {
	return newLPT(sec).assign(total, nil)
}

// lpt is what balance needs of the durations whatever the number of
// shards: their longest-first order and their sum. It is only read once
// made, so assignments for several totals can share it, concurrently.
type lpt struct {
	sec   []float64 // by unit; no NaN, nothing below 0 but -0
	order []int32   // unit indices longest first, ties by index
	durs  []float64 // durations in that order
	// sum (in index order) and longest of sec, for improve's lower bound.
	sum, longest float64
}

func newLPT(sec []float64) *lpt {
	l := &lpt{sec: sec}
	l.order, l.durs = lptOrder(sec)
	for _, s := range sec {
		l.sum += s
		l.longest = max(l.longest, s)
	}
	return l
}

// assign returns the shard of every unit over total >= 1 shards, as
// balance does. It writes them into shardOf when that has the capacity,
// to spare a caller assigning for several totals an allocation each.
func (l *lpt) assign(total int, shardOf []int32) []int32 {
	if cap(shardOf) >= len(l.sec) {
		shardOf = shardOf[:len(l.sec)] // order is a permutation: all written
	} else {
		shardOf = make([]int32, len(l.sec))
	}
	h := make(shardHeap, total)
	for i := range h {
		h[i].s = int32(i) // all loads 0: ordered by index, a valid heap
	}
	for i, k := range l.order {
		shardOf[k] = h[0].s
		h[0].load += l.durs[i]
		h.down()
	}
	loads := make([]float64, total)
	for _, e := range h {
		loads[e.s] = e.load
	}
	improve(l, shardOf, loads)
	return shardOf
}

// shardHeap is a min-heap of shards by (load, index), the loads kept in
// the heap to spare an indirection on every comparison.
type shardHeap []shardLoad

type shardLoad struct {
	load float64
	s    int32
}

func (a shardLoad) before(b shardLoad) bool {
	return a.load < b.load || a.load == b.load && a.s < b.s
}

// down moves the root down to its place.
func (h shardHeap) down() {
	e := h[0]
	i, n := 0, len(h)
	for {
		m := 2*i + 1
		if m >= n {
			break
		}
		if r := m + 1; r < n && h[r].before(h[m]) {
			m = r
		}
		if !h[m].before(e) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = e
}

// maxImprove bounds improve's rounds per shard: each round costs about a
// shard's units times log of another's, and past a few rounds per shard
// the gains are far below any test's noise.
const maxImprove = 4

// improve lowers the most loaded shard by moving one of its units to
// another shard, or swapping one of its units with a shorter one there,
// as long as both shards end strictly below the current makespan and the
// makespan is more than a millisecond plus a millionth above the lower
// bound. Each
// round takes the least loaded shard that admits such a change (lowest
// index on ties) and the change that leaves the pair most even (the first
// found on ties, in the shard's order by duration). So the makespan never
// rises, every round strictly lowers the load vector sorted from the top,
// and the rounds are bounded, so the pass ends; it is deterministic
// because every choice has an explicit tie-break.
func improve(l *lpt, shardOf []int32, loads []float64) {
	sec, order := l.sec, l.order
	total := len(loads)
	if total < 2 || len(sec) < 2 {
		return
	}
	lower := max(l.longest, l.sum/float64(total))
	// Durations are not known to better than a millisecond or so: a
	// makespan this close to the lower bound is not worth improving.
	slack := 1e-3 + lower/1e6
	if slices.Max(loads)-lower <= slack {
		return
	}

	// members[s]: the units of shard s by (seconds asc, index desc), the
	// reverse of LPT order, so binary searches can find durations. They
	// share one array, each capped at its own part, so an insertion into
	// a full one moves it out rather than overwrite the next.
	count := make([]int, total)
	for _, s := range shardOf {
		count[s]++
	}
	all := make([]int32, len(shardOf))
	members := make([][]int32, total)
	off := 0
	for s, n := range count {
		members[s] = all[off : off : off+n]
		off += n
	}
	for i := len(order) - 1; i >= 0; i-- {
		k := order[i]
		members[shardOf[k]] = append(members[shardOf[k]], k)
	}
	before := func(a, b int32) bool { // a sorts before b in members
		return sec[a] < sec[b] || sec[a] == sec[b] && a > b
	}
	insert := func(s int32, k int32) {
		m := members[s]
		i, _ := slices.BinarySearchFunc(m, k, func(x, k int32) int {
			if before(x, k) {
				return -1
			}
			return 1
		})
		members[s] = slices.Insert(m, i, k)
	}

	others := make([]int32, 0, total-1)
	for round := 0; round < maxImprove*total; round++ {
		m := int32(0)
		for s := range loads {
			if loads[s] > loads[m] {
				m = int32(s)
			}
		}
		ms := loads[m]
		if ms-lower <= slack {
			return // optimal, or as good as the durations can tell
		}
		others = others[:0]
		for s := range loads {
			if int32(s) != m && loads[s] < ms {
				others = append(others, int32(s))
			}
		}
		slices.SortFunc(others, func(a, b int32) int {
			if c := cmp.Compare(loads[a], loads[b]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		changed := false
		for _, j := range others {
			ai, bi, ok := bestChange(sec, members[m], members[j], ms, loads[j])
			if !ok {
				continue
			}
			a := members[m][ai]
			sa, sb := sec[a], 0.0
			members[m] = slices.Delete(members[m], ai, ai+1)
			if bi >= 0 {
				b := members[j][bi]
				sb = sec[b]
				members[j] = slices.Delete(members[j], bi, bi+1)
				insert(m, b)
				shardOf[b] = m
			}
			insert(j, a)
			shardOf[a] = j
			loads[m] = ms - sa + sb
			loads[j] = loads[j] + sa - sb
			changed = true
			break
		}
		if !changed {
			return
		}
	}
}

// bestChange finds the move (bi == -1) of a unit A[ai] from the most
// loaded shard, at load ms, to a shard at load lj, or the swap of A[ai]
// with B[bi], that minimises the larger of the two new loads, provided it
// is below ms. A and B are sorted by duration. The ideal exchange moves
// half the gap, so for each unit of A only the two units of B nearest to
// "a minus half the gap" can be best.
func bestChange(sec []float64, A, B []int32, ms, lj float64) (ai, bi int, ok bool) {
	best := ms
	ai, bi = -1, -1
	half := (ms - lj) / 2
	for i, a := range A {
		sa := sec[a]
		if v := max(ms-sa, lj+sa); v < best {
			best, ai, bi = v, i, -1
		}
		target := sa - half
		p, _ := slices.BinarySearchFunc(B, target, func(b int32, t float64) int {
			if sec[b] < t {
				return -1
			}
			return 1
		})
		for q := max(p-1, 0); q <= p && q < len(B); q++ {
			sb := sec[B[q]]
			if v := max(ms-sa+sb, lj+sa-sb); v < best {
				best, ai, bi = v, i, q
			}
		}
	}
	return ai, bi, ai >= 0
}

// Predict returns the makespan, in seconds, that the timing strategy
// reaches on units of these durations over total shards: what a run would
// take with that many workers. Negative and NaN durations count as 0; a
// total below 1 counts as 1.
func Predict(units []float64, total int) float64 {
	return PredictMany(units, []int{total})[0]
}

// PredictMany returns Predict(units, totals[i]) for each i, bit-for-bit
// the same as calling Predict for each, but sorting the units once and
// running the worker counts in parallel on up to GOMAXPROCS goroutines.
// The results do not depend on how those are scheduled. units is only
// read.
func PredictMany(units []float64, totals []int) []float64 {
	out := make([]float64, len(totals))
	if len(totals) == 0 {
		return out
	}
	sec, inf := predictDurations(units)
	if inf {
		for i := range out {
			out[i] = math.Inf(1)
		}
		return out
	}
	l := newLPT(sec)
	// Each goroutine claims the next total and writes only its result;
	// which goroutine computes a total makes no difference to it.
	var next atomic.Int64
	run := func() {
		var shardOf []int32 // reused across this goroutine's totals
		for {
			i := int(next.Add(1)) - 1
			if i >= len(totals) {
				return
			}
			total := max(totals[i], 1)
			shardOf = l.assign(total, shardOf)
			out[i] = l.makespan(shardOf, total)
		}
	}
	workers := 1
	if parallel(len(sec)) {
		workers = min(runtime.GOMAXPROCS(0), len(totals))
	}
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Go(run)
	}
	run()
	wg.Wait()
	return out
}

// predictDurations returns the durations Predict balances: units with
// negative and NaN durations as 0, or units itself when none is; inf
// when one is +Inf.
func predictDurations(units []float64) (sec []float64, inf bool) {
	clean := true
	for _, s := range units {
		if math.IsInf(s, 1) {
			return nil, true
		}
		clean = clean && s > 0 // false for NaN
	}
	if clean {
		return units, false
	}
	sec = make([]float64, len(units))
	for i, s := range units {
		if s > 0 {
			sec[i] = s
		}
	}
	return sec, false
}

// makespan returns the largest load of the total shards of shardOf, each
// summed in unit order.
func (l *lpt) makespan(shardOf []int32, total int) float64 {
	loads := make([]float64, total)
	for k, s := range shardOf {
		loads[s] += l.sec[k]
	}
	makespan := 0.0
	for _, v := range loads {
		makespan = max(makespan, v)
	}
	return makespan
}
