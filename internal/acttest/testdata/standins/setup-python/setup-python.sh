#!/usr/bin/env bash
# actions/setup-python stand-in: a virtual environment over the host's
# Python ($ACT_STANDIN_PYTHON, else python3 on PATH) that sees the host's
# site-packages, so `pip install` of what the host already has needs no
# network; put first on PATH as setup-python puts its Python.
set -euo pipefail
host=${ACT_STANDIN_PYTHON:-python3}
if ! command -v "$host" >/dev/null; then
  echo "::error::$host is not on PATH: the setup-python stand-in uses the host's Python and installs none"
  exit 1
fi
if [ -n "$IN_CACHE" ]; then
  echo "::error::cache: $IN_CACHE: the setup-python stand-in does not emulate the dependency cache"
  exit 1
fi
if [ "$IN_FREETHREADED" = true ]; then
  echo "::error::freethreaded: the setup-python stand-in has only the host's Python"
  exit 1
fi
want=$IN_PYTHON_VERSION
if [ -z "$want" ] && [ -n "$IN_PYTHON_VERSION_FILE" ]; then
  file=$IN_PYTHON_VERSION_FILE
  case $file in /*) ;; *) file=$GITHUB_WORKSPACE/$file ;; esac
  if [ ! -f "$file" ]; then
    echo "::error::The specified python version file at: $file doesn't exist."
    exit 1
  fi
  want=$(grep -v '^#' "$file" | head -n1 | tr -d ' \r')
fi
venv=$RUNNER_TEMP/setup-python-standin
"$host" -m venv --without-pip --system-site-packages "$venv"
have=$("$venv/bin/python" -c 'import platform; print(platform.python_version())')
if ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
  echo "::error::the host's $host has no pip module (Debian: python3-pip)"
  exit 1
fi
# setup-python's Python has pip as a command too.
printf '#!/bin/sh\nexec "%s" -m pip "$@"\n' "$venv/bin/python" >"$venv/bin/pip"
chmod +x "$venv/bin/pip"
echo "setup-python stand-in: python $have from the host's $host (the workflow asks for ${want:-any version})"
echo "$venv/bin" >>"$GITHUB_PATH"
if [ "$IN_UPDATE_ENVIRONMENT" = true ]; then
  echo "pythonLocation=$venv" >>"$GITHUB_ENV"
fi
{
  echo "python-version=$have"
  echo "python-path=$venv/bin/python"
  echo "cache-hit=false"
} >>"$GITHUB_OUTPUT"
