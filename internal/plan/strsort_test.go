package plan

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// TestSortStringsMatchesCompare checks the radix sort against a stable
// comparison sort on strings built to stress it: shared prefixes of every
// length around the 8-byte steps, zero bytes, prefixes of each other and
// duplicates, in runs short and long enough for both inner sorts.
func TestSortStringsMatchesCompare(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	alphabets := []string{"ab", "\x00\x01\xff", "abcdefghijklmnopqrstuvwxyz0123456789./"}
	for round := range 300 {
		alpha := alphabets[round%len(alphabets)]
		n := 1 + rng.Intn(600)
		if round%50 == 0 {
			n = 5000 + rng.Intn(5000)
		}
		prefix := strings.Repeat("p", rng.Intn(20))
		strs := make([]string, n)
		for i := range strs {
			var b strings.Builder
			b.WriteString(prefix[:rng.Intn(len(prefix)+1)])
			for range rng.Intn(24) {
				b.WriteByte(alpha[rng.Intn(len(alpha))])
			}
			strs[i] = b.String()
			if i > 0 && rng.Intn(10) == 0 {
				strs[i] = strs[rng.Intn(i)] // a duplicate
			}
		}
		want := indices(n)
		slices.SortStableFunc(want, func(a, b int32) int { return strings.Compare(strs[a], strs[b]) })
		wantDup := false
		for i := 1; i < n; i++ {
			wantDup = wantDup || strs[want[i]] == strs[want[i-1]]
		}

		got, dup := sortStrings(n, func(i int32) string { return strs[i] })
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: sortStrings order differs from a stable comparison sort", round)
		}
		if dup != wantDup {
			t.Fatalf("round %d: sortStrings reports duplicates %v, want %v", round, dup, wantDup)
		}
	}
}

func TestKey8(t *testing.T) {
	tests := []struct {
		s     string
		depth int
		want  uint64
	}{
		{"abcdefghij", 0, 0x6162636465666768},
		{"abcdefghij", 2, 0x636465666768696a},
		{"abcdefghij", 4, 0x65666768696a0000},
		{"abc", 8, 0},
		{"", 0, 0},
	}
	for _, tt := range tests {
		if got := key8(tt.s, tt.depth); got != tt.want {
			t.Errorf("key8(%q, %d) = %#x, want %#x", tt.s, tt.depth, got, tt.want)
		}
	}
}
