// Package idtable is a set of strings sized for the test IDs of a
// million-test run: each ID is stored once, packed in large blocks, and
// found through an open-addressing hash table of integers. Nothing in it
// holds a pointer per ID, so the garbage collector has almost nothing to
// scan, and it costs 30 to 35 bytes per ID besides the ID's own bytes
// (a map[string]T holds a string header per entry, which the collector
// scans, and a separately allocated string behind each).
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

// blockSize is the size of the blocks IDs are packed into; an ID longer
// than a quarter of it gets a block of its own.
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
}

type entry struct {
	hash       uint64
	block, off uint32
	n          uint32
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
	h := xxhash.Sum64String(id)
	if (len(t.entries)+1)*4 > len(t.slots)*3 {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for s := h & mask; ; s = (s + 1) & mask {
		k := t.slots[s]
		if k == 0 {
			if len(t.entries) >= 1<<32-1 {
				panic("idtable: more than 4 billion IDs")
			}
			t.slots[s] = uint32(len(t.entries)) + 1
			t.entries = append(t.entries, t.store(h, id))
			return len(t.entries) - 1, true
		}
		if e := &t.entries[k-1]; e.hash == h && t.str(e) == id {
			return int(k - 1), false
		}
	}
}

// Index returns the index of id, or -1 when it is not in the table.
func (t *Table) Index(id string) int {
	if len(t.slots) == 0 {
		return -1
	}
	h := xxhash.Sum64String(id)
	mask := uint64(len(t.slots) - 1)
	for s := h & mask; ; s = (s + 1) & mask {
		k := t.slots[s]
		if k == 0 {
			return -1
		}
		if e := &t.entries[k-1]; e.hash == h && t.str(e) == id {
			return int(k - 1)
		}
	}
}

// ID returns the ID of index i. The string shares the table's memory,
// which never changes: it stays valid (and keeps its block alive) after
// the table is gone.
func (t *Table) ID(i int) string { return t.str(&t.entries[i]) }

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
	cmpIDs := func(a, b int32) int { return strings.Compare(t.ID(int(a)), t.ID(int(b))) }
	if procs < 2 || len(order) < parallelMin {
		slices.SortFunc(order, cmpIDs)
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
		if len(b) == 0 || len(a) > 0 && cmpIDs(a[0], b[0]) <= 0 {
			order[k], a = a[0], a[1:]
		} else {
			order[k], b = b[0], b[1:]
		}
	}
}

func (t *Table) str(e *entry) string {
	if e.n == 0 {
		return ""
	}
	return unsafe.String(&t.blocks[e.block][e.off], e.n)
}

// store copies id into the blocks and returns its entry.
func (t *Table) store(h uint64, id string) entry {
	if len(id) > blockSize/4 {
		t.blocks = append(t.blocks, []byte(id))
		return entry{hash: h, block: uint32(len(t.blocks) - 1), n: uint32(len(id))}
	}
	last := len(t.blocks) - 1
	if last < 0 || len(t.blocks[last])+len(id) > cap(t.blocks[last]) {
		// A new block, never an append that moves a block: IDs given
		// out as strings point into it.
		t.blocks = append(t.blocks, make([]byte, 0, blockSize))
		last++
	}
	b := t.blocks[last]
	off := len(b)
	t.blocks[last] = append(b, id...)
	return entry{hash: h, block: uint32(last), off: uint32(off), n: uint32(len(id))}
}

// grow doubles the slots (or makes the first ones) and places every
// entry again, from its stored hash.
func (t *Table) grow() {
	n := max(16, 2*len(t.slots))
	slots := make([]uint32, n)
	mask := uint64(n - 1)
	for i := range t.entries {
		s := t.entries[i].hash & mask
		for slots[s] != 0 {
			s = (s + 1) & mask
		}
		slots[s] = uint32(i) + 1
	}
	t.slots = slots
}
