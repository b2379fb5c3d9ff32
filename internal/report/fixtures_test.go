package report

import (
	"encoding/json"
	"fmt"

	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
)

// The fixed Results that the golden files render. They are built by hand,
// as merge would compute them, so that this package's tests do not depend
// on merge's inputs.

const mod = "example.com/shop"

var fixtureOpts = Options{ModulePath: mod, JobOverhead: 30}

func goCase(pkg, name, worker string, secs float64) model.Case {
	return model.Case{Suite: mod + "/" + pkg, Classname: mod + "/" + pkg, Name: name, Worker: worker, Seconds: secs, Source: "test.json"}
}

func workers(secs ...float64) []merge.Worker {
	var ws []merge.Worker
	for i, s := range secs {
		ws = append(ws, merge.Worker{Index: i, Name: model.WorkerID(i), Present: true, Tests: 10 + i, Seconds: s, Predicted: 40, Attempt: 1})
	}
	return ws
}

func rows(cases ...model.Case) []merge.TestRow {
	var rs []merge.TestRow
	for _, c := range cases {
		rs = append(rs, merge.TestRow{ID: c.Classname + "." + c.Name, Worker: c.Worker, Outcome: c.Outcome, Flaky: c.Flaky(), Seconds: c.Seconds})
	}
	return rs
}

func jsonValue(s string) any {
	var v any
	d := json.NewDecoder(stringsReader(s))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		panic(err)
	}
	return v
}

func passingRun() *merge.Result {
	slow := []model.Case{
		goCase("cart", "TestCheckoutEndToEnd", "gw1", 21.5),
		goCase("search", "TestReindex", "gw0", 18.25),
		goCase("cart", "TestTaxes", "gw2", 9.75),
		goCase("users", "TestSignup", "gw0", 4.5),
	}
	return &merge.Result{
		Totals:  merge.Totals{Tests: 42, WithSubtests: 58, Passed: 40, Skipped: 2, Seconds: 123.5, WallSeconds: 44.25},
		Workers: workers(41.5, 44.25, 37.75),
		Slowest: slow,
		SlowestScopes: []merge.Scope{
			{Name: mod + "/cart", Tests: 20, Seconds: 61.25},
			{Name: mod + "/search", Tests: 12, Seconds: 40},
			{Name: mod + "/users", Tests: 10, Seconds: 22.25},
		},
		Tests:        rows(slow...),
		Verification: merge.Verification{Checked: true, Expected: 3},
		Plan:         &merge.PlanInfo{Total: 3, Strategy: "timing", By: "test", Makespan: 40, LowerBound: 39, KnownShare: 1},
		Coverage: []merge.Coverage{{Kind: "go", File: "coverage.out", Total: 1000, Covered: 812, Files: []model.FileCoverage{
			{File: mod + "/cart/cart.go", Total: 400, Covered: 390},
			{File: mod + "/search/index.go", Total: 300, Covered: 150},
			{File: mod + "/users/users.go", Total: 300, Covered: 272},
			{File: mod + "/gen/empty.go", Total: 0, Covered: 0},
		}}},
		Outputs: jsonValue(`{"memory": {"cart.TestCheckoutEndToEnd": {"peak_mb": 310, "allocs": 12}, "search.TestReindex": {"peak_mb": 920, "allocs": 3},
			"users.TestSignup": {"peak_mb": 45.5, "allocs": 40}}, "queries": {"cart.TestTaxes": 12, "users.TestSignup": 7}, "version": "1.2"}`),
		Timings: &model.Timings{Tests: map[string]float64{
			mod + "/cart.TestCheckoutEndToEnd": 21.5, mod + "/search.TestReindex": 18.25, mod + "/cart.TestTaxes": 9.75,
			mod + "/users.TestSignup": 4.5, mod + "/users.TestLogin": 30, mod + "/cart.TestRefund": 25, mod + "/search.TestQuery": 14.5,
		}},
	}
}

func failingRun() *merge.Result {
	res := passingRun()
	goFail := goCase("cart", "TestTaxes/germany", "gw2", 0.42)
	goFail.Outcome = model.Failed
	goFail.Message = "    cart_test.go:57: tax = 19.01, want 19.00\n    cart_test.go:58: rounding mode \"half-even\""
	py := model.Case{Suite: "pytest", Classname: "tests.test_api.TestOrders", Name: "test_refund[eur]", File: "tests/test_api.py",
		Worker: "gw0", Seconds: 1.25, Outcome: model.Failed,
		Message: "AssertionError: assert 402 == 200",
		Detail: "    def test_refund(self, currency):\n>       assert client.refund(currency).status == 200\nE       AssertionError: assert 402 == 200\n\n" +
			"tests/test_api.py:88: AssertionError"}
	jvm := model.Case{Suite: "com.shop.PaymentTest", Classname: "com.shop.PaymentTest", Name: "chargesCard", Worker: "gw1", Seconds: 0.03,
		Outcome: model.Errored, Message: "java.lang.NullPointerException: card",
		Detail: "java.lang.NullPointerException: card\n\tat com.shop.Payment.charge(Payment.java:31)\n\tat com.shop.PaymentTest.chargesCard(PaymentTest.java:42)\n"}
	res.Failures = []model.Case{goFail, jvm, py}
	res.Totals.Failed, res.Totals.Errors, res.Totals.Passed = 2, 1, 37
	res.Workers[0].Failed, res.Workers[1].Failed, res.Workers[2].Failed = 1, 1, 1
	res.Tests = append(res.Tests, rows(goFail, jvm, py)...)
	res.Problems = []string{"artifacts/xshard-1/test.json:12:3: unexpected end of JSON input"}
	return res
}

func flakyRun() *merge.Result {
	res := passingRun()
	a := goCase("search", "TestReindex", "gw0", 18.25)
	a.FailedAttempts, a.Message = 2, "    index_test.go:31: timeout after 5s waiting for shard 3"
	b := model.Case{Suite: "src/cart.test.js", Classname: "cart", Name: "adds items", File: "src/cart.test.js", Worker: "gw1", Seconds: 0.5,
		FailedAttempts: 1, Message: "Error: expect(received).toBe(expected)",
		Detail: "Error: expect(received).toBe(expected)\n    at Object.<anonymous> (/home/runner/work/shop/shop/src/cart.test.js:14:23)\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)"}
	res.Flaky = []model.Case{a, b}
	res.Totals.Flaky = 2
	res.Warnings = []string{"artifact \"xshard-1\" holds an older attempt (1) of gw1: attempt 2 kept"}
	return res
}

func missingWorkerRun() *merge.Result {
	res := passingRun()
	res.Workers = append(res.Workers, merge.Worker{Index: 3, Name: "gw3", Predicted: 40})
	res.Verification = merge.Verification{Checked: true, Expected: 4,
		MissingWorkers: []merge.MissingWorker{{Name: "gw3", Tests: []string{mod + "/users.TestLogin", mod + "/cart.TestRefund"}}},
		Missing:        []string{mod + "/search.TestQuery"},
		Duplicated:     []merge.Duplicate{{Test: mod + "/cart.TestTaxes", Workers: []string{"gw0", "gw2"}}},
		Mismatches:     []string{"gw2 planned commit \"a1b2c3\", the others \"d4e5f6\""},
	}
	res.Plan.Total = 4
	return res
}

func uncheckedRun() *merge.Result {
	res := passingRun()
	res.Verification = merge.Verification{Expected: 3}
	res.Plan = nil
	res.Outputs, res.Coverage = nil, nil
	for i := range res.Workers {
		res.Workers[i].Predicted = 0
	}
	return res
}

// hugeRun has more of everything than a summary can hold.
func hugeRun() *merge.Result {
	res := failingRun()
	res.Failures = nil
	for i := range 3000 {
		c := goCase(fmt.Sprintf("pkg%02d", i%40), fmt.Sprintf("TestGenerated%04d", i), model.WorkerID(i%4), float64(i%7))
		c.Outcome = model.Failed
		c.Message = fmt.Sprintf("    gen_test.go:%d: got %d, want %d", 10+i%90, i, i+1)
		c.Detail = "goroutine 7 [running]:\n" + fmt.Sprintf("\t/home/runner/work/shop/shop/pkg%02d/gen_test.go:%d +0x1d\n", i%40, 10+i%90)
		res.Failures = append(res.Failures, c)
	}
	res.Totals.Failed, res.Totals.Errors = len(res.Failures), 0
	res.Totals.Tests += len(res.Failures)
	for i := range 4000 {
		res.Verification.Missing = append(res.Verification.Missing, fmt.Sprintf("%s/pkg%02d.TestMissing%04d", mod, i%40, i))
	}
	for i := range 30 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("warning number %d", i))
	}
	return res
}
