package acttest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A Result is what act reported of one run, read from its JSON log
// (act --json): one object a line, with the job, the matrix, the step's
// id path and, for workflow commands, the command and its arguments.
type Result struct {
	RunID    int64
	Code     int    // act's exit code: 0 when every job succeeded
	Store    string // the stand-ins' store the run used
	Repo     string // the repository the run ran on
	Duration time.Duration
	CPU      time.Duration // user and system time of act and its steps
	Stderr   string
	Jobs     []*Job // in the order act started them
	lines    []string
}

// A Job is one job of a run: one per matrix combination.
type Job struct {
	ID     string         // the job's id in the workflow
	Name   string         // act's name for it, such as test/test-1
	Matrix map[string]any // the matrix combination
	// Result is success or failure, or empty for a job that never ran. It
	// is the job's own outcome: act logs one result for a whole matrix
	// (the first failure marks the jobs that end after it), so a matrix
	// job's result here is read from its steps.
	Result string
	// Outputs holds every step's outputs by the step's id path: "shard"
	// for the workflow step with id shard, "shard/prep" for the step
	// with id prep inside the action it runs.
	Outputs map[string]map[string]string
	// Steps holds every step's result (success, failure, skipped) by the
	// same path; steps without an id are numbered by act.
	Steps map[string]string
	// Env and Paths are what the steps added to $GITHUB_ENV and
	// $GITHUB_PATH, in order.
	Env   map[string]string
	Paths []string
	// Summary is what the steps wrote to $GITHUB_STEP_SUMMARY (act deletes
	// the file at the end of the job and logs its content).
	Summary     string
	Annotations []Annotation
	// Log is the job's log as text.
	Log []string

	actResult  string // the result act logged
	stepFailed bool   // a step of the job (not of an action in it) failed
}

// An Annotation is an ::error, ::warning or ::notice workflow command.
type Annotation struct {
	Level   string // error, warning or notice
	Title   string
	File    string
	Line    string
	Message string
}

func (a Annotation) String() string {
	return fmt.Sprintf("%s title=%q file=%q line=%s: %s", a.Level, a.Title, a.File, a.Line, a.Message)
}

// logEntry is one line of act's JSON log.
type logEntry struct {
	Job        string            `json:"job"`
	JobID      string            `json:"jobID"`
	Matrix     map[string]any    `json:"matrix"`
	Level      string            `json:"level"`
	Msg        string            `json:"msg"`
	Stage      string            `json:"stage"`
	StepID     []string          `json:"stepID"`
	StepIDOld  []string          `json:"stepid"` // act's spelling for "Set up job"
	StepResult string            `json:"stepResult"`
	JobResult  string            `json:"jobResult"`
	Command    string            `json:"command"`
	Name       string            `json:"name"`
	Arg        string            `json:"arg"`
	Content    string            `json:"content"`
	KV         map[string]string `json:"kvPairs"`
	RawOutput  bool              `json:"raw_output"`
}

func (r *Result) parse(log []byte) error {
	jobs := map[string]*Job{}
	sc := bufio.NewScanner(bytes.NewReader(log))
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e logEntry
		if err := json.Unmarshal(line, &e); err != nil {
			// act prints a few lines that are not JSON (its final error).
			r.lines = append(r.lines, string(line))
			continue
		}
		if e.Job == "" {
			r.lines = append(r.lines, e.Msg)
			continue
		}
		j := jobs[e.Job]
		if j == nil {
			j = &Job{ID: e.JobID, Name: e.Job, Matrix: e.Matrix, Outputs: map[string]map[string]string{}, Steps: map[string]string{}, Env: map[string]string{}}
			jobs[e.Job] = j
			r.Jobs = append(r.Jobs, j)
		}
		text := strings.TrimRight(e.Msg, "\n")
		j.Log = append(j.Log, text)
		r.lines = append(r.lines, "["+e.Job+"] "+text)
		if e.StepID == nil {
			e.StepID = e.StepIDOld
		}
		path := strings.Join(e.StepID, "/")
		switch e.Command {
		case "set-output":
			if j.Outputs[path] == nil {
				j.Outputs[path] = map[string]string{}
			}
			j.Outputs[path][e.Name] = e.Arg
		case "set-env":
			j.Env[e.Name] = e.Arg
		case "add-path":
			j.Paths = append(j.Paths, e.Arg)
		case "summary":
			j.Summary += e.Content
		case "error", "warning", "notice":
			j.Annotations = append(j.Annotations, Annotation{Level: e.Command, Title: e.KV["title"], File: e.KV["file"], Line: e.KV["line"], Message: e.Arg})
		}
		if e.StepResult != "" && (e.Stage == "Main" || e.Stage == "") {
			j.Steps[path] = e.StepResult
		}
		if e.StepResult == "failure" && len(e.StepID) == 1 {
			j.stepFailed = true
		}
		if e.JobResult != "" {
			j.actResult = e.JobResult
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("act's log, line %d: %v", n, err)
	}
	for _, j := range r.Jobs {
		switch {
		case j.actResult == "":
		case j.stepFailed, j.actResult == "failure" && len(j.Matrix) == 0:
			j.Result = "failure"
		default:
			j.Result = "success"
		}
	}
	return nil
}

// JobsOf returns the jobs with the given id: matrix jobs in the order of
// their matrix's worker value when they have one, else of act's number
// for them (test-1, test-2, ...), which does not always follow the
// matrix.
func (r *Result) JobsOf(id string) []*Job {
	var out []*Job
	for _, j := range r.Jobs {
		if j.ID == id {
			out = append(out, j)
		}
	}
	order := func(j *Job) float64 {
		if w, ok := j.Matrix["worker"].(float64); ok {
			return w
		}
		return float64(jobNumber(j.Name))
	}
	sort.SliceStable(out, func(a, b int) bool { return order(out[a]) < order(out[b]) })
	return out
}

// Job returns the one job with the given id, or nil.
func (r *Result) Job(id string) *Job {
	js := r.JobsOf(id)
	if len(js) != 1 {
		return nil
	}
	return js[0]
}

func jobNumber(name string) int {
	i := strings.LastIndexByte(name, '-')
	n, err := strconv.Atoi(name[i+1:])
	if i < 0 || err != nil {
		return 0
	}
	return n
}

// Output returns the output of the step at path.
func (j *Job) Output(path, name string) string {
	return j.Outputs[path][name]
}

// Annotated reports whether the job has an annotation of the level whose
// title or message contains text.
func (j *Job) Annotated(level, text string) bool {
	for _, a := range j.Annotations {
		if a.Level == level && (strings.Contains(a.Title, text) || strings.Contains(a.Message, text)) {
			return true
		}
	}
	return false
}

// Logged reports whether a line of the job's log contains text.
func (j *Job) Logged(text string) bool {
	for _, l := range j.Log {
		if strings.Contains(l, text) {
			return true
		}
	}
	return false
}

// FailedLog is the log of the jobs that did not succeed (or the whole log
// when they all did), at most n lines a job.
func (r *Result) FailedLog(n int) string {
	var b strings.Builder
	for _, j := range r.Jobs {
		if j.Result == "success" {
			continue
		}
		fmt.Fprintf(&b, "--- %s (%s)\n%s\n", j.Name, orNone(j.Result), tail(strings.Join(j.Log, "\n"), n))
	}
	if b.Len() == 0 {
		b.WriteString(tail(strings.Join(r.lines, "\n"), n))
	}
	if r.Stderr != "" {
		fmt.Fprintf(&b, "--- act's stderr\n%s\n", tail(r.Stderr, 20))
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "did not run"
	}
	return s
}

// Artifacts lists the names of the run's artifacts in the store.
func (r *Result) Artifacts() []string {
	entries, _ := os.ReadDir(filepath.Join(r.Store, "artifacts", strconv.FormatInt(r.RunID, 10)))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// ArtifactFile returns a file of an artifact of the run.
func (r *Result) ArtifactFile(name, file string) ([]byte, error) {
	return os.ReadFile(filepath.Join(r.Store, "artifacts", strconv.FormatInt(r.RunID, 10), name, "files", file))
}

// CacheKeys lists the keys of the complete entries in a store's cache.
func CacheKeys(store string) []string {
	entries, _ := os.ReadDir(filepath.Join(store, "cache"))
	var keys []string
	for _, e := range entries {
		dir := filepath.Join(store, "cache", e.Name())
		if _, err := os.Stat(filepath.Join(dir, "complete")); err != nil {
			continue
		}
		k, err := os.ReadFile(filepath.Join(dir, "key"))
		if err == nil {
			keys = append(keys, string(k))
		}
	}
	sort.Strings(keys)
	return keys
}
