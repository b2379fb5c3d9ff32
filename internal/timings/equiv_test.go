package timings

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// equivCorpus holds inputs on which Read must agree with the Token-based
// parser it replaced (oldRead): the odd corners of JSON as well as of
// the two formats.
var equivCorpus = []string{
	// Both formats, well formed.
	`{"schema":"xshard.timings/v1","runs":2,"tests":{"p.TestA":1.5},"files":{"a.py":2},"packages":{"p":3},"groups":{"g":4},"future":{"x":[1]}}`,
	"{\n  \"t.py::test_a\": 0.25,\n  \"t.py::test_b\": 1e-3\n}",
	`{"schema":"xshard.timings/v1"}`,
	`{"schema":"xshard.timings/v1","tests":{},"files":{},"packages":{},"groups":{}}`,
	`{"schema":"xshard.timings/v1","runs":0,"tests":{"a":0}}`,
	`{"schema":"xshard.timings/v1","tests":{"a":1},"tests":{"b":2}}`,
	`{"schema":"xshard.timings/v1","runs":1,"runs":2}`,
	`{"schema":"xshard.timings/v1","schema":"xshard.timings/v1"}`,
	`{"schema":"xshard.timings/v1","schema":"xshard.timings/v2"}`,
	`{"a":1,"schema":2}`,
	`{"a":1,"schema":"xshard.timings/v1"}`,
	`{"sch\u0065ma":"xshard.timings/v1","t\u0065sts":{"a":1}}`,
	`{"schema":"xshard.timings\/v1"}`,
	// Whitespace.
	" \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n1 \t\r\n, \"b\":2 \t\r\n} \t\r\n",
	"{\"a\":1}\f",
	"\f{\"a\":1}",
	"{\"a\"\f:1}",
	"{\"a\":\v1}",
	"\ufeff{\"a\":1}",
	// What follows the object is not read.
	`{"a":1} trailing`,
	`{"a":1}}`,
	`{"a":1},`,
	`{"a":1}{"b":2}`,
	`{"schema":"xshard.timings/v1"}]`,
	`{"a":1} "`,
	// Not an object, or not closed.
	``, ` `, `[]`, `[1,2]`, `1`, `-1`, `"a"`, `"a`, `true`, `null`, `nul`, `x`, `}`, `]`, `,`, `:`,
	`{`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,`, `{"a":1,"b"`, `{]`, `{"a":1]`, `{"a":[}`,
	// Separators.
	`{"a":1,}`, `{,"a":1}`, `{"a":1,,"b":2}`, `{"a" 1}`, `{"a"::1}`, `{"a":1 "b":2}`, `{"a":1;"b":2}`,
	`{"a",1}`, `{"a":1:2}`, `{1:2}`, `{a:1}`, `{'a':1}`, `{"a":1,]`, `{"a":}`, `{"a":,}`,
	`{"schema":"xshard.timings/v1","tests":{"a":1,}}`,
	`{"schema":"xshard.timings/v1","tests":{"a":1]}`,
	`{"schema":"xshard.timings/v1","tests":{"a":1}]`,
	`{"schema":"xshard.timings/v1","tests":{"a":1},}`,
	`{"schema":"xshard.timings/v1","tests":{"a":1}"files":{}}`,
	// Empty objects.
	`{}`, `{ }`, "{\n}",
	// Durations of every kind.
	`{"a":0}`, `{"a":-0}`, `{"a":-0.0}`, `{"a":0.0}`, `{"a":00}`, `{"a":01}`, `{"a":-01}`, `{"a":1.}`, `{"a":.5}`,
	`{"a":1.5.2}`, `{"a":+1}`, `{"a":-}`, `{"a":--1}`, `{"a":1e3}`, `{"a":1E3}`, `{"a":1e+3}`, `{"a":1e-2}`,
	`{"a":1E-2}`, `{"a":1e}`, `{"a":1e+}`, `{"a":1ee2}`, `{"a":1e2.5}`, `{"a":0e0}`, `{"a":0.e1}`, `{"a":1.5e}`,
	`{"a":1e999}`, `{"a":-1e999}`, `{"a":1e-999}`, `{"a":-1e-999}`, `{"a":4.9e-324}`, `{"a":2.5e-324}`, `{"a":1.7976931348623157e308}`,
	`{"a":1.7976931348623159e308}`, `{"a":179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791}`,
	`{"a":0.1}`, `{"a":0.3}`, `{"a":0.123}`, `{"a":123456789012345}`, `{"a":1234567890123456}`, `{"a":12345678901234567890}`,
	`{"a":0.000000000000001}`, `{"a":0.0000000000000001}`, `{"a":9007199254740993}`, `{"a":900719925474099.3}`,
	`{"a":0.30000000000000004}`, `{"a":2.2250738585072011e-308}`, `{"a":1x}`, `{"a":1"b":2}`, `{"a":1-2}`, `{"a":0x10}`,
	`{"a":NaN}`, `{"a":Infinity}`, `{"a":-Infinity}`, `{"a":inf}`, `{"a":1_000}`,
	`{"a":"1"}`, `{"a":"x\"y"}`, `{"a":"\u00e9"}`, `{"a":true}`, `{"a":false}`, `{"a":null}`, `{"a":{}}`, `{"a":[]}`,
	`{"a":{"b":1}}`, `{"a":tru}`, `{"a":truex}`, `{"a":nulll}`, `{"a":True}`, `{"a":"unterminated}`,
	`{"schema":"xshard.timings/v1","tests":{"a":-1}}`, `{"schema":"xshard.timings/v1","tests":{"a":"1"}}`,
	`{"schema":"xshard.timings/v1","files":{"a":null}}`, `{"schema":"xshard.timings/v1","groups":{"a":[1]}}`,
	// "runs".
	`{"schema":"xshard.timings/v1","runs":-0}`, `{"schema":"xshard.timings/v1","runs":-1}`, `{"schema":"xshard.timings/v1","runs":1.0}`,
	`{"schema":"xshard.timings/v1","runs":1e2}`, `{"schema":"xshard.timings/v1","runs":"2"}`, `{"schema":"xshard.timings/v1","runs":null}`,
	`{"schema":"xshard.timings/v1","runs":9223372036854775807}`, `{"schema":"xshard.timings/v1","runs":9223372036854775808}`,
	`{"schema":"xshard.timings/v1","runs":{}}`, `{"schema":"xshard.timings/v1","runs":[1]}`, `{"schema":"xshard.timings/v1","runs":01}`,
	`{"schema":"xshard.timings/v1","runs":1x}`,
	// Schemas.
	`{"schema":"xshard.timings/v2"}`, `{"schema":"xshard.manifest/v1"}`, `{"schema":1}`, `{"schema":null}`, `{"schema":{}}`,
	`{"schema":["xshard.timings/v1"]}`, `{"schema":"xshard.timings/v1`, `{"schema":"xshard.timings/"}`, `{"schema":""}`,
	`{"schema":"xshard.timings/v1x"}`, `{"schema":"\u0078shard.timings/v1"}`,
	// Levels that are not objects.
	`{"schema":"xshard.timings/v1","tests":[]}`, `{"schema":"xshard.timings/v1","tests":null}`, `{"schema":"xshard.timings/v1","files":1}`,
	`{"schema":"xshard.timings/v1","packages":"x"}`, `{"schema":"xshard.timings/v1","groups":"x`, `{"schema":"xshard.timings/v1","tests":tru}`,
	// Unknown keys, with values of every kind, nested.
	`{"schema":"xshard.timings/v1","x":1,"y":"s","z":null,"w":true,"v":false,"u":-1.5e3,"t":[],"s":{}}`,
	`{"schema":"xshard.timings/v1","x":{"a":[1,{"b":[[],{}]},"c",null,true,false,-0.5e-3],"d":{"e":{"f":{}}}},"tests":{"a":1}}`,
	`{"schema":"xshard.timings/v1","x":[1,]}`, `{"schema":"xshard.timings/v1","x":[,1]}`, `{"schema":"xshard.timings/v1","x":[1 2]}`,
	`{"schema":"xshard.timings/v1","x":{"a":1,}}`, `{"schema":"xshard.timings/v1","x":{"a"}}`, `{"schema":"xshard.timings/v1","x":{"a":}}`,
	`{"schema":"xshard.timings/v1","x":{1:2}}`, `{"schema":"xshard.timings/v1","x":[}`, `{"schema":"xshard.timings/v1","x":{]}`,
	`{"schema":"xshard.timings/v1","x":[1}`, `{"schema":"xshard.timings/v1","x":{"a":1]}`, `{"schema":"xshard.timings/v1","x":[[]]]}`,
	`{"schema":"xshard.timings/v1","x":}`, `{"schema":"xshard.timings/v1","x":01}`, `{"schema":"xshard.timings/v1","x":1.}`,
	`{"schema":"xshard.timings/v1","x":"\q"}`, `{"schema":"xshard.timings/v1","x":"` + "\x01" + `"}`, `{"schema":"xshard.timings/v1","x":nul}`,
	`{"schema":"xshard.timings/v1","x":{"a":1,"a":2}}`, `{"schema":"xshard.timings/v1","x":[1,[2,[3`,
	`{"schema":"xshard.timings/v1","x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`,
	`{"schema":"xshard.timings/v1","x":` + strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000) + `}`,
	`{"schema":"xshard.timings/v1","x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 19999) + `}`,
	`{"schema":"xshard.timings/v1","x":` + strings.Repeat("[{\"a\":", 5000) + strings.Repeat("}]", 5000) + `}`,
	// Duplicates.
	`{"a":1,"a":2}`, `{"a":1,"b":2,"a":3}`, `{"a":1,"\u0061":2}`, `{"a":1,"a":-1}`, `{"a":1,"a":"x"}`, `{"":1,"":2}`, `{"":1}`,
	`{"schema":"xshard.timings/v1","tests":{"a":1,"a":2}}`, `{"schema":"xshard.timings/v1","files":{"a":1,"b":2,"a":3}}`,
	`{"\ud800":1,"\udc00":2}`, `{"\ud800":1,"\ufffd":2}`, `{"` + "\xff" + `":1,"` + "\xfe" + `":2}`, `{"` + "\xff" + `":1,"\ufffd":2}`,
	// Escapes.
	`{"\"\\\/\b\f\n\r\t":1}`, `{"\u0000":1}`, `{"\u001f":1}`, `{"\u00e9\u00E9":1}`, `{"\u4e2d":1}`, `{"\uFFFF":1}`, `{"\uffff":1}`,
	`{"\ud83d\ude00":1}`, `{"\uD83D\uDE00":1}`, `{"\ud83d":1}`, `{"\ude00":1}`, `{"\ude00\ud83d":1}`, `{"\ud83dx":1}`, `{"\ud83d\n":1}`,
	`{"\ud83d\u0041":1}`, `{"\ud83d\ud83d\ude00":1}`, `{"\ud83d\ude00\ude00":1}`, `{"\ud83d\u":1}`, `{"\ud83d\ude0":1}`, `{"\ud83d\ude0g":1}`,
	`{"\ud83d\`, `{"\ud83d\u`, `{"\ud83d\ude`, `{"\u`, `{"\u12`, `{"\u12x4":1}`, `{"\U0041":1}`, `{"\x41":1}`, `{"\'":1}`, `{"\a":1}`,
	`{"\`, `{"\"`, `{"\\":1}`, `{"\/":1}`, `{"a\":1}`, `{"a\\":1}`, `{"a\\\":1}`, `{"\u0022":1}`, `{"\u005c":1}`,
	// Raw bytes in strings.
	"{\"a\tb\":1}", "{\"a\nb\":1}", "{\"a\x00b\":1}", "{\"a\x1fb\":1}", "{\"a\x7fb\":1}", "{\"a b\":1}",
	"{\"caf\xc3\xa9\":1}", "{\"\xe4\xb8\xad\":1}", "{\"\xf0\x9f\x98\x80\":1}", "{\"\xef\xbf\xbd\":1}",
	"{\"\xff\":1}", "{\"\xc3\":1}", "{\"\xc3x\":1}", "{\"\xe4\xb8\":1}", "{\"\xe4\xb8x\":1}", "{\"\xf0\x9f\x98\":1}",
	"{\"\x80\x80\":1}", "{\"\xc0\xaf\":1}", "{\"\xe0\x80\xaf\":1}", "{\"\xed\xa0\x80\":1}", "{\"\xed\xbf\xbf\":1}", "{\"\xf4\x90\x80\x80\":1}",
	"{\"\xf8\x88\x80\x80\x80\":1}", "{\"a\xffb\\n\xfe\":1}", "{\"\\u00e9\xff\":1}", "{\"\xe2\x80\xa8\xe2\x80\xa9\":1}", "{\"\xc3\\n\":1}",
	"{\"a\":\"\xff\"}", "{\"schema\":\"xshard.timings/\xff\"}", "{\"schema\":\"xshard.timings/v1\xff\"}", "{\"sch\xffema\":1}",
	"{\"schema\":\"\\u0078shard.timings/v2\\n\xff\"}", "{\"a\":\"\\ud800\xff\"}",
	// A key and a string value that both need decoding.
	`{"\u00e9":"\u00e8"}`, "{\"\xff\":\"\xfe\"}", "{\"\x860\":\"\xa11\"}", `{"\n":"\t"`,
	`{"schema":"xshard.timings/v1","tests":{"\u00e9":"\u00e8"}}`,
	// Non-ASCII outside strings.
	"{\"a\":1\xff}", "{\xff}", "\xff", "{\"a\":\xc3\xa9}",
}

// sameFloats compares durations bit for bit: -0 is not 0.
var sameFloats = cmp.Comparer(func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })

// compareReads fails t unless Read and oldRead agree on in: the same File,
// or both an error. Errors that are not about the JSON syntax must be the
// same error; syntax errors may be worded differently (encoding/json's
// offsets into a value are not always the byte at fault), but a truncated
// file must be called truncated by both.
func compareReads(t *testing.T, in []byte) {
	t.Helper()
	want, wantErr := oldRead(bytes.NewReader(in), "f")
	got, gotErr := Read(bytes.NewReader(in), "f")
	switch {
	case (wantErr == nil) != (gotErr == nil):
		t.Fatalf("Read(%q):\nerr = %v\nthe Token parser's err = %v", in, gotErr, wantErr)
	case wantErr != nil:
		w, g := wantErr.Error(), gotErr.Error()
		if strings.Contains(w, ": invalid JSON: ") {
			if !strings.Contains(g, ": invalid JSON: ") {
				t.Fatalf("Read(%q):\nerr = %v\nthe Token parser's err = %v", in, gotErr, wantErr)
			}
			return
		}
		if g != w {
			t.Fatalf("Read(%q):\nerr = %v\nthe Token parser's err = %v", in, gotErr, wantErr)
		}
	default:
		if diff := cmp.Diff(want, got, sameFloats); diff != "" {
			t.Fatalf("Read(%q) differs from the Token parser (-Token +Read):\n%s", in, diff)
		}
	}
}

func TestReadEquivalent(t *testing.T) {
	for _, in := range equivCorpus {
		compareReads(t, []byte(in))
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		compareReads(t, data)
	}
}

// Every prefix of a valid file is read alike: all but the whole are
// truncated, bar what ends after the closing brace.
func TestReadEquivalentTruncated(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "write.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{
		string(golden),
		`{"schema":"xshard.timings/v1","runs":12,"tests":{"a\"\u00e9\ud83d\ude00":1.5e-3,"b":0},"x":[true,false,null,{"y":-1.25E+2}],"groups":{"g":10}}`,
		"{\n  \"t.py::test_a[\xc3\xa9]\": 0.25,\n  \"t.py::test_b\": 1e-3, \"c\": 100\n}",
	} {
		for i := range len(in) + 1 {
			compareReads(t, []byte(in[:i]))
		}
	}
}

func FuzzReadEquivalent(f *testing.F) {
	for _, in := range equivCorpus {
		if len(in) < 1000 {
			f.Add([]byte(in))
		}
	}
	if golden, err := os.ReadFile(filepath.Join("testdata", "write.golden.json")); err == nil {
		f.Add(golden)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		compareReads(t, in)
	})
}

// plain agrees with a byte by byte test, for every byte at every place
// of a word and of the tail.
func TestPlain(t *testing.T) {
	want := func(s []byte) bool {
		for _, c := range s {
			if c < ' ' || c >= 0x80 || c == '\\' {
				return false
			}
		}
		return true
	}
	base := []byte("abcdefghijklmnopqrstuvwxyz0123")
	for n := range len(base) + 1 {
		for i := range n {
			for c := range 256 {
				s := bytes.Clone(base[:n])
				s[i] = byte(c)
				if got := plain(s); got != want(s) {
					t.Fatalf("plain(%q) = %v", s, got)
				}
			}
		}
	}
}

// decimal's shortcut gives strconv.ParseFloat's float64, bit for bit, for
// every number it takes, and takes the usual durations.
func TestDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	ins := []string{"0", "0.0", "1", "9", "0.5", "0.001", "0.123", "123.456", "999999999999999", "99999999999999.9",
		"0.00000000000001", "900719925474099", "900719925.474099", "1.79769313486231"}
	for range 300_000 {
		n := 1 + r.IntN(15)
		d := make([]byte, n)
		for i := range d {
			d[i] = byte('0' + r.IntN(10))
		}
		if n > 1 && d[0] == '0' {
			d[0] = '1' + byte(r.IntN(9))
		}
		if p := r.IntN(n + 1); p > 0 && p < n {
			d = append(d[:p], append([]byte{'.'}, d[p:]...)...)
		} else if p == n && r.IntN(2) == 0 {
			d = append([]byte("0."), d[:min(n, 14)]...)
		}
		ins = append(ins, string(d))
	}
	for _, in := range ins {
		p := &parser{data: []byte(in + ",")}
		got, ok := p.decimal()
		if !ok || p.pos != len(in) {
			t.Fatalf("decimal(%q) = _, %v at %d: not taken", in, ok, p.pos)
		}
		want, err := strconv.ParseFloat(in, 64)
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("decimal(%q) = %v, ParseFloat = %v, %v", in, got, want, err)
		}
	}
	for _, in := range []string{"", "-1", "01", "00", "1.", ".5", "1e3", "1E3", "0.5e1", "1234567890123456", "0.000000000000001", "+1", "x"} {
		p := &parser{data: []byte(in + ",")}
		if _, ok := p.decimal(); ok || p.pos != 0 {
			t.Errorf("decimal(%q) took it, to %d", in, p.pos)
		}
	}
}
