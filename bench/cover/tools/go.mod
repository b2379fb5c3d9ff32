module xshard-bench-tools

go 1.25.0

require (
	github.com/wadey/gocovmerge v0.0.0-20160331181800-b5bfa59ec0ad
	golang.org/x/tools v0.30.0
)
