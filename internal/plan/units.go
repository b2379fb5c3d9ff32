package plan

import (
	"fmt"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/xshard/xshard/internal/model"
)

// universe is everything about a set of items and options that does not
// depend on the number of shards: the units with their durations and the
// fingerprints of the inputs. ChooseTotal prepares it once and assigns it
// for many totals.
type universe struct {
	strategy Strategy // resolved: Hash or Timing
	by       By
	seed     uint64
	units    []Unit // sorted by ID
	known    int    // units whose Seconds came from history

	universeFP string
	timingsFP  string
}

// ref is one item on its way into a unit.
type ref struct {
	id  string // item ID
	key string // unit ID
	idx int32  // index into the items given to Make
}

// prepare validates items and opts, groups the items into units and gives
// each unit its duration.
func prepare(items []model.Item, opts Options) (*universe, error) {
	strategy, by, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, ErrNoItems
	}
	refs := make([]ref, len(items))
	for i := range items {
		id := items[i].ID
		if id == "" {
			return nil, fmt.Errorf("item %d has an empty id", i)
		}
		refs[i] = ref{id: id, key: id, idx: int32(i)}
	}
	sortRefs(refs, byID)
	for i := 1; i < len(refs); i++ {
		if refs[i].id == refs[i-1].id {
			return nil, fmt.Errorf("duplicate item id %q", refs[i].id)
		}
	}
	u := &universe{
		by:         by,
		seed:       opts.Seed,
		universeFP: universeFingerprint(refs),
	}
	// Hashing large timings means sorting every key: do it on another
	// core while the units are built. The maps are only read.
	timingsFP := make(chan string, 1)
	if opts.Timings.Len() >= 4096 {
		go func() { timingsFP <- TimingsFingerprint(opts.Timings) }()
	} else {
		timingsFP <- TimingsFingerprint(opts.Timings)
	}
	defer func() { u.timingsFP = <-timingsFP }()

	if by != ByTest {
		for i := range refs {
			refs[i].key = unitKey(&items[refs[i].idx], by, &opts)
		}
		// IDs are unique, so this order is total and each unit's items
		// come out sorted.
		sortRefs(refs, byKeyThenID)
	}

	// One backing array holds every unit's items, capped per unit so that
	// an append to one unit's Items cannot overwrite its neighbour's.
	ids := make([]string, len(refs))
	for i := range refs {
		ids[i] = refs[i].id
	}
	nunits := len(refs)
	if by != ByTest {
		nunits = 1
		for i := 1; i < len(refs); i++ {
			if refs[i].key != refs[i-1].key {
				nunits++
			}
		}
	}
	u.units = make([]Unit, 0, nunits)
	starts := make([]int32, 0, nunits+1) // unit k holds refs[starts[k]:starts[k+1]]
	for i := 0; i < len(refs); {
		j := i + 1
		for j < len(refs) && refs[j].key == refs[i].key {
			j++
		}
		u.units = append(u.units, Unit{ID: refs[i].key, Items: ids[i:j:j]})
		starts = append(starts, int32(i))
		i = j
	}
	starts = append(starts, int32(len(refs)))

	d := durations{items: items, refs: refs, starts: starts, by: by, t: opts.Timings}
	u.known = d.fill(u.units)

	u.strategy = strategy
	if strategy == Auto {
		u.strategy = Hash
		if u.known > 0 {
			u.strategy = Timing
		}
	}
	return u, nil
}

// unitKey returns the ID of the unit that holds it at granularity by.
func unitKey(it *model.Item, by By, opts *Options) string {
	switch by {
	case ByFile:
		if it.File != "" {
			return it.File
		}
	case ByPackage:
		if it.Package != "" {
			return it.Package
		}
		if it.File != "" {
			return it.File
		}
	case ByGroup:
		// As in xdist's loadgroup, an item without a group runs on its
		// own; so does one whose group would be empty.
		m := opts.GroupPattern.FindStringSubmatchIndex(it.ID)
		if m != nil && m[2] >= 0 && m[3] > m[2] {
			return it.ID[m[2]:m[3]]
		}
	}
	return it.ID
}

// scope returns the key under which a unit without history looks for
// known units to borrow an estimate from: the directory of a file unit,
// else the Package of the unit's first item.
func scope(by By, unitID string, first *model.Item) string {
	if by == ByFile {
		return path.Dir(unitID)
	}
	return first.Package
}

func byID(a, b ref) int { return strings.Compare(a.id, b.id) }

func byKeyThenID(a, b ref) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

// parallelSortMin is the size from which sortRefs uses two cores.
const parallelSortMin = 8192

// sortRefs sorts refs by cmp. Collectors usually hand over sorted IDs, so
// a sorted input costs one pass; a large unsorted one is sorted in two
// halves on two goroutines and then merged. cmp must be a total order
// (IDs are unique), so the result does not depend on how it was reached.
func sortRefs(refs []ref, cmp func(a, b ref) int) {
	if slices.IsSortedFunc(refs, cmp) {
		return
	}
	if len(refs) < parallelSortMin || runtime.GOMAXPROCS(0) < 2 {
		slices.SortFunc(refs, cmp)
		return
	}
	mid := len(refs) / 2
	lo, hi := refs[:mid], refs[mid:]
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		slices.SortFunc(lo, cmp)
	}()
	slices.SortFunc(hi, cmp)
	wg.Wait()
	merged := make([]ref, 0, len(refs))
	i, j := 0, 0
	for i < len(lo) && j < len(hi) {
		if cmp(lo[i], hi[j]) <= 0 {
			merged = append(merged, lo[i])
			i++
		} else {
			merged = append(merged, hi[j])
			j++
		}
	}
	merged = append(merged, lo[i:]...)
	merged = append(merged, hi[j:]...)
	copy(refs, merged)
}
