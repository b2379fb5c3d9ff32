// Package manifest reads and writes the shard manifest: the record each
// worker leaves of the plan it computed and the part of it that it ran, so
// that merge can prove that every planned test ran exactly once.
//
// # Format
//
// A JSON object, schema "xshard.manifest/v1":
//
//	{
//	  "schema": "xshard.manifest/v1",
//	  "worker": "gw1", "index": 1, "total": 4,
//	  "strategy": "timing", "by": "test", "seed": 0, "group_pattern": "",
//	  "collector": "go",
//	  "fingerprint": "v1-<universe>-<timings>-<assignment>",
//	  "universe_fingerprint": "...", "timings_fingerprint": "...",
//	  "items": 120, "known_share": 0.95,
//	  "predicted_seconds": 12.5, "makespan_seconds": 12.5, "lower_bound_seconds": 12.1,
//	  "commit": "<sha>", "run_id": "123", "run_attempt": 1, "testrun_uid": "123-1", // testrun_uid only when shared (not made up)
//	  "started_at": "2026-11-22T10:00:00Z",
//	  "shards": [
//	    {"index": 0, "predicted_seconds": 12.4,
//	     "units": [{"id": "pkg.TestA", "seconds": 1.5, "known": true}, ...]},
//	    ...
//	  ]
//	}
//
// Every manifest carries the whole plan, not only its own shard, so that
// merge can name the tests of a worker whose artifact is missing. A unit
// lists its "items" only when they differ from the unit itself (a file or
// package unit).
//
// # Later fields
//
// Fields added since the first release of the schema are optional, so
// that a manifest written by an older shard still reads (merge then has
// less to report), and the schema name stays "xshard.manifest/v1":
//
//	"test_started_at": "2026-11-22T10:00:01.250Z",   // shard --exec or --queue: the test phase,
//	"test_finished_at": "2026-11-22T10:04:12.004Z",  // RFC 3339 with milliseconds
//	"queue": {                                       // shard --queue (docs/queue.md)
//	  "url": "rediss://:xxxxx@host:6380/0",          // never the password
//	  "key": "xshard:{owner/repo/123}:",
//	  "fingerprint": "q1-<universe>-<units>",
//	  "mode": "queue",                               // or "static-fallback"
//	  "seeder": true, "seeded_by": "gw0",
//	  "fallback": "why the static plan ran instead",
//	  "error": "why claiming stopped early",
//	  "drained": true,                               // the queue was empty when it stopped
//	  "batches": [
//	    {"id": "b3", "units": ["pkg.TestA", ...], "requeued": ["pkg.TestA"],
//	     "predicted_seconds": 4.2, "claimed_at": "...", "finished_at": "...",
//	     "exit_code": 0, "acked": true, "lease_lost": false, "replay": false},
//	    ...
//	  ]
//	}
//
// shard --go records the Go module it collected from, so that merge can
// map import paths to the repository's files where no go.mod is at hand
// (a report job without a checkout):
//
//	"go_module": {"path": "example.com/shop", "dir": "services/shop"}
//
// "dir" is the module's directory relative to the repository root ("."
// at the root); it is left out when shard could not tell the root.
//
// A batch without "finished_at" did not run to its end on this worker
// (killed, stopped, or the command could not start). With mode
// "static-fallback" the worker ran its shard of the plan, as without a
// queue.
package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/xshard/xshard/internal/diag"
)

// Schema is the schema name this version writes and reads.
const Schema = "xshard.manifest/v1"

const schemaPrefix = "xshard.manifest/"

// Manifest is one worker's record of the plan.
type Manifest struct {
	Schema              string  `json:"schema"`
	Worker              string  `json:"worker"`
	Index               int     `json:"index"`
	Total               int     `json:"total"`
	Strategy            string  `json:"strategy"`
	By                  string  `json:"by"`
	Seed                uint64  `json:"seed"`
	GroupPattern        string  `json:"group_pattern,omitempty"`
	Collector           string  `json:"collector"`
	Fingerprint         string  `json:"fingerprint"`
	UniverseFingerprint string  `json:"universe_fingerprint"`
	TimingsFingerprint  string  `json:"timings_fingerprint"`
	Items               int     `json:"items"`
	KnownShare          float64 `json:"known_share"`
	PredictedSeconds    float64 `json:"predicted_seconds"`
	MakespanSeconds     float64 `json:"makespan_seconds"`
	LowerBoundSeconds   float64 `json:"lower_bound_seconds"`
	Commit              string  `json:"commit,omitempty"`
	RunID               string  `json:"run_id,omitempty"`
	RunAttempt          int     `json:"run_attempt,omitempty"`
	// TestRunUID is the run's XSHARD_TESTRUN_UID, "" when shard made one
	// up for this worker alone (no CI run id, no XSHARD_TESTRUN_UID).
	// merge takes manifests of another run (RunID, else TestRunUID) for
	// stale artifacts.
	TestRunUID string `json:"testrun_uid,omitempty"`
	StartedAt  string `json:"started_at,omitempty"`
	// TestStartedAt and TestFinishedAt bound the worker's test phase
	// (RFC 3339, milliseconds), when shard ran the tests itself; with a
	// queue it ends with the worker's last batch (waiting for the other
	// workers' batches after it is idle time).
	TestStartedAt  string `json:"test_started_at,omitempty"`
	TestFinishedAt string `json:"test_finished_at,omitempty"`
	// RerunOf is set on the plan of a re-run of the failed tests (shard
	// --only-failed): the last_run of the outcome history the failures
	// came from, so that merge amends that run.
	RerunOf string  `json:"rerun_of,omitempty"`
	Shards  []Shard `json:"shards"`
	// Queue is set when the worker was given a queue (shard --queue).
	Queue *Queue `json:"queue,omitempty"`
	// GoModule is the Go module of shard --go; nil for other collectors
	// and in manifests of older versions.
	GoModule *GoModule `json:"go_module,omitempty"`
}

// GoModule is the Go module whose packages a worker's tests came from.
type GoModule struct {
	// Path is go.mod's module path.
	Path string `json:"path"`
	// Dir is the module's directory relative to the repository root,
	// slash-separated, "." at the root; "" when shard could not tell the
	// root.
	Dir string `json:"dir,omitempty"`
}

// Queue modes.
const (
	// ModeQueue: the worker claimed batches from the queue.
	ModeQueue = "queue"
	// ModeStaticFallback: the queue could not be used at the start; the
	// worker ran its shard of the plan instead.
	ModeStaticFallback = "static-fallback"
)

// Queue is a worker's record of its part in a queue run.
type Queue struct {
	URL         string  `json:"url"`
	Key         string  `json:"key"`
	Fingerprint string  `json:"fingerprint"`
	Mode        string  `json:"mode"`
	Seeder      bool    `json:"seeder,omitempty"`
	SeededBy    string  `json:"seeded_by,omitempty"`
	Fallback    string  `json:"fallback,omitempty"`
	Error       string  `json:"error,omitempty"`
	Drained     bool    `json:"drained,omitempty"`
	Batches     []Batch `json:"batches"`
}

// Batch is one batch a worker claimed (or replayed), in claim order.
type Batch struct {
	ID string `json:"id"`
	// Units are unit IDs of the plan; Requeued those that another
	// worker had claimed before and whose lease expired.
	Units            []string `json:"units"`
	Requeued         []string `json:"requeued,omitempty"`
	PredictedSeconds float64  `json:"predicted_seconds"`
	ClaimedAt        string   `json:"claimed_at"`
	// FinishedAt is when its command ended; "" when it did not.
	FinishedAt string `json:"finished_at,omitempty"`
	ExitCode   int    `json:"exit_code,omitempty"`
	// Acked: the queue recorded its end while the lease was held.
	Acked bool `json:"acked,omitempty"`
	// LeaseLost: the lease expired while it ran (another worker may
	// have run its units too).
	LeaseLost bool `json:"lease_lost,omitempty"`
	// Replay: a re-run of the worker ran it again from the queue's log.
	Replay bool `json:"replay,omitempty"`
}

// Finished reports whether the batch ran to its end.
func (b *Batch) Finished() bool { return b.FinishedAt != "" }

// TimeFormat is the format of the test phase and batch times.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// UnitItems maps every unit of the plan to its item IDs.
func (m *Manifest) UnitItems() map[string][]string {
	out := map[string][]string{}
	for _, sh := range m.Shards {
		for _, u := range sh.Units {
			out[u.ID] = u.ItemIDs()
		}
	}
	return out
}

// Shard is one worker's part of the plan.
type Shard struct {
	Index            int     `json:"index"`
	PredictedSeconds float64 `json:"predicted_seconds"`
	Units            []Unit  `json:"units"`
}

// Unit is a set of items that run together.
type Unit struct {
	ID      string   `json:"id"`
	Seconds float64  `json:"seconds"`
	Known   bool     `json:"known,omitempty"`
	Items   []string `json:"items,omitempty"`
}

// ItemIDs returns the item IDs of u: Items, or the unit's own ID.
func (u Unit) ItemIDs() []string {
	if len(u.Items) == 0 {
		return []string{u.ID}
	}
	return u.Items
}

// IsManifest reports whether data is a JSON object whose first key is
// "schema" with a manifest schema value.
func IsManifest(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	if k, err := dec.Token(); err != nil || k != "schema" {
		return false
	}
	v, err := dec.Token()
	s, _ := v.(string)
	return err == nil && strings.HasPrefix(s, schemaPrefix)
}

// Read decodes and validates a manifest; name is used in errors.
func Read(r io.Reader, name string) (*Manifest, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", name, err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return nil, jsonError(name, data, err)
	}
	if m.Schema != Schema {
		if strings.HasPrefix(m.Schema, schemaPrefix) {
			return nil, &diag.Error{File: name, Msg: fmt.Sprintf("manifest schema %q is not supported (this version reads %q): use the same xshard version for shard and merge", m.Schema, Schema)}
		}
		return nil, &diag.Error{File: name, Msg: fmt.Sprintf("not an xshard manifest: schema %q", m.Schema)}
	}
	if err := m.validate(); err != nil {
		return nil, &diag.Error{File: name, Msg: err.Error()}
	}
	return &m, nil
}

// ReadFile reads the manifest at path.
func ReadFile(path string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, path)
}

func (m *Manifest) validate() error {
	switch {
	case m.Total < 1:
		return fmt.Errorf("invalid manifest: total %d < 1", m.Total)
	case m.Index < 0 || m.Index >= m.Total:
		return fmt.Errorf("invalid manifest: index %d out of range for total %d", m.Index, m.Total)
	case len(m.Shards) != m.Total:
		return fmt.Errorf("invalid manifest: %d shards for total %d", len(m.Shards), m.Total)
	}
	for i, s := range m.Shards {
		if s.Index != i {
			return fmt.Errorf("invalid manifest: shard %d has index %d", i, s.Index)
		}
	}
	if g := m.GoModule; g != nil {
		switch {
		case g.Path == "":
			return errors.New("invalid manifest: go_module has no path")
		case g.Dir != "" && (g.Dir != path.Clean(g.Dir) || path.IsAbs(g.Dir) || g.Dir == ".." || strings.HasPrefix(g.Dir, "../") || strings.Contains(g.Dir, `\`)):
			return fmt.Errorf("invalid manifest: go_module dir %q is not a clean path inside the repository", g.Dir)
		}
	}
	if q := m.Queue; q != nil {
		switch q.Mode {
		case ModeQueue, ModeStaticFallback:
		default:
			return fmt.Errorf("invalid manifest: queue mode %q (expected %q or %q)", q.Mode, ModeQueue, ModeStaticFallback)
		}
		for i, b := range q.Batches {
			if b.ID == "" || len(b.Units) == 0 {
				return fmt.Errorf("invalid manifest: queue batch %d has no id or no units", i)
			}
		}
	}
	return nil
}

// jsonError turns a decoding error into a diag.Error with a position.
func jsonError(name string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var off int64 = -1
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		off = int64(len(data))
		err = errors.New("unexpected end of file: the manifest is truncated")
	}
	d := &diag.Error{File: name, Msg: "invalid manifest: " + err.Error(), Err: err}
	if off >= 0 {
		d.Line, d.Col = diag.Position(data, off)
	}
	return d
}

// Write encodes m as indented JSON.
func Write(w io.Writer, m *Manifest) error {
	m.Schema = Schema
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(m)
}
