package plan

import (
	"slices"
)

// keyed is a string on its way through sortStrings: the 8 bytes of it
// being compared and the 8 after them, its index and its length.
type keyed struct {
	key  uint64 // bytes [depth, depth+8) big-endian, zero-padded
	next uint64 // bytes [depth+8, depth+16), likewise
	idx  int32  // index of the string
	n    int32  // its length
}

// stringSorter orders strings as strings.Compare does, stably, by a
// most-significant-digit radix sort on 8 bytes at a time: every level is a
// few linear passes over integer keys instead of a comparison sort whose
// every comparison chases two pointers and rescans a shared prefix (Go test
// IDs share long ones: "example.com/m/pkg.Test...").
//
// Big-endian keys compare as the bytes they hold, and zero padding makes a
// string that ends inside the key sort no later than every longer string
// with the same key. So strings with different keys are in order, and
// among equal keys those that end inside the key ("exhausted") come first,
// by length, and equal lengths there mean equal strings; the others share
// the key's 8 bytes and are sorted on the next 8, which were read with
// the key: a level reads the strings only for the level after it, and
// not at all when they end before then.
type stringSorter struct {
	str func(int32) string
	tmp []keyed
	dup bool // two equal strings were seen
}

// sortStrings returns the indices 0..n-1 ordered by str(i), ties by index,
// and whether any two strings are equal.
func sortStrings(n int, str func(int32) string) (order []int32, dup bool) {
	order = make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	dup = sortStringsStable(order, str)
	return order, dup
}

// sortStringsStable sorts idx by str(idx), keeping the order of equal
// strings, and reports whether any two are equal.
func sortStringsStable(idx []int32, str func(int32) string) (dup bool) {
	if len(idx) < 2 {
		return false
	}
	a := make([]keyed, len(idx))
	for i, k := range idx {
		s := str(k)
		a[i] = keyed{key: key8(s, 0), next: key8(s, 8), idx: k, n: int32(len(s))}
	}
	ss := stringSorter{str: str, tmp: make([]keyed, len(a))}
	ss.sort(a, 0)
	for i := range a {
		idx[i] = a[i].idx
	}
	return ss.dup
}

// sort orders a, whose strings share their first depth bytes and whose
// keys are those at depth.
func (ss *stringSorter) sort(a []keyed, depth int) {
	for len(a) > 1 {
		same := true
		for i := range a {
			if a[i].key != a[0].key {
				same = false
				break
			}
		}
		if same {
			// Long shared prefixes: no sort, just the next 8 bytes.
			var ok bool
			if a, ok = ss.exhausted(a, depth); !ok {
				return
			}
			ss.advance(a, depth)
			depth += 8
			continue
		}
		ss.sortKeys(a)
		for i := 0; i < len(a); {
			j := i + 1
			for j < len(a) && a[j].key == a[i].key {
				j++
			}
			if j-i > 1 {
				if rest, ok := ss.exhausted(a[i:j], depth); ok {
					ss.advance(rest, depth)
					ss.sort(rest, depth+8)
				}
			}
			i = j
		}
		return
	}
}

// advance moves the keys of a from depth to depth+8.
func (ss *stringSorter) advance(a []keyed, depth int) {
	for i := range a {
		e := &a[i]
		e.key, e.next = e.next, 0
		if int(e.n) > depth+16 {
			e.next = key8(ss.str(e.idx), depth+16)
		}
	}
}

// exhausted orders the strings of run, which have equal keys at depth,
// that end inside the key first, by length, and returns the others, which
// share 8 more bytes, or false when there are none.
func (ss *stringSorter) exhausted(run []keyed, depth int) ([]keyed, bool) {
	end := int32(depth + 8)
	ex := 0
	for i := range run {
		if run[i].n <= end {
			ex++
		}
	}
	if ex == 0 {
		return run, true
	}
	if ex < len(run) {
		t := ss.tmp[:len(run)]
		lo, hi := 0, ex
		for _, e := range run {
			if e.n <= end {
				t[lo] = e
				lo++
			} else {
				t[hi] = e
				hi++
			}
		}
		copy(run, t)
	}
	short := run[:ex]
	if !slices.IsSortedFunc(short, byLen) {
		slices.SortStableFunc(short, byLen)
	}
	for i := 1; i < len(short); i++ {
		if short[i].n == short[i-1].n {
			ss.dup = true
			break
		}
	}
	return run[ex:], ex < len(run)
}

func byLen(a, b keyed) int { return int(a.n - b.n) }

// radixMin is the run length from which sortKeys uses a radix sort.
const radixMin = 64

// sortKeys sorts a by key, stably: insertion sort for short runs, else a
// least-significant-digit radix sort on bytes that skips the bytes every
// key has in common.
func (ss *stringSorter) sortKeys(a []keyed) {
	if len(a) < radixMin {
		for i := 1; i < len(a); i++ {
			e := a[i]
			j := i
			for j > 0 && a[j-1].key > e.key {
				a[j] = a[j-1]
				j--
			}
			a[j] = e
		}
		return
	}
	var counts [8][256]int32
	for i := range a {
		k := a[i].key
		for b := range 8 {
			counts[b][byte(k>>(8*b))]++
		}
	}
	src, dst := a, ss.tmp[:len(a)]
	for b := range 8 {
		c := &counts[b]
		shift := uint(8 * b)
		if int(c[byte(src[0].key>>shift)]) == len(a) {
			continue
		}
		sum := int32(0)
		for d := range c {
			c[d], sum = sum, sum+c[d]
		}
		for _, e := range src {
			d := byte(e.key >> shift)
			dst[c[d]] = e
			c[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &a[0] {
		copy(a, src)
	}
}

// key8 returns bytes [d, d+8) of s as a big-endian integer, zero-padded
// past the end of s.
func key8(s string, d int) uint64 {
	if d+8 <= len(s) {
		s = s[d : d+8]
		return uint64(s[0])<<56 | uint64(s[1])<<48 | uint64(s[2])<<40 | uint64(s[3])<<32 |
			uint64(s[4])<<24 | uint64(s[5])<<16 | uint64(s[6])<<8 | uint64(s[7])
	}
	var k uint64
	for i := 0; i < 8; i++ {
		k <<= 8
		if d+i < len(s) {
			k |= uint64(s[d+i])
		}
	}
	return k
}
