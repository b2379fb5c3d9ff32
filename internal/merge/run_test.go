package merge

import (
	"testing"

	"github.com/xshard/xshard/internal/manifest"
)

// TestThisRun: which test run a merge is of, whatever order the
// manifests come in.
func TestThisRun(t *testing.T) {
	mf := func(worker, runID string, attempt int, uid, started string) *manifest.Manifest {
		return &manifest.Manifest{Worker: worker, RunID: runID, RunAttempt: attempt, TestRunUID: uid, StartedAt: started}
	}
	tests := []struct {
		name string
		ms   []*manifest.Manifest
		want run
	}{
		{"the run most manifests belong to",
			[]*manifest.Manifest{mf("gw0", "9", 1, "9-1", "2026-01-02T00:00:00Z"), mf("gw1", "8", 1, "8-1", "2026-01-01T00:00:00Z"), mf("gw2", "8", 1, "8-1", "2026-01-01T00:00:00Z")},
			run{key: "run 8", name: `"8-1"`, workers: "the run of gw1, gw2"}},
		{"the attempts of one run are one run, named by the newest",
			[]*manifest.Manifest{mf("gw0", "9", 1, "9-1", ""), mf("gw1", "9", 2, "9-2", ""), mf("gw2", "7", 1, "7-1", "")},
			run{key: "run 9", name: `"9-2"`, workers: "the run of gw0, gw1"}},
		{"of as many, the one that started last",
			[]*manifest.Manifest{mf("gw0", "", 0, "b", "2026-01-01T00:00:00Z"), mf("gw1", "", 0, "a", "2026-01-03T00:00:00Z")},
			run{key: "uid a", name: `"a"`, workers: "the run of gw1"}},
		{"of as many started as late, the greatest key",
			[]*manifest.Manifest{mf("gw0", "1", 0, "", ""), mf("gw1", "2", 0, "", "")},
			run{key: "run 2", name: `"run 2"`, workers: "the run of gw1"}},
		{"manifests without a run are no run's",
			[]*manifest.Manifest{mf("gw0", "", 0, "", ""), mf("gw1", "", 0, "", "")},
			run{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.ms {
				// Every rotation of the input gives the same run.
				ms := append(append([]*manifest.Manifest(nil), tt.ms[i:]...), tt.ms[:i]...)
				if got := thisRun(ms); got != tt.want {
					t.Errorf("rotation %d: thisRun = %+v, want %+v", i, got, tt.want)
				}
			}
		})
	}
}
