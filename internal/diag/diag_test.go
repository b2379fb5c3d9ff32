package diag

import (
	"errors"
	"io"
	"testing"
)

func TestError(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"file, line and column are all shown", &Error{File: "a.xml", Line: 3, Col: 7, Msg: "bad"}, "a.xml:3:7: bad"},
		{"an unknown column is left out", &Error{File: "a.xml", Line: 3, Msg: "bad"}, "a.xml:3: bad"},
		{"an unknown line leaves out the column too", &Error{File: "a.xml", Col: 7, Msg: "bad"}, "a.xml: bad"},
		{"an unnamed input is called <input>", &Error{Line: 1, Msg: "bad"}, "<input>:1: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWithFile(t *testing.T) {
	if WithFile(nil, "x") != nil {
		t.Fatal("WithFile(nil) must be nil")
	}
	got := WithFile(&Error{Line: 2, Msg: "m"}, "f.json").Error()
	if got != "f.json:2: m" {
		t.Errorf("a nameless Error gains the file: got %q", got)
	}
	got = WithFile(&Error{File: "inner", Line: 2, Msg: "m"}, "outer").Error()
	if got != "inner:2: m" {
		t.Errorf("a named Error keeps its file: got %q", got)
	}
	wrapped := WithFile(io.ErrUnexpectedEOF, "f")
	if !errors.Is(wrapped, io.ErrUnexpectedEOF) || wrapped.Error() != "f: unexpected EOF" {
		t.Errorf("a plain error is wrapped and unwraps: %v", wrapped)
	}
}

func TestPosition(t *testing.T) {
	data := []byte("ab\ncde\n\nf")
	tests := []struct {
		off             int64
		wantLine, wantC int
	}{
		{0, 1, 1}, {1, 1, 2}, {3, 2, 1}, {5, 2, 3}, {7, 3, 1}, {8, 4, 1}, {9, 4, 2}, {100, 4, 2}, {-1, 1, 1},
	}
	for _, tt := range tests {
		l, c := Position(data, tt.off)
		if l != tt.wantLine || c != tt.wantC {
			t.Errorf("Position(%d) = %d:%d, want %d:%d", tt.off, l, c, tt.wantLine, tt.wantC)
		}
	}
	if got := At("f", data, 5, "m").Error(); got != "f:2:3: m" {
		t.Errorf("At = %q", got)
	}
}
