package mathx_test

import (
	"fmt"

	"example.com/xshard-demo/mathx"
)

// ExampleClamp has an Output comment, so `go test` runs it and compares
// its standard output.
func ExampleClamp() {
	fmt.Println(mathx.Clamp(15, 0, 10))
	fmt.Println(mathx.Clamp(-5, 0, 10))
	// Output:
	// 10
	// 0
}

// ExampleGCD has an unordered output check.
func ExampleGCD() {
	fmt.Println(mathx.GCD(12, 18))
	fmt.Println(mathx.GCD(7, 5))
	// Unordered output:
	// 1
	// 6
}

// ExamplePrimes has no Output comment: `go test` compiles it but does not
// run it, and it does not appear in `go test -list` or -json output as run.
func ExamplePrimes() {
	for _, p := range mathx.Primes(10) {
		fmt.Println(p)
	}
}
