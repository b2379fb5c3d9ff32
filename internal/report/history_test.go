package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xshard/xshard/internal/history"
	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testid"
)

// historyRun is failingRun with an outcome history: the Go failure is
// new, the JVM error has failed before, the pytest failure is
// quarantined; one test was fixed and two flip often.
func historyRun() *merge.Result {
	res := failingRun()
	id := func(i int) string { return testid.Of(&res.Failures[i]).Test }
	h := &merge.History{Known: true, Runs: 12, Length: 20, FlakyThreshold: 0.2}
	h.New = []merge.ClassifiedTest{{ID: id(0), Class: history.New, Outcome: 'F', Marks: "PPPPPPPPPPPF"}}
	h.StillFailing = []merge.ClassifiedTest{{ID: id(1), Class: history.StillFailing, Outcome: 'E', Marks: "PPPPPPPPFFFE"}}
	h.Quarantined = []merge.ClassifiedTest{{ID: id(2), Class: history.Flaky, Outcome: 'F', Marks: "PFPKPPFPPKPF", Quarantine: "tests/test_api.py::* # payments sandbox, issue 88"}}
	h.Fixed = []merge.ClassifiedTest{{ID: "example.com/shop/search.TestReindex", Class: history.Fixed, Outcome: 'P', Marks: "PPPPPPPPPFFP"}}
	h.Releasable = []merge.ClassifiedTest{{ID: "tests/test_api.py::test_list", Outcome: 'P', Marks: strings.Repeat("P", 20), Quarantine: "tests/test_api.py::* # payments sandbox, issue 88"}}
	h.Flakiest = []history.Flakiness{history.Measure(id(2), "PFPKPPFPPKPF"), history.Measure("example.com/shop/cart.TestCoupon", "PPKPPPPKPPPP")}
	h.Suggested = h.Flakiest[1:]
	h.Counts = merge.HistoryCounts{New: 1, StillFailing: 1, Fixed: 1, Quarantined: 1, Failing: 3, QuarantinedCases: 1}
	res.History = h
	for i := range res.Tests {
		res.Tests[i].Marks = "PPPPPPPPPPPP"
	}
	return res
}

func TestHistorySummaryGolden(t *testing.T) {
	res := historyRun()
	got := Summary(res, fixtureOpts)
	golden(t, "summary-a-run-with-history.md", got)
	// New failures lead: before the still failing and the quarantined.
	iNew, iStill, iQ := strings.Index(got, "### 🆕 New failures (1)"), strings.Index(got, "### 🔴 Still failing (1)"), strings.Index(got, "### 🧊 Quarantined (1)")
	if iNew < 0 || iStill < iNew || iQ < iStill {
		t.Errorf("sections out of order: new %d, still failing %d, quarantined %d", iNew, iStill, iQ)
	}
}

func TestHistoryWithoutEarlierRuns(t *testing.T) {
	res := failingRun()
	res.History = &merge.History{Runs: 1, Length: 20, FlakyThreshold: 0.2, Counts: merge.HistoryCounts{New: 3, Failing: 3}}
	got := Summary(res, fixtureOpts)
	if strings.Contains(got, "New failures") {
		t.Error("without an earlier history the summary calls failures new")
	}
	if !strings.Contains(got, "This run starts the outcome history") {
		t.Error("the summary does not say that the history starts")
	}
	var b bytes.Buffer
	WriteHistoryText(&b, res)
	if b.String() != "history: this run starts the outcome history (history.json)\n" {
		t.Errorf("recap: %q", b.String())
	}
}

func TestHistoryTextAndOutputs(t *testing.T) {
	res := historyRun()
	var b bytes.Buffer
	WriteHistoryText(&b, res)
	want := "history (12 runs): 1 new, 1 still failing, 0 flaky, 1 fixed\n" +
		"  NEW example.com/shop/cart.TestTaxes\n" +
		"quarantined: 1 failure does not fail the run: tests/test_api.py::TestOrders::test_refund[eur]\n"
	if b.String() != want {
		t.Errorf("recap:\n%s\nwant:\n%s", b.String(), want)
	}
	got := HistoryOutputs(res)
	wantOut := [][2]string{{"new-failures", "1"}, {"still-failing", "1"}, {"flaky-failures", "0"}, {"fixed", "1"}, {"quarantined", "1"}}
	if len(got) != len(wantOut) {
		t.Fatalf("outputs %v", got)
	}
	for i := range got {
		if got[i] != wantOut[i] {
			t.Errorf("output %v, want %v", got[i], wantOut[i])
		}
	}
	res.History = nil
	for _, kv := range HistoryOutputs(res) {
		if kv[1] != "" {
			t.Errorf("without history, output %s = %q", kv[0], kv[1])
		}
	}
}

func TestHistoryHTML(t *testing.T) {
	res := historyRun()
	var b bytes.Buffer
	if err := HTML(&b, res, fixtureOpts); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<section id="history">`,
		`<span class="pill h-new">new</span>`,
		`<span class="pill h-still-failing">still failing</span>`,
		`<span class="pill h-quarantined">quarantined</span>`,
		`data-cls="new"`,
		`<i class="m F" title="failed"></i>`,
		`,"PPPPPPPPPPPP",0]`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

func TestStrip(t *testing.T) {
	if got := strip("PFESK-"); got != "🟩🟥🟧⬜🟨▫️" {
		t.Errorf("strip = %q", got)
	}
	for marks, want := range map[string]int{"PPF": 1, "PFFSF": 3, "FFP": 0, "F-F": 2, "": 0} {
		if got := failingFor(marks); got != want {
			t.Errorf("failingFor(%q) = %d, want %d", marks, got, want)
		}
	}
	if model.Marks != "PFESK-" {
		t.Errorf("a mark without a square: %q", model.Marks)
	}
}
