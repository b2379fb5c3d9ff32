package plan

import (
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testid"
)

// durations gives units their predicted seconds: from history where the
// timings have it (the rollup), else from known units nearby (the
// estimate). docs/planning.md states the rules; the tests in
// durations_test.go hold them.
type durations struct {
	items  []model.Item
	refs   []int32 // item indices, by unit then item ID
	starts []int32 // unit k holds refs[starts[k]:starts[k+1]]; nil: refs[k]
	by     By
	t      *model.Timings

	// itemSec, when set, is the history of every item by index, -1 for
	// none: what itemSeconds would return, looked up ahead of time.
	itemSec []float64
	lookups *chunks
	itemEst *estimator // item-level estimates, built on first use

	// methods sums the instances' durations by method, for the items
	// planned by method; built on first use, by whichever goroutine
	// looks up first.
	methodsOnce sync.Once
	methods     map[string]float64
}

// lookUpItems prepares to fill itemSec, in chunks that a helper goroutine
// may share (see chunks), and returns them, or nil without timings; wait
// finishes them.
func (d *durations) lookUpItems() *chunks {
	if d.t.Len() == 0 {
		return nil
	}
	d.itemSec = make([]float64, len(d.items))
	d.lookups = newChunks(len(d.items), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			s, ok := d.itemSeconds(&d.items[i])
			if !ok {
				s = -1
			}
			d.itemSec[i] = s
		}
	})
	return d.lookups
}

// wait finishes the lookups that lookUpItems prepared.
func (d *durations) wait() {
	if d.lookups != nil {
		d.lookups.finish()
		d.lookups = nil
	}
}

// first returns the index of the first item of unit k.
func (d *durations) first(k int) int32 {
	if d.starts == nil {
		return d.refs[k]
	}
	return d.refs[d.starts[k]]
}

// fill sets the seconds and known flag of every unit, given their IDs,
// and returns how many units are known.
func (d *durations) fill(ids []string, sec []float64, isKnown []bool) int {
	if d.t.Len() == 0 {
		for k := range sec {
			sec[k] = 1
		}
		return 0
	}
	var level map[string]float64
	switch d.by {
	case ByFile:
		level = d.t.Files
	case ByPackage:
		level = d.t.Packages
	case ByGroup:
		level = d.t.Groups
	}
	known := 0
	for k := range sec {
		var s float64
		var ok bool
		if d.by == ByTest {
			s, ok = d.itemSecondsAt(d.refs[k])
		} else if s, ok = lookup(level, ids[k]); !ok {
			s, ok = d.sumItems(d.refs[d.starts[k]:d.starts[k+1]])
		}
		sec[k], isKnown[k] = s, ok
		if ok {
			known++
		}
	}
	if known == 0 {
		for k := range sec {
			sec[k] = 1
		}
		return 0
	}
	if known == len(sec) {
		return known
	}

	est := newEstimator()
	for k := range sec {
		if isKnown[k] {
			est.add(d.unitScope(ids, k), sec[k])
		}
	}
	est.finish()
	for k := range sec {
		if !isKnown[k] {
			sec[k] = est.estimate(d.unitScope(ids, k))
		}
	}
	return known
}

// unitScope returns the scope of unit k for estimates.
func (d *durations) unitScope(ids []string, k int) string {
	return scope(d.by, ids[k], &d.items[d.first(k)])
}

// itemSecondsAt returns itemSeconds of the item at index i.
func (d *durations) itemSecondsAt(i int32) (float64, bool) {
	if d.itemSec != nil {
		s := d.itemSec[i]
		return s, s >= 0 // -0 is a usable duration, -1 is none
	}
	return d.itemSeconds(&d.items[i])
}

// itemSeconds returns the history of one item: its test entry, else the
// file entry when the item is a whole file (as Jest-style runners report),
// else, for a method planned whole, the sum of its instances' entries
// (.NET test cases, theory and data rows: "Ns.C.M(1,2)" for "Ns.C.M").
func (d *durations) itemSeconds(it *model.Item) (float64, bool) {
	if s, ok := lookup(d.t.Tests, it.ID); ok {
		return s, true
	}
	if it.File != "" && it.ID == it.File {
		return lookup(d.t.Files, it.ID)
	}
	d.methodsOnce.Do(d.sumMethods)
	s, ok := d.methods[it.ID]
	return s, ok
}

// sumMethods sums the test entries that end in an argument list by their
// method. It runs once, at the first item without an entry of its own.
func (d *durations) sumMethods() {
	for id := range d.t.Tests {
		if !strings.HasSuffix(id, ")") {
			continue
		}
		s, ok := lookup(d.t.Tests, id)
		m, isInstance := testid.WithoutArgs(id)
		if !ok || !isInstance {
			continue
		}
		if d.methods == nil {
			d.methods = map[string]float64{}
		}
		d.methods[m] += s
	}
}

// sumItems rolls a unit's duration up from its items. It is known when any
// item is; items without history then count as the item-level estimate.
func (d *durations) sumItems(refs []int32) (float64, bool) {
	anyKnown := false
	for _, i := range refs {
		if _, ok := d.itemSecondsAt(i); ok {
			anyKnown = true
			break
		}
	}
	if !anyKnown {
		return 0, false
	}
	sum := 0.0
	for _, i := range refs {
		it := &d.items[i]
		s, ok := d.itemSecondsAt(i)
		if !ok {
			s = d.itemEstimator().estimate(it.Package)
		}
		sum += s
	}
	return sum, true
}

// itemEstimator returns the medians of known items by Package, computed
// once over the whole universe.
func (d *durations) itemEstimator() *estimator {
	if d.itemEst == nil {
		d.itemEst = newEstimator()
		for _, i := range d.refs {
			it := &d.items[i]
			if s, ok := d.itemSecondsAt(i); ok {
				d.itemEst.add(it.Package, s)
			}
		}
		d.itemEst.finish()
	}
	return d.itemEst
}

// lookup returns m[key] when it is a usable duration: present, finite and
// not negative. Anything else counts as no history.
func lookup(m map[string]float64, key string) (float64, bool) {
	s, ok := m[key]
	if !ok || s < 0 || math.IsInf(s, 0) || math.IsNaN(s) {
		return 0, false
	}
	return s, true
}

// estimator answers "how long does something without history take": the
// median of the known durations in the same scope, else the median of all
// known durations.
type estimator struct {
	byScope map[string][]float64
	all     []float64
	medians map[string]float64
	median  float64
}

func newEstimator() *estimator {
	return &estimator{byScope: map[string][]float64{}}
}

func (e *estimator) add(scope string, s float64) {
	e.byScope[scope] = append(e.byScope[scope], s)
	e.all = append(e.all, s)
}

func (e *estimator) finish() {
	e.medians = make(map[string]float64, len(e.byScope))
	for k, v := range e.byScope {
		e.medians[k] = median(v)
	}
	e.median = median(e.all)
}

func (e *estimator) estimate(scope string) float64 {
	if m, ok := e.medians[scope]; ok {
		return m
	}
	return e.median
}

// median sorts xs and returns its median, the mean of the middle two for
// an even count. xs must not be empty.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
