package strutil

import (
	"testing"
	"unicode/utf8"
)

// FuzzReverse checks round-trip properties of Reverse. Without -fuzz, `go
// test` runs it as an ordinary test over the seeds added with f.Add and the
// files under testdata/fuzz/FuzzReverse/ (each seed is a subtest).
func FuzzReverse(f *testing.F) {
	for _, seed := range []string{"", "hello", "日本語", "!12345"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			t.Skip("only valid UTF-8 round-trips")
		}
		rev := Reverse(s)
		if !utf8.ValidString(rev) {
			t.Fatalf("Reverse(%q) produced invalid UTF-8 %q", s, rev)
		}
		if Reverse(rev) != s {
			t.Fatalf("Reverse(Reverse(%q)) = %q", s, Reverse(rev))
		}
		if utf8.RuneCountInString(rev) != utf8.RuneCountInString(s) {
			t.Fatalf("rune count changed for %q", s)
		}
	})
}

// FuzzTruncate checks that Truncate never returns more than n runes.
func FuzzTruncate(f *testing.F) {
	f.Add("hello world", 5)
	f.Add("", 0)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n > 1000 || n < -1000 {
			t.Skip()
		}
		got := Truncate(s, n)
		limit := n
		if limit < 0 {
			limit = 0
		}
		if c := utf8.RuneCountInString(got); c > limit {
			t.Fatalf("Truncate(%q, %d) = %q has %d runes", s, n, got, c)
		}
	})
}
