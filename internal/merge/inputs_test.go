package merge

import "testing"

func TestWorkerFromName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"xshard-3", "gw3"},
		{"xshard-gw12", "gw12"},
		{"gw0", "gw0"},
		{"results_7", "gw7"},
		{"junit-gw2", "gw2"},
		{"report.4", "gw4"},
		{"artifacts", ""},
		{"python3", ""},
		{"gw", ""},
		{"xshard-99999999", ""},
	}
	for _, tt := range tests {
		if got := workerFromName(tt.name); got != tt.want {
			t.Errorf("workerFromName(%q) = %q, want %q", tt.name, got, tt.want)
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
