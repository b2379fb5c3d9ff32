// Package version holds build metadata. It has no tests on purpose: `go test`
// reports it as "[no test files]", which sharding and merging must tolerate.
package version

// Version is the demo's version string.
const Version = "0.1.0"

// String returns a human readable version.
func String() string {
	return "xshard-demo " + Version
}
