package gotest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/xshard/xshard/internal/model"
)

// TestSubTenMillisecondDurations: go test prints durations to 10 ms, so
// a test under 5 ms says 0.00s; its events' times say more.
func TestSubTenMillisecondDurations(t *testing.T) {
	ev := func(ms float64, action string, elapsed float64) string {
		at := fmt.Sprintf("2025-01-02T03:04:05.%09dZ", int64(ms*1e6))
		if ms < 0 {
			at = ""
		}
		return fmt.Sprintf(`{"Time":%q,"Action":%q,"Package":"p","Test":"TestA","Elapsed":%v}`, at, action, elapsed)
	}
	tests := []struct {
		name   string
		events []string
		want   float64
	}{
		{"run to pass", []string{ev(100, "run", 0), ev(101.5, "pass", 0)}, 0.0015},
		{"the time paused by t.Parallel is left out", []string{ev(100, "run", 0), ev(100.5, "pause", 0), ev(300, "cont", 0), ev(302, "pass", 0)}, 0.0025},
		{"times that disagree with go test's 0.00s give 0", []string{ev(100, "run", 0), ev(120, "pass", 0)}, 0},
		{"a clock going back gives 0", []string{ev(100, "run", 0), ev(99, "pass", 0)}, 0},
		{"a printed duration is kept", []string{ev(100, "run", 0), ev(101, "pass", 0.01)}, 0.01},
		{"without times, 0", []string{ev(-1, "run", 0), ev(-1, "pass", 0)}, 0},
		{"without a run event, 0", []string{ev(101, "fail", 0)}, 0},
		{"a skip too", []string{ev(100, "run", 0), ev(100.25, "skip", 0)}, 0.00025},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Join(tt.events, "\n") + "\n" + `{"Action":"pass","Package":"p","Elapsed":1}` + "\n"
			var got []float64
			_, err := Read(strings.NewReader(in), Options{}, func(c *model.Case) error {
				got = append(got, c.Seconds)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("seconds = %v, want [%v]", got, tt.want)
			}
		})
	}
}
