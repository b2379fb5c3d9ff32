package report

import (
	"fmt"
	"maps"
	"math"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/plan"
)

func TestRecommendWorkers(t *testing.T) {
	// Eight tests of 10s: 80s on one worker, 10s from eight on.
	eight := &model.Timings{Tests: map[string]float64{"a": 10, "b": 10, "c": 10, "d": 10, "e": 10, "f": 10, "g": 10, "h": 10}}
	tests := []struct {
		name     string
		res      *merge.Result
		opts     Options
		want     int
		wantWall []float64 // for 1, 2, 4, 8, 16, 32 (and the run's count)
	}{
		{
			name: "without a target, the fewest within 10% of the best",
			res:  &merge.Result{Timings: eight},
			opts: Options{JobOverhead: 300},
			want: 2, wantWall: []float64{380, 340, 320, 310, 310, 310},
		},
		{
			name: "without overhead, the fewest that reaches the best",
			res:  &merge.Result{Timings: eight},
			want: 8, wantWall: []float64{80, 40, 20, 10, 10, 10},
		},
		{
			name: "with a target, the fewest that meets it",
			res:  &merge.Result{Timings: eight},
			opts: Options{JobOverhead: 30, TargetDuration: 75},
			want: 2, wantWall: []float64{110, 70, 50, 40, 40, 40},
		},
		{
			name: "with a target no count meets, the fastest",
			res:  &merge.Result{Timings: eight},
			opts: Options{JobOverhead: 30, TargetDuration: 5},
			want: 8, wantWall: []float64{110, 70, 50, 40, 40, 40},
		},
		{
			name: "the run's own worker count is predicted too",
			res:  &merge.Result{Timings: eight, Plan: &merge.PlanInfo{Total: 3, By: "test"}},
			want: 8, wantWall: []float64{80, 40, 30, 20, 10, 10, 10},
		},
		{
			name: "the plan's granularity: one package bounds the run",
			res: &merge.Result{Plan: &merge.PlanInfo{Total: 2, By: "package"},
				Timings: &model.Timings{Tests: eight.Tests, Packages: map[string]float64{"p": 60, "q": 20}}},
			want: 2, wantWall: []float64{80, 60, 60, 60, 60, 60},
		},
		{
			name: "without timings, the test table",
			res:  &merge.Result{Tests: []merge.TestRow{{ID: "a", Seconds: 3}, {ID: "a", Seconds: 1}, {ID: "b", Seconds: 4}}},
			want: 2, wantWall: []float64{8, 4, 4, 4, 4, 4},
		},
		{
			name: "nothing to predict from",
			res:  &merge.Result{Tests: []merge.TestRow{{ID: "a"}}},
			want: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, table := RecommendWorkers(tt.res, tt.opts)
			if n != tt.want {
				t.Errorf("recommended %d workers, want %d", n, tt.want)
			}
			var walls []float64
			for _, p := range table {
				walls = append(walls, p.Wall)
			}
			if diff := cmp.Diff(tt.wantWall, walls); diff != "" {
				t.Errorf("predicted wall times (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRecommendWorkersPredictsEachCount checks the table against
// plan.Predict for each count, over enough tests for the planner to use
// several goroutines, with ties, zeros and a few long tests.
func TestRecommendWorkersPredictsEachCount(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	tests := make(map[string]float64)
	for i := range 10000 {
		s := math.Exp(1.5 * rng.NormFloat64())
		switch rng.Intn(10) {
		case 0:
			s = 0
		case 1, 2:
			s = 2
		case 3:
			if rng.Intn(100) == 0 {
				s = 5000
			}
		}
		tests[fmt.Sprintf("t%05d", i)] = s
	}
	res := &merge.Result{Timings: &model.Timings{Tests: tests}, Plan: &merge.PlanInfo{Total: 5}}
	_, table := recommendWorkers(res, Options{JobOverhead: 10})
	units := sortedValues(slices.Collect(maps.Values(tests)))
	var got, want []float64
	for _, p := range table {
		got = append(got, p.Makespan)
		want = append(want, plan.Predict(units, p.Workers))
	}
	if len(table) != len(TuningWorkers)+1 {
		t.Errorf("predicted %d counts, want %d", len(table), len(TuningWorkers)+1)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("makespans (-Predict +table):\n%s", diff)
	}
}

func TestDigest(t *testing.T) {
	v := jsonValue(`{
		"memory": {"t1": {"peak": 5, "n": 1}, "t2": {"peak": 50, "n": 2}, "t3": {"peak": 7, "name": "x"}},
		"durations": {"a": 1.5, "b": 2, "c": 0.5, "d": 9, "e": 3, "f": 4, "g": "n/a"},
		"version": "1", "nested": {"deep": {"x": 1, "y": 2}}
	}`)
	got := digest(v)
	want := []ranking{
		{Path: "durations", Entries: 6, Top: []rankEntry{{"d", 9, "9"}, {"f", 4, "4"}, {"e", 3, "3"}, {"b", 2, "2"}, {"a", 1.5, "1.5"}}},
		{Path: "memory", Field: "peak", Entries: 3, Top: []rankEntry{{"t2", 50, "50"}, {"t3", 7, "7"}, {"t1", 5, "5"}}},
		{Path: "memory", Field: "n", Entries: 2, Top: []rankEntry{{"t2", 2, "2"}, {"t1", 1, "1"}}},
		{Path: "nested.deep", Entries: 2, Top: []rankEntry{{"y", 2, "2"}, {"x", 1, "1"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("digest (-want +got):\n%s", diff)
	}
}

func TestMarkdownEscapers(t *testing.T) {
	tests := []struct {
		name, in, text, code, codeInTable string
	}{
		{"plain text is left alone", "pkg.TestA/sub_1", `pkg.TestA/sub\_1`, "`pkg.TestA/sub_1`", "`pkg.TestA/sub_1`"},
		{"newlines and tabs become spaces", "a\nb\r\nc\td", "a b  c d", "`a b  c d`", "`a b  c d`"},
		{"a heading at the start is escaped", "# h", `\# h`, "`# h`", "`# h`"},
		{"an ordered list marker is escaped", "1. x", `1\. x`, "`1. x`", "`1. x`"},
		{"a decimal number is not", "1.5", "1.5", "`1.5`", "`1.5`"},
		{"HTML becomes entities", "<b>&amp;", "&lt;b&gt;&amp;amp;", "`<b>&amp;`", "`<b>&amp;`"},
		{"a pipe is escaped for tables", "a|b", `a\|b`, "`a|b`", "`a\\|b`"},
		{"backticks get a longer fence", "a``b", "a\\`\\`b", "```a``b```", "```a``b```"},
		{"a backtick at the end gets padding", "a`", "a\\`", "`` a` ``", "`` a` ``"},
		{"links, emphasis and math are escaped", "[x](y) *z* $m$ ~s~", `\[x\](y) \*z\* \$m\$ \~s\~`, "`[x](y) *z* $m$ ~s~`", "`[x](y) *z* $m$ ~s~`"},
		{"invalid UTF-8 is replaced", "a\xffb", "a\uFFFDb", "`a\uFFFDb`", "`a\uFFFDb`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mdText(tt.in); got != tt.text {
				t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.text)
			}
			if got := mdCode(tt.in, false); got != tt.code {
				t.Errorf("mdCode(%q, false) = %q, want %q", tt.in, got, tt.code)
			}
			if got := mdCode(tt.in, true); got != tt.codeInTable {
				t.Errorf("mdCode(%q, true) = %q, want %q", tt.in, got, tt.codeInTable)
			}
		})
	}
}

func TestSummaryCap(t *testing.T) {
	res := hugeRun()
	for _, max := range []int{5_000, 20_000, 100_000, 1_000_000} {
		got := Summary(res, Options{MaxBytes: max})
		if len(got) > max {
			t.Errorf("MaxBytes %d: summary is %d bytes", max, len(got))
		}
		if max < 1_000_000 && !contains(got, "This summary was shortened") {
			t.Errorf("MaxBytes %d: the summary does not say it was shortened", max)
		}
	}
	if got := Summary(passingRun(), Options{}); contains(got, "shortened") {
		t.Error("a small summary says it was shortened")
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
