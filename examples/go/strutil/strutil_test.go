package strutil

import (
	"reflect"
	"strings"
	"testing"
)

func TestReverse(t *testing.T) {
	for in, want := range map[string]string{
		"":      "",
		"abc":   "cba",
		"héllo": "olléh",
		"日本語":   "語本日",
	} {
		if got := Reverse(in); got != want {
			t.Errorf("Reverse(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsPalindrome(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", true},
		{"racecar", true},
		{"A man, a plan, a canal: Panama", true},
		{"xshard", false},
	}
	for _, tc := range tests {
		// Subtest names with spaces, punctuation and regexp metacharacters
		// are rewritten by the testing package (spaces become "_").
		t.Run(tc.in, func(t *testing.T) {
			if got := IsPalindrome(tc.in); got != tc.want {
				t.Errorf("IsPalindrome(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 5, "hello"},
		{"hello world", 5, "hell…"},
		{"hello", 1, "…"},
		{"hello", 0, ""},
	}
	for _, tc := range tests {
		if got := Truncate(tc.s, tc.n); got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello, World!", "hello-world"},
		{"  Leading and trailing ", "leading-and-trailing"},
		{"Go 1.22 (release)", "go-1-22-release"},
		{"", ""},
	}
	for _, tc := range tests {
		in, want := tc.in, tc.want
		t.Run(want, func(t *testing.T) {
			if got := Slugify(in); got != want {
				t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestWordCount(t *testing.T) {
	if got := WordCount("  one two\tthree\nfour "); got != 4 {
		t.Errorf("WordCount = %d, want 4", got)
	}
}

func TestCamelToSnake(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Simple", "simple"},
		{"camelCase", "camel_case"},
		{"HTTPServerName", "http_server_name"},
		{"already_snake", "already_snake"},
		{"ID", "id"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := CamelToSnake(tc.in); got != tc.want {
				t.Errorf("CamelToSnake(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	got := Wrap("the quick brown fox jumps over the lazy dog", 10)
	want := []string{"the quick", "brown fox", "jumps over", "the lazy", "dog"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Wrap = %q, want %q", got, want)
	}
}

func TestWrapLongWord(t *testing.T) {
	got := Wrap("a supercalifragilistic word", 5)
	want := []string{"a", "supercalifragilistic", "word"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Wrap = %q, want %q", got, want)
	}
}

func TestWrapEmpty(t *testing.T) {
	if got := Wrap("   ", 10); len(got) != 0 {
		t.Errorf("Wrap(blank) = %q, want no lines", got)
	}
}

// TestReverseLarge reverses a large string many times (tens of milliseconds).
func TestReverseLarge(t *testing.T) {
	s := strings.Repeat("xshard-демо-", 20_000)
	for i := 0; i < 20; i++ {
		if Reverse(Reverse(s)) != s {
			t.Fatal("double reverse changed the string")
		}
	}
}
