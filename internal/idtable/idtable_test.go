package idtable_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/xshard/xshard/internal/idtable"
	"github.com/xshard/xshard/internal/memtest"
)

// The table behaves as a map from ID to insertion index, whatever the
// sizes: empty IDs, IDs longer than a block, growth from zero and from a
// size hint.
func TestTableIsASet(t *testing.T) {
	long := strings.Repeat("x", 1<<19)
	for _, hint := range []int{0, 1, 1000} {
		t.Run(fmt.Sprint("hint ", hint), func(t *testing.T) {
			tab := idtable.New(hint)
			want := map[string]int{}
			var order []string
			r := rand.New(rand.NewPCG(1, uint64(hint)))
			ids := []string{"", long, long + "y", "a", "a.", "a.b", "a.b.", "a.b.c", "x/" + long, "t.py::f[a.b]", "t.py::f[a.c]"}
			for i := range 20000 {
				ids = append(ids, fmt.Sprintf("pkg%d.Test%d", r.IntN(50), i/2)) // every ID twice or more
				// IDs that share no prefix, past what the table interns.
				ids = append(ids, fmt.Sprintf("u%d.x", r.IntN(5000)), fmt.Sprintf("%x", r.Uint64()))
			}
			for _, id := range ids {
				i, added := tab.Insert(id)
				w, seen := want[id]
				if added == seen {
					t.Fatalf("Insert(%.20q) added = %v, but seen before = %v", id, added, seen)
				}
				if !seen {
					w = len(order)
					want[id] = w
					order = append(order, id)
				}
				if i != w {
					t.Fatalf("Insert(%.20q) = %d, want %d", id, i, w)
				}
			}
			if tab.Len() != len(want) {
				t.Errorf("Len() = %d, want %d", tab.Len(), len(want))
			}
			for id, w := range want {
				if got := tab.Index(id); got != w {
					t.Errorf("Index(%.20q) = %d, want %d", id, got, w)
				}
				if got := tab.ID(w); got != id {
					t.Errorf("ID(%d) = %.20q, want %.20q", w, got, id)
				}
			}
			for _, id := range []string{"pkg1.Test-1", long[1:], "b"} {
				if got := tab.Index(id); got != -1 {
					t.Errorf("Index(%.20q) = %d for an ID never inserted", id, got)
				}
			}
			var sorted []string
			for _, i := range tab.Sorted() {
				sorted = append(sorted, tab.ID(int(i)))
			}
			slices.Sort(order)
			if !slices.Equal(sorted, order) {
				t.Error("Sorted() is not the IDs in order")
			}
		})
	}
}

// Strings given out stay valid while the table grows.
func TestIDsAreStable(t *testing.T) {
	tab := idtable.New(0)
	first := tab.ID(must(tab.Insert("first")))
	for i := range 300000 {
		tab.Insert(fmt.Sprintf("id-%07d", i))
	}
	if first != "first" {
		t.Fatalf("an ID changed after the table grew: %q", first)
	}
}

func TestZeroTable(t *testing.T) {
	var tab idtable.Table
	if tab.Index("x") != -1 || tab.Len() != 0 {
		t.Fatal("the zero table is not empty")
	}
	if i, added := tab.Insert("x"); i != 0 || !added {
		t.Fatalf("Insert into the zero table = %d, %v", i, added)
	}
}

// A table of IDs allocates its blocks, entries and slots, not an object
// per ID.
func TestFewAllocations(t *testing.T) {
	ids := make([]string, 100000)
	for i := range ids {
		ids[i] = fmt.Sprintf("com.example.module%d.Service%dTest.test%dHandlesCase%d", i%7, i%1300, i, i%999)
	}
	idBytes := 0
	for _, id := range ids {
		idBytes += len(id)
	}
	fill := func() {
		tab := idtable.New(len(ids))
		for _, id := range ids {
			tab.Insert(id)
		}
	}
	// An allocation for each of the 9,100 prefixes, a few more for the
	// map that interns them, and the blocks, entries and slots.
	if allocs := testing.AllocsPerRun(1, fill); allocs > 9100+600 {
		t.Errorf("%.0f allocations for %d IDs, want at most %d", allocs, len(ids), 9100+600)
	}
	// Blocks are filled to within an ID of their end; entries are 24
	// bytes and slots 4 bytes at most 3/4 full, at most twice that after
	// rounding up to a power of two.
	limit := uint64(idBytes + idBytes/10 + len(ids)*(24+2*4*4/3) + 2<<20)
	if b := memtest.Allocated(fill); b > limit {
		t.Errorf("%d bytes allocated for %d bytes of IDs, want at most %d", b, idBytes, limit)
	}
}

func must(i int, _ bool) int { return i }

// Prefixes are stored once: IDs of a few classes cost about their names.
func TestPrefixesAreShared(t *testing.T) {
	ids := make([]string, 100000)
	nameBytes := 0
	for i := range ids {
		name := fmt.Sprintf("test%dHandlesCase%d", i, i%999)
		ids[i] = fmt.Sprintf("com.example.module%d.Service%dTest.", i%3, i%100) + name
		nameBytes += len(name)
	}
	b := memtest.Allocated(func() {
		tab := idtable.New(len(ids))
		for _, id := range ids {
			tab.Insert(id)
		}
	})
	if limit := uint64(nameBytes + len(ids)*(24+2*4*4/3) + 2<<20); b > limit {
		t.Errorf("%d bytes allocated for %d bytes of names, want at most %d", b, nameBytes, limit)
	}
}

func BenchmarkInsert1M(b *testing.B) {
	// As reports list them: the tests of a class together.
	ids := make([]string, 1<<20)
	for i := range ids {
		class := i / 40
		ids[i] = fmt.Sprintf("com.example.module%d.Service%dTest.test%dHandlesCase%d", class%17, class, i, i%999)
	}
	b.ReportAllocs()
	for b.Loop() {
		tab := idtable.New(len(ids))
		for _, id := range ids {
			tab.Insert(id)
		}
	}
}

// Sorting on several cores gives the same order as on one.
func TestSortedOnEveryCore(t *testing.T) {
	tab := idtable.New(0)
	r := rand.New(rand.NewPCG(7, 7))
	var ids []string
	for range 100_000 {
		id := fmt.Sprintf("pkg%d/test_%x", r.IntN(100), r.Uint64())
		if _, added := tab.Insert(id); added {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, procs := range []int{1, 2, 3, 8} {
		old := runtime.GOMAXPROCS(procs)
		var got []string
		for _, i := range tab.Sorted() {
			got = append(got, tab.ID(int(i)))
		}
		runtime.GOMAXPROCS(old)
		if !slices.Equal(got, ids) {
			t.Errorf("GOMAXPROCS %d: Sorted() is not in ID order", procs)
		}
	}
}
