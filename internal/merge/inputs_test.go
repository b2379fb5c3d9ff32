package merge

import "testing"

func TestWorkerFromDir(t *testing.T) {
	tests := []struct{ name, want string }{
		{"xshard-worker-3", "gw3"},
		{"xshard-3", "gw3"},
		{"gw0", "gw0"},
		{"xshard-gw12", "gw12"},
		{"junit-gw2", "gw2"},
		{"results_gw7_linux", "gw7"},
		{"results_7", ""},
		{"report.4", ""},
		{"report-3", ""},
		{"build2", ""},
		{"xshard-worker-3-logs", ""},
		{"gw3x", ""},
		{"artifacts", ""},
		{"python3", ""},
		{"gw", ""},
		{"xshard-99999999", ""},
	}
	for _, tt := range tests {
		if got := workerFromDir(tt.name); got != tt.want {
			t.Errorf("workerFromDir(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestWorkerLess(t *testing.T) {
	in := []string{"gw10", "x", "gw2", "", "gw1"}
	want := []string{"gw1", "gw2", "gw10", "", "x"}
	for i := range want {
		for j := range want {
			if got := workerLess(want[i], want[j]); got != (i < j) {
				t.Errorf("workerLess(%q, %q) = %v", want[i], want[j], got)
			}
		}
	}
	_ = in
}
