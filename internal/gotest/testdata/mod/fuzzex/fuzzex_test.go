package fuzzex

import (
	"fmt"
	"testing"
)

func FuzzReverse(f *testing.F) {
	f.Add("abc")
	f.Add("")
	f.Add("boom")
	f.Fuzz(func(t *testing.T, s string) {
		if s == "boom" {
			t.Errorf("input %q exploded", s)
		}
	})
}

func Example() {
	fmt.Println("hello")
	// Output: hello
}

func Example_wrong() {
	fmt.Println("actual")
	// Output: expected
}
