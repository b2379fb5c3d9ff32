package cli

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// ciIndex describes how one CI names the index and count of a parallel
// job. Documented in the README; the first whose variables are set wins.
type ciIndex struct {
	name, index, total string
	oneBased           bool
}

var ciIndexes = []ciIndex{
	{"xshard", "XSHARD_INDEX", "XSHARD_TOTAL", false},
	{"CircleCI", "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", false},
	{"GitLab CI", "CI_NODE_INDEX", "CI_NODE_TOTAL", true},
	{"Buildkite", "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", false},
	{"Semaphore", "SEMAPHORE_JOB_INDEX", "SEMAPHORE_JOB_COUNT", true},
	{"Azure Pipelines", "SYSTEM_JOBPOSITIONINPHASE", "SYSTEM_TOTALJOBSINPHASE", true},
}

// identity is the worker's place in the matrix.
type identity struct {
	index, total int
	source       string // where it came from, for messages
}

// resolveIdentity picks the worker's index and total from flags, then from
// the environment. index or total < 0 means the flag was not given; shard
// is "K/N" (1-based) or "".
func resolveIdentity(index, total int, shard string, getenv func(string) string) (identity, error) {
	if shard != "" {
		if index >= 0 || total >= 0 {
			return identity{}, fmt.Errorf("--shard cannot be combined with --index or --total")
		}
		k, n, ok := strings.Cut(shard, "/")
		ki, err1 := strconv.Atoi(k)
		ni, err2 := strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil {
			return identity{}, fmt.Errorf("invalid --shard %q: expected K/N with 1 <= K <= N, as in 2/4", shard)
		}
		return checkRange(identity{ki - 1, ni, "--shard"}, fmt.Sprintf("--shard %q", shard), true)
	}
	if index >= 0 || total >= 0 {
		if index < 0 || total < 0 {
			return identity{}, fmt.Errorf("--index and --total go together")
		}
		return checkRange(identity{index, total, "--index/--total"}, fmt.Sprintf("--index %d --total %d", index, total), false)
	}
	for _, ci := range ciIndexes {
		iv, tv := getenv(ci.index), getenv(ci.total)
		if iv == "" && tv == "" {
			continue
		}
		i, err1 := strconv.Atoi(strings.TrimSpace(iv))
		t, err2 := strconv.Atoi(strings.TrimSpace(tv))
		if err1 != nil || err2 != nil {
			return identity{}, fmt.Errorf("%s: $%s=%q and $%s=%q must both be integers", ci.name, ci.index, iv, ci.total, tv)
		}
		id := identity{i, t, fmt.Sprintf("$%s/$%s (%s)", ci.index, ci.total, ci.name)}
		if ci.oneBased {
			id.index = i - 1
		}
		return checkRange(id, fmt.Sprintf("$%s=%d $%s=%d", ci.index, i, ci.total, t), ci.oneBased)
	}
	return identity{}, fmt.Errorf("no worker identity: pass --index I --total N (0-based) or --shard K/N (1-based), or set $XSHARD_INDEX and $XSHARD_TOTAL; CircleCI, GitLab, Buildkite, Semaphore and Azure Pipelines are detected")
}

func checkRange(id identity, what string, oneBased bool) (identity, error) {
	if id.total < 1 {
		return identity{}, fmt.Errorf("%s: the worker count must be at least 1", what)
	}
	if id.index < 0 || id.index >= id.total {
		lo, hi := 0, id.total-1
		if oneBased {
			lo, hi = 1, id.total
		}
		return identity{}, fmt.Errorf("%s: index out of range (valid: %d..%d)", what, lo, hi)
	}
	return id, nil
}

// runInfo is what identifies one CI run, shared by all its workers.
type runInfo struct {
	testrunUID string
	// randomUID: no CI run and no XSHARD_TESTRUN_UID, so testrunUID was
	// made up and names this worker only; manifests leave it out, so
	// that merge does not take workers for different runs.
	randomUID bool
	commit    string
	runID     string
	attempt   int
}

// detectRun reads the run's identity from the environment. The test-run
// UID is $XSHARD_TESTRUN_UID, else derived from the CI's run id and
// attempt, else random (then every worker has its own).
func detectRun(getenv func(string) string) runInfo {
	first := func(names ...string) string {
		for _, n := range names {
			if v := strings.TrimSpace(getenv(n)); v != "" {
				return v
			}
		}
		return ""
	}
	ri := runInfo{
		commit: first("XSHARD_COMMIT", "GITHUB_SHA", "CIRCLE_SHA1", "CI_COMMIT_SHA", "BUILDKITE_COMMIT", "SEMAPHORE_GIT_SHA", "BUILD_SOURCEVERSION"),
		runID:  first("XSHARD_RUN_ID", "GITHUB_RUN_ID", "CIRCLE_WORKFLOW_ID", "CI_PIPELINE_ID", "BUILDKITE_BUILD_ID", "SEMAPHORE_WORKFLOW_ID", "BUILD_BUILDID"),
	}
	if a, err := strconv.Atoi(first("XSHARD_RUN_ATTEMPT", "GITHUB_RUN_ATTEMPT", "BUILDKITE_RETRY_COUNT")); err == nil {
		ri.attempt = a
	}
	switch {
	case getenv("XSHARD_TESTRUN_UID") != "":
		ri.testrunUID = getenv("XSHARD_TESTRUN_UID")
	case ri.runID != "":
		ri.testrunUID = ri.runID
		if ri.attempt > 0 {
			ri.testrunUID += "-" + strconv.Itoa(ri.attempt)
		}
	default:
		b := make([]byte, 16)
		rand.Read(b)
		ri.testrunUID = hex.EncodeToString(b)
		ri.randomUID = true
	}
	return ri
}
