module github.com/xshard/xshard

go 1.25.0

require (
	github.com/cespare/xxhash/v2 v2.3.0
	github.com/google/go-cmp v0.7.0
	github.com/jstemmer/go-junit-report/v2 v2.1.0
	github.com/rogpeppe/go-internal v1.14.1
	github.com/sethvargo/go-githubactions v1.4.0
	golang.org/x/tools v0.30.0
)

require golang.org/x/sys v0.30.0 // indirect
