package m_test

import (
	"fmt"
	"testing"

	"example.com/m"
)

func TestRootExternal(t *testing.T) {
	if m.Hello() == "" {
		t.Fatal("empty greeting")
	}
}

func ExampleHello() {
	fmt.Println(m.Hello())
	// Output: hello
}

// Example_noOutput has no output comment: compiled, never run.
func Example_noOutput() {
	fmt.Println(m.Hello())
}

// Example_empty has an empty output comment: run, and must print nothing.
func Example_empty() {
	// Output:
}

func Example_unordered() {
	fmt.Println("b")
	fmt.Println("a")
	// Unordered output:
	// a
	// b
}
