// Package osfile has tests in GOOS- and GOARCH-suffixed files.
package osfile
