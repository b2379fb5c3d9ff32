#!/usr/bin/env bash
# actions/download-artifact stand-in. As the real action does:
# - name: that artifact, into path itself; missing, the step fails;
# - otherwise every artifact of the run, or those whose name matches
#   pattern (a glob) or whose id is in artifact-ids, each into
#   path/<name>, or all into path with merge-multiple (where files of the
#   same name overwrite each other, as they do on GitHub).
set -euo pipefail

fail() {
  echo "::error::Unable to download artifact(s): $*"
  exit 1
}
[ -n "${ACT_STANDIN_STORE:-}" ] || fail "ACT_STANDIN_STORE is not set: the download-artifact stand-in reads artifacts there"
if [ -n "$IN_NAME" ] && [ -n "$IN_ARTIFACT_IDS" ]; then
  fail "Inputs 'name' and 'artifact-ids' cannot be used together. Please specify only one."
fi
# With a token, run-id names another run of this repository (the store
# holds every run's artifacts, as GitHub does); other repositories are not
# emulated.
run=$GITHUB_RUN_ID
if [ -n "$IN_GITHUB_TOKEN" ]; then
  if [ "$IN_REPOSITORY" != "$THIS_REPOSITORY" ]; then
    fail "the download-artifact stand-in reads only this repository's artifacts, not $IN_REPOSITORY's"
  fi
  run=$IN_RUN_ID
elif [ "$IN_RUN_ID" != "$GITHUB_RUN_ID" ]; then
  fail "run-id $IN_RUN_ID is another run: downloading its artifacts needs github-token"
fi
if [ "$IN_SKIP_DECOMPRESS" = true ]; then
  fail "skip-decompress: the download-artifact stand-in keeps no archives"
fi

dest=${IN_PATH:-$GITHUB_WORKSPACE}
case $dest in \~ | \~/*) dest=$HOME${dest#\~} ;; esac
case $dest in /*) ;; *) dest=$GITHUB_WORKSPACE/$dest ;; esac
runs=$ACT_STANDIN_STORE/artifacts/$run

names=()
if [ -n "$IN_NAME" ]; then
  [ -d "$runs/$IN_NAME/files" ] || fail "Artifact '$IN_NAME' not found"
  names=("$IN_NAME")
else
  for d in "$runs"/*/; do
    [ -d "$d" ] || continue
    n=$(basename -- "$d")
    if [ -n "$IN_ARTIFACT_IDS" ]; then
      id=$(cat "$d/id")
      case ",${IN_ARTIFACT_IDS// /}," in *",$id,"*) ;; *) continue ;; esac
    elif [ -n "$IN_PATTERN" ]; then
      # shellcheck disable=SC2053 # the pattern is a glob on purpose
      [[ $n == $IN_PATTERN ]] || continue
      echo "Filtering artifacts by pattern '$IN_PATTERN': $n"
    fi
    names+=("$n")
  done
fi

for n in "${names[@]}"; do
  to=$dest
  if [ -z "$IN_NAME" ] && [ "$IN_MERGE_MULTIPLE" != true ]; then to=$dest/$n; fi
  mkdir -p -- "$to"
  cp -pR -- "$runs/$n/files/." "$to/"
  echo "Downloaded artifact $n (ID $(cat "$runs/$n/id")) to $to"
done
echo "Total of ${#names[@]} artifact(s) downloaded"
echo "download-path=$dest" >>"$GITHUB_OUTPUT"
