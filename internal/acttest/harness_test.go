package acttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/xshard/xshard/internal/testenv"
	"go.yaml.in/yaml/v3"
)

// repoRoot is the repository's root, where action.yml lives.
var repoRoot = func() string {
	p, err := filepath.Abs("../..")
	if err != nil {
		panic(err)
	}
	return p
}()

// scratch is this test process's own directory: the clean copy of the
// action and the seeded store live there for every test to share.
var scratch string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "xshard-acttest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	scratch = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// A Run is one act run of one workflow, as a test describes it. Adding a
// run is a few lines: a workflow, the directory it runs on, and what it
// needs beyond that (docs/act.md).
type Run struct {
	// Workflow is the workflow file, relative to the repository root (or
	// absolute). Its copy in the run's repository is edited by Edit.
	Workflow string
	// Source is the directory, relative to the repository root, whose
	// files (tracked or not ignored by git) become the repository the
	// workflow runs on and checks out: "." is this repository, "" an
	// empty one.
	Source string
	// Event is act's event ("push" when empty); EventJSON, when not
	// empty, is its payload (act -e), e.g. for workflow_run.
	Event     string
	EventJSON string
	// Env is added to the environment of act and of every step (and to
	// the env context, with --env).
	Env map[string]string
	// Secrets are act's secrets (-s): GITHUB_TOKEN is github.token.
	Secrets map[string]string
	// Path is put first on every step's PATH (fakes of host commands).
	Path []string
	// HostNetwork runs act in the host's network namespace, for a server
	// that the test itself starts on loopback (a ghfake.Server, say),
	// which an isolated run cannot reach. Such a run is offline by its
	// settings only.
	HostNetwork bool
	// Services are started, each in the background, inside the run's
	// network namespace before act, and stopped after it.
	Services []Service
	// Edit changes the test's copy of the workflow, after the worker
	// identity is passed (see passWorkerIdentity).
	Edit func(t *testing.T, wf *yaml.Node)
	// Prepare changes the repository before it is committed.
	Prepare func(t *testing.T, dir string)
	// Store is the stand-ins' store (caches and artifacts) to use: runs
	// that share a store see each other's caches. Empty: a new store that
	// holds only the xshard binary's cache entry, as the action saved it
	// in the seed run (seed).
	Store string
	// Unseeded leaves a new store empty, so the action finds no binary.
	Unseeded bool
	// Action is the directory that xshard/xshard@v1 stands for: a clean
	// copy of this repository when empty.
	Action string
	// Repository is what act reads as github.repository (octo/app when
	// empty; xshard/xshard for Source ".").
	Repository string
	// RunID, when not 0, is the run's GITHUB_RUN_ID, that of an earlier
	// Result for another attempt of that run (Attempt), which then sees
	// that run's artifacts in the store as GitHub keeps them. 0: a new id.
	RunID int64
	// Attempt is GITHUB_RUN_ATTEMPT (act's default, 1, when 0).
	Attempt int
	// Matrix, when not empty, runs only the matrix combinations with
	// these values (act --matrix key:value), with the workflow unchanged:
	// an edit would change the commit, which a re-run keeps.
	Matrix map[string]string
}

// A Service is a server a run needs, such as a loopback redis-server. It
// runs inside the run's network namespace, so its fixed Port cannot clash
// with another run's; act starts once Port accepts connections.
type Service struct {
	Name    string
	Command []string
	Port    int
}

// runIDs gives every run its own GITHUB_RUN_ID: act's default is 1 for
// every run, and artifact paths and cache keys contain it.
var runIDs atomic.Int64

func init() { runIDs.Store(9000) }

// Run runs r under act and returns what happened. It fails the test only
// when act could not run at all; the caller judges the result. When the
// test fails, the log of the jobs that failed is printed.
func (r Run) Run(t *testing.T) *Result {
	t.Helper()
	act := needAct(t)
	if r.Store == "" {
		r.Store = newStore(t, !r.Unseeded)
	}
	if r.Action == "" {
		r.Action = actionCopy(t)
	}
	res, err := r.execute(t.Context(), act, t.TempDir(), t)
	if err != nil {
		t.Fatalf("act %s: %v", r.Workflow, err)
	}
	t.Logf("act %s (run %d, attempt %d): exit %d in %v, %v of CPU", r.Workflow, res.RunID, max(r.Attempt, 1), res.Code, res.Duration.Round(time.Millisecond), res.CPU.Round(time.Millisecond))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("act log of %s (run %d), jobs that did not succeed:\n%s", r.Workflow, res.RunID, res.FailedLog(300))
		}
	})
	return res
}

// execute runs r with scratch directory dir; t, when not nil, receives
// the edits of the workflow.
func (r Run) execute(ctx context.Context, act, dir string, t *testing.T) (*Result, error) {
	repo := filepath.Join(dir, "repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		return nil, err
	}
	if r.Source != "" {
		if err := copyTracked(r.Source, repo); err != nil {
			return nil, err
		}
	}
	wfName := filepath.Base(r.Workflow)
	wfPath := filepath.Join(repo, ".github", "workflows", wfName)
	src := r.Workflow
	if !filepath.IsAbs(src) {
		src = filepath.Join(repoRoot, src)
	}
	data, err := editWorkflow(t, src, r.Edit)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(wfPath), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(wfPath, data, 0o644); err != nil {
		return nil, err
	}
	if r.Prepare != nil {
		r.Prepare(t, repo)
	}
	repository := r.Repository
	if repository == "" {
		repository = "octo/app"
		if r.Source == "." {
			repository = "xshard/xshard"
		}
	}
	if err := commitAll(repo, repository); err != nil {
		return nil, err
	}

	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, err
	}
	id := r.RunID
	if id == 0 {
		id = runIDs.Add(1)
	}
	event := r.Event
	if event == "" {
		event = "push"
	}
	args := []string{event, "--json",
		"-C", repo, "-W", wfPath,
		"-P", "ubuntu-latest=-self-hosted", "--pull=false",
		// All four matrix jobs at once, as on GitHub (act defaults to one a
		// core); the tests mostly wait.
		"--concurrent-jobs", "4",
		"--no-cache-server", "--artifact-server-addr", "127.0.0.1", "--cache-server-addr", "127.0.0.1",
		"--action-cache-path", filepath.Join(dir, "act"),
		"--env", "GITHUB_RUN_ID=" + strconv.FormatInt(id, 10),
		"--env", "GITHUB_RUN_ATTEMPT=" + strconv.Itoa(max(r.Attempt, 1)),
		"--local-repository", "xshard/xshard@v1=" + r.Action,
	}
	for _, k := range sortedKeys(r.Matrix) {
		args = append(args, "--matrix", k+":"+r.Matrix[k])
	}
	for _, pin := range sortedKeys(standIns) {
		args = append(args, "--local-repository", pin+"="+filepath.Join(standInDir, standIns[pin]))
	}
	if r.EventJSON != "" {
		p := filepath.Join(dir, "event.json")
		if err := os.WriteFile(p, []byte(r.EventJSON), 0o644); err != nil {
			return nil, err
		}
		args = append(args, "-e", p)
	}
	env := baseEnv(home, r.Store)
	env[0] = "PATH=" + strings.Join(append(append([]string{}, r.Path...), os.Getenv("PATH")), string(os.PathListSeparator))
	for _, k := range sortedKeys(r.Env) {
		env = append(env, k+"="+r.Env[k])
		args = append(args, "--env", k+"="+r.Env[k])
	}
	for _, k := range sortedKeys(r.Secrets) {
		// Not in act's environment, which every step inherits: a secret
		// reaches a step only where the workflow passes it.
		args = append(args, "-s", k+"="+r.Secrets[k])
	}

	wrapper, err := writeWrapper(dir, r.Services)
	if err != nil {
		return nil, err
	}
	iso := isolation()
	prefix, netns := iso.command(!r.HostNetwork)
	if len(r.Services) > 0 && !netns {
		return nil, fmt.Errorf("services need a network namespace of their own: %s", iso.netWhy)
	}
	argv := append(append(append([]string{}, prefix...), "bash", wrapper, act), args...)

	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(env, "XSHARD_ACT_ISOLATED="+strconv.FormatBool(netns), "XSHARD_ACT_NO_TERMINAL="+strconv.FormatBool(iso.mount))
	cmd.Dir = repo
	cmd.Stdin = nil // act reads /dev/null
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	start := time.Now()
	runErr := cmd.Run()
	res := &Result{RunID: id, Store: r.Store, Repo: repo, Duration: time.Since(start), Stderr: stderr.String()}
	if cmd.ProcessState != nil {
		// act's and every step's, as their processes were reaped.
		res.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	var exit *exec.ExitError
	switch {
	case runErr == nil:
	case errors.As(runErr, &exit) && ctx.Err() == nil:
		res.Code = exit.ExitCode()
	default:
		if ctx.Err() != nil {
			runErr = fmt.Errorf("%v (%v)", runErr, ctx.Err())
		}
		return nil, fmt.Errorf("%v\n%s", runErr, tail(stderr.String(), 40))
	}
	if res.Code == wrapperFailed {
		return nil, fmt.Errorf("the run's wrapper failed:\n%s", tail(stderr.String(), 40))
	}
	if keep := os.Getenv("XSHARD_ACT_LOGS"); keep != "" {
		// For a look at act's own log: one file a run.
		p := filepath.Join(keep, fmt.Sprintf("%d-%s.json", id, strings.TrimSuffix(wfName, filepath.Ext(wfName))))
		if err := os.MkdirAll(keep, 0o755); err == nil {
			os.WriteFile(p, stdout.Bytes(), 0o644)
		}
	}
	if err := res.parse(stdout.Bytes()); err != nil {
		return nil, err
	}
	return res, nil
}

// wrapperFailed is the wrapper's exit code when it could not set up the
// network namespace or a service.
const wrapperFailed = 97

// writeWrapper writes the script that act runs under: it brings loopback
// up in an isolated run, takes the terminal away from act (see
// isolation), starts the services and waits for their ports, runs act
// with stdin from /dev/null, and stops the services.
func writeWrapper(dir string, services []Service) (string, error) {
	var b strings.Builder
	b.WriteString("set -u\n")
	fmt.Fprintf(&b, "if [ \"$XSHARD_ACT_ISOLATED\" = true ]; then ip link set lo up || exit %d; fi\n", wrapperFailed)
	fmt.Fprintf(&b, "if [ \"$XSHARD_ACT_NO_TERMINAL\" = true ]; then mount --bind /dev/null /dev/ptmx || exit %d; fi\n", wrapperFailed)
	b.WriteString("pids=()\n")
	b.WriteString("stop() { if [ ${#pids[@]} -gt 0 ]; then kill \"${pids[@]}\" 2>/dev/null; wait \"${pids[@]}\" 2>/dev/null; fi; }\n")
	for _, s := range services {
		quoted := make([]string, len(s.Command))
		for i, a := range s.Command {
			quoted[i] = shellQuote(a)
		}
		fmt.Fprintf(&b, "%s >%s 2>&1 &\npids+=($!)\n", strings.Join(quoted, " "), shellQuote(filepath.Join(dir, "service-"+s.Name+".log")))
		fmt.Fprintf(&b, "for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/%d) 2>/dev/null && break; sleep 0.05; done\n", s.Port)
		fmt.Fprintf(&b, "(exec 3<>/dev/tcp/127.0.0.1/%d) 2>/dev/null || { echo %s >&2; stop; exit %d; }\n",
			s.Port, shellQuote(fmt.Sprintf("service %s: nothing listens on 127.0.0.1:%d after 10s", s.Name, s.Port)), wrapperFailed)
	}
	b.WriteString("\"$@\" </dev/null\ncode=$?\nstop\nexit \"$code\"\n")
	p := filepath.Join(dir, "wrapper.sh")
	return p, os.WriteFile(p, []byte(b.String()), 0o755)
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// baseEnv is the environment act and the steps start from: not the test's
// own (no XSHARD_* or CI settings leak in), but the host's tools and
// caches, offline: Go with its module cache as the only proxy, npm from
// its cache, pip without an index. PATH comes first, for the caller to
// extend.
func baseEnv(home, store string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"LANG=C.UTF-8",
		"GOTOOLCHAIN=local",
		"npm_config_cache=" + npmCache(),
		"npm_config_offline=true",
		"npm_config_audit=false",
		"npm_config_fund=false",
		"npm_config_update_notifier=false",
		"PIP_NO_INDEX=1",
		"PIP_DISABLE_PIP_VERSION_CHECK=1",
		"ACT_STANDIN_STORE=" + store,
	}
	// The host's Go settings and caches: a temporary HOME would hide them.
	// The module cache is the only proxy (GOPROXY=off would also refuse
	// the version lookups of go run pkg@version, which lint-actions.sh
	// uses for actionlint).
	goEnv := hostGoEnv()
	for _, k := range sortedKeys(goEnv) {
		env = append(env, k+"="+goEnv[k])
	}
	proxy := "off"
	if mc := goEnv["GOMODCACHE"]; mc != "" {
		proxy = "file://" + filepath.ToSlash(filepath.Join(mc, "cache", "download"))
	}
	env = append(env, "GOPROXY="+proxy)
	// Debian's interpreter, where python3-pytest is installed (a python3
	// earlier on PATH, such as pyenv's, may lack it).
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		env = append(env, "ACT_STANDIN_PYTHON=/usr/bin/python3")
	}
	return env
}

var hostGoEnv = sync.OnceValue(func() map[string]string {
	keys := []string{"GOENV", "GOPATH", "GOMODCACHE", "GOCACHE"}
	out, err := exec.Command("go", append([]string{"env"}, keys...)...).Output()
	m := map[string]string{}
	if err != nil {
		return m
	}
	for i, v := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if i < len(keys) && v != "" {
			m[keys[i]] = v
		}
	}
	return m
})

func npmCache() string {
	if c := os.Getenv("npm_config_cache"); c != "" {
		return c
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".npm")
}

// The isolation of the runs, where the machine allows it (root, or
// unprivileged user namespaces: unshare, with -r when not root):
//
//   - a network namespace of their own where only loopback is up
//     (unshare -n), unless a run asks for the host's network;
//   - a mount namespace (unshare -m) where /dev/ptmx is /dev/null, so that
//     act cannot open a terminal for the steps. In host mode act runs each
//     step on a pseudo-terminal and, when the step exits non-zero, closes
//     the terminal without reading what is left in it
//     (HostEnvironment.exec in act's pkg/container: the error return comes
//     before it waits for its copy of the output), so the last lines of a
//     step that fails within milliseconds, such as the ::error just before
//     the exit, were lost about one run in four. Without a terminal act
//     falls back to pipes, and exec.Cmd.Wait returns only after all the
//     output is copied. GitHub's runner gives steps pipes too, never a
//     terminal.
type isolated struct {
	user   []string // the unshare prefix for the namespaces, before -n or -m
	net    bool     // runs can have a network namespace of their own
	netWhy string   // why not
	mount  bool     // runs get no terminal
	why    string   // why not
}

// command returns the prefix a run's wrapper runs under, and whether it
// has its own network namespace (when ownNet asks for one and the machine
// allows it).
func (iso isolated) command(ownNet bool) (prefix []string, netns bool) {
	var flags []string
	if iso.mount {
		flags = append(flags, "-m")
	}
	if ownNet && iso.net {
		flags = append(flags, "-n")
		netns = true
	}
	if len(flags) == 0 {
		return nil, false
	}
	return append(append(append([]string{}, iso.user...), flags...), "--"), netns
}

var isolation = sync.OnceValue(func() isolated {
	iso := isolated{user: []string{"unshare"}}
	if os.Geteuid() != 0 {
		iso.user = []string{"unshare", "-r"}
	}
	try := func(flag string, script string) (bool, string) {
		argv := append(append(append([]string{}, iso.user...), flag, "--"), "bash", "-c", script)
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			return false, fmt.Sprintf("%s %s: %v %s", strings.Join(argv[:len(argv)-1], " "), script, err, bytes.TrimSpace(out))
		}
		return true, ""
	}
	iso.net, iso.netWhy = try("-n", "ip link set lo up")
	iso.mount, iso.why = try("-m", "mount --bind /dev/null /dev/ptmx")
	return iso
})

func TestIsolation(t *testing.T) {
	iso := isolation()
	if !iso.mount {
		// Only CI needs every run's output for certain.
		msg := fmt.Sprintf("act runs steps on a terminal, which can lose the last output of a step that fails at once: %s", iso.why)
		if os.Getenv("XSHARD_REQUIRE_ACT") == "1" {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
	if !iso.net {
		t.Skipf("act runs share the host's network (offline by their settings only): %s", iso.netWhy)
	}
	// In the namespace, nothing but loopback is reachable.
	prefix, _ := iso.command(true)
	cmd := exec.Command(prefix[0], append(prefix[1:], "bash", "-c",
		"ip link set lo up && (exec 3<>/dev/tcp/127.0.0.1/9) 2>&1; (exec 3<>/dev/tcp/192.0.2.1/443) 2>&1; true")...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Connection refused") || !strings.Contains(string(out), "Network is unreachable") {
		t.Errorf("in the runs' namespace, want loopback refused and other networks unreachable, got:\n%s", out)
	}
}

// needAct returns the act binary, or skips the test (fails it with
// XSHARD_REQUIRE_ACT=1) when the pinned version is not installed. A
// XSHARD_ACT that names no act of that version fails the test.
func needAct(t testing.TB) string {
	t.Helper()
	version, err := pinnedActVersion()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := findAct()
	if err != nil && os.Getenv("XSHARD_ACT") != "" {
		t.Fatal(err)
	}
	if err != nil {
		testenv.Missing(t, "act "+version, "XSHARD_REQUIRE_ACT", "make act, or set XSHARD_ACT to its path")
	}
	return bin
}

var findAct = sync.OnceValues(func() (string, error) {
	version, err := pinnedActVersion()
	if err != nil {
		return "", err
	}
	want := "act version " + strings.TrimPrefix(version, "v")
	check := func(p string) error {
		out, err := exec.Command(p, "--version").Output()
		if err != nil {
			return fmt.Errorf("%s --version: %v", p, err)
		}
		if got := strings.TrimSpace(string(out)); got != want {
			return fmt.Errorf("%s is %q, want %q (tools/act/go.mod)", p, got, want)
		}
		return nil
	}
	if p := os.Getenv("XSHARD_ACT"); p != "" {
		if err := check(p); err != nil {
			return "", fmt.Errorf("XSHARD_ACT: %v", err)
		}
		return p, nil
	}
	// Where scripts/install-act.sh puts it, then PATH.
	dir := os.Getenv("XSHARD_TOOLS_DIR")
	if dir == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, _ := os.UserHomeDir()
			cache = filepath.Join(home, ".cache")
		}
		dir = filepath.Join(cache, "xshard-tools")
	}
	candidates := []string{filepath.Join(dir, "act-"+version, "act")}
	if p, err := exec.LookPath("act"); err == nil {
		candidates = append(candidates, p)
	}
	for _, p := range candidates {
		if check(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("act %s is not installed: `make act` builds it (scripts/install-act.sh), or set XSHARD_ACT to its path", version)
})

// pinnedActVersion reads the act version that tools/act/go.mod requires.
func pinnedActVersion() (string, error) {
	p := filepath.Join(repoRoot, "tools", "act", "go.mod")
	data, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == "github.com/nektos/act" {
			return f[1], nil
		}
	}
	return "", fmt.Errorf("%s does not require github.com/nektos/act", p)
}

// copyTracked copies the files of src (relative to the repository root)
// that git tracks or does not ignore, as a checkout would have them.
func copyTracked(src, dst string) error {
	return copyTrackedIf(src, dst, nil)
}

// copyTrackedIf is copyTracked of the files keep accepts (all when nil),
// given their path relative to the repository root.
func copyTrackedIf(src, dst string, keep func(string) bool) error {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", src)
	cmd.Dir = repoRoot
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("git ls-files %s: %v (the tests copy the repository's files with git)", src, err)
	}
	prefix := ""
	if src != "." {
		prefix = filepath.ToSlash(filepath.Clean(src)) + "/"
	}
	for _, f := range strings.Split(string(out), "\x00") {
		if f == "" || keep != nil && !keep(f) {
			continue
		}
		from := filepath.Join(repoRoot, f)
		info, err := os.Lstat(from)
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted in the work tree
		}
		if err != nil {
			return err
		}
		to := filepath.Join(dst, strings.TrimPrefix(f, prefix))
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if info.Mode()&os.ModeSymlink != 0 {
			target, err := os.Readlink(from)
			if err != nil {
				return err
			}
			if err := os.Symlink(target, to); err != nil {
				return err
			}
			continue
		}
		if err := copyFile(from, to, info.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(from, to string, perm os.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// copyTree copies a directory, hard-linking files where it can (the store's
// entries are never written to after they are complete).
func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if err := os.Link(p, target); err == nil {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return copyFile(p, target, info.Mode().Perm())
	})
}

// commitAll makes dir a git repository on branch main with one commit and
// an origin on GitHub, which act reads for the github context.
func commitAll(dir, repository string) error {
	steps := [][]string{
		{"init", "-q", "-b", "main"},
		{"remote", "add", "origin", "https://github.com/" + repository + ".git"},
		{"add", "-A"},
		{"-c", "user.name=xshard", "-c", "user.email=xshard@example.com", "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", "the run's repository"},
		// One pack instead of a loose object a file: act copies .git
		// too, for every job that checks out, a file at a time.
		{"gc", "-q"},
	}
	for _, s := range steps {
		cmd := exec.Command("git", s...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v\n%s", strings.Join(s, " "), err, out)
		}
	}
	return nil
}

// actionCopy is what xshard/xshard@v1 stands for, copied once per test
// process: the files the action reads, as a clean clone has them:
// action.yml and the Go source of its binaries, without tests and
// testdata, the very files whose hash keys the binary's cache entry. act
// tars the whole directory for every job and stage that uses the action,
// so the rest of the repository would only slow every job down.
func actionCopy(t testing.TB) string {
	t.Helper()
	dir, err := actionCopyOnce()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

var actionCopyOnce = sync.OnceValues(func() (string, error) {
	dir := filepath.Join(scratch, "action")
	return dir, copyTrackedIf(".", dir, actionFile)
})

// actionFile reports whether the action reads the file at path.
func actionFile(path string) bool {
	switch path {
	case "action.yml", "go.mod", "go.sum":
		return true
	}
	if !strings.HasPrefix(path, "cmd/") && !strings.HasPrefix(path, "internal/") {
		return false
	}
	return !strings.HasSuffix(path, "_test.go") && !strings.Contains(path, "/testdata/")
}

// newStore returns a new stand-in store; seeded, it holds the cache entry
// of the xshard binary that the seed run's action saved.
func newStore(t *testing.T, seeded bool) string {
	t.Helper()
	store := filepath.Join(t.TempDir(), "store")
	if !seeded {
		return store
	}
	s := seed(t)
	if err := copyTree(filepath.Join(s.store, "cache"), filepath.Join(store, "cache")); err != nil {
		t.Fatal(err)
	}
	return store
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("... %d lines before", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
