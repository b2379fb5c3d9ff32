// Package plan splits a test suite into shards: the deterministic plan that
// every worker of a CI matrix computes on its own and that merge later
// verifies against.
//
// Items are grouped into units by a granularity (By), and units are assigned
// to shards by a strategy: hash (xxhash64 of the unit ID, no history
// needed) or timing (balanced makespan from historical durations).
package plan

import (
	"regexp"

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
