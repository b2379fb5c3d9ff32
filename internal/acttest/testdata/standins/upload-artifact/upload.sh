#!/usr/bin/env bash
# actions/upload-artifact stand-in. As the real action does:
# - each line of path is a file, a directory or a wildcard pattern
#   (** matches directories), relative to the workspace;
# - the artifact's root is the least common ancestor of the search paths,
#   or the file's directory for a single file;
# - names starting with a dot are left out unless include-hidden-files;
# - a name already uploaded in this run fails the step unless overwrite;
# - no files: a warning, an error or nothing (if-no-files-found).
set -euo pipefail
shopt -s globstar nullglob

fail() {
  echo "::error::$*"
  exit 1
}
[ -n "${ACT_STANDIN_STORE:-}" ] || fail "ACT_STANDIN_STORE is not set: the upload-artifact stand-in keeps artifacts there"
[ -n "${GITHUB_RUN_ID:-}" ] || fail "GITHUB_RUN_ID is not set"

name=${IN_NAME:-artifact}
case $IN_IF_NO_FILES_FOUND in warn | error | ignore) ;; *) fail "Unrecognized if-no-files-found input. Provided: $IN_IF_NO_FILES_FOUND. Available options: warn, error, ignore" ;; esac

patterns=()
while IFS= read -r l; do
  l=${l%$'\r'}
  l=${l#"${l%%[![:space:]]*}"}
  l=${l%"${l##*[![:space:]]}"}
  if [ -n "$l" ]; then patterns+=("$l"); fi
done <<<"$IN_PATH"
if [ ${#patterns[@]} -eq 0 ]; then fail "Input required and not supplied: path"; fi

cd "$GITHUB_WORKSPACE"
search=()
files=()
for p in "${patterns[@]}"; do
  case $p in '!'*) fail "path $p: the upload-artifact stand-in does not take exclude patterns" ;; esac
  case $p in \~ | \~/*) p=$HOME${p#\~} ;; esac
  case $p in /*) ;; *) p=$PWD/$p ;; esac
  p=${p%/}
  # The search path: the components before the first wildcard.
  s=
  IFS=/ read -ra parts <<<"${p#/}"
  for c in "${parts[@]}"; do
    case $c in *'*'* | *'?'* | *'['*) break ;; esac
    s=$s/$c
  done
  search+=("${s:-/}")
  for m in $p; do
    if [ -d "$m" ]; then
      if [ "$IN_INCLUDE_HIDDEN_FILES" = true ]; then
        while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$m" -type f -print0)
      else
        while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$m" -mindepth 1 -name '.*' -prune -o -type f -print0)
      fi
    elif [ -f "$m" ]; then
      files+=("$m")
    fi
  done
done

if [ ${#files[@]} -eq 0 ]; then
  msg="No files were found with the provided path: $IN_PATH. No artifacts will be uploaded."
  case $IN_IF_NO_FILES_FOUND in
  warn) echo "::warning::$msg" ;;
  error) fail "$msg" ;;
  ignore) echo "$msg" ;;
  esac
  exit 0
fi

if [ ${#search[@]} -eq 1 ] && [ ${#files[@]} -eq 1 ] && [ "${files[0]}" = "${search[0]}" ]; then
  root=$(dirname -- "${files[0]}")
else
  root=${search[0]}
  for s in "${search[@]}"; do
    while [ "$root" != / ] && [ "$s" != "$root" ] && [ "${s#"$root"/}" = "$s" ]; do root=$(dirname -- "$root"); done
  done
fi

if [ "$IN_ARCHIVE" = false ]; then
  if [ ${#files[@]} -ne 1 ]; then fail "archive: false uploads exactly one file; path matched ${#files[@]}"; fi
  name=$(basename -- "${files[0]}")
fi
case $name in *[\":\<\>\|\*\?\\/]* | *$'\r'* | *$'\n'*) fail "The artifact name is not valid: $name. It contains one of \" : < > | * ? \\ / or a line break" ;; esac

runs=$ACT_STANDIN_STORE/artifacts/$GITHUB_RUN_ID
mkdir -p "$runs"
dir=$runs/$name
if ! mkdir "$dir" 2>/dev/null; then
  if [ "$IN_OVERWRITE" != true ]; then
    fail "Failed to CreateArtifact: (409) Conflict: an artifact with this name already exists on the workflow run"
  fi
  rm -rf -- "$dir"
  mkdir "$dir"
  echo "Artifact $name was overwritten"
fi
mkdir "$dir/files"
for f in "${files[@]}"; do
  rel=${f#"$root"/}
  mkdir -p -- "$dir/files/$(dirname -- "$rel")"
  cp -p -- "$f" "$dir/files/$rel"
done
# Ids count up across the store, as GitHub's do across a repository.
n=$(find "$ACT_STANDIN_STORE/artifacts" -mindepth 3 -maxdepth 3 -name id | wc -l)
id=$((n + 1))
while ! mkdir "$ACT_STANDIN_STORE/artifacts/.ids/$id" 2>/dev/null; do
  mkdir -p "$ACT_STANDIN_STORE/artifacts/.ids"
  id=$((id + 1))
done
echo "$id" >"$dir/id"
digest=$(cd "$dir/files" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)
size=$(du -sb "$dir/files" | cut -f1)
echo "Artifact $name has been successfully uploaded! ${#files[@]} files, $size bytes. Artifact ID is $id"
{
  echo "artifact-id=$id"
  echo "artifact-url=${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/$GITHUB_RUN_ID/artifacts/$id"
  echo "artifact-digest=$digest"
} >>"$GITHUB_OUTPUT"
