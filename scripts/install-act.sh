#!/usr/bin/env bash
# Builds nektos/act at the version that tools/act/go.mod pins (a module of
# its own, so act's dependencies stay out of the product's go.mod) into a
# cache directory outside the repository, once, and prints the binary's
# path. internal/acttest runs the workflows with it (make test passes the
# path in XSHARD_ACT). The directory is $XSHARD_TOOLS_DIR, else
# ${XDG_CACHE_HOME:-$HOME/.cache}/xshard-tools.
set -euo pipefail
cd "$(dirname "$0")/../tools/act"
version=$(awk '$1 == "github.com/nektos/act" { print $2 }' go.mod)
if [ -z "$version" ]; then
  echo "install-act.sh: tools/act/go.mod does not require github.com/nektos/act" >&2
  exit 1
fi
dir=${XSHARD_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/xshard-tools}/act-$version
bin=$dir/act
if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -qx "act version ${version#v}"; then
  echo "$bin"
  exit 0
fi
echo "install-act.sh: building act $version into $dir (once; about 1.5 min on 2 cores)" >&2
mkdir -p "$dir"
go build -trimpath -o "$bin.tmp" github.com/nektos/act
mv -f "$bin.tmp" "$bin"
echo "$bin"
