package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/xshard/xshard/internal/manifest"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/plan"
)

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

func sortStrings(s []string) { sort.Strings(s) }

// writeJSON writes v as compact JSON and a newline, without HTML escaping
// (test names are printed as they are).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

type planJSON struct {
	Total             int             `json:"total"`
	Strategy          string          `json:"strategy"`
	By                string          `json:"by"`
	Shards            []planShardJSON `json:"shards"`
	MakespanSeconds   float64         `json:"makespan_seconds"`
	LowerBoundSeconds float64         `json:"lower_bound_seconds"`
	KnownShare        float64         `json:"known_share"`
	Fingerprint       string          `json:"fingerprint"`
}

type planShardJSON struct {
	Index            int      `json:"index"`
	Items            []string `json:"items"`
	PredictedSeconds float64  `json:"predicted_seconds"`
}

// printPlan prints every shard: JSON with --format json, else a table
// with a bar per shard.
func (s *shardRun) printPlan(p *plan.Plan) error {
	w := s.env.Stdout
	if s.cfg.format.value == "json" {
		pj := planJSON{
			Total: p.Total, Strategy: string(p.Strategy), By: string(p.By),
			MakespanSeconds: round3(predicted(p, p.Makespan)), LowerBoundSeconds: round3(predicted(p, p.LowerBound)),
			KnownShare: round3(p.KnownShare), Fingerprint: p.Fingerprint,
		}
		for _, sh := range p.Shards {
			pj.Shards = append(pj.Shards, planShardJSON{Index: sh.Index, Items: nonNil(shardItems(sh)), PredictedSeconds: round3(predicted(p, sh.Seconds))})
		}
		return writeJSON(w, pj)
	}
	const width = 40
	// Without timings every unit weighs the same and the "predicted"
	// seconds are a count: the bars show each worker's tests instead.
	tests := make([]int, len(p.Shards))
	most := 0
	for i, sh := range p.Shards {
		for _, u := range sh.Units {
			tests[i] += len(u.Items)
		}
		most = max(most, tests[i])
	}
	fmt.Fprintf(w, "%-6s %6s %6s %10s\n", "worker", "units", "tests", "predicted")
	for i, sh := range p.Shards {
		n := tests[i]
		bar := 0
		switch {
		case p.KnownShare == 0 && most > 0:
			bar = int(math.Round(float64(n) / float64(most) * width))
		case p.KnownShare > 0 && p.Makespan > 0:
			bar = int(math.Round(sh.Seconds / p.Makespan * width))
		}
		predicted := fmtSeconds(sh.Seconds)
		if p.KnownShare == 0 {
			predicted = "-" // every unit weighs the same: there is no time to show
		}
		fmt.Fprintf(w, "%-6s %6d %6d %10s %s\n", model.WorkerID(sh.Index), len(sh.Units), n, predicted, strings.Repeat("█", bar))
	}
	if p.KnownShare == 0 {
		fmt.Fprintf(w, "\nstrategy %s, by %s: no timings, so no predicted times; the bars show each worker's tests; pass --timings to balance by duration\nfingerprint %s\n", p.Strategy, p.By, p.Fingerprint)
		return nil
	}
	ratio := 1.0
	if p.LowerBound > 0 {
		ratio = p.Makespan / p.LowerBound
	}
	fmt.Fprintf(w, "\nstrategy %s, by %s: makespan %s, lower bound %s (%.2fx); %.0f%% of units had timings\nfingerprint %s\n",
		p.Strategy, p.By, fmtSeconds(p.Makespan), fmtSeconds(p.LowerBound), ratio, p.KnownShare*100, p.Fingerprint)
	return nil
}

func fmtSeconds(s float64) string {
	d := time.Duration(math.Round(s*1000)) * time.Millisecond
	if d >= time.Minute {
		return d.Round(time.Second).String()
	}
	return fmt.Sprintf("%.1fs", s)
}

type matrixJSON struct {
	Include []matrixEntry `json:"include"`
}

type matrixEntry struct {
	Worker      int    `json:"worker"`
	Total       int    `json:"total"`
	Fingerprint string `json:"fingerprint"`
}

// printMatrix prints a GitHub Actions matrix for fromJSON.
func (s *shardRun) printMatrix(opts plan.Options) (int, error) {
	c := s.cfg
	var p *plan.Plan
	var err error
	if c.targetDuration.d > 0 {
		if c.maxWorkers < 1 {
			return ExitInput, fmt.Errorf("--max-workers %d: must be at least 1", c.maxWorkers)
		}
		p, err = plan.ChooseTotal(s.items, opts, c.targetDuration.d.Seconds(), c.jobOverhead.d.Seconds(), c.maxWorkers)
	} else {
		total := c.total
		if total < 1 {
			return ExitInput, fmt.Errorf("--matrix needs --total N or --target-duration")
		}
		opts.Total = total
		p, err = plan.Make(s.items, opts)
	}
	if err != nil {
		return ExitInput, err
	}
	m := matrixJSON{}
	for i := 0; i < p.Total; i++ {
		m.Include = append(m.Include, matrixEntry{Worker: i, Total: p.Total, Fingerprint: p.Fingerprint})
	}
	if c.targetDuration.d > 0 {
		predicted := p.Makespan + c.jobOverhead.d.Seconds()
		fmt.Fprintf(s.env.Stderr, "shard: %d workers: predicted wall time %s (target %s)\n", p.Total, fmtSeconds(predicted), c.targetDuration.d)
	}
	return ExitOK, writeJSON(s.env.Stdout, m)
}

// goRunLines turns a shard's Go test IDs into go test arguments: lines of
// "-run ^(A|B)$ pkg1 pkg2". Packages share a line only when the combined
// regex selects exactly this shard's tests in each of them (a test of the
// same name in another package may belong to another shard).
func goRunLines(shard []string, universe []model.Item) []string {
	names := func(ids []string, pkgOf map[string]string) map[string][]string {
		m := map[string][]string{}
		for _, id := range ids {
			pkg := pkgOf[id]
			m[pkg] = append(m[pkg], strings.TrimPrefix(id, pkg+"."))
		}
		return m
	}
	pkgOf := make(map[string]string, len(universe))
	all := map[string]map[string]bool{}
	for _, it := range universe {
		pkgOf[it.ID] = it.Package
		if all[it.Package] == nil {
			all[it.Package] = map[string]bool{}
		}
		all[it.Package][strings.TrimPrefix(it.ID, it.Package+".")] = true
	}
	mine := names(shard, pkgOf)
	pkgs := make([]string, 0, len(mine))
	for p := range mine {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	type group struct {
		pkgs  []string
		names map[string]bool
	}
	var groups []*group
	fits := func(g *group, pkg string) bool {
		union := map[string]bool{}
		for n := range g.names {
			union[n] = true
		}
		for _, n := range mine[pkg] {
			union[n] = true
		}
		for _, q := range append(append([]string{}, g.pkgs...), pkg) {
			selected := map[string]bool{}
			for _, n := range mine[q] {
				selected[n] = true
			}
			for n := range all[q] {
				if union[n] && !selected[n] {
					return false
				}
			}
		}
		return true
	}
	for _, pkg := range pkgs {
		placed := false
		for _, g := range groups {
			if fits(g, pkg) {
				g.pkgs = append(g.pkgs, pkg)
				for _, n := range mine[pkg] {
					g.names[n] = true
				}
				placed = true
				break
			}
		}
		if !placed {
			g := &group{pkgs: []string{pkg}, names: map[string]bool{}}
			for _, n := range mine[pkg] {
				g.names[n] = true
			}
			groups = append(groups, g)
		}
	}
	var lines []string
	for _, g := range groups {
		ns := make([]string, 0, len(g.names))
		for n := range g.names {
			ns = append(ns, regexp.QuoteMeta(n))
		}
		sort.Strings(ns)
		lines = append(lines, "-run ^("+strings.Join(ns, "|")+")$ "+strings.Join(g.pkgs, " "))
	}
	return lines
}

// withUntested adds the packages without tests to the first go-run line
// (go test runs nothing in them whatever -run says), or to a line of its
// own that runs no test when there is none.
func withUntested(lines, pkgs []string) []string {
	if len(lines) == 0 {
		return []string{"-run ^$ " + strings.Join(pkgs, " ")}
	}
	out := append([]string(nil), lines...)
	out[0] += " " + strings.Join(pkgs, " ")
	return out
}

// buildManifest records the plan and this worker's place in it.
func buildManifest(p *plan.Plan, id identity, ri runInfo, s *shardRun, groupPattern string) *manifest.Manifest {
	m := &manifest.Manifest{
		Worker: model.WorkerID(id.index), Index: id.index, Total: p.Total,
		Strategy: string(p.Strategy), By: string(p.By), Seed: p.Seed, GroupPattern: groupPattern,
		Collector:           s.collector,
		GoModule:            s.goModule,
		Fingerprint:         p.Fingerprint,
		UniverseFingerprint: p.UniverseFingerprint,
		TimingsFingerprint:  p.TimingsFingerprint,
		KnownShare:          round3(p.KnownShare),
		PredictedSeconds:    round3(p.Shards[id.index].Seconds),
		MakespanSeconds:     round3(p.Makespan),
		LowerBoundSeconds:   round3(p.LowerBound),
		Commit:              ri.commit,
		RunID:               ri.runID,
		RunAttempt:          ri.attempt,
		TestRunUID:          ri.testrunUID,
		StartedAt:           s.env.Now().UTC().Format(time.RFC3339),
	}
	if ri.randomUID {
		m.TestRunUID = ""
	}
	for _, sh := range p.Shards {
		ms := manifest.Shard{Index: sh.Index, PredictedSeconds: round3(sh.Seconds), Units: []manifest.Unit{}}
		for _, u := range sh.Units {
			m.Items += len(u.Items)
			mu := manifest.Unit{ID: u.ID, Seconds: round3(u.Seconds), Known: u.Known}
			if len(u.Items) != 1 || u.Items[0] != u.ID {
				mu.Items = u.Items
			}
			ms.Units = append(ms.Units, mu)
		}
		m.Shards = append(m.Shards, ms)
	}
	return m
}

// runCommand runs argv with env in dir, wired to the command's streams,
// and returns its exit code.
func runCommand(e Env, argv, env []string, dir string) (int, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.Stdin, e.Stdout, e.Stderr
	cmd.Env = env
	cmd.Dir = dir
	err := cmd.Run()
	if err == nil {
		return ExitOK, nil
	}
	if ee, ok := err.(*exec.ExitError); ok {
		if code := ee.ExitCode(); code >= 0 {
			return code, nil
		}
		return 128 + 15, nil // killed by a signal
	}
	return ExitInput, fmt.Errorf("--exec: %v", err)
}
