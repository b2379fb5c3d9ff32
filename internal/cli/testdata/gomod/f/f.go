// Package f has no tests: go test -coverprofile still reports it.
package f

// F returns one.
func F() int { return 1 }
