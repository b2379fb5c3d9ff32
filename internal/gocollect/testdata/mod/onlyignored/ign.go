//go:build ignore

// Package onlyignored has only a file that the build constraints exclude,
// so it is not a package.
package onlyignored
