// Package plan splits a test suite into shards: the deterministic plan that
// every worker of a CI matrix computes on its own and that merge later
// verifies against.
//
// Items are grouped into units by a granularity (By), and units are assigned
// to shards by a strategy: hash (xxhash64 of the unit ID, no history
// needed) or timing (balanced makespan from historical durations).
package plan

import (
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/xshard/xshard/internal/model"
)

// Strategy names how units are assigned to shards.
type Strategy string

// The strategies.
const (
	// Auto is Timing when the timings cover at least one unit, else Hash.
	Auto   Strategy = "auto"
	Hash   Strategy = "hash"
	Timing Strategy = "timing"
)

// By names the granularity of a unit, as pytest-xdist's --dist modes do.
type By string

// The granularities.
const (
	ByTest    By = "test"    // xdist load: every item is a unit
	ByFile    By = "file"    // xdist loadfile: the item's File
	ByPackage By = "package" // xdist loadscope: the item's Package
	ByGroup   By = "group"   // xdist loadgroup: first capture of GroupPattern
)

// Options configure Make.
type Options struct {
	Total    int      // number of shards, >= 1
	Strategy Strategy // "" means Auto
	By       By       // "" means ByTest
	Seed     uint64   // mixed into the hash strategy's ordering
	// GroupPattern is required with ByGroup: the first capture group of a
	// match on the item ID names its group; an item that does not match
	// is a unit of its own.
	GroupPattern *regexp.Regexp
	// Timings is the history, or nil.
	Timings *model.Timings
}

// Unit is a set of items that always run on the same shard.
type Unit struct {
	ID      string   // the item ID, file, package or group
	Items   []string // item IDs, sorted
	Seconds float64  // predicted duration
	Known   bool     // Seconds came from history, not an estimate
}

// Shard is the work of one worker.
type Shard struct {
	Index   int
	Units   []Unit  // sorted by ID
	Seconds float64 // sum of the units' Seconds
}

// Plan is the assignment of every unit to exactly one shard.
type Plan struct {
	Total    int
	Strategy Strategy // the strategy used: Hash or Timing, never Auto
	By       By
	Seed     uint64
	Shards   []Shard // len(Shards) == Total, Shards[i].Index == i
	// Makespan is the largest shard's predicted seconds; LowerBound is
	// max(longest unit, sum/Total), which no assignment can beat.
	Makespan   float64
	LowerBound float64
	// KnownShare is the share (0..1) of units whose duration came from
	// history.
	KnownShare float64
	// UniverseFingerprint identifies the sorted set of item IDs,
	// TimingsFingerprint the timings as used, and Fingerprint the whole
	// plan; see Fingerprints.
	UniverseFingerprint string
	TimingsFingerprint  string
	Fingerprint         string
}

// ErrNoItems is returned by Make when there is nothing to plan.
var ErrNoItems = errors.New("no items to plan")

// Make splits items into opts.Total shards. Items are grouped into units by
// opts.By, each unit is given a duration from opts.Timings (see the rollup
// and estimate rules in docs/planning.md), and units are assigned to shards
// by opts.Strategy. The result depends only on the set of items, not their
// order, and on opts.
//
// Make returns an error for invalid options, an empty universe (ErrNoItems),
// an empty item ID or a duplicate item ID.
func Make(items []model.Item, opts Options) (*Plan, error) {
	u, err := prepare(items, opts)
	if err != nil {
		return nil, err
	}
	return u.assign(opts.Total), nil
}

// ItemIDs returns the IDs of every item on s, sorted.
func (s *Shard) ItemIDs() []string {
	n := 0
	for _, u := range s.Units {
		n += len(u.Items)
	}
	ids := make([]string, 0, n)
	for _, u := range s.Units {
		ids = append(ids, u.Items...)
	}
	slices.Sort(ids)
	return ids
}

// resolve checks opts and returns its strategy and granularity with the
// defaults filled in.
func (opts *Options) resolve() (Strategy, By, error) {
	if opts.Total < 1 {
		return "", "", fmt.Errorf("total must be at least 1, got %d", opts.Total)
	}
	strategy := opts.Strategy
	switch strategy {
	case "":
		strategy = Auto
	case Auto, Hash, Timing:
	default:
		return "", "", fmt.Errorf("unknown strategy %q: expected one of %q, %q, %q", strategy, Auto, Hash, Timing)
	}
	by := opts.By
	switch by {
	case "":
		by = ByTest
	case ByTest, ByFile, ByPackage:
	case ByGroup:
		if opts.GroupPattern == nil {
			return "", "", fmt.Errorf("granularity %q needs a group pattern", ByGroup)
		}
		if opts.GroupPattern.NumSubexp() < 1 {
			return "", "", fmt.Errorf("group pattern %q has no capture group", opts.GroupPattern.String())
		}
	default:
		return "", "", fmt.Errorf("unknown granularity %q: expected one of %q, %q, %q, %q", by, ByTest, ByFile, ByPackage, ByGroup)
	}
	return strategy, by, nil
}
