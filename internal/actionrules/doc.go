// Package actionrules holds the static rules of the project's GitHub
// Actions files that no workflow engine checks, as tests over the files
// parsed with a maintained YAML parser (go.yaml.in/yaml/v3):
//
//   - every value reaches a run: script through env:, never as ${{ }}
//     spliced into its text (action.yml, the workflows, the examples and
//     the act stand-ins);
//   - every third-party action is pinned by full commit SHA, with its
//     version in a comment;
//   - every input and output of action.yml is documented in
//     docs/action.md, and the workflows give the action only inputs it
//     has;
//   - action.yml's scripts pass shellcheck (actionlint checks the
//     workflows' scripts, not an action's);
//   - .goreleaser.yaml makes the release assets the action downloads.
//
// How the files behave is tested by running them under nektos/act
// (internal/acttest). scripts/lint-actions.sh runs these tests too.
// Only tests live here.
package actionrules
