package acttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/xshard/xshard/internal/manifest"
	"github.com/xshard/xshard/internal/redistest"
)

// queueRun is the shard step's command in queue mode: each batch's go
// test arguments come as "$@", and $XSHARD_BATCH numbers the batches
// (docs/queue.md).
const queueRun = `go test -json -coverprofile="xshard-out/cover-$XSHARD_BATCH.out" "$@" >"xshard-out/test-$XSHARD_BATCH.json"`

// toQueue turns the test's copy of the Go example into queue mode as a
// user would: the shard step takes queue-url from a secret and runs each
// batch itself (run), so the step that ran the static share goes.
func toQueue(t *testing.T, wf *yaml.Node) {
	steps := get(get(get(wf, "jobs"), "test"), "steps")
	if steps == nil {
		t.Fatal("go.yml: no test job with steps")
	}
	var keep []*yaml.Node
	edited, dropped := false, false
	for _, s := range steps.Content {
		if isXshard(scalar(get(s, "uses"))) && scalar(get(get(s, "with"), "command")) == "shard" {
			set(get(s, "with"), "queue-url", "${{ secrets.XSHARD_QUEUE }}")
			set(get(s, "with"), "run", queueRun)
			edited = true
		}
		if get(get(s, "env"), "GO_RUN") != nil {
			dropped = true
			continue
		}
		keep = append(keep, s)
	}
	if !edited || !dropped {
		t.Fatalf("go.yml changed (shard step found %v, the step running go-run found %v): update this test", edited, dropped)
	}
	steps.Content = keep
}

// TestGoExampleOnAQueue runs the Go example in queue mode (shard
// --queue) against a real redis-server on loopback: the four matrix jobs
// share one queue, seeded by one of them, and between them run every unit
// once; the report job merges them, verified complete, and reports the
// realised balance. The queue's URL, with its password, is a secret,
// passed as users pass it, and no file the run leaves holds the password.
//
// Redis runs inside the run's network namespace (a Service, on its fixed
// port) where the machine gives runs one; otherwise the run shares the
// host's network and redistest starts the server on a free loopback port.
func TestGoExampleOnAQueue(t *testing.T) {
	t.Parallel()
	bin := redistest.Require(t)
	run := Run{Workflow: "examples/workflows/go.yml", Source: "examples/go", Edit: toQueue}
	const password = "queue-pw-7c1f0d"
	var url string
	if isolation().net {
		const port = 6379
		run.Services = []Service{{Name: "redis", Port: port, Command: []string{bin,
			"--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--save", "", "--appendonly", "no",
			"--dir", t.TempDir(), "--protected-mode", "no", "--daemonize", "no", "--loglevel", "warning",
			"--requirepass", password}}}
		url = fmt.Sprintf("redis://:%s@127.0.0.1:%d/0", password, port)
	} else {
		url = redistest.StartWith(t, redistest.Options{Password: password}).URL()
		run.HostNetwork = true
	}
	run.Secrets = map[string]string{"XSHARD_QUEUE": url}
	res := run.Run(t)
	if res.Code != 0 {
		t.Errorf("act exited %d, want 0", res.Code)
	}

	// The shard jobs: one queue, one seeder, every unit run once.
	key := fmt.Sprintf("xshard:{octo/app/%d}:", res.RunID)
	shardJobs := res.JobsOf("test")
	if len(shardJobs) != workers {
		t.Fatalf("%d shard jobs, want %d", len(shardJobs), workers)
	}
	var fingerprint string
	seeders := map[string]bool{}
	seededBy := map[string]bool{}
	ranOn := map[string][]string{} // unit -> workers whose batches ran it
	planned := map[string]bool{}
	busy := 0
	for i, j := range shardJobs {
		worker := "gw" + strconv.Itoa(i)
		if j.Result != "success" {
			t.Errorf("%s: %s", worker, orNone(j.Result))
			continue
		}
		out := j.Outputs["shard"]
		if out["strategy"] != "queue" || out["worker"] != worker || out["total"] != strconv.Itoa(workers) {
			t.Errorf("%s: shard outputs %v, want strategy queue", worker, out)
		}
		if i == 0 {
			fingerprint = out["fingerprint"]
		}
		if !strings.HasPrefix(out["fingerprint"], "q1-") || out["fingerprint"] != fingerprint {
			t.Errorf("%s: fingerprint %q, gw0's %q: want one queue's", worker, out["fingerprint"], fingerprint)
		}
		if j.Logged("shard: warning:") {
			t.Errorf("%s: shard warned (a fallback to the static plan?)", worker)
		}
		data, err := res.ArtifactFile("xshard-worker-"+strconv.Itoa(i), "xshard-manifest.json")
		if err != nil {
			t.Errorf("%s: %v", worker, err)
			continue
		}
		var m manifest.Manifest
		if err := json.Unmarshal(data, &m); err != nil {
			t.Errorf("%s: manifest: %v", worker, err)
			continue
		}
		q := m.Queue
		if q == nil || q.Mode != manifest.ModeQueue || q.Key != key || !q.Drained {
			t.Errorf("%s: manifest queue %+v, want mode queue, key %q, drained", worker, q, key)
			continue
		}
		if strings.Contains(string(data), password) {
			t.Errorf("%s: the manifest holds the queue's password", worker)
		}
		if q.Seeder {
			seeders[worker] = true
		}
		seededBy[q.SeededBy] = true
		for _, s := range m.Shards {
			for _, u := range s.Units {
				planned[u.ID] = true
			}
		}
		if len(q.Batches) > 0 {
			busy++
		}
		for _, b := range q.Batches {
			if !b.Finished() || !b.Acked || b.ExitCode != 0 {
				t.Errorf("%s: batch %s %+v: want run to its end, acknowledged, exit 0", worker, b.ID, b)
			}
			for _, u := range b.Units {
				ranOn[u] = append(ranOn[u], worker)
			}
		}
	}
	if len(seeders) != 1 || len(seededBy) != 1 {
		t.Errorf("seeders %v, seeded_by %v: want one worker to seed the queue that every worker used", seeders, seededBy)
	}
	var missing, twice []string
	for u := range planned {
		switch n := len(ranOn[u]); {
		case n == 0:
			missing = append(missing, u)
		case n > 1:
			twice = append(twice, fmt.Sprintf("%s on %v", u, ranOn[u]))
		}
	}
	sort.Strings(missing)
	sort.Strings(twice)
	if len(planned) == 0 || len(missing) > 0 || len(twice) > 0 || len(ranOn) != len(planned) {
		t.Errorf("%d units planned, %d run from the queue; not run: %q; run twice: %q", len(planned), len(ranOn), missing, twice)
	}
	t.Logf("%d units in %d workers' batches", len(planned), busy)

	// The report job: verified complete, the realised balance reported.
	report := res.Job("report")
	if report == nil || report.Result != "success" {
		t.Fatalf("report job: %v", report)
	}
	m := report.Outputs["merge"]
	if m["exit-code"] != "0" || m["failed"] != "0" || m["errors"] != "0" || m["total"] == "0" || m["coverage-percent"] == "" {
		t.Errorf("merge outputs %v", m)
	}
	ratio, err := strconv.ParseFloat(m["realised-ratio"], 64)
	if err != nil || ratio < 1 {
		t.Errorf("realised-ratio %q: want the realised makespan over its lower bound, at least 1", m["realised-ratio"])
	}
	if !strings.Contains(report.Summary, "every planned test ran exactly once") {
		t.Errorf("the summary does not say the run is complete:\n%s", report.Summary)
	}
	if want := fmt.Sprintf("**%.2f×**", ratio); !strings.Contains(report.Summary, "Realised balance") || !strings.Contains(report.Summary, want) {
		t.Errorf("the summary does not give the realised balance %s:\n%s", want, report.Summary)
	}
	checkTimingsSaved(t, res, exampleJobs)

	// The password is in no artifact, no cache entry, no summary.
	filepath.WalkDir(res.Store, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if data, err := os.ReadFile(p); err == nil && bytes.Contains(data, []byte(password)) {
			t.Errorf("%s holds the queue's password", p)
		}
		return nil
	})
	for _, j := range append(shardJobs, report) {
		if strings.Contains(j.Summary, password) {
			t.Errorf("%s's summary holds the queue's password", j.Name)
		}
	}
}
