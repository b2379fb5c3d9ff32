// Package acttest runs the project's GitHub Actions workflows end to end
// under nektos/act, the engine people use to run workflows on their own
// machine: each example workflow on its bundled example (four matrix jobs
// and the report job), its failing variant, a timings round trip, the
// project's own ci.yml, and the action's release download.
//
// act runs in host mode (-P ubuntu-latest=-self-hosted): no Docker, the
// host's go, python and node, in a network namespace of its own where
// only loopback is up, when the machine allows one. The workflows keep
// their real, pinned uses: lines; act maps xshard/xshard@v1 to a clean
// copy of this repository and every third-party action but checkout to a
// small stand-in under testdata/standins (--local-repository). What act
// lacks is supplied by the tests, never by the product: the test's copy
// of a workflow passes the worker identity that strategy.job-index would
// give, every run gets its own GITHUB_RUN_ID, and the step summary is read
// from act's JSON log.
//
// The tests need act at the version tools/act/go.mod pins: $XSHARD_ACT,
// else where scripts/install-act.sh builds it (make act, which make test
// runs first), else act on PATH. Without it they skip, unless
// XSHARD_REQUIRE_ACT=1 (set by .ci/run) makes them fail. docs/act.md describes the harness, the
// stand-ins and what they do not emulate.
//
// Only tests live here; nothing in the commands imports this package.
package acttest
