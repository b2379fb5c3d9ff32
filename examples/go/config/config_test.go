package config

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

func mustParse(t *testing.T, text string) *Config {
	t.Helper()
	c, err := Parse(strings.NewReader(text))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

// TestParse is a prefix of TestParseFile and TestParseErrors: a shard that
// runs only TestParse must anchor its -run pattern.
func TestParse(t *testing.T) {
	c := mustParse(t, "a = 1\n[s]\nb = two\n; comment\n# comment\n\n")
	if c.Len() != 2 || c.String("a", "") != "1" || c.String("s.b", "") != "two" {
		t.Fatalf("unexpected values: %v", c.values)
	}
}

func TestParseFile(t *testing.T) {
	c, err := ParseFile("testdata/app.conf")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.String("name", ""); got != "xshard demo" {
		t.Errorf("name = %q", got)
	}
	if port, err := c.Int("server.port", 0); err != nil || port != 8080 {
		t.Errorf("server.port = %d, %v", port, err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		line int
	}{
		{"bad section", "[oops\n", 1},
		{"empty section", "[]\n", 1},
		{"no equals", "a = 1\njust words\n", 2},
		{"empty key", "= value\n", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.text))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *SyntaxError", err)
			}
			if se.Line != tc.line {
				t.Errorf("line = %d, want %d", se.Line, tc.line)
			}
		})
	}
}

func TestInt(t *testing.T) {
	c := mustParse(t, "n = 42\nbad = forty\n")
	if n, _ := c.Int("n", 0); n != 42 {
		t.Errorf("n = %d", n)
	}
	if n, _ := c.Int("missing", 7); n != 7 {
		t.Errorf("default = %d", n)
	}
	if _, err := c.Int("bad", 0); err == nil {
		t.Error("expected error for non-integer")
	}
}

func TestBool(t *testing.T) {
	c := mustParse(t, "a = yes\nb = OFF\nc = maybe\n")
	for _, tc := range []struct {
		key     string
		want    bool
		wantErr bool
	}{
		{"a", true, false},
		{"b", false, false},
		{"c", false, true},
		{"missing", false, false},
	} {
		t.Run(tc.key, func(t *testing.T) {
			got, err := c.Bool(tc.key, false)
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Errorf("Bool(%q) = %v, %v", tc.key, got, err)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	c := mustParse(t, "a = 90\nb = 1m30s\nc = soon\n")
	for _, key := range []string{"a", "b"} {
		if d, err := c.Duration(key, 0); err != nil || d != 90*time.Second {
			t.Errorf("Duration(%q) = %v, %v", key, d, err)
		}
	}
	if _, err := c.Duration("c", 0); err == nil {
		t.Error("expected error")
	}
	if d, _ := c.Duration("missing", time.Second); d != time.Second {
		t.Errorf("default = %v", d)
	}
}

func TestQuotedValues(t *testing.T) {
	c := mustParse(t, `greeting = "hello\tworld"`+"\n"+`raw = "unterminated`+"\n")
	if got := c.String("greeting", ""); got != "hello\tworld" {
		t.Errorf("greeting = %q", got)
	}
	if got := c.String("raw", ""); got != `"unterminated` {
		t.Errorf("raw = %q", got)
	}
}

func TestExpand(t *testing.T) {
	c := mustParse(t, "path = ${HOME}/data\nother = ${UNSET}\n")
	c.Expand(func(name string) (string, bool) {
		if name == "HOME" {
			return "/home/demo", true
		}
		return "", false
	})
	if got := c.String("path", ""); got != "/home/demo/data" {
		t.Errorf("path = %q", got)
	}
	if got := c.String("other", ""); got != "${UNSET}" {
		t.Errorf("other = %q", got)
	}
}

// TestWindowsPaths is always skipped on this platform: it shows up as a
// skipped test in reports.
func TestWindowsPaths(t *testing.T) {
	if runtime.GOOS != "windows" {
		t.Skip("Windows-only: drive-letter paths")
	}
	c := mustParse(t, `dir = C:\data`+"\n")
	if got := c.String("dir", ""); got != `C:\data` {
		t.Errorf("dir = %q", got)
	}
}
