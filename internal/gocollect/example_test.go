package gocollect_test

import (
	"fmt"

	"github.com/xshard/xshard/internal/gocollect"
)

// Collect lists the tests of the packages a pattern selects, as go test
// would run them, without compiling anything.
func ExampleCollect() {
	items, err := gocollect.Collect(gocollect.Options{
		Dir:      "testdata/mod",
		Patterns: []string{"./sub/..."},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range items {
		fmt.Println(it.ID, it.File)
	}
	// Output:
	// example.com/m/sub.TestSub sub/sub_test.go
	// example.com/m/sub/deep.TestDeep sub/deep/deep_test.go
}
