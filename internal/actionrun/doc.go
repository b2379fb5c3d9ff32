// Package actionrun runs composite GitHub Actions and workflows on this
// machine the way GitHub's runner does, for tests: no Docker, no network.
//
// It reads action.yml and workflow files (a YAML subset, see ParseYAML),
// evaluates ${{ }} expressions over the inputs, github, runner, strategy,
// matrix, env, steps and needs contexts, runs each run: step as a bash
// script with the runner's variables and the GITHUB_OUTPUT, GITHUB_ENV,
// GITHUB_PATH and GITHUB_STEP_SUMMARY files, honours if:, env:,
// working-directory: and continue-on-error:, and replaces JavaScript
// actions (checkout, setup-go, cache, upload and download artifacts) with
// local equivalents that keep their documented semantics. The jobs of a
// matrix run concurrently.
//
// It is used only by tests; nothing in the commands imports it.
package actionrun
