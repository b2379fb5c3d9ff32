// Package m is the root package of the tree.
package m

// Hello returns a greeting.
func Hello() string { return "hello" }
