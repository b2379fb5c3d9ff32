package manifest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func sample() *Manifest {
	return &Manifest{
		Worker: "gw1", Index: 1, Total: 2, Strategy: "timing", By: "file", Collector: "glob",
		Fingerprint: "v1-a-b-c", UniverseFingerprint: "a", TimingsFingerprint: "b", Items: 3,
		KnownShare: 0.5, PredictedSeconds: 2, Commit: "abc", RunID: "9", RunAttempt: 2, TestRunUID: "9-2",
		Shards: []Shard{
			{Index: 0, PredictedSeconds: 1, Units: []Unit{{ID: "a.py", Seconds: 1, Known: true, Items: []string{"a.py::t1", "a.py::t2"}}}},
			{Index: 1, PredictedSeconds: 2, Units: []Unit{{ID: "b.py", Seconds: 2}}},
		},
	}
}

func TestRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	if !IsManifest(buf.Bytes()) {
		t.Fatalf("IsManifest is false for a written manifest:\n%s", buf.String())
	}
	got, err := Read(&buf, "m.json")
	if err != nil {
		t.Fatal(err)
	}
	want := sample()
	want.Schema = Schema
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a.py::t1", "a.py::t2"}, got.Shards[0].Units[0].ItemIDs()); diff != "" {
		t.Errorf("ItemIDs of a file unit (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"b.py"}, got.Shards[1].Units[0].ItemIDs()); diff != "" {
		t.Errorf("ItemIDs of a single-item unit (-want +got):\n%s", diff)
	}
}

func TestReadErrors(t *testing.T) {
	valid := func(edit func(m *Manifest)) string {
		m := sample()
		edit(m)
		var b bytes.Buffer
		Write(&b, m)
		return b.String()
	}
	tests := []struct {
		name, in, expectErr string
	}{
		{"a truncated manifest says so with a position", `{"schema":"xshard.manifest/v1",` + "\n" + `"worker":"gw`, "m.json:2:13: invalid manifest: unexpected end of file: the manifest is truncated"},
		{"a wrong type names the position", `{"schema":"xshard.manifest/v1","index":"one"}`, "m.json:1:45: invalid manifest: json: cannot unmarshal string"},
		{"another schema is not a manifest", `{"schema":"other"}`, `m.json: not an xshard manifest: schema "other"`},
		{"a newer schema asks for matching versions", `{"schema":"xshard.manifest/v9"}`, `m.json: manifest schema "xshard.manifest/v9" is not supported`},
		{"an index out of range is invalid", valid(func(m *Manifest) { m.Index = 2 }), "m.json: invalid manifest: index 2 out of range for total 2"},
		{"a shard count that differs from total is invalid", valid(func(m *Manifest) { m.Shards = m.Shards[:1] }), "m.json: invalid manifest: 1 shards for total 2"},
		{"an unknown queue mode is invalid", valid(func(m *Manifest) { m.Queue = &Queue{Mode: "dynamic"} }), `m.json: invalid manifest: queue mode "dynamic"`},
		{"a Go module without a path is invalid", valid(func(m *Manifest) { m.GoModule = &GoModule{Dir: "."} }), "m.json: invalid manifest: go_module has no path"},
		{"a Go module dir outside the repository is invalid", valid(func(m *Manifest) { m.GoModule = &GoModule{Path: "example.com/m", Dir: "../elsewhere"} }), `m.json: invalid manifest: go_module dir "../elsewhere" is not a clean path inside the repository`},
		{"an absolute Go module dir is invalid", valid(func(m *Manifest) { m.GoModule = &GoModule{Path: "example.com/m", Dir: "/home/runner/work"} }), `m.json: invalid manifest: go_module dir "/home/runner/work" is not a clean path`},
		{"an unclean Go module dir is invalid", valid(func(m *Manifest) { m.GoModule = &GoModule{Path: "example.com/m", Dir: "a/../b"} }), `m.json: invalid manifest: go_module dir "a/../b" is not a clean path`},
		{"a queue batch without units is invalid", valid(func(m *Manifest) { m.Queue = &Queue{Mode: ModeQueue, Batches: []Batch{{ID: "b1"}}} }), "m.json: invalid manifest: queue batch 0 has no id or no units"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.in), "m.json")
			if err == nil || !strings.HasPrefix(err.Error(), tt.expectErr) {
				t.Fatalf("err = %v, want prefix %q", err, tt.expectErr)
			}
		})
	}
}

func TestReadIgnoresUnknownFields(t *testing.T) {
	// A later v1 may add fields; an older merge still reads the manifest.
	in := `{"schema":"xshard.manifest/v1","total":1,"shards":[{"index":0,"units":[]}],"added_later":true}`
	if _, err := Read(strings.NewReader(in), "m.json"); err != nil {
		t.Fatal(err)
	}
}

func TestQueueRecordRoundTrips(t *testing.T) {
	m := sample()
	m.TestStartedAt, m.TestFinishedAt = "2026-11-22T10:00:01.250Z", "2026-11-22T10:04:12.004Z"
	m.Queue = &Queue{URL: "redis://:xxxxx@h:6379/0", Key: "xshard:{r/1}:", Fingerprint: "q1-a-b", Mode: ModeQueue, Seeder: true, SeededBy: "gw1", Drained: true,
		Batches: []Batch{
			{ID: "b1", Units: []string{"b.py"}, PredictedSeconds: 2, ClaimedAt: "2026-11-22T10:00:01.250Z", FinishedAt: "2026-11-22T10:00:03.000Z", Acked: true},
			{ID: "b4", Units: []string{"a.py"}, Requeued: []string{"a.py"}, ClaimedAt: "2026-11-22T10:00:03.100Z", LeaseLost: true, Replay: true, ExitCode: 1},
		}}
	got := roundTrip(t, m)
	if got.Queue.Batches[1].Finished() || !got.Queue.Batches[0].Finished() {
		t.Error("Finished does not follow finished_at")
	}
	want := map[string][]string{"a.py": {"a.py::t1", "a.py::t2"}, "b.py": {"b.py"}}
	if diff := cmp.Diff(want, got.UnitItems()); diff != "" {
		t.Errorf("UnitItems (-want +got):\n%s", diff)
	}
}

func TestGoModuleRoundTrips(t *testing.T) {
	for _, g := range []*GoModule{{Path: "example.com/shop", Dir: "services/shop"}, {Path: "example.com/m", Dir: "."}, {Path: "example.com/m"}} {
		m := sample()
		m.GoModule = g
		roundTrip(t, m)
	}
}

// roundTrip writes m, reads it back, reports any difference and returns
// what was read.
func roundTrip(t *testing.T, m *Manifest) *Manifest {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, m); err != nil {
		t.Fatal(err)
	}
	got, err := Read(&buf, "m.json")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	return got
}

func TestAManifestWithoutTheLaterFieldsStillReads(t *testing.T) {
	// As written before queue mode, test phase times and the Go module
	// existed.
	in := `{"schema":"xshard.manifest/v1","worker":"gw0","index":0,"total":1,"strategy":"hash","by":"test",
"fingerprint":"v1-a-b-c","started_at":"2026-11-22T10:00:00Z","shards":[{"index":0,"predicted_seconds":0,"units":[{"id":"t1","seconds":1}]}]}`
	m, err := Read(strings.NewReader(in), "m.json")
	if err != nil {
		t.Fatal(err)
	}
	if m.Queue != nil || m.GoModule != nil || m.TestStartedAt != "" || m.Shards[0].Units[0].ID != "t1" {
		t.Errorf("read %+v", m)
	}
}

func FuzzRead(f *testing.F) {
	var b bytes.Buffer
	Write(&b, sample())
	f.Add(b.String())
	f.Add(`{"schema":"xshard.manifest/v1","total":1,"shards":[{"index":0,"units":[]}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		m, err := Read(strings.NewReader(in), "f")
		if err != nil {
			return
		}
		if m.Index < 0 || m.Index >= m.Total || len(m.Shards) != m.Total {
			t.Fatalf("an invalid manifest was accepted: %+v", m)
		}
	})
}
