// Package merge combines what the workers of a sharded run uploaded into
// one result, and verifies it against the plan the workers recorded in
// their manifests: every worker present, every planned test run exactly
// once, all workers on the same universe, timings and commit.
//
// Run is the one entry point. It finds the input files, tells which
// worker each came from, merges them by kind into the output directory
// (junit.xml, the coverage files, outputs.json, timings.json,
// history.json) and returns
// a Result: totals, workers, failures, the slowest tests, the test table
// and the verification. Input problems do not stop it: they are listed in
// Result.Problems, and every other input is merged. Writing the human
// reports (summary, HTML, annotations) is the caller's job, through
// Options.Report; this package never prints.
//
// The files divide the work in the order Run does it:
//
//   - inputs.go finds the files (directories walked, ** patterns, links
//     kept inside their root, sizes bounded) and sniffs each one's kind.
//   - merge.go holds Options and Run: it attributes files to workers
//     (manifests first, then the artifact layout), keeps the newest
//     attempt of each worker, and drives the per-format merges (JUnit and
//     go test -json into junit.xml, Go cover, LCOV, Cobertura, custom
//     JSON) and the timings file.
//   - aggregate.go folds every test case into the Result as it streams
//     by, one reader per core, with memory proportional to the number of
//     tests rather than their output: totals, per-worker sums, bounded
//     lists, and the shared table of top-level test IDs (package idtable)
//     that yields the test table, the durations and the duplicates.
//   - bounded.go is the bounded, order-independent list those lists use.
//   - verify.go checks the aggregate against the plan of the manifests:
//     missing workers, missing, unexpected and duplicated tests, and
//     manifests that disagree.
//   - queue.go reads what the manifests of a queue run (shard --queue)
//     say each worker took on: a test that several workers ran after a
//     lost lease, a replay or a static fallback is requeued, not
//     duplicated; one report of it counts, by a stated rule, and the
//     verification names the lost batches and who ran them again.
//   - balance.go measures the realised balance from the manifests' test
//     phase times: each worker's wall time and idle time at the end, the
//     realised makespan against the realised lower bound.
//   - history.go folds the run into the outcome history (history.json),
//     streaming the old one beside the run's sorted tests, and classifies
//     each test against it: new or known failures, flaky, fixed, the
//     flakiest tests, the quarantine.
//   - result.go defines the Result and its parts.
//
// Everything Run reports is ordered by content, never by the order in
// which files were found or cases arrived, so the same inputs give
// byte-identical outputs.
package merge
