package a

import "testing"

func TestParse(t *testing.T)  {}
func TestFormat(t *testing.T) {}
func TestLoop(t *testing.T) {
	for _, n := range []string{"x", "y"} {
		t.Run(n, func(t *testing.T) {})
	}
}
func FuzzParse(f *testing.F) {
	f.Add("seed")
	f.Fuzz(func(t *testing.T, s string) { Parse(s) })
}
