package history

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/model"
)

func TestRecord(t *testing.T) {
	tests := []struct {
		name   string
		prev   string
		m      model.Mark
		length int
		want   string
	}{
		{"the first run starts the marks", "", model.MarkFailed, 20, "F"},
		{"a run is appended last", "PP", model.MarkSkipped, 20, "PPS"},
		{"the oldest run drops out at the length", "PFPK", model.MarkNotRun, 4, "FPK-"},
		{"a longer history than the length is cut", "PPPPPF", model.MarkPassed, 3, "PFP"},
		{"length 0 means the default", strings.Repeat("P", 20), model.MarkFailed, 0, strings.Repeat("P", 19) + "F"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Record(tt.prev, tt.m, tt.length); got != tt.want {
				t.Errorf("Record(%q, %c, %d) = %q, want %q", tt.prev, tt.m, tt.length, got, tt.want)
			}
		})
	}
}

func TestCombine(t *testing.T) {
	tests := []struct {
		first, later, want model.Mark
	}{
		{'F', 'P', 'K'},
		{'E', 'P', 'K'},
		{'F', 'K', 'K'},
		{'F', 'F', 'F'},
		{'F', 'E', 'E'},
		{'P', 'F', 'K'},
		{'K', 'P', 'K'},
		{'P', 'P', 'P'},
		{'F', '-', 'F'},
		{'-', 'F', 'F'},
		{'S', 'P', 'P'},
		{'F', 'S', 'F'},
	}
	for _, tt := range tests {
		if got := Combine(tt.first, tt.later); got != tt.want {
			t.Errorf("Combine(%c, %c) = %c, want %c", tt.first, tt.later, got, tt.want)
		}
	}
	if got := Amend("PPF", model.MarkPassed); got != "PPK" {
		t.Errorf("Amend(PPF, P) = %q, want PPK", got)
	}
	if got := Amend("", model.MarkFailed); got != "F" {
		t.Errorf("Amend(\"\", F) = %q, want F", got)
	}
}

func TestFlips(t *testing.T) {
	tests := []struct {
		marks       string
		flips, runs int
		rate        float64
	}{
		{"", 0, 0, 0},
		{"PPPP", 0, 4, 0},
		{"FFFF", 0, 4, 0},
		{"PPPF", 1, 4, 1.0 / 3},
		{"PFPF", 3, 4, 1},
		{"PP-S-PF", 1, 4, 1.0 / 3},     // skips and runs without the test do not count
		{"PPKPP", 2, 5, 0.5},           // a flaky run flips twice within itself
		{"FK", 3, 2, 1},                // failed, then flaky: back to passing and two flips within
		{"K", 2, 1, 1},                 // one flaky run is all there is
		{"PFFFFFFFFP", 2, 10, 2.0 / 9}, // broken, then fixed
	}
	for _, tt := range tests {
		f, n := Flips(tt.marks)
		if f != tt.flips || n != tt.runs {
			t.Errorf("Flips(%q) = %d, %d; want %d, %d", tt.marks, f, n, tt.flips, tt.runs)
		}
		if r := Rate(f, n); r != tt.rate {
			t.Errorf("Rate of %q = %v, want %v", tt.marks, r, tt.rate)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		prev string
		cur  model.Mark
		want Class
	}{
		{"a failure after passes is new", "PPPP", 'F', New},
		{"an error after passes is new", "PPPP", 'E', New},
		{"a failure without history is new", "", 'F', New},
		{"a failure after runs without the test is new", "---S", 'F', New},
		{"a failure after a failure is still failing", "PPPF", 'F', StillFailing},
		{"a failure after an error is still failing", "PPPE", 'F', StillFailing},
		{"skips and absences do not hide the last failure", "PPF-S", 'F', StillFailing},
		{"a failure of a test whose history flips is flaky", "PFPPFPPFP", 'F', Flaky},
		{"a break and its fix long ago are not flakiness", "PPPPPPPPPPPFFFFFFFFP", 'F', New},
		{"a failure after a flaky run is flaky", "PPKPP", 'F', Flaky},
		{"a pass after failing attempts in this run is flaky", "PPPP", 'K', Flaky},
		{"a pass after a failure is fixed", "PPF", 'P', Fixed},
		{"a pass after a failure and a skip is fixed", "PPFS", 'P', Fixed},
		{"a pass after passes is nothing", "PPP", 'P', None},
		{"a skip is nothing", "PPF", 'S', None},
		{"a test that did not run is nothing", "PPF", '-', None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.prev, tt.cur, 0); got != tt.want {
				t.Errorf("Classify(%q, %c) = %v, want %v", tt.prev, tt.cur, got, tt.want)
			}
		})
	}
}

func TestClassifyThreshold(t *testing.T) {
	prev := "PPPPPPPPFPPPPPPPPFPP" // 4 flips in 20 runs: rate 0.21
	if got := Classify(prev, 'F', 0.2); got != Flaky {
		t.Errorf("at threshold 0.2: %v, want flaky", got)
	}
	if got := Classify(prev, 'F', 0.5); got != New {
		t.Errorf("at threshold 0.5: %v, want new", got)
	}
}

func TestRankerKeepsTheFlakiestWhateverTheOrder(t *testing.T) {
	type test struct{ id, marks string }
	var all []test
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		var b strings.Builder
		for range 1 + rng.IntN(20) {
			b.WriteByte(Marks[rng.IntN(len(Marks))])
		}
		all = append(all, test{id: "t" + string(rune('a'+i%26)) + strings.Repeat("x", i/26), marks: b.String()})
	}
	rank := func(order []test) []Flakiness {
		r := NewRanker(25, 2)
		for _, x := range order {
			r.Add(x.id, x.marks)
		}
		return r.Sorted()
	}
	want := rank(all)
	if len(want) != 25 {
		t.Fatalf("kept %d, want 25", len(want))
	}
	for i := 1; i < len(want); i++ {
		if flakier(want[i-1], want[i]) > 0 {
			t.Fatalf("not sorted at %d: %+v before %+v", i, want[i-1], want[i])
		}
		if want[i].Flips < 2 {
			t.Fatalf("%+v has fewer than 2 flips", want[i])
		}
	}
	// Nothing left out is flakier than the last kept.
	for _, x := range all {
		f := Measure(x.id, x.marks)
		if f.Flips >= 2 && flakier(f, want[len(want)-1]) < 0 && !containsID(want, x.id) {
			t.Fatalf("%+v is flakier than the last kept %+v but was left out", f, want[len(want)-1])
		}
	}
	for seed := range uint64(5) {
		shuffled := append([]test(nil), all...)
		rand.New(rand.NewPCG(seed, 9)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if diff := cmp.Diff(want, rank(shuffled)); diff != "" {
			t.Fatalf("the ranking depends on the order tests come in (-first +shuffled):\n%s", diff)
		}
	}
}

// Marks are the marks, for the random tests.
const Marks = model.Marks

func containsID(fs []Flakiness, id string) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
}

func TestReleasable(t *testing.T) {
	tests := []struct {
		marks  string
		length int
		want   bool
	}{
		{"PPPP", 4, true},
		{"FPPPP", 4, true},
		{"PPP", 4, false},  // not enough runs yet
		{"PPKP", 4, false}, // flaky within a run
		{"PP-P", 4, false}, // a run without it proves nothing
	}
	for _, tt := range tests {
		if got := Releasable(tt.marks, tt.length); got != tt.want {
			t.Errorf("Releasable(%q, %d) = %v, want %v", tt.marks, tt.length, got, tt.want)
		}
	}
}
