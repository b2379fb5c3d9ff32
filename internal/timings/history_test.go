package timings

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/model"
)

// randomHistory returns a history of n tests with awkward IDs among them.
func randomHistory(r *rand.Rand, n int) *History {
	h := &History{Length: 1 + r.IntN(30), Runs: r.IntN(100), LastRun: fmt.Sprintf("%d-%d", r.IntN(1000), 1+r.IntN(3)), Tests: map[string]string{}}
	odd := []string{"", "a\"b", `back\slash`, "new\nline", "tab\there", "ünïcödé ✓", "\u2028", "<&>", "ctl\x01", "bad\xffutf8"}
	for i := range n {
		id := fmt.Sprintf("pkg%d.Test%d", r.IntN(5), i)
		if r.IntN(8) == 0 {
			id += odd[r.IntN(len(odd))]
		}
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteByte(model.Marks[r.IntN(len(model.Marks))])
		}
		h.Tests[strings.ToValidUTF8(id, "\uFFFD")] = b.String()
	}
	return h
}

func writeHistory(t testing.TB, h *History) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHistory(&b, h, SortedMarks(h.Tests)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestHistoryRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 50 {
		want := randomHistory(r, i*3)
		data := writeHistory(t, want)
		got, err := ReadHistory(bytes.NewReader(data), "history.json")
		if err != nil {
			t.Fatalf("case %d: %v\n%s", i, err, data)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("case %d: read back differs (-want +got):\n%s", i, diff)
		}
		// The fast reader took it, and so does the general one.
		if _, err := readCanonicalHistory(data, "h"); err != nil {
			t.Fatalf("case %d: the canonical reader refused what WriteHistory wrote: %v", i, err)
		}
		slow, err := decodeHistory(data, "h")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, slow); diff != "" {
			t.Fatalf("case %d: the general reader differs (-want +got):\n%s", i, diff)
		}
		if again := writeHistory(t, got); !bytes.Equal(again, data) {
			t.Fatalf("case %d: written twice, the bytes differ", i)
		}
	}
}

func TestHistoryGolden(t *testing.T) {
	h := &History{Length: 20, Runs: 3, LastRun: "77-2", Tests: map[string]string{
		"tests/test_a.py::test_x[1]": "FFK",
		"example.com/m/pkg.TestA":    "PPF",
	}}
	want := `{
  "schema": "xshard.history/v1",
  "length": 20,
  "runs": 3,
  "last_run": "77-2",
  "tests": {
    "example.com/m/pkg.TestA": "PPF",
    "tests/test_a.py::test_x[1]": "FFK"
  }
}
`
	if diff := cmp.Diff(want, string(writeHistory(t, h))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	empty := writeHistory(t, &History{Length: 20})
	if got, err := readCanonicalHistory(empty, "h"); err != nil || len(got.Tests) != 0 || got.Length != 20 {
		t.Errorf("an empty history reads back as %+v, %v\n%s", got, err, empty)
	}
}

func TestReadHistoryErrors(t *testing.T) {
	tests := []struct {
		name, data, wantErr string
	}{
		{"a newer major schema is refused, saying to upgrade",
			`{"schema": "xshard.history/v2", "tests": {}}`,
			`h.json:1:12: history schema "xshard.history/v2" is not supported by this version (it reads "xshard.history/v1"); upgrade xshard or delete the file to start a new history`},
		{"another file's schema",
			`{"schema": "xshard.timings/v1"}`,
			`h.json:1:12: not an xshard outcome history: schema "xshard.timings/v1"`},
		{"no schema",
			`{"tests": {}}`,
			`h.json:1:2: not an xshard outcome history: the first key must be "schema"`},
		{"not an object",
			`[1]`,
			`h.json:1:1: an outcome history must be a JSON object with "schema": "xshard.history/v1"`},
		{"a truncated file",
			"{\n  \"schema\": \"xshard.history/v1\",\n  \"length\": 20,\n  \"runs\": 3,\n  \"last_run\": \"\",\n  \"tests\": {\n    \"a\": \"PP\",\n    \"b\": \"P",
			`h.json:8:12: unexpected end of file: the history is truncated`},
		{"letters that are not marks",
			`{"schema": "xshard.history/v1", "tests": {"a": "PPX"}}`,
			`h.json:1:48: outcomes of "a" must be a string of the letters "PFESK-", got PPX`},
		{"a number for marks",
			`{"schema": "xshard.history/v1", "tests": {"a": 3}}`,
			`h.json:1:48: outcomes of "a" must be a string of the letters "PFESK-", got 3`},
		{"a duplicate test",
			`{"schema": "xshard.history/v1", "tests": {"a": "P", "a": "F"}}`,
			`h.json:1:53: duplicate test id "a"`},
		{"a negative run count",
			`{"schema": "xshard.history/v1", "runs": -1}`,
			`h.json:1:41: "runs" must be a non-negative integer, got -1`},
		{"garbage",
			`{"schema": "xshard.history/v1", "runs": 1,, }`,
			`h.json:1:43: invalid JSON: invalid character ',' looking for beginning of object key string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadHistory(strings.NewReader(tt.data), "h.json")
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("got error\n  %v\nwant\n  %s", err, tt.wantErr)
			}
		})
	}
}

func TestReadHistoryAnyLayout(t *testing.T) {
	// Reformatted by hand, unsorted, with a key a later version added.
	data := `{"schema":"xshard.history/v1","future":{"x":[1,2]},"tests":{"b":"FP","a":"-P"},"runs":2,"length":5}`
	got, err := ReadHistory(strings.NewReader(data), "h")
	if err != nil {
		t.Fatal(err)
	}
	want := &History{Length: 5, Runs: 2, Tests: map[string]string{"a": "-P", "b": "FP"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// streamTimings reads data with a Stream, as merge does, into a File.
func streamTimings(data []byte) (*File, error) {
	s, err := newStream(bufio.NewReaderSize(bytes.NewReader(data), 64), "t")
	if err != nil {
		return nil, err
	}
	tests := map[string]float64{}
	for {
		id, secs, ok := s.Next()
		if !ok {
			break
		}
		tests[string(id)] = secs
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	f, err := s.Rest()
	if err != nil {
		return nil, err
	}
	f.Timings.Tests = tests
	return f, nil
}

func TestStreamReadsWhatWriteWrites(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 40 {
		f := &File{Runs: r.IntN(9), Timings: model.Timings{Tests: map[string]float64{}}}
		for j := range i * 5 {
			f.Timings.Tests[fmt.Sprintf("p.T%d%s", j, []string{"", "\"q\"", "ü", "\\"}[r.IntN(4)])] = float64(r.IntN(100000)) / 1000
		}
		if i%3 == 0 {
			f.Timings.Files = map[string]float64{"a.go": 1.5, "b.go": 0}
			f.Timings.Groups = map[string]float64{"db": 12}
		}
		var b bytes.Buffer
		if err := Write(&b, f); err != nil {
			t.Fatal(err)
		}
		want, err := Read(bytes.NewReader(b.Bytes()), "t")
		if err != nil {
			t.Fatal(err)
		}
		got, err := streamTimings(b.Bytes())
		if err != nil {
			t.Fatalf("case %d: the stream refused what Write wrote: %v\n%s", i, err, b.Bytes())
		}
		if len(want.Timings.Tests) == 0 {
			want.Timings.Tests = map[string]float64{}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("case %d: (-Read +Stream):\n%s", i, diff)
		}
	}
}

// checkStreamAgrees asserts the property the merge relies on: a stream
// that reads data to the end gives what Read gives; one that cannot says
// that the file is not canonical (and Read then reads or refuses it).
func checkStreamAgrees(t *testing.T, data []byte) {
	got, serr := streamTimings(data)
	want, rerr := Read(bytes.NewReader(data), "t")
	if serr != nil {
		if !IsNotCanonical(serr) {
			t.Fatalf("stream error %v is not a not-canonical error on %q", serr, data)
		}
		return
	}
	if rerr != nil {
		t.Fatalf("the stream read %q, which Read refuses: %v", data, rerr)
	}
	if want.Timings.Tests == nil {
		want.Timings.Tests = map[string]float64{}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("stream and Read differ on %q (-Read +Stream):\n%s", data, diff)
	}
}

func checkHistoryAgrees(t *testing.T, data []byte) {
	got, serr := readCanonicalHistory(data, "h")
	want, rerr := decodeHistory(data, "h")
	if serr != nil {
		if !IsNotCanonical(serr) {
			t.Fatalf("stream error %v is not a not-canonical error on %q", serr, data)
		}
		return
	}
	if rerr != nil {
		t.Fatalf("the stream read %q, which the general reader refuses: %v", data, rerr)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("stream and general reader differ on %q (-general +stream):\n%s", data, diff)
	}
}

func TestStreamsOnDamagedFiles(t *testing.T) {
	f := &File{Runs: 2, Timings: model.Timings{Tests: map[string]float64{"a": 1, "b\"x": 2.5, "c": 0.001}, Files: map[string]float64{"f": 3}}}
	var tb bytes.Buffer
	Write(&tb, f)
	hb := writeHistory(t, &History{Length: 4, Runs: 9, LastRun: "x", Tests: map[string]string{"a": "PF", "b\"x": "K-", "c": ""}})
	for _, c := range []struct {
		data  []byte
		check func(*testing.T, []byte)
	}{{tb.Bytes(), checkStreamAgrees}, {hb, checkHistoryAgrees}} {
		// Every truncation, and every byte replaced by a few others.
		for n := range len(c.data) {
			c.check(t, c.data[:n])
			for _, b := range []byte{'"', ',', '}', '9', ' ', '\n', 'Z', '\\'} {
				d := bytes.Clone(c.data)
				d[n] = b
				c.check(t, d)
			}
		}
	}
}

func TestStreamRefusesUnsortedAndRepeatedKeys(t *testing.T) {
	for _, data := range []string{
		"{\n  \"schema\": \"xshard.timings/v1\",\n  \"runs\": 1,\n  \"tests\": {\n    \"b\": 1,\n    \"a\": 2\n  }\n}\n",
		"{\n  \"schema\": \"xshard.timings/v1\",\n  \"runs\": 1,\n  \"tests\": {\n    \"a\": 1,\n    \"a\": 2\n  }\n}\n",
	} {
		if _, err := streamTimings([]byte(data)); !IsNotCanonical(err) {
			t.Errorf("stream error %v, want not canonical, on\n%s", err, data)
		}
	}
	// Read takes the unsorted file and refuses the repeated one.
	if _, err := streamTimings([]byte("{\n  \"schema\": \"xshard.timings/v2\",\n  \"runs\": 1,\n  \"tests\": {}\n}\n")); !errors.Is(err, errNotCanonical) {
		t.Errorf("another schema: %v, want not canonical", err)
	}
}

func FuzzStreamAgrees(f *testing.F) {
	var tb bytes.Buffer
	Write(&tb, &File{Runs: 2, Timings: model.Timings{Tests: map[string]float64{"a": 1, "b": 2.5}, Files: map[string]float64{"f": 3}}})
	f.Add(tb.Bytes())
	f.Add([]byte("{\n  \"schema\": \"xshard.timings/v1\",\n  \"runs\": 0,\n  \"tests\": {},\n  \"files\": {}\n}\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkStreamAgrees(t, data) })
}

func FuzzHistoryAgrees(f *testing.F) {
	var hb bytes.Buffer
	WriteHistory(&hb, &History{Length: 4, Runs: 9, LastRun: "x"}, SortedMarks(map[string]string{"a": "PF", "b\"x": "K-"}))
	f.Add(hb.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) { checkHistoryAgrees(t, data) })
}
