package report_test

import (
	"os"

	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/report"
)

// A failed Go test becomes an error annotation on its file and line, with
// the test name escaped for a workflow command property.
func ExampleWriteAnnotations() {
	res := &merge.Result{Failures: []model.Case{{
		Classname: "example.com/shop/cart",
		Name:      "TestTax/de",
		Worker:    "gw1",
		Outcome:   model.Failed,
		Message:   "    cart_test.go:42: got 19.01, want 19.00",
	}}}
	list, _ := report.Annotations(res, report.Options{ModulePath: "example.com/shop"})
	report.WriteAnnotations(os.Stdout, list)
	// Output:
	// ::error file=cart/cart_test.go,line=42,title=example.com/shop/cart.TestTax/de failed on gw1::cart_test.go:42: got 19.01, want 19.00
}
