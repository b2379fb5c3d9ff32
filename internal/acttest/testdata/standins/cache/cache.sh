#!/usr/bin/env bash
# actions/cache/restore and actions/cache/save stand-in (usage: cache.sh
# restore|save, inputs in IN_* variables). An entry is a directory under
# $ACT_STANDIN_STORE/cache named after its key and version, holding a copy
# of each path (data/0, data/1, ...), the key, the version and the time it
# was created; "complete" marks it readable. As in GitHub's cache service:
# - an entry is found by its key and its version, a hash of the path list
#   (so restoring other paths than were saved is a miss);
# - the key is tried exactly, then as a prefix, then each restore key as a
#   prefix, in order, the newest match winning;
# - an entry is never replaced: saving an existing key is a warning.
# Every act job has its own RUNNER_TEMP and workspace, where GitHub's
# runners have one fixed path: the version reads them as placeholders.
set -euo pipefail
mode=$1

fail() {
  echo "::error::$*"
  exit 1
}
[ -n "${ACT_STANDIN_STORE:-}" ] || fail "ACT_STANDIN_STORE is not set: the actions/cache stand-in keeps its entries there"
store=$ACT_STANDIN_STORE/cache
mkdir -p "$store"

# lines prints the non-empty lines of $1, trimmed.
lines() {
  local l
  while IFS= read -r l; do
    l=${l%$'\r'}
    l=${l#"${l%%[![:space:]]*}"}
    l=${l%"${l##*[![:space:]]}"}
    if [ -n "$l" ]; then printf '%s\n' "$l"; fi
  done <<<"$1"
}

checkkey() {
  if [ ${#1} -gt 512 ]; then fail "Key Validation Error: $1 cannot be larger than 512 characters."; fi
  case $1 in *,*) fail "Key Validation Error: $1 cannot contain commas." ;; esac
}

key=$IN_KEY
checkkey "$key"
mapfile -t paths < <(lines "$IN_PATH")
if [ ${#paths[@]} -eq 0 ]; then fail "Input required and not supplied: path"; fi
abs=()
norm=()
for p in "${paths[@]}"; do
  case $p in *'*'* | *'?'* | *'['* | '!'*) fail "path $p: the actions/cache stand-in takes plain paths, not patterns" ;; esac
  case $p in \~ | \~/*) p=$HOME${p#\~} ;; esac
  case $p in /*) ;; *) p=$GITHUB_WORKSPACE/$p ;; esac
  abs+=("$p")
  n=$p
  case $n in "$RUNNER_TEMP" | "$RUNNER_TEMP"/*) n=RUNNER_TEMP${n#"$RUNNER_TEMP"} ;; esac
  case $n in "$GITHUB_WORKSPACE" | "$GITHUB_WORKSPACE"/*) n=GITHUB_WORKSPACE${n#"$GITHUB_WORKSPACE"} ;; esac
  norm+=("$n")
done
version=$({
  printf '%s\n' "${norm[@]}"
  echo "cross-os=${IN_CROSS_OS:-false}"
} | sha256sum | cut -c1-64)
entry=$store/$(printf '%s\n%s\n' "$key" "$version" | sha256sum | cut -c1-32)

case $mode in
save)
  found=false
  for p in "${abs[@]}"; do if [ -e "$p" ]; then found=true; fi; done
  if [ "$found" = false ]; then
    echo "::warning::Path Validation Error: Path(s) specified in the action for caching do(es) not exist, hence no cache is being saved."
    exit 0
  fi
  # mkdir is the reservation: of two jobs saving one key, one wins.
  if ! mkdir "$entry" 2>/dev/null; then
    echo "::warning::Failed to save: an entry with key $key and these paths already exists; cache entries are never replaced"
    exit 0
  fi
  mkdir "$entry/data"
  for i in "${!abs[@]}"; do
    p=${abs[$i]}
    if [ -d "$p" ]; then
      cp -a -- "$p" "$entry/data/$i"
    elif [ -e "$p" ]; then
      cp -a -- "$p" "$entry/data/$i"
    fi
  done
  printf '%s' "$key" >"$entry/key"
  printf '%s' "$version" >"$entry/version"
  date +%s%N >"$entry/created"
  : >"$entry/complete"
  echo "Cache saved with key: $key"
  ;;
restore)
  mapfile -t restore < <(lines "$IN_RESTORE_KEYS")
  if [ ${#restore[@]} -gt 10 ]; then fail "Key Validation Error: Keys are limited to a maximum of 10."; fi
  for k in "${restore[@]}"; do checkkey "$k"; done
  echo "cache-primary-key=$key" >>"$GITHUB_OUTPUT"
  match=
  if [ -f "$entry/complete" ]; then
    match=$entry
  else
    for prefix in "$key" "${restore[@]}"; do
      best=
      newest=0
      for e in "$store"/*/; do
        e=${e%/}
        [ -f "$e/complete" ] || continue
        [ "$(cat "$e/version")" = "$version" ] || continue
        k=$(cat "$e/key")
        case $k in "$prefix"*) ;; *) continue ;; esac
        c=$(cat "$e/created")
        if [ "$c" -gt "$newest" ]; then
          newest=$c
          best=$e
        fi
      done
      if [ -n "$best" ]; then
        match=$best
        break
      fi
    done
  fi
  if [ -z "$match" ]; then
    if [ "$IN_FAIL_ON_CACHE_MISS" = true ]; then
      fail "Failed to restore cache entry. Exiting as fail-on-cache-miss is set. Input key: $key"
    fi
    all=$key
    for k in "${restore[@]}"; do all="$all, $k"; done
    echo "Cache not found for input keys: $all"
    exit 0
  fi
  matched=$(cat "$match/key")
  hit=false
  if [ "$matched" = "$key" ]; then hit=true; fi
  {
    echo "cache-hit=$hit"
    echo "cache-matched-key=$matched"
  } >>"$GITHUB_OUTPUT"
  if [ "$IN_LOOKUP_ONLY" = true ]; then
    echo "Cache found and can be restored from key: $matched"
    exit 0
  fi
  for i in "${!abs[@]}"; do
    p=${abs[$i]}
    d=$match/data/$i
    if [ -d "$d" ]; then
      mkdir -p -- "$p"
      cp -a -- "$d/." "$p/"
    elif [ -e "$d" ]; then
      mkdir -p -- "$(dirname -- "$p")"
      cp -a -- "$d" "$p"
    fi
  done
  echo "Cache restored from key: $matched"
  ;;
*)
  fail "usage: cache.sh restore|save"
  ;;
esac
