// Package runtests has tests that create and run other tests, as suite
// runners do: go test reports those as top-level tests of the package,
// which go test -list does not know.
package runtests

import (
	"testing"
	"time"
)

// all matches every test that RunTests is given.
func all(pat, str string) (bool, error) { return true, nil }

func TestPlain(t *testing.T) {}

// TestSuite runs two tests of its own, one with a subtest, and one named
// like a test of the package.
func TestSuite(t *testing.T) {
	ok := testing.RunTests(all, []testing.InternalTest{
		{Name: "TestInnerA", F: func(t *testing.T) { time.Sleep(5 * time.Millisecond) }},
		{Name: "TestInnerB", F: func(t *testing.T) { t.Run("sub", func(t *testing.T) {}) }},
		{Name: "TestPlain", F: func(t *testing.T) {}},
	})
	if !ok {
		t.Fatal("the suite failed")
	}
}

// TestFailingSuite runs a test that fails, so it fails too.
func TestFailingSuite(t *testing.T) {
	if testing.RunTests(all, []testing.InternalTest{
		{Name: "TestInnerFails", F: func(t *testing.T) { t.Error("inner failure") }},
	}) {
		t.Fatal("the inner test should have failed")
	}
}

// TestParallelSlow and TestParallelSuite run in parallel; the suite's
// inner test runs while both are running.
func TestParallelSlow(t *testing.T) {
	t.Parallel()
	time.Sleep(30 * time.Millisecond)
}

func TestParallelSuite(t *testing.T) {
	t.Parallel()
	testing.RunTests(all, []testing.InternalTest{
		{Name: "TestInnerParallel", F: func(t *testing.T) {}},
	})
}

// TestAfter runs after TestSuite ended: an ordinary test again.
func TestAfter(t *testing.T) {}
