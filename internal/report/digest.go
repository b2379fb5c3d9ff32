package report

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"
	"strconv"
)

// The digest of custom JSON outputs. Plugins that collect per-test data
// (xdist's workeroutput, say) write objects keyed by test: {"memory":
// {"test_a": {"peak_mb": 120, "calls": 3}, ...}} or {"durations":
// {"test_a": 1.5}}. Without knowing the schema, the digest finds every
// object whose entries are numbers, or objects with numeric fields, and
// ranks the entries by each such field, largest first.

const (
	digestTop    = 5     // entries shown per ranking
	digestTables = 6     // rankings shown
	digestFields = 3     // numeric fields ranked per object
	digestNodes  = 50000 // JSON values visited at most
	digestDepth  = 8
)

// ranking is the top entries of one object by one numeric field.
type ranking struct {
	Path    string // JSON path of the object, "" for the root
	Field   string // the field ranked by, "" when the entries are numbers
	Entries int    // how many entries have the field
	Top     []rankEntry
}

type rankEntry struct {
	Key   string
	Value float64
	Text  string // the number as the JSON wrote it
}

// digest returns the rankings worth showing for v, most entries first.
func digest(v any) []ranking {
	var out []ranking
	budget := digestNodes
	// entry is set for the values of an object whose fields were ranked:
	// ranking an entry's own fields against each other says nothing.
	var walk func(path string, v any, depth int, entry bool)
	walk = func(path string, v any, depth int, entry bool) {
		m, ok := v.(map[string]any)
		if !ok || depth > digestDepth || budget <= 0 {
			return
		}
		budget -= len(m)
		keys := sortedKeys(m)
		var nums []rankEntry
		fields := map[string][]rankEntry{}
		objects := 0
		for _, k := range keys {
			switch x := m[k].(type) {
			case map[string]any:
				objects++
				for _, f := range sortedKeys(x) {
					if n, text, ok := number(x[f]); ok {
						fields[f] = append(fields[f], rankEntry{k, n, text})
					}
				}
			default:
				if n, text, ok := number(x); ok {
					nums = append(nums, rankEntry{k, n, text})
				}
			}
		}
		if !entry && len(nums) >= 2 && 2*len(nums) >= len(m) {
			out = append(out, rank(path, "", nums))
		}
		var fs []string
		for f, es := range fields {
			if len(es) >= 2 && 2*len(es) >= objects {
				fs = append(fs, f)
			}
		}
		// The fields most entries have, then those with the largest values.
		slices.SortFunc(fs, func(a, b string) int {
			return cmp.Or(-cmp.Compare(len(fields[a]), len(fields[b])), -cmp.Compare(largest(fields[a]), largest(fields[b])), cmp.Compare(a, b))
		})
		for _, f := range fs[:min(len(fs), digestFields)] {
			out = append(out, rank(path, f, fields[f]))
		}
		for _, k := range keys {
			walk(joinPath(path, k), m[k], depth+1, len(fs) > 0)
		}
	}
	walk("", v, 0, false)
	slices.SortStableFunc(out, func(a, b ranking) int { return -cmp.Compare(a.Entries, b.Entries) })
	return out
}

func largest(es []rankEntry) float64 {
	m := math.Inf(-1)
	for _, e := range es {
		m = max(m, e.Value)
	}
	return m
}

func rank(path, field string, es []rankEntry) ranking {
	slices.SortStableFunc(es, func(a, b rankEntry) int {
		return cmp.Or(-cmp.Compare(a.Value, b.Value), cmp.Compare(a.Key, b.Key))
	})
	return ranking{Path: path, Field: field, Entries: len(es), Top: slices.Clone(es[:min(len(es), digestTop)])}
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// number returns v as a finite number, with its JSON text.
func number(v any) (float64, string, bool) {
	var f float64
	var text string
	switch x := v.(type) {
	case json.Number:
		g, err := x.Float64()
		if err != nil {
			return 0, "", false
		}
		f, text = g, string(x)
	case float64:
		f, text = x, strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		f = float64(x)
		text = strconv.FormatFloat(f, 'g', -1, 32)
	case int:
		f, text = float64(x), strconv.Itoa(x)
	case int64:
		f, text = float64(x), strconv.FormatInt(x, 10)
	case uint64:
		f, text = float64(x), strconv.FormatUint(x, 10)
	default:
		return 0, "", false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, "", false
	}
	return f, text, true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
