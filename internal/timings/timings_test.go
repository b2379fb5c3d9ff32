package timings

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/model"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestRead(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		want      *File
		expectErr string
	}{
		{
			name: "xshard's own file has every level",
			in:   `{"schema":"xshard.timings/v1","runs":2,"tests":{"p.TestA":1.5},"files":{"a.py":2},"packages":{"p":3},"groups":{"g":4},"future":{"x":[1]}}`,
			want: &File{Runs: 2, Timings: model.Timings{
				Tests: map[string]float64{"p.TestA": 1.5}, Files: map[string]float64{"a.py": 2},
				Packages: map[string]float64{"p": 3}, Groups: map[string]float64{"g": 4},
			}},
		},
		{
			name: "a flat object is pytest-split's .test_durations",
			in:   "{\n  \"t.py::test_a\": 0.25,\n  \"t.py::test_b\": 1e-3\n}",
			want: &File{Timings: model.Timings{Tests: map[string]float64{"t.py::test_a": 0.25, "t.py::test_b": 0.001}}},
		},
		{name: "a negative duration names its line and column", in: "{\n  \"a\": 1,\n  \"b\": -2\n}", expectErr: `t.json:3:8: duration of "b" is negative: -2`},
		{name: "a string duration is refused", in: `{"a": "1s"}`, expectErr: `t.json:1:7: duration of "a" must be a number of seconds, got the string "1s"`},
		{name: "a huge duration is out of range", in: `{"a": 1e999}`, expectErr: `t.json:1:7: duration of "a" is out of range: 1e999`},
		{name: "a truncated file says so", in: "{\"a\": 1,\n", expectErr: "t.json:2:1: unexpected end of file: the timings file is truncated"},
		{name: "an array is not timings", in: `[1,2]`, expectErr: `t.json:1:1: timings must be a JSON object`},
		{name: "a newer major schema asks for an upgrade", in: `{"schema":"xshard.timings/v2"}`, expectErr: `t.json:1:11: timings schema "xshard.timings/v2" is not supported by this version`},
		{name: "a duplicate id is refused", in: `{"a":1,"a":2}`, expectErr: `t.json:1:8: duplicate test id "a"`},
		{name: "an empty flat object holds nothing", in: `{}`, expectErr: `t.json:1:1: timings file holds no durations`},
		{name: "invalid JSON names the position", in: "{\"a\": 1 \"b\": 2}", expectErr: "t.json:1:9: invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(strings.NewReader(tt.in), "t.json")
			if tt.expectErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.expectErr) {
					t.Fatalf("err = %v, want prefix %q", err, tt.expectErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Read (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIsTimings(t *testing.T) {
	for in, want := range map[string]bool{
		`{"schema":"xshard.timings/v1"}`:  true,
		`{"a::b": 1.5}`:                   true,
		`{"schema":"xshard.manifest/v1"}`: false,
		`{"Action":"run"}`:                false,
		`{"a": {"b": 1}}`:                 false,
		`[1]`:                             false,
		``:                                false,
	} {
		if got := IsTimings([]byte(in)); got != want {
			t.Errorf("IsTimings(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestWriteGoldenAndRoundTrip(t *testing.T) {
	f := &File{Runs: 3, Timings: model.Timings{
		Tests:    map[string]float64{"b.TestB": 0.1234, "a.TestA": 2, "t.py::test_<x>[\"q\"]": 0.0004},
		Files:    map[string]float64{"t.py": 1.0005},
		Packages: map[string]float64{"a": 2},
	}}
	var buf bytes.Buffer
	if err := Write(&buf, f); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "write.golden.json")
	if *update {
		os.WriteFile(golden, buf.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("Write (-want +got):\n%s", diff)
	}
	// WriteTests, with the tests as a sorted sequence, writes the same.
	var seq bytes.Buffer
	noTests := *f
	noTests.Timings.Tests = map[string]float64{"ignored": 1}
	WriteTests(&seq, &noTests, func(yield func(string, float64) bool) {
		for _, k := range []string{"a.TestA", "b.TestB", "t.py::test_<x>[\"q\"]"} {
			if !yield(k, f.Timings.Tests[k]) {
				return
			}
		}
	})
	if diff := cmp.Diff(string(want), seq.String()); diff != "" {
		t.Errorf("WriteTests (-want +got):\n%s", diff)
	}
	back, err := Read(bytes.NewReader(buf.Bytes()), "golden")
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	Write(&again, back)
	if again.String() != buf.String() {
		t.Errorf("write, read, write is not stable:\n%s\n---\n%s", buf.String(), again.String())
	}
}

func TestFormatSeconds(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 1.5: "1.5", 12: "12", 0.0004: "0", 0.0005: "0.001", 3.14159: "3.142", 100.1: "100.1"} {
		if got := FormatSeconds(in); got != want {
			t.Errorf("FormatSeconds(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestBlend(t *testing.T) {
	hist := &File{Runs: 4, Timings: model.Timings{Tests: map[string]float64{"a": 10, "gone": 5}}}
	run := &model.Timings{Tests: map[string]float64{"a": 20, "new": 1}, Files: map[string]float64{"f": 2}}
	got := Blend(hist, run, 0.3)
	want := &File{Runs: 5, Timings: model.Timings{
		Tests: map[string]float64{"a": 13, "gone": 5, "new": 1},
		Files: map[string]float64{"f": 2},
	}}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(x, y float64) bool { return x-y < 1e-9 && y-x < 1e-9 })); diff != "" {
		t.Errorf("Blend (-want +got):\n%s", diff)
	}
	if fresh := Blend(nil, run, 0.3); fresh.Runs != 1 || fresh.Timings.Tests["a"] != 20 {
		t.Errorf("Blend without history = %+v, want the run itself", fresh)
	}
}

// BlendTests yields exactly Blend's test level, in key order, from a run
// in key order.
func TestBlendTests(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for round := range 50 {
		hist, run := map[string]float64{}, map[string]float64{}
		for range r.IntN(40) {
			hist[fmt.Sprint("t", r.IntN(60))] = r.Float64() * 10
		}
		for range r.IntN(40) {
			run[fmt.Sprint("t", r.IntN(60))] = r.Float64() * 10
		}
		want := Blend(&File{Timings: model.Timings{Tests: hist}}, &model.Timings{Tests: run}, 0.3).Timings.Tests
		var keys []string
		got := map[string]float64{}
		for k, v := range BlendTests(hist, sorted(run), 0.3) {
			keys = append(keys, k)
			got[k] = v
		}
		if !slices.IsSorted(keys) || len(keys) != len(got) {
			t.Fatalf("round %d: keys not in order or repeated: %v", round, keys)
		}
		if len(want) == 0 {
			want = map[string]float64{}
		}
		if diff := cmp.Diff(want, got); diff != "" { // bit for bit
			t.Fatalf("round %d: BlendTests differs from Blend (-want +got):\n%s", round, diff)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add(`{"schema":"xshard.timings/v1","runs":2,"tests":{"p.TestA":1.5}}`)
	f.Add(`{"a": 1, "b": 2.5}`)
	f.Add(`{"a": -1}`)
	f.Add(`{"schema":"xshard.timings/v1","tests":{"x":"y"}}`)
	f.Fuzz(func(t *testing.T, in string) {
		got, err := Read(strings.NewReader(in), "f")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f:") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, got); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(&buf, "again"); err != nil {
			t.Fatalf("written timings do not read back: %v\n%s", err, buf.String())
		}
	})
}
