package acttest

import (
	"fmt"
	"testing"
)

// lastWordsWorkflow has eight jobs whose one step writes a line and
// annotates, then fails at once: the output a step leaves just before it
// exits non-zero, as action.yml's input checks do.
const lastWordsWorkflow = `name: last-words
on: push
jobs:
  fail:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        n: [0, 1, 2, 3, 4, 5, 6, 7]
    steps:
      - id: words
        env:
          N: ${{ matrix.n }}
        run: |
          if [ -t 1 ]; then terminal=true; else terminal=false; fi
          echo "terminal=$terminal" >>"$GITHUB_OUTPUT"
          echo "::error title=last words::job $N"
          exit 3
`

// TestFailingStepKeepsItsLastOutput checks the harness against act's gap:
// in host mode act runs a step on a terminal and, when the step exits
// non-zero, stops reading it at once, which lost the last lines of a
// step that failed within milliseconds in about one job in four (see
// isolation). The runs take the terminal away, so every job's annotation
// is read, and steps see pipes, as on GitHub's runners.
func TestFailingStepKeepsItsLastOutput(t *testing.T) {
	t.Parallel()
	if !isolation().mount {
		t.Skipf("the runs keep act's terminal here: %s", isolation().why)
	}
	res := Run{Workflow: writeInline(t, lastWordsWorkflow), Unseeded: true}.Run(t)
	if res.Code == 0 {
		t.Errorf("act exited 0 with eight failing jobs")
	}
	jobs := res.JobsOf("fail")
	if len(jobs) != 8 {
		t.Fatalf("%d jobs, want 8", len(jobs))
	}
	for _, j := range jobs {
		n := fmt.Sprint(j.Matrix["n"])
		if j.Result != "failure" || !j.Annotated("error", "job "+n) {
			t.Errorf("job %s: result %q, annotations %v: want failure, annotated %q", j.Name, j.Result, j.Annotations, "job "+n)
		}
		if got := j.Output("words", "terminal"); got != "false" {
			t.Errorf("job %s: the step's stdout is a terminal: %q, want false (pipes, as on GitHub)", j.Name, got)
		}
	}
}
