package jsonmerge

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/diag"
)

// inputs parses "worker path json" triples.
func inputs(t testing.TB, specs ...string) []Input {
	t.Helper()
	var out []Input
	for _, s := range specs {
		f := strings.SplitN(s, " ", 3)
		v, err := Parse(strings.NewReader(f[2]), f[1])
		if err != nil {
			t.Fatalf("Parse(%q): %v", f[2], err)
		}
		out = append(out, Input{Worker: f[0], Path: f[1], Value: v})
	}
	return out
}

func encode(t testing.TB, v any) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func compact(t testing.TB, v any) string {
	return strings.Join(strings.Fields(encode(t, v)), "")
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name      string
		in        []string
		policy    Policy
		want      string // compact JSON
		expectErr string
	}{
		{name: "no inputs merge to null", want: "null"},
		{name: "one input is kept as it is", in: []string{`gw0 a {"x":[1,{"y":null}]}`}, want: `{"x":[1,{"y":null}]}`},
		{name: "objects merge key by key", in: []string{`gw0 a {"a":1,"o":{"p":1}}`, `gw1 a {"b":2,"o":{"q":2}}`}, want: `{"a":1,"b":2,"o":{"p":1,"q":2}}`},
		{name: "arrays concatenate in worker order", in: []string{`gw1 a {"l":[3]}`, `gw0 a {"l":[1,2]}`}, want: `{"l":[1,2,3]}`},
		{name: "workers order by number not by name", in: []string{`gw10 a [10]`, `gw2 a [2]`, `gw1 a [1]`}, want: `[1,2,10]`},
		{name: "one worker's files order by path", in: []string{`gw0 b.json ["b"]`, `gw0 a.json ["a"]`}, want: `["a","b"]`},
		{name: "equal scalars are kept", in: []string{`gw0 a {"v":"1.0","n":1,"b":true,"z":null}`, `gw1 a {"v":"1.0","n":1.0,"b":true,"z":null}`}, want: `{"b":true,"n":1,"v":"1.0","z":null}`},
		{
			name:      "differing scalars are an error naming the path, workers and files",
			in:        []string{`gw0 out/a.json {"stats":{"tests":3}}`, `gw1 out/b.json {"stats":{"tests":4}}`},
			expectErr: `$.stats.tests: 3 in gw0 ("out/a.json") but 4 in gw1 ("out/b.json"); choose a rule: sum, max, min, last or list`,
		},
		{
			name:      "keys that are not identifiers are quoted in the path",
			in:        []string{`gw0 a {"a b":{"c.d":1}}`, `gw1 b {"a b":{"c.d":2}}`},
			expectErr: `$["a b"]["c.d"]: 1 in gw0 ("a") but 2 in gw1 ("b"); choose a rule: sum, max, min, last or list`,
		},
		{
			name:      "an object meeting an array is an error whatever the policy",
			in:        []string{`gw0 a {"x":{}}`, `gw1 b {"x":[]}`},
			policy:    Policy{Default: Last},
			expectErr: `$.x: an object in gw0 ("a") but an array in gw1 ("b")`,
		},
		{
			name:      "a scalar meeting a container is an error",
			in:        []string{`gw0 a {"x":1}`, `gw1 b {"x":[1]}`},
			policy:    Policy{Default: List},
			expectErr: `$.x: a number in gw0 ("a") but an array in gw1 ("b")`,
		},
		{name: "sum adds numbers", in: []string{`gw0 a {"n":1.5}`, `gw1 a {"n":2}`, `gw2 a {"n":-0.5}`}, policy: Policy{Default: Sum}, want: `{"n":3}`},
		{name: "sum keeps big integers exact", in: []string{`gw0 a 9007199254740993`, `gw1 a 9007199254740993`}, policy: Policy{Default: Sum}, want: `18014398509481986`},
		{
			name:      "sum of a string is an error",
			in:        []string{`gw0 a {"n":1}`, `gw1 b {"n":"2"}`},
			policy:    Policy{Default: Sum},
			expectErr: `$.n: a string in gw1 ("b"), but rule "sum" needs numbers`,
		},
		{
			name:   "sum keeps a string only one worker has",
			in:     []string{`gw0 a {"t":{"a":{"s":1,"worker":"gw0"}}}`, `gw1 b {"t":{"b":{"s":2,"worker":"gw1"}},"n":1}`, `gw2 c {"n":2}`},
			policy: Policy{Default: Sum},
			want:   `{"n":3,"t":{"a":{"s":1,"worker":"gw0"},"b":{"s":2,"worker":"gw1"}}}`,
		},
		{name: "huge exponents compare without expanding them", in: []string{`gw0 a 1e999999999`, `gw1 a 2e-999999999`}, policy: Policy{Default: Max}, expectErr: `$: 1e999999999 in gw0 ("a") is out of range for rule "max"`},
		{name: "max keeps the largest number", in: []string{`gw0 a 3`, `gw1 a 12345678901234567890`, `gw2 a 7`}, policy: Policy{Default: Max}, want: `12345678901234567890`},
		{name: "min keeps the smallest number", in: []string{`gw0 a 3`, `gw1 a -1e3`, `gw2 a 7`}, policy: Policy{Default: Min}, want: `-1000`},
		{
			name:      "max of a boolean is an error",
			in:        []string{`gw0 a true`, `gw1 b 1`},
			policy:    Policy{Default: Max},
			expectErr: `$: a boolean in gw0 ("a"), but rule "max" needs numbers`,
		},
		{name: "last lets the highest worker win", in: []string{`gw10 a {"v":"ten"}`, `gw9 a {"v":"nine"}`}, policy: Policy{Default: Last}, want: `{"v":"ten"}`},
		{name: "list collects values in worker order", in: []string{`gw1 a {"v":"b"}`, `gw0 a {"v":"a"}`, `gw2 a {"v":"a"}`}, policy: Policy{Default: List}, want: `{"v":["a","b","a"]}`},
		{name: "list makes an array of a value only one worker has", in: []string{`gw0 a {"v":1}`, `gw1 a {}`}, policy: Policy{Default: List}, want: `{"v":[1]}`},
		{
			name:   "rules by path override the default",
			in:     []string{`gw0 a {"stats":{"tests":3,"host":"x"},"v":1}`, `gw1 a {"stats":{"tests":4,"host":"y"},"v":1}`},
			policy: Policy{Paths: map[string]Rule{"$.stats.tests": Sum, "$.stats.host": List}},
			want:   `{"stats":{"host":["x","y"],"tests":7},"v":1}`,
		},
		{name: "non-gw workers come after gw workers by name", in: []string{`local a ["l"]`, `b a ["b"]`, `gw3 a ["3"]`}, want: `["3","b","l"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Merge(inputs(t, tt.in...), tt.policy)
			if tt.expectErr != "" {
				if err == nil || err.Error() != tt.expectErr {
					t.Fatalf("Merge error = %v, want %q", err, tt.expectErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Merge: %v", err)
			}
			if diff := cmp.Diff(tt.want, compact(t, got)); diff != "" {
				t.Errorf("Merge mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMergeGoValues(t *testing.T) {
	in := []Input{{Worker: "gw0", Value: map[string]any{"n": 1, "f": 0.5}}, {Worker: "gw1", Value: map[string]any{"n": int64(2), "f": float64(0.25)}}}
	got, err := Merge(in, Policy{Default: Sum})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(`{"f":0.75,"n":3}`, compact(t, got)); diff != "" {
		t.Errorf("Merge mismatch (-want +got):\n%s", diff)
	}
}

// TestMergeOrderIndependent checks that every order of the same inputs
// merges to the same bytes, and that Merge leaves its argument alone.
func TestMergeOrderIndependent(t *testing.T) {
	in := inputs(t,
		`gw2 c.json {"l":[2],"s":{"n":2},"v":"two"}`,
		`gw10 a.json {"l":[10],"s":{"n":10},"v":"ten"}`,
		`gw0 b.json {"l":[0],"s":{"n":0,"x":true}}`,
		`gw0 a.json {"l":["0a"],"s":{"m":1}}`,
	)
	policy := Policy{Default: List, Paths: map[string]Rule{"$.s.n": Sum}}
	want := ""
	var permute func(k int)
	permute = func(k int) {
		if k == len(in) {
			before := append([]Input(nil), in...)
			got, err := Merge(in, policy)
			if err != nil {
				t.Fatal(err)
			}
			if s := encode(t, got); want == "" {
				want = s
			} else if diff := cmp.Diff(want, s); diff != "" {
				t.Errorf("order %v merges differently (-want +got):\n%s", workers(in), diff)
			}
			if diff := cmp.Diff(workers(before), workers(in)); diff != "" {
				t.Errorf("Merge reordered its argument (-want +got):\n%s", diff)
			}
			return
		}
		for i := k; i < len(in); i++ {
			in[k], in[i] = in[i], in[k]
			permute(k + 1)
			in[k], in[i] = in[i], in[k]
		}
	}
	permute(0)
	const merged = `{"l":["0a",0,2,10],"s":{"m":[1],"n":12,"x":[true]},"v":["two","ten"]}`
	if diff := cmp.Diff(merged, strings.Join(strings.Fields(want), "")); diff != "" {
		t.Errorf("merged mismatch (-want +got):\n%s", diff)
	}
}

func workers(in []Input) []string {
	var s []string
	for _, i := range in {
		s = append(s, i.Worker+":"+i.Path)
	}
	return s
}

func TestParse(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		want      string
		expectErr string
	}{
		{name: "an object parses", in: `{"a": [1, "x", null, true]}`, want: `{"a":[1,"x",null,true]}`},
		{name: "big integers stay exact", in: `{"n": 123456789012345678901234567890}`, want: `{"n":123456789012345678901234567890}`},
		{name: "white space around the value is allowed", in: " \n 1 \n", want: `1`},
		{name: "a bad character is reported at its line and column", in: "{\n  \"a\": x\n}", expectErr: `f.json:2:8: invalid JSON: invalid character 'x' looking for beginning of value`},
		{name: "a cut document is reported at its end", in: "{\n \"a\": [1,", expectErr: `f.json:2:10: invalid JSON: unexpected end of input`},
		{name: "an empty input is an error", in: " ", expectErr: `f.json:1:1: no JSON value`},
		{name: "data after the value is an error", in: "{}\n {}", expectErr: `f.json:2:2: invalid JSON: data after the top-level value`},
		{name: "a duplicate key is an error at the second one", in: "{\n  \"a\": 1,\n  \"b\": 2,\n  \"a\": 3\n}",
			expectErr: `f.json:4:3: duplicate key "a" in $ (first at line 2): JSON objects must not repeat a key, since readers keep different ones; remove one`},
		{name: "a duplicate key deep inside names its path", in: `{"s": {"t": [1, {"x b": {"k": 1, "k": 1}}]}}`,
			expectErr: `f.json:1:34: duplicate key "k" in $.s.t[1]["x b"] (first at line 1): JSON objects must not repeat a key, since readers keep different ones; remove one`},
		{name: "keys equal once unescaped are duplicates", in: `{"a": 1, "\u0061": 1}`,
			expectErr: `f.json:1:10: duplicate key "a" in $ (first at line 1): JSON objects must not repeat a key, since readers keep different ones; remove one`},
		{name: "an array of objects in a top-level array", in: `[{"a": 1}, [], {"a": 2, "b": {"a": 3}}, {"c": 1, "c": 2}]`,
			expectErr: `f.json:1:50: duplicate key "c" in $[3] (first at line 1): JSON objects must not repeat a key, since readers keep different ones; remove one`},
		{name: "the same key in sibling and nested objects is fine", in: `{"a": {"a": {"a": 1}}, "b": [{"a": 1}, {"a": 2}], "c": {}}`, want: `{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}],"c":{}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tt.in), "f.json")
			if tt.expectErr != "" {
				var d *diag.Error
				if !errors.As(err, &d) || err.Error() != tt.expectErr {
					t.Fatalf("Parse error = %v, want *diag.Error %q", err, tt.expectErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, compact(t, got)); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteIsSortedAndIndented(t *testing.T) {
	v, err := Parse(strings.NewReader(`{"b":1,"a":{"d":"<&>","c":[]}}`), "x")
	if err != nil {
		t.Fatal(err)
	}
	const want = "{\n  \"a\": {\n    \"c\": [],\n    \"d\": \"<&>\"\n  },\n  \"b\": 1\n}\n"
	if diff := cmp.Diff(want, encode(t, v)); diff != "" {
		t.Errorf("Write mismatch (-want +got):\n%s", diff)
	}
}

func TestParseRule(t *testing.T) {
	for r := Strict; r <= List; r++ {
		got, err := ParseRule(r.String())
		if err != nil || got != r {
			t.Errorf("ParseRule(%q) = %v, %v", r.String(), got, err)
		}
	}
	if _, err := ParseRule("avg"); err == nil || !strings.Contains(err.Error(), `"avg"`) {
		t.Errorf("ParseRule(\"avg\") error = %v", err)
	}
}

func TestPerWorker(t *testing.T) {
	in := inputs(t, `gw0 a.json 1`, `gw0 b.json 2`, `gw1 a.json 3`)
	got := compact(t, PerWorker(in))
	if diff := cmp.Diff(`{"gw0":{"a.json":1,"b.json":2},"gw1":{"a.json":3}}`, got); diff != "" {
		t.Errorf("PerWorker mismatch (-want +got):\n%s", diff)
	}
}

// FuzzMerge parses two documents and merges them under every rule: no
// panics, errors from Parse are *diag.Error, and a successful merge
// writes JSON that parses again and merges with itself under Last to the
// same bytes.
func FuzzMerge(f *testing.F) {
	f.Add(`{"a":1,"l":[1]}`, `{"a":2,"l":[2],"o":{"x":null}}`)
	f.Add(`9007199254740993`, `1.5e300`)
	f.Add(`{"x":{}}`, `{"x":[]}`)
	f.Add(`{"a":`, `[]`)
	f.Add(`{"a":1,"b":[{"c":1}],"a":2}`, `[{"x":1,"x":1}]`)
	f.Fuzz(func(t *testing.T, a, b string) {
		var in []Input
		for i, s := range []string{a, b} {
			v, err := Parse(strings.NewReader(s), "f")
			if err != nil {
				var d *diag.Error
				if !errors.As(err, &d) || d.Line < 1 || d.Col < 1 {
					t.Fatalf("Parse(%q) error without a position: %v", s, err)
				}
				return
			}
			in = append(in, Input{Worker: "gw" + string(rune('0'+i)), Path: "f", Value: v})
		}
		for r := Strict; r <= List; r++ {
			got, err := Merge(in, Policy{Default: r})
			if err != nil {
				continue
			}
			var buf bytes.Buffer
			if err := Write(&buf, got); err != nil {
				t.Fatalf("Write: %v", err)
			}
			again, err := Parse(bytes.NewReader(buf.Bytes()), "out")
			if err != nil {
				t.Fatalf("Write output does not parse: %v\n%s", err, buf.Bytes())
			}
			if s := encode(t, again); s != buf.String() {
				t.Fatalf("Write is not stable:\n%s\n%s", buf.String(), s)
			}
		}
	})
}

func TestSumBeyondFloat64StaysValidJSON(t *testing.T) {
	huge := "-6" + strings.Repeat("6", 400) + ".5"
	merged, err := Merge([]Input{
		{Worker: "gw0", Path: "a", Value: json.Number("1")},
		{Worker: "gw1", Path: "b", Value: json.Number(huge)},
	}, Policy{Default: Sum})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, merged); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if got := strings.TrimSpace(buf.String()); got != "-6.6666666666666667e+400" {
		t.Errorf("sum = %s, want -6.6666666666666667e+400", got)
	}
}
