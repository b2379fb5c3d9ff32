package plan

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/model"
)

func sum(s string) string { return fmt.Sprintf("%016x", xxhash.Sum64String(s)) }

func TestFingerprintParts(t *testing.T) {
	items := ids("b", "c", "a")
	timings := &model.Timings{
		Groups:   map[string]float64{"g": 3},
		Files:    map[string]float64{"f.py": 1e-7},
		Tests:    map[string]float64{"b": 1.5, "a": 2},
		Packages: map[string]float64{},
	}
	p, err := Make(items, Options{Total: 2, Strategy: Hash, Seed: 42, Timings: timings})
	if err != nil {
		t.Fatal(err)
	}
	wantUniverse := sum("a\nb\nc\n")
	// Each entry hashed alone, combined by count, sum and xor.
	var n, add, xor uint64
	for _, e := range []string{"tests\ta\t2\n", "tests\tb\t1.5\n", "files\tf.py\t1e-07\n", "groups\tg\t3\n"} {
		h := xxhash.Sum64String(e)
		n, add, xor = n+1, add+h, xor^h
	}
	var comb [24]byte
	binary.LittleEndian.PutUint64(comb[0:], n)
	binary.LittleEndian.PutUint64(comb[8:], add)
	binary.LittleEndian.PutUint64(comb[16:], xor)
	wantTimings := sum(string(comb[:]))
	var assignment strings.Builder
	assignment.WriteString("version\tv1\ntotal\t2\nstrategy\thash\nby\ttest\nseed\t42\n")
	for _, s := range p.Shards {
		fmt.Fprintf(&assignment, "shard\t%d\n", s.Index)
		for _, u := range s.Units {
			fmt.Fprintf(&assignment, "unit\t%s\n", u.ID)
		}
	}
	wantAssignment := sum(assignment.String())

	if p.UniverseFingerprint != wantUniverse {
		t.Errorf("UniverseFingerprint = %q, want %q", p.UniverseFingerprint, wantUniverse)
	}
	if got := UniverseFingerprint([]string{"c", "a", "b"}); got != wantUniverse {
		t.Errorf("UniverseFingerprint(ids) = %q, want %q", got, wantUniverse)
	}
	if p.TimingsFingerprint != wantTimings {
		t.Errorf("TimingsFingerprint = %q, want %q", p.TimingsFingerprint, wantTimings)
	}
	if want := "v1-" + wantUniverse + "-" + wantTimings + "-" + wantAssignment; p.Fingerprint != want {
		t.Errorf("Fingerprint = %q, want %q", p.Fingerprint, want)
	}
	f, err := ParseFingerprint(p.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Fingerprints{"v1", wantUniverse, wantTimings, wantAssignment}, f); diff != "" {
		t.Errorf("ParseFingerprint() (-want +got):\n%s", diff)
	}
	if f.String() != p.Fingerprint {
		t.Errorf("Fingerprints.String() = %q, want %q", f.String(), p.Fingerprint)
	}
}

func TestTimingsFingerprintOfNothing(t *testing.T) {
	want := sum("")
	for name, tm := range map[string]*model.Timings{
		"nil timings":   nil,
		"empty timings": {},
		"empty maps":    {Tests: map[string]float64{}, Groups: map[string]float64{}},
	} {
		if got := TimingsFingerprint(tm); got != want {
			t.Errorf("TimingsFingerprint(%s) = %q, want %q", name, got, want)
		}
	}
}

func TestFingerprintChanges(t *testing.T) {
	base := Options{Total: 3, Strategy: Hash, Seed: 1, Timings: &model.Timings{Tests: map[string]float64{"a": 1}}}
	items := ids("a", "b", "c", "d", "e", "f", "g")
	tests := []struct {
		name   string
		items  []model.Item
		change func(*Options)
		want   []string
	}{
		{"the same inputs give the same fingerprint", items, func(*Options) {}, nil},
		{"another seed changes only the assignment", items, func(o *Options) { o.Seed = 2 }, []string{"assignment"}},
		{"another total changes only the assignment", items, func(o *Options) { o.Total = 4 }, []string{"assignment"}},
		{"another strategy changes only the assignment", items, func(o *Options) { o.Strategy = Timing }, []string{"assignment"}},
		{
			name:   "other timings change the timings even when hashing ignores them",
			items:  items,
			change: func(o *Options) { o.Timings = &model.Timings{Tests: map[string]float64{"a": 1.25}} },
			want:   []string{"timings"},
		},
		{"another test changes the universe and the assignment", ids("a", "b", "c", "d", "e", "f", "h"), func(*Options) {}, []string{"universe", "assignment"}},
	}
	want, err := Make(items, base)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := base
			tt.change(&opts)
			got, err := Make(tt.items, opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, DiffFingerprint(want.Fingerprint, got.Fingerprint)); diff != "" {
				t.Errorf("DiffFingerprint() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiffFingerprint(t *testing.T) {
	const (
		u = "0123456789abcdef"
		v = "fedcba9876543210"
	)
	tests := []struct {
		name      string
		want, got string
		diff      []string
	}{
		{"equal fingerprints do not differ", "v1-" + u + "-" + u + "-" + u, "v1-" + u + "-" + u + "-" + u, nil},
		{"every part that differs is named in order", "v1-" + u + "-" + u + "-" + u, "v1-" + v + "-" + u + "-" + v, []string{"universe", "assignment"}},
		{"a timings difference alone is named", "v1-" + u + "-" + u + "-" + u, "v1-" + u + "-" + v + "-" + u, []string{"timings"}},
		{"a malformed expectation is a format difference", "v1-" + u + "-" + u, "v1-" + u + "-" + u + "-" + u, []string{"format"}},
		{"upper case hex is malformed", "v1-" + strings.ToUpper(v) + "-" + u + "-" + u, "v1-" + v + "-" + u + "-" + u, []string{"format"}},
		{"a malformed actual fingerprint is a format difference", "v1-" + u + "-" + u + "-" + u, "", []string{"format"}},
		{"another version is a format difference", "v2-" + u + "-" + u + "-" + u, "v1-" + u + "-" + u + "-" + u, []string{"format"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.diff, DiffFingerprint(tt.want, tt.got)); diff != "" {
				t.Errorf("DiffFingerprint(%q, %q) (-want +got):\n%s", tt.want, tt.got, diff)
			}
		})
	}
}

func TestParseFingerprintErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"too few parts", "v1-0123456789abcdef", `malformed fingerprint "v1-0123456789abcdef": want "v1-<universe>-<timings>-<assignment>"`},
		{"no version", "-0123456789abcdef-0123456789abcdef-0123456789abcdef", `malformed fingerprint "-0123456789abcdef-0123456789abcdef-0123456789abcdef": want "v1-<universe>-<timings>-<assignment>"`},
		{"a short part", "v1-0123-0123456789abcdef-0123456789abcdef", `malformed fingerprint "v1-0123-0123456789abcdef-0123456789abcdef": "0123" is not 16 hex digits`},
		{"a part that is not hex", "v1-0123456789abcdef-0123456789abcdeg-0123456789abcdef", `malformed fingerprint "v1-0123456789abcdef-0123456789abcdeg-0123456789abcdef": "0123456789abcdeg" is not 16 hex digits`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFingerprint(tt.in)
			if err == nil || err.Error() != tt.want {
				t.Errorf("ParseFingerprint(%q) error = %v, want %q", tt.in, err, tt.want)
			}
		})
	}
}
