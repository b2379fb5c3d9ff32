package actionrun

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// UsesFunc stands in for a JavaScript action: it gets the step's inputs
// (the with: values, also present as INPUT_<NAME> in s.Env as the runner
// sets them) and returns the step's outputs.
type UsesFunc func(s *StepEnv, with map[string]string) (map[string]string, error)

// Runner runs workflows and composite actions the way GitHub's runner
// does, on this machine: each job in a fresh workspace, each run: step a
// bash script with the runner's environment and file commands.
type Runner struct {
	// Dir holds the jobs' workspaces and temp directories.
	Dir string
	// Source is what actions/checkout puts in a workspace.
	Source string
	// BaseEnv is the machine's environment (PATH, HOME, Go's caches).
	BaseEnv map[string]string
	// Github is the github context shared by every job (run_id,
	// run_attempt, workflow, repository, ref, sha, token, ...).
	Github map[string]any
	// OS and Arch are runner.os and runner.arch ("Linux", "X64").
	OS, Arch string
	// Stubs replace actions by name without the @ref ("actions/cache/restore").
	Stubs map[string]UsesFunc
	// Composites maps remote composite actions ("xshard/xshard") to a
	// local directory holding their action.yml.
	Composites map[string]string

	Cache     *Cache
	Artifacts *Artifacts

	mu  sync.Mutex
	seq int
}

// Annotation is a ::error::, ::warning:: or ::notice:: a step printed.
type Annotation struct{ Level, Title, Message string }

// StepResult is what a step left: its outputs, outcome and conclusion.
type StepResult struct {
	Outputs    map[string]string
	Outcome    string // success, failure or skipped
	Conclusion string
}

// JobResult is one run of one job (one matrix combination).
type JobResult struct {
	JobID       string
	Matrix      map[string]string
	Index       int
	Conclusion  string // success, failure or skipped
	Steps       map[string]*StepResult
	Env         map[string]string // what the steps exported with $GITHUB_ENV
	Paths       []string          // what the steps added with $GITHUB_PATH, newest first
	Summary     string            // the job summary, every step's $GITHUB_STEP_SUMMARY
	Annotations []Annotation
	Log         string
	Workspace   string
	Err         error // why the job failed
}

// StepEnv is what a stub sees of the job it runs in.
type StepEnv struct {
	Job *JobResult
	Env map[string]string
	// Temp is runner.temp; Workspace is github.workspace.
	Temp, Workspace string
	r               *Runner
}

// Input returns an input as @actions/core's getInput does.
func (s *StepEnv) Input(name string) string {
	return strings.TrimSpace(s.Env["INPUT_"+strings.ToUpper(strings.ReplaceAll(name, " ", "_"))])
}

// AddPath prepends dir to PATH for the following steps.
func (s *StepEnv) AddPath(dir string) { s.Job.Paths = append([]string{dir}, s.Job.Paths...) }

// Abs resolves p against the workspace.
func (s *StepEnv) Abs(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.Workspace, p)
}

// job is the state of a job while it runs.
type job struct {
	r         *Runner
	res       *JobResult
	temp      string
	tool      string
	base      map[string]any // the contexts every step sees: github, runner, strategy, matrix, needs, job
	fileSeq   int
	log       strings.Builder
	shell     string
	workflowE []KV
	jobE      []KV
}

// scope is a list of steps being run: a job's or a composite action's.
type scope struct {
	steps      map[string]any
	results    map[string]*StepResult
	failed     bool
	inputs     map[string]any // composite only
	action     *Action        // composite only
	actionRepo string
	actionRef  string
}

// WorkflowResult holds every job run of a workflow.
type WorkflowResult struct{ Jobs []*JobResult }

// Runs returns the runs of the job with id, in matrix order.
func (w *WorkflowResult) Runs(id string) []*JobResult {
	var out []*JobResult
	for _, j := range w.Jobs {
		if j.JobID == id {
			out = append(out, j)
		}
	}
	return out
}

// RunWorkflow runs the jobs of wf in dependency order; the runs of a
// matrix run at the same time, as on GitHub.
func (r *Runner) RunWorkflow(wf *Workflow) (*WorkflowResult, error) {
	res := &WorkflowResult{}
	done := map[string]string{} // job id -> result
	for len(done) < len(wf.Jobs) {
		progressed := false
		for _, j := range wf.Jobs {
			if _, ok := done[j.ID]; ok {
				continue
			}
			ready := true
			needs := map[string]any{}
			for _, n := range j.Needs {
				if wf.Job(n) == nil {
					return nil, fmt.Errorf("%s: job %q needs unknown job %q", wf.Path, j.ID, n)
				}
				c, ok := done[n]
				if !ok {
					ready = false
					break
				}
				needs[n] = map[string]any{"result": c, "outputs": map[string]any{}}
			}
			if !ready {
				continue
			}
			progressed = true
			runs, err := r.runMatrix(wf, j, needs)
			if err != nil {
				return nil, err
			}
			res.Jobs = append(res.Jobs, runs...)
			conclusion := "success"
			for _, jr := range runs {
				if jr.Conclusion == "failure" {
					conclusion = "failure"
				} else if jr.Conclusion == "skipped" && conclusion == "success" {
					conclusion = "skipped"
				}
			}
			done[j.ID] = conclusion
		}
		if !progressed {
			return nil, fmt.Errorf("%s: the needs: of the jobs form a cycle", wf.Path)
		}
	}
	return res, nil
}

func (r *Runner) runMatrix(wf *Workflow, j *Job, needs map[string]any) ([]*JobResult, error) {
	combos := []map[string]string{{}}
	for _, ax := range j.Axes {
		var next []map[string]string
		for _, c := range combos {
			for _, v := range ax.Values {
				m := map[string]string{}
				for k, x := range c {
					m[k] = x
				}
				m[ax.Name] = v
				next = append(next, m)
			}
		}
		combos = next
	}
	runs := make([]*JobResult, len(combos))
	var wg sync.WaitGroup
	for i, c := range combos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i] = r.runJob(wf, j, c, i, len(combos), needs)
		}()
	}
	wg.Wait()
	return runs, nil
}

func (r *Runner) runJob(wf *Workflow, j *Job, matrix map[string]string, index, total int, needs map[string]any) *JobResult {
	res := &JobResult{JobID: j.ID, Matrix: matrix, Index: index, Steps: map[string]*StepResult{}, Env: map[string]string{}}
	jb, err := r.newJob(res, j.ID)
	if err != nil {
		res.Conclusion, res.Err = "failure", err
		return res
	}
	m := map[string]any{}
	for k, v := range matrix {
		m[k] = v
	}
	jb.base["matrix"] = m
	jb.base["strategy"] = map[string]any{"job-index": float64(index), "job-total": float64(total), "fail-fast": j.FailFast, "max-parallel": float64(total)}
	jb.base["needs"] = needs
	jb.shell = j.Shell
	jb.workflowE, jb.jobE = wf.Env, j.Env

	sc := &scope{steps: map[string]any{}, results: res.Steps}
	anyFailed := false
	for _, n := range needs {
		if n.(map[string]any)["result"] != "success" {
			anyFailed = true
		}
	}
	ctx := jb.context(sc, nil)
	ctx.Failed = anyFailed
	ok, err := ctx.Condition(j.If)
	if err != nil {
		res.Conclusion, res.Err = "failure", fmt.Errorf("job %q: if: %w", j.ID, err)
		return res
	}
	if !ok {
		res.Conclusion = "skipped"
		return res
	}
	err = jb.runSteps(j.Steps, sc)
	res.Log = jb.log.String()
	res.Conclusion = "success"
	if sc.failed {
		res.Conclusion = "failure"
		res.Err = err
	}
	return res
}

// RunAction runs the composite action in dir as the only step of a job,
// with the inputs in with, and returns the job and the action's outputs.
// strategy gives strategy.job-index and job-total.
func (r *Runner) RunAction(dir string, with map[string]string, jobID string, index, total int) (*JobResult, map[string]string, error) {
	res := &JobResult{JobID: jobID, Index: index, Steps: map[string]*StepResult{}, Env: map[string]string{}}
	jb, err := r.newJob(res, jobID)
	if err != nil {
		return nil, nil, err
	}
	jb.base["strategy"] = map[string]any{"job-index": float64(index), "job-total": float64(total), "fail-fast": true, "max-parallel": float64(total)}
	st := Step{ID: "action", Uses: dir}
	for _, k := range sortedKeys(with) {
		st.With = append(st.With, KV{k, with[k]})
	}
	sc := &scope{steps: map[string]any{}, results: res.Steps}
	err = jb.runSteps([]Step{st}, sc)
	res.Log = jb.log.String()
	res.Conclusion = "success"
	if sc.failed {
		res.Conclusion = "failure"
		res.Err = err
	}
	var outs map[string]string
	if s := res.Steps["action"]; s != nil {
		outs = s.Outputs
	}
	return res, outs, err
}

func (r *Runner) newJob(res *JobResult, jobID string) (*job, error) {
	r.mu.Lock()
	r.seq++
	n := r.seq
	r.mu.Unlock()
	root := filepath.Join(r.Dir, fmt.Sprintf("job%d-%s", n, jobID))
	ws := filepath.Join(root, "work")
	temp := filepath.Join(root, "temp")
	tool := filepath.Join(root, "tool")
	for _, d := range []string{ws, temp, tool} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	res.Workspace = ws
	gh := map[string]any{}
	for k, v := range r.Github {
		gh[k] = v
	}
	gh["job"] = jobID
	gh["workspace"] = ws
	jb := &job{r: r, res: res, temp: temp, tool: tool, base: map[string]any{
		"github": gh,
		"runner": map[string]any{"os": r.OS, "arch": r.Arch, "temp": temp, "tool_cache": tool, "name": "actionrun", "environment": "self-hosted", "debug": ""},
		"job":    map[string]any{"status": "success"},
	}}
	return jb, nil
}

// context builds the expression context of a step in sc.
func (jb *job) context(sc *scope, env map[string]string) *Context {
	v := map[string]any{}
	for k, x := range jb.base {
		v[k] = x
	}
	v["steps"] = sc.steps
	e := map[string]any{}
	for k, x := range env {
		e[k] = x
	}
	v["env"] = e
	if sc.action != nil {
		v["inputs"] = sc.inputs
		gh := map[string]any{}
		for k, x := range jb.base["github"].(map[string]any) {
			gh[k] = x
		}
		gh["action_path"] = sc.action.Dir
		gh["action_repository"] = sc.actionRepo
		gh["action_ref"] = sc.actionRef
		v["github"] = gh
	} else {
		v["inputs"] = map[string]any{}
	}
	if _, ok := v["matrix"]; !ok {
		v["matrix"] = map[string]any{}
	}
	if _, ok := v["strategy"]; !ok {
		v["strategy"] = map[string]any{"job-index": float64(0), "job-total": float64(1)}
	}
	if _, ok := v["needs"]; !ok {
		v["needs"] = map[string]any{}
	}
	return &Context{Values: v, Failed: sc.failed}
}

// envContext is the env context of a step: the workflow's, the job's and
// what $GITHUB_ENV exported (the step's own env: is added by the caller).
func (jb *job) envContext(sc *scope) (map[string]string, error) {
	env := map[string]string{}
	for _, layer := range [][]KV{jb.workflowE, jb.jobE} {
		for _, kv := range layer {
			v, err := jb.context(sc, env).Interpolate(kv.Value)
			if err != nil {
				return nil, err
			}
			env[kv.Key] = v
		}
	}
	for k, v := range jb.res.Env {
		env[k] = v
	}
	return env, nil
}

func (jb *job) logf(format string, args ...any) { fmt.Fprintf(&jb.log, format+"\n", args...) }

// runSteps runs steps in sc; it returns the first failure.
func (jb *job) runSteps(steps []Step, sc *scope) error {
	var first error
	for i, st := range steps {
		id := st.ID
		if id == "" {
			id = fmt.Sprintf("__%d", i)
		}
		env, err := jb.envContext(sc)
		if err != nil {
			return err
		}
		ctx := jb.context(sc, env)
		ok, err := ctx.Condition(st.If)
		if err != nil {
			err = fmt.Errorf("step %q: if: %w", st.Label(), err)
			sc.failed = true
			if first == nil {
				first = err
			}
			continue
		}
		sr := &StepResult{Outputs: map[string]string{}}
		if !ok {
			sr.Outcome, sr.Conclusion = "skipped", "skipped"
			jb.logf("-- skip %s", st.Label())
		} else {
			jb.logf("-- run %s", st.Label())
			err = jb.runStep(st, sc, env, sr)
			sr.Outcome, sr.Conclusion = "success", "success"
			if err != nil {
				jb.logf("   failed: %v", err)
				sr.Outcome = "failure"
				if !st.ContinueOnError {
					sr.Conclusion = "failure"
					sc.failed = true
					if first == nil {
						first = fmt.Errorf("step %q: %w", st.Label(), err)
					}
				}
			}
		}
		outs := map[string]any{}
		for k, v := range sr.Outputs {
			outs[k] = v
		}
		sc.steps[id] = map[string]any{"outputs": outs, "outcome": sr.Outcome, "conclusion": sr.Conclusion}
		if sc.results != nil {
			sc.results[id] = sr
		}
	}
	return first
}

func (jb *job) runStep(st Step, sc *scope, env map[string]string, sr *StepResult) error {
	ctx := jb.context(sc, env)
	stepEnv := map[string]string{}
	for k, v := range env {
		stepEnv[k] = v
	}
	for _, kv := range st.Env {
		v, err := ctx.Interpolate(kv.Value)
		if err != nil {
			return fmt.Errorf("env %s: %w", kv.Key, err)
		}
		stepEnv[kv.Key] = v
	}
	if st.Run != "" || st.Uses == "" {
		return jb.runScript(st, sc, ctx, stepEnv, sr)
	}
	with := map[string]string{}
	for _, kv := range st.With {
		v, err := ctx.Interpolate(kv.Value)
		if err != nil {
			return fmt.Errorf("with %s: %w", kv.Key, err)
		}
		with[kv.Key] = v
	}
	return jb.runUses(st, sc, stepEnv, with, sr)
}

func (jb *job) runUses(st Step, sc *scope, env, with map[string]string, sr *StepResult) error {
	name, ref, _ := strings.Cut(st.Uses, "@")
	var dir, repo string
	switch {
	case strings.HasPrefix(name, "./") || name == "." || filepath.IsAbs(name):
		dir = name
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(jb.res.Workspace, name)
		}
	default:
		if stub, ok := jb.r.Stubs[name]; ok {
			se := &StepEnv{Job: jb.res, Env: map[string]string{}, Temp: jb.temp, Workspace: jb.res.Workspace, r: jb.r}
			for k, v := range jb.processEnv(env) {
				se.Env[k] = v
			}
			for k, v := range with {
				se.Env["INPUT_"+strings.ToUpper(strings.ReplaceAll(k, " ", "_"))] = v
			}
			outs, err := stub(se, with)
			for k, v := range outs {
				sr.Outputs[k] = v
			}
			return err
		}
		d, ok := jb.r.Composites[name]
		if !ok {
			return fmt.Errorf("uses %q: no stub or local copy of this action", st.Uses)
		}
		dir, repo = d, name
	}
	a, err := LoadAction(dir)
	if err != nil {
		return err
	}
	for k := range with {
		if _, ok := a.Input(k); !ok {
			return fmt.Errorf("uses %q: unexpected input %q; valid inputs are %s", st.Uses, k, inputNames(a))
		}
	}
	inner := &scope{steps: map[string]any{}, inputs: map[string]any{}, action: a, actionRepo: repo, actionRef: ref}
	for _, in := range a.Inputs {
		v, given := with[in.Name]
		if !given {
			v, err = jb.context(inner, env).Interpolate(in.Default)
			if err != nil {
				return fmt.Errorf("input %s default: %w", in.Name, err)
			}
		}
		inner.inputs[in.Name] = v
	}
	err = jb.runSteps(a.Steps, inner)
	ctx := jb.context(inner, env)
	for _, o := range a.Outputs {
		v, verr := ctx.Interpolate(o.Value)
		if verr != nil && err == nil {
			err = fmt.Errorf("output %s: %w", o.Name, verr)
		}
		sr.Outputs[o.Name] = v
	}
	for id, r := range inner.steps {
		if sc.results != nil && !strings.HasPrefix(id, "__") {
			m := r.(map[string]any)
			outs := map[string]string{}
			for k, v := range m["outputs"].(map[string]any) {
				outs[k] = v.(string)
			}
			sc.results[st.ID+"/"+id] = &StepResult{Outputs: outs, Outcome: m["outcome"].(string), Conclusion: m["conclusion"].(string)}
		}
	}
	if err == nil && inner.failed {
		err = errors.New("a step of the composite action failed")
	}
	return err
}

func inputNames(a *Action) string {
	var s []string
	for _, in := range a.Inputs {
		s = append(s, strconv.Quote(in.Name))
	}
	return strings.Join(s, ", ")
}

// processEnv is the environment of a step's process: the machine's, the
// runner's variables, then the contexts' env.
func (jb *job) processEnv(env map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range jb.r.BaseEnv {
		out[k] = v
	}
	gh := jb.base["github"].(map[string]any)
	str := func(k string) string { return toString(gh[k]) }
	out["CI"] = "true"
	out["GITHUB_ACTIONS"] = "true"
	out["GITHUB_WORKSPACE"] = jb.res.Workspace
	out["GITHUB_JOB"] = jb.res.JobID
	for _, k := range []string{"run_id", "run_number", "run_attempt", "workflow", "repository", "repository_owner", "sha", "ref", "ref_name", "head_ref", "base_ref", "event_name", "actor", "server_url", "api_url"} {
		out["GITHUB_"+strings.ToUpper(k)] = str(k)
	}
	out["RUNNER_OS"] = jb.r.OS
	out["RUNNER_ARCH"] = jb.r.Arch
	out["RUNNER_TEMP"] = jb.temp
	out["RUNNER_TOOL_CACHE"] = jb.tool
	for k, v := range env {
		out[k] = v
	}
	if len(jb.res.Paths) > 0 {
		out["PATH"] = strings.Join(jb.res.Paths, string(os.PathListSeparator)) + string(os.PathListSeparator) + out["PATH"]
	}
	return out
}

func (jb *job) runScript(st Step, sc *scope, ctx *Context, env map[string]string, sr *StepResult) error {
	script, err := ctx.Interpolate(st.Run)
	if err != nil {
		return err
	}
	shell := st.Shell
	if shell == "" {
		shell = jb.shell
	}
	var argv []string
	switch shell {
	case "bash":
		argv = []string{"bash", "--noprofile", "--norc", "-eo", "pipefail"}
	case "", "sh":
		argv = []string{"bash", "-e"}
		if shell == "sh" {
			argv = []string{"sh", "-e"}
		}
	default:
		return fmt.Errorf("shell %q is not supported by the harness", shell)
	}
	jb.fileSeq++
	n := jb.fileSeq
	files := map[string]string{}
	for _, f := range []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_STATE"} {
		p := filepath.Join(jb.temp, "_runner_file_commands", fmt.Sprintf("%s_%d", strings.ToLower(f), n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			return err
		}
		files[f] = p
	}
	sp := filepath.Join(jb.temp, fmt.Sprintf("step%d.sh", n))
	if err := os.WriteFile(sp, []byte(script), 0o644); err != nil {
		return err
	}
	penv := jb.processEnv(env)
	for k, v := range files {
		penv[k] = v
	}
	if sc.action != nil {
		penv["GITHUB_ACTION_PATH"] = sc.action.Dir
		penv["GITHUB_ACTION_REPOSITORY"] = sc.actionRepo
		penv["GITHUB_ACTION_REF"] = sc.actionRef
	}
	dir := jb.res.Workspace
	if st.WorkingDirectory != "" {
		wd, err := ctx.Interpolate(st.WorkingDirectory)
		if err != nil {
			return err
		}
		if filepath.IsAbs(wd) {
			dir = wd
		} else {
			dir = filepath.Join(dir, wd)
		}
	}
	cmd := exec.Command(argv[0], append(argv[1:], sp)...)
	cmd.Dir = dir
	cmd.Env = envList(penv)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	runErr := cmd.Run()
	jb.log.Write(out.Bytes())
	jb.annotations(out.String())

	if err := readFileCommand(files["GITHUB_OUTPUT"], sr.Outputs); err != nil {
		return err
	}
	exported := map[string]string{}
	if err := readFileCommand(files["GITHUB_ENV"], exported); err != nil {
		return err
	}
	for k, v := range exported {
		if strings.EqualFold(k, "NODE_OPTIONS") {
			return errors.New("$GITHUB_ENV: setting NODE_OPTIONS is not allowed")
		}
		jb.res.Env[k] = v
	}
	if data, err := os.ReadFile(files["GITHUB_PATH"]); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if l = strings.TrimRight(l, "\r"); l != "" {
				jb.res.Paths = append([]string{l}, jb.res.Paths...)
			}
		}
	}
	if data, err := os.ReadFile(files["GITHUB_STEP_SUMMARY"]); err == nil {
		if len(data) > 1<<20 {
			return fmt.Errorf("$GITHUB_STEP_SUMMARY is %d bytes, over the 1 MiB a step may write", len(data))
		}
		jb.res.Summary += string(data)
	}
	if runErr != nil {
		var ee *exec.ExitError
		if errors.As(runErr, &ee) {
			return fmt.Errorf("process completed with exit code %d", ee.ExitCode())
		}
		return runErr
	}
	return nil
}

// annotations records the workflow commands ::error, ::warning, ::notice.
func (jb *job) annotations(out string) {
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := sc.Text()
		for _, lvl := range []string{"error", "warning", "notice"} {
			if !strings.HasPrefix(l, "::"+lvl) {
				continue
			}
			rest := strings.TrimPrefix(l, "::"+lvl)
			props, msg, ok := strings.Cut(rest, "::")
			if !ok {
				continue
			}
			a := Annotation{Level: lvl, Message: msg}
			for _, p := range strings.Split(strings.TrimSpace(props), ",") {
				if k, v, ok := strings.Cut(p, "="); ok && k == "title" {
					a.Title = v
				}
			}
			jb.res.Annotations = append(jb.res.Annotations, a)
		}
	}
}

// readFileCommand parses a $GITHUB_OUTPUT or $GITHUB_ENV file: name=value
// lines and name<<DELIMITER blocks.
func readFileCommand(path string, into map[string]string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l == "" {
			continue
		}
		eq := strings.Index(l, "=")
		hd := strings.Index(l, "<<")
		if hd >= 0 && (eq < 0 || hd < eq) {
			name, delim := l[:hd], l[hd+2:]
			if name == "" || delim == "" {
				return fmt.Errorf("%s:%d: invalid heredoc %q", path, i+1, l)
			}
			var val []string
			j := i + 1
			for ; j < len(lines) && lines[j] != delim; j++ {
				val = append(val, lines[j])
			}
			if j == len(lines) {
				return fmt.Errorf("%s:%d: matching delimiter %q not found", path, i+1, delim)
			}
			into[name] = strings.Join(val, "\n")
			i = j
			continue
		}
		if eq <= 0 {
			return fmt.Errorf("%s:%d: invalid format %q", path, i+1, l)
		}
		into[l[:eq]] = l[eq+1:]
	}
	return nil
}

func envList(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, k+"="+m[k])
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
