package m

import "testing"

func TestRoot(t *testing.T) {
	if Hello() != "hello" {
		t.Fatal("bad greeting")
	}
}

// helper is not a test.
func helper(t *testing.T) { t.Helper() }

// S has a method that looks like a test but is not one: only top-level
// functions count.
type S struct{}

func (S) TestMethod(t *testing.T) {}

func BenchmarkRoot(b *testing.B) {
	for b.Loop() {
		Hello()
	}
}
