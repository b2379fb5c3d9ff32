package plan

import (
	"encoding/binary"
	"errors"
	"math"
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/cespare/xxhash/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/model"
)

// ids returns items with these IDs and no file or package.
func ids(id ...string) []model.Item {
	items := make([]model.Item, len(id))
	for i, s := range id {
		items[i] = model.Item{ID: s, Package: "p"}
	}
	return items
}

// layout returns the unit IDs of each shard of p.
func layout(p *Plan) [][]string {
	out := make([][]string, len(p.Shards))
	for i, s := range p.Shards {
		out[i] = []string{}
		for _, u := range s.Units {
			out[i] = append(out[i], u.ID)
		}
	}
	return out
}

// allUnits returns the units of p sorted by ID.
func allUnits(p *Plan) []Unit {
	var us []Unit
	for _, s := range p.Shards {
		us = append(us, s.Units...)
	}
	sort.Slice(us, func(i, j int) bool { return us[i].ID < us[j].ID })
	return us
}

func TestMakeErrors(t *testing.T) {
	items := ids("a", "b")
	tests := []struct {
		name  string
		items []model.Item
		opts  Options
		want  string
	}{
		{
			name:  "a total of zero is refused",
			items: items,
			opts:  Options{Total: 0},
			want:  "total must be at least 1, got 0",
		},
		{
			name:  "a negative total is refused",
			items: items,
			opts:  Options{Total: -3},
			want:  "total must be at least 1, got -3",
		},
		{
			name:  "an unknown strategy is named with the ones that exist",
			items: items,
			opts:  Options{Total: 1, Strategy: "round-robin"},
			want:  `unknown strategy "round-robin": expected one of "auto", "hash", "timing"`,
		},
		{
			name:  "an unknown granularity is named with the ones that exist",
			items: items,
			opts:  Options{Total: 1, By: "scope"},
			want:  `unknown granularity "scope": expected one of "test", "file", "package", "group"`,
		},
		{
			name:  "grouping needs a pattern",
			items: items,
			opts:  Options{Total: 1, By: ByGroup},
			want:  `granularity "group" needs a group pattern`,
		},
		{
			name:  "a group pattern needs a capture group",
			items: items,
			opts:  Options{Total: 1, By: ByGroup, GroupPattern: regexp.MustCompile(`@\w+$`)},
			want:  `group pattern "@\\w+$" has no capture group`,
		},
		{
			name:  "an empty universe is refused",
			items: nil,
			opts:  Options{Total: 2},
			want:  "no items to plan",
		},
		{
			name:  "an item without an id is refused",
			items: ids("a", "", "b"),
			opts:  Options{Total: 2},
			want:  "item 1 has an empty id",
		},
		{
			name:  "a duplicate item id is refused",
			items: ids("a", "tests/test_x.py::test_b", "c", "tests/test_x.py::test_b"),
			opts:  Options{Total: 2},
			want:  `duplicate item id "tests/test_x.py::test_b"`,
		},
		{
			name:  "a duplicate item id is refused even when the copies are in different files",
			items: []model.Item{{ID: "x", File: "a.go"}, {ID: "x", File: "b.go"}},
			opts:  Options{Total: 2, By: ByFile},
			want:  `duplicate item id "x"`,
		},
		{
			name:  "options are checked before items",
			items: nil,
			opts:  Options{Total: 0},
			want:  "total must be at least 1, got 0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Make(tt.items, tt.opts)
			if err == nil {
				t.Fatalf("Make() = %v, want error %q", layout(p), tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Make() error = %q, want %q", err, tt.want)
			}
		})
	}
}

func TestMakeEmptyUniverseIsErrNoItems(t *testing.T) {
	_, err := Make([]model.Item{}, Options{Total: 1})
	if !errors.Is(err, ErrNoItems) {
		t.Errorf("Make(no items) error = %v, want ErrNoItems", err)
	}
}

func TestUnits(t *testing.T) {
	items := []model.Item{
		{ID: "tests/test_b.py::test_z", File: "tests/test_b.py", Package: "tests.test_b"},
		{ID: "tests/test_a.py::TestC::test_y@db", File: "tests/test_a.py", Package: "tests.test_a.TestC"},
		{ID: "tests/test_a.py::TestC::test_x@db", File: "tests/test_a.py", Package: "tests.test_a.TestC"},
		{ID: "tests/test_a.py::test_w@net", File: "tests/test_a.py", Package: "tests.test_a"},
		{ID: "example.com/m/pkg.TestA", File: "", Package: "example.com/m/pkg"},
		{ID: "example.com/m/pkg.TestB", File: "", Package: "example.com/m/pkg"},
		{ID: "src/a.test.js", File: "src/a.test.js", Package: ""},
		{ID: "orphan", File: "", Package: ""},
	}
	tests := []struct {
		name string
		opts Options
		want []Unit
	}{
		{
			name: "by test every item is a unit of its own",
			opts: Options{By: ByTest},
			want: []Unit{
				{ID: "example.com/m/pkg.TestA", Items: []string{"example.com/m/pkg.TestA"}},
				{ID: "example.com/m/pkg.TestB", Items: []string{"example.com/m/pkg.TestB"}},
				{ID: "orphan", Items: []string{"orphan"}},
				{ID: "src/a.test.js", Items: []string{"src/a.test.js"}},
				{ID: "tests/test_a.py::TestC::test_x@db", Items: []string{"tests/test_a.py::TestC::test_x@db"}},
				{ID: "tests/test_a.py::TestC::test_y@db", Items: []string{"tests/test_a.py::TestC::test_y@db"}},
				{ID: "tests/test_a.py::test_w@net", Items: []string{"tests/test_a.py::test_w@net"}},
				{ID: "tests/test_b.py::test_z", Items: []string{"tests/test_b.py::test_z"}},
			},
		},
		{
			name: "the empty granularity means by test",
			opts: Options{},
			want: []Unit{
				{ID: "example.com/m/pkg.TestA", Items: []string{"example.com/m/pkg.TestA"}},
				{ID: "example.com/m/pkg.TestB", Items: []string{"example.com/m/pkg.TestB"}},
				{ID: "orphan", Items: []string{"orphan"}},
				{ID: "src/a.test.js", Items: []string{"src/a.test.js"}},
				{ID: "tests/test_a.py::TestC::test_x@db", Items: []string{"tests/test_a.py::TestC::test_x@db"}},
				{ID: "tests/test_a.py::TestC::test_y@db", Items: []string{"tests/test_a.py::TestC::test_y@db"}},
				{ID: "tests/test_a.py::test_w@net", Items: []string{"tests/test_a.py::test_w@net"}},
				{ID: "tests/test_b.py::test_z", Items: []string{"tests/test_b.py::test_z"}},
			},
		},
		{
			name: "by file items share their file's unit and an item without a file is its own",
			opts: Options{By: ByFile},
			want: []Unit{
				{ID: "example.com/m/pkg.TestA", Items: []string{"example.com/m/pkg.TestA"}},
				{ID: "example.com/m/pkg.TestB", Items: []string{"example.com/m/pkg.TestB"}},
				{ID: "orphan", Items: []string{"orphan"}},
				{ID: "src/a.test.js", Items: []string{"src/a.test.js"}},
				{ID: "tests/test_a.py", Items: []string{
					"tests/test_a.py::TestC::test_x@db",
					"tests/test_a.py::TestC::test_y@db",
					"tests/test_a.py::test_w@net",
				}},
				{ID: "tests/test_b.py", Items: []string{"tests/test_b.py::test_z"}},
			},
		},
		{
			name: "by package items share their package, else their file, else they are their own",
			opts: Options{By: ByPackage},
			want: []Unit{
				{ID: "example.com/m/pkg", Items: []string{"example.com/m/pkg.TestA", "example.com/m/pkg.TestB"}},
				{ID: "orphan", Items: []string{"orphan"}},
				{ID: "src/a.test.js", Items: []string{"src/a.test.js"}},
				{ID: "tests.test_a", Items: []string{"tests/test_a.py::test_w@net"}},
				{ID: "tests.test_a.TestC", Items: []string{
					"tests/test_a.py::TestC::test_x@db",
					"tests/test_a.py::TestC::test_y@db",
				}},
				{ID: "tests.test_b", Items: []string{"tests/test_b.py::test_z"}},
			},
		},
		{
			name: "by group the first capture names the unit and items that do not match are their own",
			opts: Options{By: ByGroup, GroupPattern: regexp.MustCompile(`@(\w+)$`)},
			want: []Unit{
				{ID: "db", Items: []string{
					"tests/test_a.py::TestC::test_x@db",
					"tests/test_a.py::TestC::test_y@db",
				}},
				{ID: "example.com/m/pkg.TestA", Items: []string{"example.com/m/pkg.TestA"}},
				{ID: "example.com/m/pkg.TestB", Items: []string{"example.com/m/pkg.TestB"}},
				{ID: "net", Items: []string{"tests/test_a.py::test_w@net"}},
				{ID: "orphan", Items: []string{"orphan"}},
				{ID: "src/a.test.js", Items: []string{"src/a.test.js"}},
				{ID: "tests/test_b.py::test_z", Items: []string{"tests/test_b.py::test_z"}},
			},
		},
		{
			name: "by group only the first capture counts and an empty capture is no group",
			opts: Options{By: ByGroup, GroupPattern: regexp.MustCompile(`^(example|src|x*)[./](\w+)`)},
			want: []Unit{
				{ID: "example", Items: []string{"example.com/m/pkg.TestA", "example.com/m/pkg.TestB"}},
				{ID: "orphan", Items: []string{"orphan"}},
				{ID: "src", Items: []string{"src/a.test.js"}},
				{ID: "tests/test_a.py::TestC::test_x@db", Items: []string{"tests/test_a.py::TestC::test_x@db"}},
				{ID: "tests/test_a.py::TestC::test_y@db", Items: []string{"tests/test_a.py::TestC::test_y@db"}},
				{ID: "tests/test_a.py::test_w@net", Items: []string{"tests/test_a.py::test_w@net"}},
				{ID: "tests/test_b.py::test_z", Items: []string{"tests/test_b.py::test_z"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Total = 3
			tt.opts.Strategy = Hash
			p, err := Make(items, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := allUnits(p)
			for i := range got {
				got[i].Seconds, got[i].Known = 0, false
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("units (-want +got):\n%s", diff)
			}
		})
	}
}

// seconds is the duration and source of one unit, as TestDurations wants it.
type seconds struct {
	S     float64
	Known bool
}

func TestDurations(t *testing.T) {
	goItems := []model.Item{
		{ID: "m/a.TestA1", File: "a/a_test.go", Package: "m/a"},
		{ID: "m/a.TestA2", File: "a/a_test.go", Package: "m/a"},
		{ID: "m/a.TestA3", File: "a/b_test.go", Package: "m/a"},
		{ID: "m/a.TestA4", File: "a/c_test.go", Package: "m/a"},
		{ID: "m/b.TestB1", File: "b/b_test.go", Package: "m/b"},
		{ID: "m/b.TestB2", File: "b/b_test.go", Package: "m/b"},
	}
	jsItems := []model.Item{
		{ID: "src/a.test.js", File: "src/a.test.js", Package: "src"},
		{ID: "src/b.test.js", File: "src/b.test.js", Package: "src"},
		{ID: "lib/c.test.js::renders", File: "lib/c.test.js", Package: "lib"},
	}
	groupItems := []model.Item{
		{ID: "t::a@db", Package: "t"},
		{ID: "t::b@db", Package: "t"},
		{ID: "t::c@net", Package: "t"},
		{ID: "t::d", Package: "t"},
	}
	tests := []struct {
		name    string
		items   []model.Item
		by      By
		timings *model.Timings
		want    map[string]seconds
	}{
		{
			name:    "with no timings every unit weighs one second",
			items:   goItems[:3],
			timings: nil,
			want: map[string]seconds{
				"m/a.TestA1": {1, false}, "m/a.TestA2": {1, false}, "m/a.TestA3": {1, false},
			},
		},
		{
			name:    "with timings that cover no unit every unit weighs one second",
			items:   goItems[:2],
			timings: &model.Timings{Tests: map[string]float64{"gone.TestX": 30}, Packages: map[string]float64{"m/a": 7}},
			want:    map[string]seconds{"m/a.TestA1": {1, false}, "m/a.TestA2": {1, false}},
		},
		{
			name:    "by test a test's own entry is its duration",
			items:   goItems[:2],
			timings: &model.Timings{Tests: map[string]float64{"m/a.TestA1": 2.5, "m/a.TestA2": 0}},
			want:    map[string]seconds{"m/a.TestA1": {2.5, true}, "m/a.TestA2": {0, true}},
		},
		{
			name:    "by test an item that is a whole file takes the file's entry",
			items:   jsItems,
			timings: &model.Timings{Files: map[string]float64{"src/a.test.js": 4, "src/b.test.js": 6, "lib/c.test.js": 100}},
			want: map[string]seconds{
				"src/a.test.js": {4, true}, "src/b.test.js": {6, true},
				// Not a whole file, so the file's 100 s are not its own;
				// no known unit in "lib", so the median of all.
				"lib/c.test.js::renders": {5, false},
			},
		},
		{
			name: "by test a .NET method listed whole takes the sum of its instances",
			items: []model.Item{
				{ID: "Shop.CartTests.Discounts", Package: "Shop.CartTests"},
				{ID: "Shop.CartTests.Adds(1, 2)", Package: "Shop.CartTests"},
				{ID: "Shop.CartTests.Adds(3, 4)", Package: "Shop.CartTests"},
			},
			timings: &model.Timings{Tests: map[string]float64{
				"Shop.CartTests.Discounts(10,90.0m)": 1.5, "Shop.CartTests.Discounts(\"(\")": 2, "Shop.CartTests.Discounts(x": 100,
				"Shop.CartTests.Adds(1, 2)": 3, "Shop.CartTests.Adds(3, 4)": 4, "Shop.CartTests.Adds": 50,
			}},
			// An instance listed itself takes its own entry only.
			want: map[string]seconds{"Shop.CartTests.Discounts": {3.5, true}, "Shop.CartTests.Adds(1, 2)": {3, true}, "Shop.CartTests.Adds(3, 4)": {4, true}},
		},
		{
			name:    "by test a test entry wins over a file entry",
			items:   jsItems[:1],
			timings: &model.Timings{Tests: map[string]float64{"src/a.test.js": 3}, Files: map[string]float64{"src/a.test.js": 9}},
			want:    map[string]seconds{"src/a.test.js": {3, true}},
		},
		{
			name:  "by test a new test takes the median of known tests in its package",
			items: goItems,
			timings: &model.Timings{Tests: map[string]float64{
				"m/a.TestA1": 1, "m/a.TestA2": 2, "m/a.TestA3": 10, "m/b.TestB1": 50,
			}},
			want: map[string]seconds{
				"m/a.TestA1": {1, true}, "m/a.TestA2": {2, true}, "m/a.TestA3": {10, true},
				"m/a.TestA4": {2, false},
				"m/b.TestB1": {50, true}, "m/b.TestB2": {50, false},
			},
		},
		{
			name:  "by test the median of an even count is the mean of the middle two",
			items: goItems,
			timings: &model.Timings{Tests: map[string]float64{
				"m/a.TestA1": 1, "m/a.TestA2": 2, "m/a.TestA3": 10, "m/a.TestA4": 4,
			}},
			want: map[string]seconds{
				"m/a.TestA1": {1, true}, "m/a.TestA2": {2, true}, "m/a.TestA3": {10, true}, "m/a.TestA4": {4, true},
				// No known test in m/b: the median of all four known, (2+4)/2.
				"m/b.TestB1": {3, false}, "m/b.TestB2": {3, false},
			},
		},
		{
			name:  "negative, infinite and NaN entries count as no history",
			items: goItems[:4],
			timings: &model.Timings{Tests: map[string]float64{
				"m/a.TestA1": 8, "m/a.TestA2": -1, "m/a.TestA3": posInf(), "m/a.TestA4": nan(),
			}},
			want: map[string]seconds{
				"m/a.TestA1": {8, true}, "m/a.TestA2": {8, false}, "m/a.TestA3": {8, false}, "m/a.TestA4": {8, false},
			},
		},
		{
			name:    "by file a file's own entry is its duration, over its tests",
			items:   goItems,
			by:      ByFile,
			timings: &model.Timings{Files: map[string]float64{"a/a_test.go": 7}, Tests: map[string]float64{"m/a.TestA1": 100}},
			want: map[string]seconds{
				"a/a_test.go": {7, true},
				// No file entry, no known test, no known file in a/ but
				// a/a_test.go: its 7 s.
				"a/b_test.go": {7, false}, "a/c_test.go": {7, false},
				// No known file in b/: the median of all known files.
				"b/b_test.go": {7, false},
			},
		},
		{
			name:    "by file a file without an entry sums its tests",
			items:   goItems,
			by:      ByFile,
			timings: &model.Timings{Tests: map[string]float64{"m/a.TestA1": 1, "m/a.TestA2": 2, "m/a.TestA3": 4, "m/b.TestB1": 8, "m/b.TestB2": 16}},
			want: map[string]seconds{
				"a/a_test.go": {3, true}, "a/b_test.go": {4, true},
				// a/c_test.go has no history: median of the known files in a/.
				"a/c_test.go": {3.5, false},
				"b/b_test.go": {24, true},
			},
		},
		{
			name:    "by file a file with some known tests counts the others as the median of known tests in their package",
			items:   goItems,
			by:      ByFile,
			timings: &model.Timings{Tests: map[string]float64{"m/a.TestA1": 1, "m/a.TestA3": 5, "m/a.TestA4": 6, "m/b.TestB1": 8}},
			want: map[string]seconds{
				// TestA2 is new: the median of known m/a tests is 5.
				"a/a_test.go": {6, true}, "a/b_test.go": {5, true}, "a/c_test.go": {6, true},
				// TestB2 is new: the only known m/b test took 8.
				"b/b_test.go": {16, true},
			},
		},
		{
			name:    "by file an item without a file is a unit named by its id and can use its test entry",
			items:   []model.Item{{ID: "x.TestX", Package: "x"}, {ID: "y.TestY", File: "y/y_test.go", Package: "y"}},
			by:      ByFile,
			timings: &model.Timings{Tests: map[string]float64{"x.TestX": 3}, Files: map[string]float64{"y/y_test.go": 5}},
			want:    map[string]seconds{"x.TestX": {3, true}, "y/y_test.go": {5, true}},
		},
		{
			name:    "by package a package's own entry is its duration, over its tests",
			items:   goItems,
			by:      ByPackage,
			timings: &model.Timings{Packages: map[string]float64{"m/a": 12}, Tests: map[string]float64{"m/a.TestA1": 100, "m/b.TestB1": 2, "m/b.TestB2": 3}},
			want:    map[string]seconds{"m/a": {12, true}, "m/b": {5, true}},
		},
		{
			name:    "by package a package without history takes the median of all known packages",
			items:   append(slices.Clone(goItems), model.Item{ID: "m/c.TestC", Package: "m/c"}),
			by:      ByPackage,
			timings: &model.Timings{Packages: map[string]float64{"m/a": 12, "m/b": 4}},
			want:    map[string]seconds{"m/a": {12, true}, "m/b": {4, true}, "m/c": {8, false}},
		},
		{
			name:    "by package whole-file items roll up through their file entries",
			items:   jsItems,
			by:      ByPackage,
			timings: &model.Timings{Files: map[string]float64{"src/a.test.js": 4, "src/b.test.js": 6}},
			want:    map[string]seconds{"src": {10, true}, "lib": {10, false}},
		},
		{
			name:    "by group a group's own entry is its duration, else its tests' sum",
			items:   groupItems,
			by:      ByGroup,
			timings: &model.Timings{Groups: map[string]float64{"db": 20}, Tests: map[string]float64{"t::a@db": 1, "t::c@net": 3, "t::d": 5}},
			want:    map[string]seconds{"db": {20, true}, "net": {3, true}, "t::d": {5, true}},
		},
		{
			name:    "by group a group with some known tests estimates the rest",
			items:   groupItems,
			by:      ByGroup,
			timings: &model.Timings{Tests: map[string]float64{"t::a@db": 1, "t::c@net": 3, "t::d": 5}},
			// t::b@db is new: the median of known tests in t is 3.
			want: map[string]seconds{"db": {4, true}, "net": {3, true}, "t::d": {5, true}},
		},
		{
			name:    "by group a unit without history takes the median of known units of its first item's package",
			items:   append(slices.Clone(groupItems), model.Item{ID: "u::e@io", Package: "u"}, model.Item{ID: "u::f", Package: "u"}),
			by:      ByGroup,
			timings: &model.Timings{Groups: map[string]float64{"db": 20, "io": 2}},
			want: map[string]seconds{
				"db": {20, true}, "io": {2, true},
				"net": {20, false}, "t::d": {20, false}, "u::f": {2, false},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Make(tt.items, Options{Total: 2, By: tt.by, Timings: tt.timings, GroupPattern: regexp.MustCompile(`@(\w+)$`)})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]seconds{}
			for _, u := range allUnits(p) {
				got[u.ID] = seconds{u.Seconds, u.Known}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("durations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStrategyChoice(t *testing.T) {
	items := ids("a", "b", "c")
	tests := []struct {
		name      string
		strategy  Strategy
		timings   *model.Timings
		want      Strategy
		wantKnown float64
	}{
		{"auto without timings hashes", Auto, nil, Hash, 0},
		{"the empty strategy is auto", "", nil, Hash, 0},
		{"auto with timings that cover no unit hashes", Auto, &model.Timings{Tests: map[string]float64{"z": 1}}, Hash, 0},
		{"auto with timings that cover one unit balances by time", "", &model.Timings{Tests: map[string]float64{"b": 1}}, Timing, 1.0 / 3},
		{"hash is used when asked even with full timings", Hash, &model.Timings{Tests: map[string]float64{"a": 1, "b": 1, "c": 1}}, Hash, 1},
		{"timing is used when asked even without timings", Timing, nil, Timing, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Make(items, Options{Total: 2, Strategy: tt.strategy, Timings: tt.timings})
			if err != nil {
				t.Fatal(err)
			}
			if p.Strategy != tt.want {
				t.Errorf("Strategy = %q, want %q", p.Strategy, tt.want)
			}
			if p.KnownShare != tt.wantKnown {
				t.Errorf("KnownShare = %v, want %v", p.KnownShare, tt.wantKnown)
			}
		})
	}
}

func TestHashStrategy(t *testing.T) {
	var many []string
	for i := range 23 {
		many = append(many, "tests/test_m.py::test_"+string(rune('a'+i)))
	}
	tests := []struct {
		name  string
		ids   []string
		total int
		seed  uint64
	}{
		{"one shard takes everything", many, 1, 0},
		{"units are cut in hash order into runs of near equal size", many, 4, 0},
		{"the seed salts the hash", many, 4, 42},
		{"a seed with every byte set salts the hash", many, 5, 0x0102030405060708},
		{"more shards than units leaves the last shards empty", many[:3], 5, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Make(ids(tt.ids...), Options{Total: tt.total, Strategy: Hash, Seed: tt.seed})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantHashLayout(tt.ids, tt.total, tt.seed), layout(p)); diff != "" {
				t.Errorf("layout (-want +got):\n%s", diff)
			}
		})
	}
}

// wantHashLayout restates the hash rule in the plainest terms: sort by
// xxhash64(le64(seed) + id), or of the id alone for seed 0; give the first
// len%total shards one unit more; sort each shard by ID.
func wantHashLayout(ids []string, total int, seed uint64) [][]string {
	key := func(id string) uint64 {
		if seed == 0 {
			return xxhash.Sum64([]byte(id))
		}
		return xxhash.Sum64(append(binary.LittleEndian.AppendUint64(nil, seed), id...))
	}
	sorted := slices.Clone(ids)
	sort.Slice(sorted, func(i, j int) bool {
		ki, kj := key(sorted[i]), key(sorted[j])
		return ki < kj || ki == kj && sorted[i] < sorted[j]
	})
	out := make([][]string, total)
	for s := range out {
		n := len(ids) / total
		if s < len(ids)%total {
			n++
		}
		out[s] = slices.Clone(sorted[:n])
		sorted = sorted[n:]
		slices.Sort(out[s])
	}
	return out
}

func TestTimingStrategy(t *testing.T) {
	tests := []struct {
		name  string
		secs  map[string]float64
		total int
		want  [][]string
	}{
		{
			name:  "the longest unit goes first to the least loaded shard",
			secs:  map[string]float64{"a": 5, "b": 4, "c": 3, "d": 3, "e": 1},
			total: 2,
			// a->0 (5), b->1 (4), c->1 (7), d->0 (8), e->1 (8).
			want: [][]string{{"a", "d"}, {"b", "c", "e"}},
		},
		{
			name:  "equal units go by id and equal loads to the lowest index",
			secs:  map[string]float64{"d": 1, "c": 1, "b": 1, "a": 1, "e": 1},
			total: 3,
			want:  [][]string{{"a", "d"}, {"b", "e"}, {"c"}},
		},
		{
			name:  "the improvement pass swaps what longest-first placed badly",
			secs:  map[string]float64{"a": 3, "b": 3, "c": 2, "d": 2, "e": 2},
			total: 2,
			// Longest-first gives {a,c,e}=7 and {b,d}=5; swapping a and d
			// reaches 6 and 6.
			want: [][]string{{"c", "d", "e"}, {"a", "b"}},
		},
		{
			name:  "a unit longer than all others together has a shard to itself",
			secs:  map[string]float64{"huge": 100, "a": 1, "b": 2, "c": 3},
			total: 2,
			want:  [][]string{{"huge"}, {"a", "b", "c"}},
		},
		{
			name:  "more shards than units leaves the last shards empty",
			secs:  map[string]float64{"a": 1, "b": 2},
			total: 4,
			want:  [][]string{{"b"}, {"a"}, {}, {}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var items []model.Item
			for id := range tt.secs {
				items = append(items, model.Item{ID: id, Package: "p"})
			}
			p, err := Make(items, Options{Total: tt.total, Strategy: Timing, Timings: &model.Timings{Tests: tt.secs}})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, layout(p)); diff != "" {
				t.Errorf("layout (-want +got):\n%s", diff)
			}
		})
	}
}

func posInf() float64 { return math.Inf(1) }
func nan() float64    { return math.NaN() }

func TestBestChange(t *testing.T) {
	sec := []float64{1, 2, 3, 4, 6, 9}
	tests := []struct {
		name   string
		a, b   []int32 // indices into sec, by duration
		ms, lj float64
		wantA  int
		wantB  int
		wantOK bool
	}{
		{
			name: "a move is taken when it evens the pair best",
			a:    []int32{0, 2, 4}, b: []int32{1}, ms: 10, lj: 4,
			// Moving 3 gives 7/7; no swap does as well.
			wantA: 1, wantB: -1, wantOK: true,
		},
		{
			name: "a swap is taken when it evens the pair best",
			a:    []int32{3, 4}, b: []int32{2, 3}, ms: 10, lj: 7,
			// Moving 4 or 6 overshoots; swapping 4 for 3 gives 9/8, 6
			// for 4 gives 8/9, 6 for 3 gives 7/10: the first of the two
			// best, in A's order, wins.
			wantA: 0, wantB: 0, wantOK: true,
		},
		{
			name: "nothing is taken when no change gets both shards below the makespan",
			a:    []int32{5}, b: []int32{4}, ms: 9, lj: 6,
			wantA: -1, wantB: -1, wantOK: false,
		},
		{
			name: "nothing is taken between shards of equal load",
			a:    []int32{0, 5}, b: []int32{4, 2, 0}, ms: 10, lj: 10,
			wantA: -1, wantB: -1, wantOK: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b, ok := bestChange(sec, tt.a, tt.b, tt.ms, tt.lj)
			if a != tt.wantA || b != tt.wantB || ok != tt.wantOK {
				t.Errorf("bestChange() = %d, %d, %v, want %d, %d, %v", a, b, ok, tt.wantA, tt.wantB, tt.wantOK)
			}
		})
	}
}

func TestPlanTotals(t *testing.T) {
	tests := []struct {
		name           string
		secs           map[string]float64
		total          int
		strategy       Strategy
		wantSeconds    []float64
		wantMakespan   float64
		wantLowerBound float64
	}{
		{
			name:        "the lower bound is the mean load when units are small",
			secs:        map[string]float64{"a": 5, "b": 4, "c": 3, "d": 3, "e": 1},
			total:       2,
			strategy:    Timing,
			wantSeconds: []float64{8, 8}, wantMakespan: 8, wantLowerBound: 8,
		},
		{
			name:        "the lower bound is the longest unit when it exceeds the mean load",
			secs:        map[string]float64{"huge": 100, "a": 1, "b": 2, "c": 3},
			total:       2,
			strategy:    Timing,
			wantSeconds: []float64{100, 6}, wantMakespan: 100, wantLowerBound: 100,
		},
		{
			name:        "hash plans show predicted seconds from the timings too",
			secs:        map[string]float64{"a": 1, "b": 2, "c": 4, "d": 8},
			total:       1,
			strategy:    Hash,
			wantSeconds: []float64{15}, wantMakespan: 15, wantLowerBound: 15,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var items []model.Item
			for id := range tt.secs {
				items = append(items, model.Item{ID: id})
			}
			p, err := Make(items, Options{Total: tt.total, Strategy: tt.strategy, Timings: &model.Timings{Tests: tt.secs}})
			if err != nil {
				t.Fatal(err)
			}
			var got []float64
			for i, s := range p.Shards {
				if s.Index != i {
					t.Errorf("Shards[%d].Index = %d", i, s.Index)
				}
				got = append(got, s.Seconds)
			}
			if diff := cmp.Diff(tt.wantSeconds, got); diff != "" {
				t.Errorf("shard seconds (-want +got):\n%s", diff)
			}
			if p.Makespan != tt.wantMakespan || p.LowerBound != tt.wantLowerBound {
				t.Errorf("Makespan, LowerBound = %v, %v, want %v, %v", p.Makespan, p.LowerBound, tt.wantMakespan, tt.wantLowerBound)
			}
			if p.Total != tt.total || p.By != ByTest || p.KnownShare != 1 {
				t.Errorf("Total, By, KnownShare = %d, %q, %v, want %d, %q, 1", p.Total, p.By, p.KnownShare, tt.total, ByTest)
			}
		})
	}
}

func TestShardItemIDs(t *testing.T) {
	items := []model.Item{
		{ID: "b.py::t2", File: "b.py"}, {ID: "a.py::t9", File: "a.py"},
		{ID: "b.py::t1", File: "b.py"}, {ID: "a.py::t10", File: "a.py"},
	}
	p, err := Make(items, Options{Total: 1, By: ByFile})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a.py::t10", "a.py::t9", "b.py::t1", "b.py::t2"}
	if diff := cmp.Diff(want, p.Shards[0].ItemIDs()); diff != "" {
		t.Errorf("ItemIDs() (-want +got):\n%s", diff)
	}
}

func TestUnitItemsDoNotShareCapacity(t *testing.T) {
	p, err := Make(ids("a", "b", "c"), Options{Total: 1})
	if err != nil {
		t.Fatal(err)
	}
	us := p.Shards[0].Units
	_ = append(us[0].Items, "x")
	if us[1].Items[0] != "b" {
		t.Errorf("appending to one unit's Items changed the next unit's to %q", us[1].Items)
	}
}

func TestRadixOrderIsStableAndSorted(t *testing.T) {
	keys := []uint64{5, 1 << 40, 3, 5, 0, 1<<63 + 7, 3, 1 << 20}
	got := radixOrder(keys)
	want := []int32{4, 2, 6, 0, 3, 7, 1, 5}
	if !slices.Equal(got, want) {
		t.Errorf("radixOrder(%v) = %v, want %v", keys, got, want)
	}
}
