#!/usr/bin/env bash
# actions/setup-go stand-in: checks the host's Go against what the
# workflow asks for; installs nothing, caches nothing.
set -euo pipefail
if ! command -v go >/dev/null; then
  echo "::error::go is not on PATH: the setup-go stand-in uses the host's Go and installs none"
  exit 1
fi
want=$IN_GO_VERSION
if [ -n "$IN_GO_VERSION_FILE" ]; then
  file=$IN_GO_VERSION_FILE
  case $file in /*) ;; *) file=$GITHUB_WORKSPACE/$file ;; esac
  if [ ! -f "$file" ]; then
    echo "::error::The specified go version file at: $file does not exist"
    exit 1
  fi
  case $(basename -- "$file") in
  go.mod | go.work)
    # setup-go prefers the toolchain directive, then the go directive.
    want=$(awk '$1 == "toolchain" { sub(/^go/, "", $2); print $2; exit }' "$file")
    if [ -z "$want" ]; then want=$(awk '$1 == "go" { print $2; exit }' "$file"); fi
    ;;
  .tool-versions) want=$(awk '$1 == "golang" { print $2; exit }' "$file") ;;
  *) want=$(tr -d ' \r\n' <"$file") ;;
  esac
fi
arch=$(go env GOARCH)
case $IN_ARCHITECTURE in
'' | "$arch") ;;
x64) [ "$arch" = amd64 ] || { echo "::error::architecture x64: the host's Go is $arch"; exit 1; } ;;
*)
  echo "::error::architecture $IN_ARCHITECTURE: the host's Go is $arch, and the stand-in installs no other"
  exit 1
  ;;
esac
have=$(go env GOVERSION)
have=${have#go}
echo "setup-go stand-in: go $have from the host (the workflow asks for ${want:-any version})"
{
  echo "go-version=$have"
  echo "cache-hit=false"
} >>"$GITHUB_OUTPUT"
