package plan

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"

	"github.com/cespare/xxhash/v2"
)

// assign returns the plan of u for total shards, total >= 1.
func (u *universe) assign(total int) *Plan {
	var shardOf []int32
	switch u.strategy {
	case Hash:
		shardOf = cut(u.hashOrder(), total)
	default:
		shardOf = balance(u.sec, total)
	}
	return u.build(total, shardOf)
}

// hashOrder returns unit indices ordered by the xxhash64 of the unit ID,
// salted with the seed, ties by ID (the index, since units are sorted).
// This order is the hash strategy's compatibility promise: it must never
// change for the same IDs and seed.
func (u *universe) hashOrder() []int32 {
	hashes := make([]uint64, len(u.ids))
	if u.seed == 0 {
		for k, id := range u.ids {
			hashes[k] = xxhash.Sum64String(id)
		}
	} else {
		var salt [8]byte
		binary.LittleEndian.PutUint64(salt[:], u.seed)
		d := xxhash.New()
		for k, id := range u.ids {
			d.Reset()
			d.Write(salt[:])
			d.WriteString(id)
			hashes[k] = d.Sum64()
		}
	}
	return radixOrder(hashes)
}

// radixOrder returns the indices of keys in ascending key order, equal
// keys in index order (units are in ID order, so ties go by ID).
func radixOrder(keys []uint64) []int32 {
	a := radixSort(keys)
	order := make([]int32, len(keys))
	for i, p := range a {
		order[i] = p.idx
	}
	return order
}

// keyIndex is a key of radixSort and its index.
type keyIndex struct {
	key uint64
	idx int32
}

// radixSort returns keys with their indices in ascending key order, equal
// keys in index order. It is a stable least-significant-digit radix sort
// on 16-bit digits: up to four linear passes, none for a digit that all
// keys share, instead of a comparison sort with random access into keys.
func radixSort(keys []uint64) []keyIndex {
	a := make([]keyIndex, len(keys))
	for i, k := range keys {
		a[i] = keyIndex{k, int32(i)}
	}
	if len(a) < radixOrderMin {
		slices.SortFunc(a, func(x, y keyIndex) int {
			if c := cmp.Compare(x.key, y.key); c != 0 {
				return c
			}
			return cmp.Compare(x.idx, y.idx)
		})
		return a
	}
	b := make([]keyIndex, len(keys))
	count := make([]int32, 4<<16)
	for _, p := range a {
		k := p.key
		count[k&0xffff]++
		count[1<<16+(k>>16)&0xffff]++
		count[2<<16+(k>>32)&0xffff]++
		count[3<<16+(k>>48)]++
	}
	for pass := range 4 {
		shift := uint(16 * pass)
		c := count[pass<<16 : (pass+1)<<16]
		if int(c[(a[0].key>>shift)&0xffff]) == len(a) {
			continue // every key has this digit
		}
		sum := int32(0)
		for i, n := range c {
			c[i] = sum
			sum += n
		}
		for _, p := range a {
			d := (p.key >> shift) & 0xffff
			b[c[d]] = p
			c[d]++
		}
		a, b = b, a
	}
	return a
}

// radixOrderMin is the number of keys from which radixSort does not
// simply compare them: below it, clearing the digit counts costs more.
const radixOrderMin = 2048

// cut deals order into total contiguous runs whose sizes differ by at most
// one, the longer runs first, and returns the shard of every unit.
func cut(order []int32, total int) []int32 {
	shardOf := make([]int32, len(order))
	base, extra := len(order)/total, len(order)%total
	i := 0
	for s := range total {
		n := base
		if s < extra {
			n++
		}
		for _, k := range order[i : i+n] {
			shardOf[k] = int32(s)
		}
		i += n
	}
	return shardOf
}

// lptOrder returns the indices of sec longest first, ties by index (by
// ID, for units), and the durations in that order, which callers must
// only read. sec has no NaN and nothing below zero but -0, which ties
// with 0. When sec is already longest first (as the tuning report passes
// durations to Predict), the order is the identity and durs is sec
// itself, so a -0 comes back as -0 rather than 0: the same to balance,
// which only adds durs to loads that start at 0.
func lptOrder(sec []float64) (order []int32, durs []float64) {
	if isLongestFirst(sec) {
		return indices(len(sec)), sec
	}
	return lptSort(sec)
}

// lptSort is lptOrder for sec in any order, with a -0 back as 0.
// Non-negative floats order as their bits do, so this is a radix sort on
// the complemented bits.
func lptSort(sec []float64) (order []int32, durs []float64) {
	keys := make([]uint64, len(sec))
	for k, s := range sec {
		if s != 0 {
			keys[k] = ^math.Float64bits(s)
		} else {
			keys[k] = ^uint64(0)
		}
	}
	a := radixSort(keys)
	order = make([]int32, len(a))
	durs = make([]float64, len(a))
	for i, p := range a {
		order[i] = p.idx
		durs[i] = math.Float64frombits(^p.key)
	}
	return order, durs
}

// isLongestFirst reports whether sec is in non-increasing order.
func isLongestFirst(sec []float64) bool {
	for i := 1; i < len(sec); i++ {
		if sec[i] > sec[i-1] {
			return false
		}
	}
	return true
}

func indices(n int) []int32 {
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	return order
}

// build turns an assignment into a Plan with its totals and fingerprints.
func (u *universe) build(total int, shardOf []int32) *Plan {
	p := &Plan{
		Total:               total,
		Strategy:            u.strategy,
		By:                  u.by,
		Seed:                u.seed,
		Shards:              make([]Shard, total),
		KnownShare:          float64(u.known) / float64(len(u.ids)),
		UniverseFingerprint: u.universeFP,
	}
	// byShard lists the units shard by shard, each shard's in ID order
	// since units are in ID order; shard s's end at ends[s].
	ends := make([]int, total)
	for _, s := range shardOf {
		ends[s]++
	}
	next := make([]int, total)
	off := 0
	for s := range total {
		next[s] = off
		off += ends[s]
		ends[s] = off
	}
	byShard := make([]int32, len(shardOf))
	for k, s := range shardOf {
		byShard[next[s]] = int32(k)
		next[s]++
	}
	// The assignment fingerprint needs only the IDs: hash them on another
	// core while the Units are written.
	assignmentFP := make(chan string, 1)
	if parallel(len(byShard)) {
		go func() { assignmentFP <- u.assignmentFingerprint(total, byShard, ends) }()
	} else {
		assignmentFP <- u.assignmentFingerprint(total, byShard, ends)
	}
	backing := make([]Unit, len(byShard))
	for i, k := range byShard {
		backing[i] = Unit{ID: u.ids[k], Items: u.unitItems(int(k)), Seconds: u.sec[k], Known: u.isKnown[k]}
	}
	start := 0
	for s := range total {
		p.Shards[s] = Shard{Index: s, Units: backing[start:ends[s]:ends[s]]}
		start = ends[s]
	}
	for s := range p.Shards {
		sh := &p.Shards[s]
		for k := range sh.Units {
			sh.Seconds += sh.Units[k].Seconds
		}
		p.Makespan = max(p.Makespan, sh.Seconds)
	}
	sum, longest := 0.0, 0.0
	for _, s := range u.sec {
		sum += s
		longest = max(longest, s)
	}
	p.LowerBound = max(longest, sum/float64(total))
	p.TimingsFingerprint = u.timingsFingerprint()
	p.Fingerprint = FingerprintVersion + "-" + u.universeFP + "-" + p.TimingsFingerprint + "-" + <-assignmentFP
	return p
}
