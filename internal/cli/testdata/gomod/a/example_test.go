package a_test

import (
	"fmt"
	"testing"

	"example.com/gomod/a"
)

func ExampleParse() {
	fmt.Println(a.Parse("x"))
	// Output: x
}

// Compiled, not run: no output comment.
func ExampleParse_noOutput() { fmt.Println(a.Parse("y")) }

func TestExternal(t *testing.T) {}
