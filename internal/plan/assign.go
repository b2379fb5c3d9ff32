package plan

import (
	"cmp"
	"encoding/binary"
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
		shardOf = balance(u.seconds(), u.lptOrder(), total)
	}
	return u.build(total, shardOf)
}

// hashOrder returns unit indices ordered by the xxhash64 of the unit ID,
// salted with the seed, ties by ID (the index, since units are sorted).
// This order is the hash strategy's compatibility promise: it must never
// change for the same IDs and seed.
func (u *universe) hashOrder() []int32 {
	hashes := make([]uint64, len(u.units))
	if u.seed == 0 {
		for k := range u.units {
			hashes[k] = xxhash.Sum64String(u.units[k].ID)
		}
	} else {
		var salt [8]byte
		binary.LittleEndian.PutUint64(salt[:], u.seed)
		d := xxhash.New()
		for k := range u.units {
			d.Reset()
			d.Write(salt[:])
			d.WriteString(u.units[k].ID)
			hashes[k] = d.Sum64()
		}
	}
	return radixOrder(hashes)
}

// radixOrder returns the indices of keys in ascending key order, equal
// keys in index order (units are in ID order, so ties go by ID). It is a
// stable least-significant-digit radix sort on 16-bit digits: four linear
// passes instead of a comparison sort with random access into keys.
func radixOrder(keys []uint64) []int32 {
	type pair struct {
		key uint64
		idx int32
	}
	a := make([]pair, len(keys))
	for i, k := range keys {
		a[i] = pair{k, int32(i)}
	}
	b := make([]pair, len(keys))
	var count [1 << 16]int
	for shift := uint(0); shift < 64; shift += 16 {
		clear(count[:])
		for _, p := range a {
			count[(p.key>>shift)&0xffff]++
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, p := range a {
			d := (p.key >> shift) & 0xffff
			b[count[d]] = p
			count[d]++
		}
		a, b = b, a
	}
	order := make([]int32, len(keys))
	for i, p := range a {
		order[i] = p.idx
	}
	return order
}

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

// seconds returns the units' durations, in unit order.
func (u *universe) seconds() []float64 {
	sec := make([]float64, len(u.units))
	for k := range u.units {
		sec[k] = u.units[k].Seconds
	}
	return sec
}

// lptOrder returns unit indices longest first, ties by ID.
func (u *universe) lptOrder() []int32 {
	return lptOrder(u.seconds())
}

func lptOrder(sec []float64) []int32 {
	// Sorting the durations beside the indices keeps the comparisons in
	// cache; sec has no NaN.
	type entry struct {
		s float64
		k int32
	}
	es := make([]entry, len(sec))
	for k, s := range sec {
		es[k] = entry{s, int32(k)}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if a.s != b.s {
			if a.s > b.s {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.k, b.k)
	})
	order := make([]int32, len(es))
	for i := range es {
		order[i] = es[i].k
	}
	return order
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
		KnownShare:          float64(u.known) / float64(len(u.units)),
		UniverseFingerprint: u.universeFP,
		TimingsFingerprint:  u.timingsFP,
	}
	counts := make([]int, total)
	for _, s := range shardOf {
		counts[s]++
	}
	backing := make([]Unit, len(u.units))
	off := 0
	for s := range total {
		p.Shards[s] = Shard{Index: s, Units: backing[off : off : off+counts[s]]}
		off += counts[s]
	}
	// Units are in ID order, so each shard's come out sorted too.
	for k, s := range shardOf {
		p.Shards[s].Units = append(p.Shards[s].Units, u.units[k])
	}
	for s := range p.Shards {
		sh := &p.Shards[s]
		for k := range sh.Units {
			sh.Seconds += sh.Units[k].Seconds
		}
		p.Makespan = max(p.Makespan, sh.Seconds)
	}
	sum, longest := 0.0, 0.0
	for k := range u.units {
		sum += u.units[k].Seconds
		longest = max(longest, u.units[k].Seconds)
	}
	p.LowerBound = max(longest, sum/float64(total))
	p.Fingerprint = FingerprintVersion + "-" + u.universeFP + "-" + u.timingsFP + "-" + assignmentFingerprint(p)
	return p
}
