// Package jsonmerge merges the custom JSON outputs of workers into one
// document, as pytest-xdist's controller gathers each worker's
// workeroutput: objects merge key by key, arrays concatenate in worker
// order, equal values stay, and values that differ are an error unless a
// Policy says how to combine them.
package jsonmerge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/model"
)

// Input is one worker's JSON output.
type Input struct {
	// Worker is the worker that wrote it, "gw0", "gw1", ...
	Worker string
	// Path names the file, for ordering and for error messages.
	Path string
	// Value is the decoded JSON: map[string]any, []any, json.Number,
	// string, bool or nil, as Parse returns it. float64 and the Go
	// integer types are accepted as numbers too.
	Value any
}

// Rule says what to do where inputs hold different scalars at one path.
type Rule uint8

// The rules. The zero Rule is Strict.
const (
	// Strict keeps equal values and reports differing ones as an error.
	Strict Rule = iota
	// Sum adds numbers; anything else is an error.
	Sum
	// Max keeps the largest number; anything else is an error.
	Max
	// Min keeps the smallest number; anything else is an error.
	Min
	// Last keeps the value of the last input: the highest worker wins.
	Last
	// List collects the values into an array in worker order, even when
	// only one input has the path.
	List
)

var ruleNames = [...]string{"error", "sum", "max", "min", "last", "list"}

// String returns the rule's name: "error", "sum", "max", "min", "last" or
// "list".
func (r Rule) String() string {
	if int(r) < len(ruleNames) {
		return ruleNames[r]
	}
	return "rule(" + strconv.Itoa(int(r)) + ")"
}

// ParseRule is the inverse of Rule.String.
func ParseRule(s string) (Rule, error) {
	for i, n := range ruleNames {
		if n == s {
			return Rule(i), nil
		}
	}
	return 0, fmt.Errorf("unknown merge rule %q, expected one of %q", s, ruleNames[:])
}

// Policy chooses the Rule for each path where scalars meet.
type Policy struct {
	// Default applies where Paths has no entry.
	Default Rule
	// Paths maps a key path, as errors print it ("$.stats.tests",
	// `$["a b"]`), to its rule. Only scalars are subject to rules:
	// objects always merge and arrays always concatenate.
	Paths map[string]Rule
}

func (p Policy) rule(path string) Rule {
	if r, ok := p.Paths[path]; ok {
		return r
	}
	return p.Default
}

// Sort orders inputs as Merge does: by worker index (gw2 before gw10;
// names that are not gw<N> after them, by name), then by path.
func Sort(inputs []Input) {
	sort.SliceStable(inputs, func(i, j int) bool {
		a, b := inputs[i], inputs[j]
		ai, aok := model.ParseWorkerID(a.Worker)
		bi, bok := model.ParseWorkerID(b.Worker)
		switch {
		case aok && bok && ai != bi:
			return ai < bi
		case aok != bok:
			return aok
		case !aok && a.Worker != b.Worker:
			return a.Worker < b.Worker
		}
		return a.Path < b.Path
	})
}

// Merge merges the values of inputs under policy. The inputs are taken in
// Sort's order, whatever order they come in, so the result does not
// depend on it. A nil result with a nil error means there were no inputs.
//
// Objects merge key by key; arrays concatenate; scalars go by the policy.
// An object meeting an array, or a container meeting a scalar, is an
// error naming the key path and the two inputs, whatever the policy.
func Merge(inputs []Input, policy Policy) (any, error) {
	if len(inputs) == 0 {
		return nil, nil
	}
	in := append([]Input(nil), inputs...)
	Sort(in)
	vals := make([]sourced, len(in))
	for i := range in {
		vals[i] = sourced{in[i].Value, &in[i]}
	}
	return merge("$", vals, policy)
}

// sourced is a value and the input it came from.
type sourced struct {
	v  any
	in *Input
}

func (s sourced) from() string { return fmt.Sprintf("%s (%q)", s.in.Worker, s.in.Path) }

type kind uint8

const (
	kNull kind = iota
	kBool
	kNumber
	kString
	kObject
	kArray
	kOther
)

var kindNames = [...]string{"null", "a boolean", "a number", "a string", "an object", "an array", "an unsupported value"}

func kindOf(v any) kind {
	switch v.(type) {
	case nil:
		return kNull
	case bool:
		return kBool
	case json.Number, float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return kNumber
	case string:
		return kString
	case map[string]any:
		return kObject
	case []any:
		return kArray
	}
	return kOther
}

func merge(path string, vals []sourced, policy Policy) (any, error) {
	k0 := kindOf(vals[0].v)
	if k0 == kOther {
		return nil, fmt.Errorf("%s: unsupported value of type %T in %s", path, vals[0].v, vals[0].from())
	}
	for _, s := range vals[1:] {
		k := kindOf(s.v)
		container := k == kObject || k == kArray || k0 == kObject || k0 == kArray
		if k == kOther || (k != k0 && container) {
			return nil, fmt.Errorf("%s: %s in %s but %s in %s", path, kindNames[k0], vals[0].from(), kindNames[k], s.from())
		}
	}
	switch k0 {
	case kObject:
		keys := map[string][]sourced{}
		for _, s := range vals {
			for k, v := range s.v.(map[string]any) {
				keys[k] = append(keys[k], sourced{v, s.in})
			}
		}
		out := make(map[string]any, len(keys))
		for _, k := range sortedKeys(keys) {
			v, err := merge(childPath(path, k), keys[k], policy)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case kArray:
		out := []any{}
		for _, s := range vals {
			out = append(out, s.v.([]any)...)
		}
		return out, nil
	}
	return mergeScalars(path, vals, policy.rule(path))
}

func mergeScalars(path string, vals []sourced, rule Rule) (any, error) {
	switch rule {
	case Last:
		return vals[len(vals)-1].v, nil
	case List:
		out := make([]any, len(vals))
		for i, s := range vals {
			out[i] = s.v
		}
		return out, nil
	case Sum, Max, Min:
		if len(vals) == 1 && kindOf(vals[0].v) != kNumber {
			// Nothing to combine: a value only one worker has stays, as
			// under every rule but list (a per-test "worker" string
			// beside per-test numbers under --json-conflict sum).
			return vals[0].v, nil
		}
		var acc *big.Rat
		for _, s := range vals {
			r, ok := toRat(s.v)
			if !ok && kindOf(s.v) == kNumber {
				return nil, fmt.Errorf("%s: %s in %s is out of range for rule %q", path, show(s.v), s.from(), rule.String())
			}
			if !ok {
				return nil, fmt.Errorf("%s: %s in %s, but rule %q needs numbers", path, kindNames[kindOf(s.v)], s.from(), rule.String())
			}
			switch {
			case acc == nil:
				acc = r
			case rule == Sum:
				acc.Add(acc, r)
			case rule == Max && r.Cmp(acc) > 0, rule == Min && r.Cmp(acc) < 0:
				acc = r
			}
		}
		return ratNumber(acc), nil
	case Strict:
		for _, s := range vals[1:] {
			if !equalScalar(vals[0].v, s.v) {
				return nil, fmt.Errorf("%s: %s in %s but %s in %s; choose a rule: sum, max, min, last or list",
					path, show(vals[0].v), vals[0].from(), show(s.v), s.from())
			}
		}
		return vals[0].v, nil
	}
	return nil, fmt.Errorf("%s: unknown merge rule %v", path, rule)
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 80 {
		b = append(b[:77], "..."...)
	}
	return string(b)
}

func equalScalar(a, b any) bool {
	ra, aok := toRat(a)
	rb, bok := toRat(b)
	if aok || bok {
		return aok && bok && ra.Cmp(rb) == 0
	}
	return a == b
}

// toRat returns the exact value of a JSON number.
func toRat(v any) (*big.Rat, bool) {
	var s string
	switch n := v.(type) {
	case json.Number:
		s = n.String()
		if i := strings.IndexAny(s, "eE"); i >= 0 {
			// big.Rat would expand 1e999999999 digit by digit; beyond
			// float64's range exactness is moot, so use float64.
			if e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+")); err != nil || e > 400 || e < -400 {
				f, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return nil, false
				}
				return toRat(f)
			}
		}
	case float64:
		if r := new(big.Rat); r.SetFloat64(n) != nil {
			return r, true
		}
		return nil, false
	case float32:
		return toRat(float64(n))
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		s = fmt.Sprint(n)
	default:
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// ratNumber writes r as a JSON number: exact for integers, the nearest
// float64 otherwise, and 17 significant digits of the exact value when it
// is beyond float64's range (JSON has no Inf).
func ratNumber(r *big.Rat) json.Number {
	if r.IsInt() {
		return json.Number(r.Num().String())
	}
	f, _ := r.Float64()
	if math.IsInf(f, 0) {
		return json.Number(new(big.Float).SetPrec(64).SetRat(r).Text('g', 17))
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// childPath returns the key path of key k in the object at path.
func childPath(path, k string) string {
	if identRE.MatchString(k) {
		return path + "." + k
	}
	return path + "[" + strconv.Quote(k) + "]"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// PerWorker returns each worker's outputs by worker and then path, so a
// merged document can keep them beside the merged values.
func PerWorker(inputs []Input) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, in := range inputs {
		if out[in.Worker] == nil {
			out[in.Worker] = map[string]any{}
		}
		out[in.Worker][in.Path] = in.Value
	}
	return out
}

// Parse reads one JSON value from r, with numbers as json.Number so that
// big integers stay exact. path names the input in errors, which are
// *diag.Error with the line and column of the problem.
//
// The input is any JSON document (RFC 8259): one value, surrounded by
// white space only.
func Parse(r io.Reader, path string) (any, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return nil, posError(path, data, int(se.Offset)-1, "invalid JSON: "+se.Error(), err)
		case err == io.EOF:
			return nil, &diag.Error{File: path, Line: 1, Col: 1, Msg: "no JSON value", Err: err}
		case err == io.ErrUnexpectedEOF:
			return nil, posError(path, data, len(data), "invalid JSON: unexpected end of input", err)
		}
		return nil, &diag.Error{File: path, Msg: "invalid JSON: " + err.Error(), Err: err}
	}
	off := int(dec.InputOffset())
	rest := bytes.TrimLeft(data[off:], " \t\r\n")
	if len(rest) > 0 {
		return nil, posError(path, data, len(data)-len(rest), "invalid JSON: data after the top-level value", nil)
	}
	if err := duplicateKey(data, path); err != nil {
		return nil, err
	}
	return v, nil
}

// duplicateKey returns an error at the first key that an object of data
// (valid JSON) repeats, nil if none does. Decoding keeps one of the values
// silently (Go and JavaScript the last, other tools the first), so which
// one the writer meant is unknown: the file is refused, not guessed at.
func duplicateKey(data []byte, path string) error {
	type frame struct {
		object  bool
		path    string
		index   int            // the next element's, in an array
		keys    map[string]int // each key's offset, in an object
		key     string         // the key of the value being read
		wantKey bool
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*frame
	for {
		off := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF; Decode has reported any other error
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if tok == json.Delim('}') || tok == json.Delim(']') {
			stack = stack[:len(stack)-1] // the parent was told at the start
			continue
		}
		if top != nil && top.object && top.wantKey {
			key := tok.(string)
			// The key starts after the white space and comma before it.
			at := off + len(data[off:]) - len(bytes.TrimLeft(data[off:], " \t\r\n,"))
			if first, ok := top.keys[key]; ok {
				line, _ := lineCol(data, first)
				return posError(path, data, at, fmt.Sprintf("duplicate key %q in %s (first at line %d): JSON objects must not repeat a key, since readers keep different ones; remove one", key, top.path, line), nil)
			}
			top.keys[key] = at
			top.key, top.wantKey = key, false
			continue
		}
		// A value: of the object's key, of the array's next element or the
		// document.
		where := "$"
		if top != nil {
			if top.object {
				where = childPath(top.path, top.key)
				top.wantKey = true
			} else {
				where = top.path + "[" + strconv.Itoa(top.index) + "]"
				top.index++
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, path: where, keys: map[string]int{}, wantKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{path: where})
		}
	}
}

// lineCol returns the line and column of byte offset off of data.
func lineCol(data []byte, off int) (line, col int) {
	before := data[:off]
	return 1 + bytes.Count(before, []byte("\n")), off - bytes.LastIndexByte(before, '\n')
}

// posError returns a *diag.Error at byte offset off of data.
func posError(path string, data []byte, off int, msg string, err error) error {
	line, col := lineCol(data, max(0, min(off, len(data))))
	return &diag.Error{File: path, Line: line, Col: col, Msg: msg, Err: err}
}

// Write writes v to w as indented JSON with object keys sorted (as
// encoding/json sorts map keys) and a final newline, so that the same
// value always gives the same bytes. HTML characters are not escaped.
func Write(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
