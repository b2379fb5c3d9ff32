package actionrun

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KV is one entry of an ordered env: or with: mapping.
type KV struct{ Key, Value string }

// Step is a step of a workflow job or of a composite action.
type Step struct {
	ID               string
	Name             string
	If               string
	Uses             string
	Run              string
	Shell            string
	WorkingDirectory string
	With             []KV
	Env              []KV
	ContinueOnError  bool
	Line             int
}

// Label names the step in messages.
func (s Step) Label() string {
	switch {
	case s.Name != "":
		return s.Name
	case s.ID != "":
		return s.ID
	case s.Uses != "":
		return s.Uses
	}
	return fmt.Sprintf("step at line %d", s.Line)
}

// Input is an input of an action.
type Input struct {
	Name     string
	Default  string
	Required bool
}

// Output is an output of a composite action.
type Output struct{ Name, Value string }

// Action is a parsed action.yml.
type Action struct {
	Path    string
	Dir     string
	Name    string
	Using   string
	Inputs  []Input
	Outputs []Output
	Steps   []Step
}

// Input returns the input named name.
func (a *Action) Input(name string) (Input, bool) {
	for _, in := range a.Inputs {
		if in.Name == name {
			return in, true
		}
	}
	return Input{}, false
}

// Job is a job of a workflow.
type Job struct {
	ID          string
	Name        string
	If          string
	Needs       []string
	RunsOn      string
	Axes        []Axis // matrix dimensions, in file order
	FailFast    bool
	Env         []KV
	Shell       string // defaults.run.shell
	Permissions *Node
	Steps       []Step
	Line        int
}

// Axis is one matrix dimension.
type Axis struct {
	Name   string
	Values []string
}

// Workflow is a parsed workflow file.
type Workflow struct {
	Path        string
	Name        string
	Env         []KV
	Permissions *Node
	On          *Node
	Jobs        []*Job
	Root        *Node
}

// Job returns the job with id, or nil.
func (w *Workflow) Job(id string) *Job {
	for _, j := range w.Jobs {
		if j.ID == id {
			return j
		}
	}
	return nil
}

// LoadAction reads the action.yml (or action.yaml) in dir, or the file at
// path.
func LoadAction(path string) (*Action, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		p := filepath.Join(path, "action.yml")
		if _, err := os.Stat(p); err != nil {
			p = filepath.Join(path, "action.yaml")
		}
		path = p
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	root, err := ParseYAML(path, data)
	if err != nil {
		return nil, err
	}
	a := &Action{Path: path, Dir: filepath.Dir(path), Name: root.Get("name").String()}
	bad := func(n *Node, format string, args ...any) error {
		line := 0
		if n != nil {
			line = n.Line
		}
		return &SyntaxError{File: path, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if in := root.Get("inputs"); in != nil {
		if in.Kind != MappingNode {
			return nil, bad(in, "inputs: expected a mapping")
		}
		for _, k := range in.Keys {
			d := in.Map[k]
			a.Inputs = append(a.Inputs, Input{Name: k, Default: d.Get("default").String(), Required: d.Get("required").String() == "true"})
		}
	}
	if out := root.Get("outputs"); out != nil {
		for _, k := range out.Keys {
			a.Outputs = append(a.Outputs, Output{Name: k, Value: out.Map[k].Get("value").String()})
		}
	}
	runs := root.Get("runs")
	if runs == nil {
		return nil, bad(root, "no runs:")
	}
	a.Using = runs.Get("using").String()
	if a.Using != "composite" {
		return nil, bad(runs, "runs.using is %q: the harness runs composite actions only", a.Using)
	}
	steps, err := parseSteps(path, runs.Get("steps"), true)
	if err != nil {
		return nil, err
	}
	a.Steps = steps
	return a, nil
}

// LoadWorkflow reads a workflow file.
func LoadWorkflow(path string) (*Workflow, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	root, err := ParseYAML(path, data)
	if err != nil {
		return nil, err
	}
	w := &Workflow{Path: path, Name: root.Get("name").String(), Permissions: root.Get("permissions"), On: root.Get("on"), Root: root}
	if w.Env, err = kvs(path, root.Get("env")); err != nil {
		return nil, err
	}
	jobs := root.Get("jobs")
	if jobs == nil || jobs.Kind != MappingNode {
		return nil, &SyntaxError{File: path, Line: root.Line, Msg: "no jobs: mapping"}
	}
	for _, id := range jobs.Keys {
		n := jobs.Map[id]
		j := &Job{ID: id, Name: n.Get("name").String(), If: n.Get("if").String(), RunsOn: n.Get("runs-on").String(), Permissions: n.Get("permissions"), Line: jobs.KeyLines[id], FailFast: true}
		switch needs := n.Get("needs"); {
		case needs == nil:
		case needs.Kind == ScalarNode:
			j.Needs = []string{needs.Value}
		default:
			for _, it := range needs.Items {
				j.Needs = append(j.Needs, it.String())
			}
		}
		if st := n.Get("strategy"); st != nil {
			if ff := st.Get("fail-fast"); ff != nil {
				j.FailFast = ff.String() != "false"
			}
			if m := st.Get("matrix"); m != nil {
				for _, k := range m.Keys {
					v := m.Map[k]
					if v.Kind != SequenceNode {
						return nil, &SyntaxError{File: path, Line: m.KeyLines[k], Msg: fmt.Sprintf("matrix %q: the harness supports lists of values only", k)}
					}
					ax := Axis{Name: k}
					for _, it := range v.Items {
						ax.Values = append(ax.Values, it.String())
					}
					j.Axes = append(j.Axes, ax)
				}
			}
		}
		if j.Env, err = kvs(path, n.Get("env")); err != nil {
			return nil, err
		}
		j.Shell = n.Get("defaults").Get("run").Get("shell").String()
		if j.Steps, err = parseSteps(path, n.Get("steps"), false); err != nil {
			return nil, err
		}
		w.Jobs = append(w.Jobs, j)
	}
	return w, nil
}

func kvs(path string, n *Node) ([]KV, error) {
	if n == nil {
		return nil, nil
	}
	if n.Kind != MappingNode {
		return nil, &SyntaxError{File: path, Line: n.Line, Msg: "expected a mapping"}
	}
	var out []KV
	for _, k := range n.Keys {
		v := n.Map[k]
		if v.Kind != ScalarNode {
			return nil, &SyntaxError{File: path, Line: n.KeyLines[k], Msg: fmt.Sprintf("%q: expected a scalar", k)}
		}
		out = append(out, KV{k, v.Value})
	}
	return out, nil
}

func parseSteps(path string, n *Node, composite bool) ([]Step, error) {
	if n == nil || n.Kind != SequenceNode {
		return nil, &SyntaxError{File: path, Msg: "steps: expected a sequence"}
	}
	known := map[string]bool{"id": true, "name": true, "if": true, "uses": true, "run": true, "shell": true, "working-directory": true, "with": true, "env": true, "continue-on-error": true, "timeout-minutes": !composite}
	var steps []Step
	for _, it := range n.Items {
		if it.Kind != MappingNode {
			return nil, &SyntaxError{File: path, Line: it.Line, Msg: "a step must be a mapping"}
		}
		for _, k := range it.Keys {
			if !known[k] {
				return nil, &SyntaxError{File: path, Line: it.KeyLines[k], Msg: fmt.Sprintf("unknown step key %q", k)}
			}
		}
		s := Step{
			ID: it.Get("id").String(), Name: it.Get("name").String(), If: it.Get("if").String(),
			Uses: it.Get("uses").String(), Run: it.Get("run").String(), Shell: it.Get("shell").String(),
			WorkingDirectory: it.Get("working-directory").String(),
			ContinueOnError:  it.Get("continue-on-error").String() == "true",
			Line:             it.Line,
		}
		var err error
		if s.With, err = kvs(path, it.Get("with")); err != nil {
			return nil, err
		}
		if s.Env, err = kvs(path, it.Get("env")); err != nil {
			return nil, err
		}
		if (s.Uses == "") == (it.Get("run") == nil) {
			return nil, &SyntaxError{File: path, Line: it.Line, Msg: "a step needs exactly one of run: and uses:"}
		}
		if composite && s.Run != "" && s.Shell == "" {
			return nil, &SyntaxError{File: path, Line: it.Line, Msg: "a composite run: step needs shell:"}
		}
		if strings.HasPrefix(s.ID, "__") {
			return nil, &SyntaxError{File: path, Line: it.Line, Msg: "step ids starting with __ are reserved"}
		}
		steps = append(steps, s)
	}
	return steps, nil
}
