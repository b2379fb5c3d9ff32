//go:build tools

// Package tools pins the reference implementations the cover benchmark
// compares against; `go install github.com/wadey/gocovmerge` from this
// directory builds the pinned version.
package tools

import _ "github.com/wadey/gocovmerge"
