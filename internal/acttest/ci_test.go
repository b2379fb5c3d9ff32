package acttest

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// ciPackages are the packages the test's copy of ci.yml shards instead of
// ./...: the whole suite would run this test again inside itself, and
// take minutes. Quick packages that need no component.
var ciPackages = []string{
	"./internal/atomicfile",
	"./internal/collect",
	"./internal/ghaction",
	"./internal/gocover",
	"./internal/lcov",
	"./internal/manifest",
}

// TestCIWorkflow runs the project's own .github/workflows/ci.yml as far
// as it can run here: the lint job, the four shard jobs testing with the
// action from this checkout (uses: ./), and the report job merging them.
// Left out, as docs/act.md says: the job that runs .ci/run (it is the run
// this test is part of) and the steps that need sudo (there is none
// here; .ci/run installed what they install before this test).
func TestCIWorkflow(t *testing.T) {
	t.Parallel()
	var droppedJob bool
	var droppedSteps []string
	res := Run{
		Workflow: ".github/workflows/ci.yml",
		Source:   ".",
		Edit: func(t *testing.T, wf *yaml.Node) {
			jobs := get(wf, "jobs")
			if get(jobs, "test") != nil && strings.Contains(textOf(get(jobs, "test")), "bash .ci/run") {
				remove(jobs, "test")
				droppedJob = true
			}
			for i := 1; i < len(jobs.Content); i += 2 {
				steps := get(jobs.Content[i], "steps")
				if steps == nil {
					continue
				}
				var keep []*yaml.Node
				for _, s := range steps.Content {
					if run := scalar(get(s, "run")); strings.HasPrefix(run, "sudo ") {
						droppedSteps = append(droppedSteps, jobs.Content[i-1].Value+": "+run)
						continue
					}
					keep = append(keep, s)
				}
				steps.Content = keep
			}
			for _, s := range get(get(jobs, "shard"), "steps").Content {
				if isXshard(scalar(get(s, "uses"))) {
					set(get(s, "with"), "go", strings.Join(ciPackages, "\n"))
				}
			}
		},
	}.Run(t)
	if !droppedJob || len(droppedSteps) == 0 {
		t.Errorf("ci.yml changed: the job running .ci/run dropped %v, sudo steps dropped %q; update this test and docs/act.md", droppedJob, droppedSteps)
	}
	if lint := res.Job("lint"); lint == nil || lint.Result != "success" {
		t.Errorf("lint job: %v", lint)
	}
	js := jobs{workflow: "ci", shard: "shard", report: "report"}
	p := checkGreen(t, res, js)
	for id := range p.tests {
		if !strings.HasPrefix(id, "github.com/xshard/xshard/internal/") {
			t.Errorf("planned %q, not a test of the packages given", id)
		}
	}
	if report := res.Job("report"); report != nil && report.Output("merge", "recommended-workers") == "" {
		t.Errorf("no worker recommendation with job-overhead 40s")
	}
}
