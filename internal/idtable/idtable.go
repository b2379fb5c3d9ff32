// Package idtable is a set of strings sized for the test IDs of a
// million-test run. IDs share long prefixes (a package, a class, a file),
// so each is stored as an interned prefix and its own suffix, the
// suffixes packed in large blocks, and found through an open-addressing
// hash table of integers. Nothing in it holds a pointer per ID, so the
// garbage collector has almost nothing to scan: an ID costs 26 to 31
// bytes besides the bytes of its suffix (a map[string]T holds a string
// header per entry, which the collector scans, and a separately
// allocated string of the whole ID behind each).
//
// Callers keep what they know of each ID in their own slices, indexed by
// the dense index Insert returns.
package idtable

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/cespare/xxhash/v2"
)

// blockSize is the size of the blocks suffixes are packed into; a suffix
// longer than a quarter of it gets a block of its own.
const blockSize = 1 << 20

// Table is a set of strings, each with a dense index in insertion order.
// The zero Table is empty and ready to use. A Table is not safe for
// concurrent use.
type Table struct {
	blocks  [][]byte
	entries []entry
	// slots holds entry index + 1 (0 for an empty slot), probed linearly
	// from the ID's hash; len(slots) is a power of two, at least 4/3 of
	// len(entries).
	slots []uint32
	// prefixes are the interned prefixes, prefixes[0] = "", indexed by
	// prefixIndex.
	prefixes    []string
	prefixIndex map[string]uint32
	lastPrefix  uint32 // the prefix of the last ID added, a likely next one
}

// An entry is an ID: the hash of the whole ID (its low 32 bits: enough
// to place it in fewer than 2^32 slots and to tell most others apart),
// its prefix and where its suffix is. Twenty bytes.
type entry struct {
	hash       uint32
	block, off uint32
	n          uint32
	prefix     uint32
}

// New returns a Table with room for about n IDs before it grows.
func New(n int) *Table {
	t := &Table{}
	if n > 0 {
		t.entries = make([]entry, 0, n)
		t.slots = make([]uint32, slotsFor(n))
	}
	return t
}

// slotsFor returns the number of slots for n entries: a power of two
// that keeps the table at most three-quarters full.
func slotsFor(n int) int {
	s := 16
	for s*3/4 < n {
		s *= 2
	}
	return s
}

// Len returns the number of IDs.
func (t *Table) Len() int { return len(t.entries) }

// Insert adds id unless present and returns its index and whether it
// was added. Indexes are dense: the k-th ID added has index k-1.
func (t *Table) Insert(id string) (i int, added bool) {
	h := uint32(xxhash.Sum64String(id))
	if (len(t.entries)+1)*4 > len(t.slots)*3 {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for s := uint64(h) & mask; ; s = (s + 1) & mask {
		k := t.slots[s]
		if k == 0 {
			if len(t.entries) >= 1<<32-1 {
				panic("idtable: more than 4 billion IDs")
			}
			t.slots[s] = uint32(len(t.entries)) + 1
			t.entries = append(t.entries, t.store(h, id))
			return len(t.entries) - 1, true
		}
		if e := &t.entries[k-1]; e.hash == h && t.equal(e, id) {
			return int(k - 1), false
		}
	}
}

// Index returns the index of id, or -1 when it is not in the table.
func (t *Table) Index(id string) int {
	if len(t.slots) == 0 {
		return -1
	}
	h := uint32(xxhash.Sum64String(id))
	mask := uint64(len(t.slots) - 1)
	for s := uint64(h) & mask; ; s = (s + 1) & mask {
		k := t.slots[s]
		if k == 0 {
			return -1
		}
		if e := &t.entries[k-1]; e.hash == h && t.equal(e, id) {
			return int(k - 1)
		}
	}
}

// ID returns the ID of index i: a new string unless the ID is stored
// whole, in which case it shares the table's memory (which never changes
// and stays valid after the table is gone).
func (t *Table) ID(i int) string {
	p, s := t.parts(&t.entries[i])
	if p == "" {
		return s
	}
	return p + s
}

// AppendID appends the ID of index i to b: for a caller that goes
// through a million IDs and needs each only for a moment, without a
// string each.
func (t *Table) AppendID(b []byte, i int) []byte {
	p, s := t.parts(&t.entries[i])
	return append(append(b, p...), s...)
}

// Sorted returns every index, ordered by ID. Large tables are sorted on
// every core.
func (t *Table) Sorted() []int32 {
	order := make([]int32, len(t.entries))
	for i := range order {
		order[i] = int32(i)
	}
	t.sort(order, make([]int32, len(order)), runtime.GOMAXPROCS(0))
	return order
}

// parallelMin is the size under which sorting on more cores is not worth
// the merge.
const parallelMin = 1 << 15

// sort sorts order by ID on up to procs goroutines: halves sorted
// concurrently, then merged through tmp (of the same length).
func (t *Table) sort(order, tmp []int32, procs int) {
	if procs < 2 || len(order) < parallelMin {
		slices.SortFunc(order, t.compare)
		return
	}
	h := len(order) / 2
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t.sort(order[:h], tmp[:h], procs/2)
	}()
	t.sort(order[h:], tmp[h:], procs-procs/2)
	wg.Wait()
	copy(tmp, order)
	a, b := tmp[:h], tmp[h:]
	for k := range order {
		// Ties cannot happen (IDs are unique); a before b keeps it stable.
		if len(b) == 0 || len(a) > 0 && t.compare(a[0], b[0]) <= 0 {
			order[k], a = a[0], a[1:]
		} else {
			order[k], b = b[0], b[1:]
		}
	}
}

// compare orders the IDs of indexes a and b as strings.Compare would,
// without building them.
func (t *Table) compare(a, b int32) int {
	pa, sa := t.parts(&t.entries[a])
	pb, sb := t.parts(&t.entries[b])
	if t.entries[a].prefix == t.entries[b].prefix {
		return strings.Compare(sa, sb)
	}
	return compare2(pa, sa, pb, sb)
}

// compare2 compares a1+a2 with b1+b2.
func compare2(a1, a2, b1, b2 string) int {
	for {
		if a1 == "" {
			a1, a2 = a2, ""
		}
		if b1 == "" {
			b1, b2 = b2, ""
		}
		if a1 == "" || b1 == "" {
			return strings.Compare(a1, b1) // the longer is greater
		}
		n := min(len(a1), len(b1))
		if c := strings.Compare(a1[:n], b1[:n]); c != 0 {
			return c
		}
		a1, b1 = a1[n:], b1[n:]
	}
}

// parts returns an entry's prefix and suffix.
func (t *Table) parts(e *entry) (prefix, suffix string) {
	if e.prefix > 0 {
		prefix = t.prefixes[e.prefix]
	}
	if e.n > 0 {
		suffix = unsafe.String(&t.blocks[e.block][e.off], e.n)
	}
	return prefix, suffix
}

// equal reports whether e is id.
func (t *Table) equal(e *entry, id string) bool {
	p, s := t.parts(e)
	return len(p)+len(s) == len(id) && strings.HasPrefix(id, p) && id[len(p):] == s
}

// splitAt returns where id's prefix ends: after its last '.', '/' or ':'
// before any '[' (pytest parameters, which would make every prefix
// unique).
func splitAt(id string) int {
	head := id
	if i := strings.IndexByte(id, '['); i >= 0 {
		head = id[:i]
	}
	return strings.LastIndexAny(head, "./:") + 1
}

// store copies id into the table and returns its entry: its prefix
// interned, unless interning stops paying (more than one new prefix for
// every eight IDs: IDs that share nothing), then the ID whole.
func (t *Table) store(h uint32, id string) entry {
	e := entry{hash: h}
	if k := splitAt(id); k > 0 {
		p := id[:k]
		if t.prefixIndex == nil {
			t.prefixes = []string{""}
			t.prefixIndex = map[string]uint32{}
		}
		if t.lastPrefix > 0 && t.prefixes[t.lastPrefix] == p {
			e.prefix = t.lastPrefix
		} else if i, ok := t.prefixIndex[p]; ok {
			e.prefix = i
		} else if len(t.prefixes) <= 64+len(t.entries)/8 {
			e.prefix = uint32(len(t.prefixes))
			t.prefixes = append(t.prefixes, strings.Clone(p))
			t.prefixIndex[t.prefixes[e.prefix]] = e.prefix
		}
		if e.prefix > 0 {
			t.lastPrefix = e.prefix
			id = id[k:]
		}
	}
	e.n = uint32(len(id))
	if len(id) > blockSize/4 {
		t.blocks = append(t.blocks, []byte(id))
		e.block = uint32(len(t.blocks) - 1)
		return e
	}
	last := len(t.blocks) - 1
	if last < 0 || len(t.blocks[last])+len(id) > cap(t.blocks[last]) {
		// A new block, never an append that moves a block: IDs given
		// out as strings point into it.
		t.blocks = append(t.blocks, make([]byte, 0, blockSize))
		last++
	}
	b := t.blocks[last]
	e.block, e.off = uint32(last), uint32(len(b))
	t.blocks[last] = append(b, id...)
	return e
}

// grow doubles the slots (or makes the first ones) and places every
// entry again, from its stored hash.
func (t *Table) grow() {
	n := max(16, 2*len(t.slots))
	slots := make([]uint32, n)
	mask := uint64(n - 1)
	for i := range t.entries {
		s := uint64(t.entries[i].hash) & mask
		for slots[s] != 0 {
			s = (s + 1) & mask
		}
		slots[s] = uint32(i) + 1
	}
	t.slots = slots
}
