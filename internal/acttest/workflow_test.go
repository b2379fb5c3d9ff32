package acttest

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// editWorkflow returns the test's copy of a workflow: the worker identity
// passed explicitly (passWorkerIdentity), then edit's changes.
func editWorkflow(t *testing.T, path string, edit func(*testing.T, *yaml.Node)) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a workflow (a mapping)", path)
	}
	wf := doc.Content[0]
	if err := passWorkerIdentity(wf); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if edit != nil {
		edit(t, wf)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

// passWorkerIdentity gives every shard step of the xshard action, in a
// job whose matrix has a worker list 0..n-1, the inputs worker (from
// matrix.worker) and workers (n), unless the step sets them. On GitHub the
// action's defaults, strategy.job-index and strategy.job-total, give the
// same values; act leaves those empty (nektos/act#5976). action.yml keeps
// its defaults: this edit is the test's, never the product's.
func passWorkerIdentity(wf *yaml.Node) error {
	jobs := get(wf, "jobs")
	if jobs == nil {
		return fmt.Errorf("no jobs")
	}
	for i := 1; i < len(jobs.Content); i += 2 {
		job := jobs.Content[i]
		workers := get(get(get(job, "strategy"), "matrix"), "worker")
		steps := get(job, "steps")
		if steps == nil {
			continue
		}
		for _, step := range steps.Content {
			if !isXshard(scalar(get(step, "uses"))) || scalar(get(get(step, "with"), "command")) != "shard" {
				continue
			}
			with := get(step, "with")
			if get(with, "worker") != nil && get(with, "workers") != nil {
				continue
			}
			if workers == nil || workers.Kind != yaml.SequenceNode {
				return fmt.Errorf("line %d: job %s shards without a matrix.worker list: give worker and workers", job.Line, jobs.Content[i-1].Value)
			}
			for k, w := range workers.Content {
				if w.Value != strconv.Itoa(k) {
					return fmt.Errorf("line %d: matrix.worker is not 0..%d, so it is not strategy.job-index", w.Line, len(workers.Content)-1)
				}
			}
			if get(with, "worker") == nil {
				set(with, "worker", "${{ matrix.worker }}")
			}
			if get(with, "workers") == nil {
				set(with, "workers", strconv.Itoa(len(workers.Content)))
			}
		}
	}
	return nil
}

// isXshard reports whether uses names the xshard action: the published
// one or this repository's own (./).
func isXshard(uses string) bool {
	return uses == "./" || strings.HasPrefix(uses, "xshard/xshard@")
}

// get returns the value of key in mapping m, or nil.
func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// set sets key in mapping m to a string.
func set(m *yaml.Node, key, value string) {
	if v := get(m, key); v != nil {
		*v = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
		return
	}
	m.Content = append(m.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
}

// remove deletes key from mapping m.
func remove(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// writeInline writes an inline workflow for a test and returns its path.
func writeInline(t *testing.T, yml string) string {
	t.Helper()
	p := t.TempDir() + "/workflow.yml"
	if err := os.WriteFile(p, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPassWorkerIdentity(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{
			name: "a shard step gets the matrix worker and the count",
			in: `jobs:
  test:
    strategy:
      matrix:
        worker: [0, 1, 2]
    steps:
      - uses: xshard/xshard@v1
        with:
          command: shard
          go: ./...
`,
			want: "worker: ${{ matrix.worker }}\n          workers: \"3\"",
		},
		{
			name: "inputs the step gives are kept",
			in: `jobs:
  test:
    strategy:
      matrix:
        worker: [0, 1]
    steps:
      - uses: ./
        with:
          command: shard
          workers: 7
`,
			want: "workers: 7\n          worker: ${{ matrix.worker }}",
		},
		{
			name: "merge steps are left alone",
			in: `jobs:
  report:
    steps:
      - uses: xshard/xshard@v1
        with:
          command: merge
`,
			want: "command: merge\n",
		},
		{
			name: "a shard step without a worker list is an error",
			in: `jobs:
  test:
    steps:
      - uses: xshard/xshard@v1
        with:
          command: shard
`,
			err: "job test shards without a matrix.worker list",
		},
		{
			name: "a worker list that is not the job index is an error",
			in: `jobs:
  test:
    strategy:
      matrix:
        worker: [1, 2]
    steps:
      - uses: xshard/xshard@v1
        with:
          command: shard
`,
			err: "matrix.worker is not 0..1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := editWorkflow(t, writeInline(t, tc.in), nil)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("want %q in:\n%s", tc.want, out)
			}
		})
	}
}
