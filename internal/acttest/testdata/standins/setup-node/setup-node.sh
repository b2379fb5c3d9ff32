#!/usr/bin/env bash
# actions/setup-node stand-in: checks the host's Node.js and npm against
# what the workflow asks for; installs nothing, caches nothing.
set -euo pipefail
for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "::error::$tool is not on PATH: the setup-node stand-in uses the host's Node.js and installs none"
    exit 1
  fi
done
if [ -n "$IN_CACHE" ]; then
  echo "::error::cache: $IN_CACHE: the setup-node stand-in does not emulate the dependency cache"
  exit 1
fi
if [ -n "$IN_REGISTRY_URL" ]; then
  echo "::error::registry-url: the setup-node stand-in writes no .npmrc"
  exit 1
fi
want=$IN_NODE_VERSION
if [ -z "$want" ] && [ -n "$IN_NODE_VERSION_FILE" ]; then
  file=$IN_NODE_VERSION_FILE
  case $file in /*) ;; *) file=$GITHUB_WORKSPACE/$file ;; esac
  if [ ! -f "$file" ]; then
    echo "::error::The specified node version file at: $file does not exist"
    exit 1
  fi
  want=$(head -n1 "$file" | tr -d ' \r')
fi
have=$(node --version)
have=${have#v}
echo "setup-node stand-in: node $have and npm $(npm --version) from the host (the workflow asks for ${want:-any version})"
if [ -n "$want" ] && [ "${want%%.*}" != "${have%%.*}" ]; then
  echo "::notice::setup-node stand-in: the workflow asks for node $want; the host has $have"
fi
{
  echo "node-version=v$have"
  echo "cache-hit=false"
} >>"$GITHUB_OUTPUT"
