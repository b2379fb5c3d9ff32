package plan

import (
	"math"
	"slices"

	"github.com/xshard/xshard/internal/model"
)

// durations gives units their predicted seconds: from history where the
// timings have it (the rollup), else from known units nearby (the
// estimate). docs/planning.md states the rules; the tests in
// durations_test.go hold them.
type durations struct {
	items  []model.Item
	refs   []ref   // sorted by unit, then item ID
	starts []int32 // unit k holds refs[starts[k]:starts[k+1]]
	by     By
	t      *model.Timings

	itemEst *estimator // item-level estimates, built on first use
}

// fill sets Seconds and Known on every unit and returns how many units are
// known.
func (d *durations) fill(units []Unit) int {
	if d.t.Len() == 0 {
		for k := range units {
			units[k].Seconds = 1
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
	for k := range units {
		u := &units[k]
		if d.by == ByTest {
			u.Seconds, u.Known = d.itemSeconds(&d.items[d.refs[k].idx])
		} else if s, ok := lookup(level, u.ID); ok {
			u.Seconds, u.Known = s, true
		} else {
			u.Seconds, u.Known = d.sumItems(d.refs[d.starts[k]:d.starts[k+1]])
		}
		if u.Known {
			known++
		}
	}
	if known == 0 {
		for k := range units {
			units[k].Seconds = 1
		}
		return 0
	}
	if known == len(units) {
		return known
	}

	est := newEstimator()
	for k := range units {
		if units[k].Known {
			est.add(d.unitScope(units, k), units[k].Seconds)
		}
	}
	est.finish()
	for k := range units {
		if !units[k].Known {
			units[k].Seconds = est.estimate(d.unitScope(units, k))
		}
	}
	return known
}

// unitScope returns the scope of units[k] for estimates.
func (d *durations) unitScope(units []Unit, k int) string {
	return scope(d.by, units[k].ID, &d.items[d.refs[d.starts[k]].idx])
}

// itemSeconds returns the history of one item: its test entry, else the
// file entry when the item is a whole file (as Jest-style runners report).
func (d *durations) itemSeconds(it *model.Item) (float64, bool) {
	if s, ok := lookup(d.t.Tests, it.ID); ok {
		return s, true
	}
	if it.File != "" && it.ID == it.File {
		return lookup(d.t.Files, it.ID)
	}
	return 0, false
}

// sumItems rolls a unit's duration up from its items. It is known when any
// item is; items without history then count as the item-level estimate.
func (d *durations) sumItems(refs []ref) (float64, bool) {
	anyKnown := false
	for i := range refs {
		if _, ok := d.itemSeconds(&d.items[refs[i].idx]); ok {
			anyKnown = true
			break
		}
	}
	if !anyKnown {
		return 0, false
	}
	sum := 0.0
	for i := range refs {
		it := &d.items[refs[i].idx]
		s, ok := d.itemSeconds(it)
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
		for i := range d.refs {
			it := &d.items[d.refs[i].idx]
			if s, ok := d.itemSeconds(it); ok {
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
