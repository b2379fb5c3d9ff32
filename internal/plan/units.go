package plan

import (
	"fmt"
	"path"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/xshard/xshard/internal/model"
)

// universe is everything about a set of items and options that does not
// depend on the number of shards: the units with their durations and the
// fingerprints of the inputs. ChooseTotal prepares it once and assigns it
// for many totals. Units live in parallel slices, in ID order, and become
// Units only in a plan.
type universe struct {
	strategy Strategy // resolved: Hash or Timing
	by       By
	seed     uint64
	ids      []string  // unit IDs, sorted
	items    []string  // the units' items: see unitItems
	starts   []int32   // unit k holds items[starts[k]:starts[k+1]]; nil: items[k]
	sec      []float64 // predicted seconds of each unit
	isKnown  []bool    // its Seconds came from history
	known    int       // units whose Seconds came from history

	universeFP string
	timingsFP  string
	timingsFPc chan string // delivers timingsFP while it is being computed
}

// unitItems returns the items of unit k, capped so that an append to one
// unit's Items cannot overwrite its neighbour's.
func (u *universe) unitItems(k int) []string {
	if u.starts == nil {
		return u.items[k : k+1 : k+1]
	}
	i, j := u.starts[k], u.starts[k+1]
	return u.items[i:j:j]
}

// timingsFingerprint returns the timings part of the fingerprint, waiting
// for it if prepare left it to another core.
func (u *universe) timingsFingerprint() string {
	if u.timingsFPc != nil {
		u.timingsFP = <-u.timingsFPc
		u.timingsFPc = nil
	}
	return u.timingsFP
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
	size := 0
	for i := range items {
		if items[i].ID == "" {
			return nil, fmt.Errorf("item %d has an empty id", i)
		}
		size += len(items[i].ID) + 1
	}
	u := &universe{by: by, seed: opts.Seed}
	d := durations{items: items, by: by, t: opts.Timings}
	var lookups *chunks
	if by == ByTest {
		// Every item is a unit: look up its history in item order, on
		// both cores, while the IDs are sorted.
		lookups = d.lookUpItems()
	}
	// Whatever the outcome, nothing keeps reading items once we return.
	defer d.wait()
	// A helper goroutine takes its share of the lookups, which the units
	// need soon, and then hashes the timings, which only the finished
	// plan needs: one goroutine beside this one, so this one, which does
	// the rest in sequence, keeps a core. The maps are only read.
	if parallel(opts.Timings.Len()) || lookups != nil && parallel(len(items)) {
		c := make(chan string, 1)
		go func() {
			if lookups != nil {
				lookups.work()
			}
			c <- TimingsFingerprint(opts.Timings)
		}()
		u.timingsFPc = c
	} else {
		u.timingsFP = TimingsFingerprint(opts.Timings)
	}

	order, dup := sortStrings(len(items), func(i int32) string { return items[i].ID })
	if dup {
		for r := 1; r < len(order); r++ {
			if id := items[order[r]].ID; id == items[order[r-1]].ID {
				u.timingsFingerprint()
				return nil, fmt.Errorf("duplicate item id %q", id)
			}
		}
	}

	// The sorted IDs, each followed by "\n", are what the universe
	// fingerprint hashes; kept as one string, they also give the units
	// their IDs with no scattered reads left for later. They are copied
	// in blocks whose strings are touched first: see touch.
	ids := make([]string, len(order))
	var b strings.Builder
	b.Grow(size)
	for r0 := 0; r0 < len(order); r0 += touchBlock {
		block := ids[r0:min(r0+touchBlock, len(ids))]
		for r := range block {
			block[r] = items[order[r0+r]].ID
		}
		touch(block)
		for _, id := range block {
			b.WriteString(id)
			b.WriteByte('\n')
		}
	}
	all := b.String()
	u.universeFP = hex16(xxhash.Sum64String(all))
	off := 0
	for r := range ids {
		n := len(ids[r])
		ids[r] = all[off : off+n]
		off += n + 1
	}

	if by == ByTest {
		u.ids, u.items = ids, ids
		d.refs = order
	} else {
		u.groupUnits(items, order, ids, &opts, &d)
	}

	u.sec = make([]float64, len(u.ids))
	u.isKnown = make([]bool, len(u.ids))
	d.wait()
	u.known = d.fill(u.ids, u.sec, u.isKnown)

	u.strategy = strategy
	if strategy == Auto {
		u.strategy = Hash
		if u.known > 0 {
			u.strategy = Timing
		}
	}
	return u, nil
}

// groupUnits groups the items, in ID order (order, ids), into units by
// their unit keys and points d at them.
func (u *universe) groupUnits(items []model.Item, order []int32, ids []string, opts *Options, d *durations) {
	keys := make([]string, len(order))
	for r, i := range order {
		keys[r] = unitKey(&items[i], u.by, opts)
	}
	// A stable sort by key keeps each unit's items in ID order.
	pos := indices(len(order))
	sortStringsStable(pos, func(r int32) string { return keys[r] })
	u.items = make([]string, len(pos))
	d.refs = make([]int32, len(pos))
	for j, r := range pos {
		u.items[j] = ids[r]
		d.refs[j] = order[r]
	}
	for j := range pos {
		if j == 0 || keys[pos[j]] != keys[pos[j-1]] {
			u.ids = append(u.ids, keys[pos[j]])
			u.starts = append(u.starts, int32(j))
		}
	}
	u.starts = append(u.starts, int32(len(pos)))
	d.starts = u.starts
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
