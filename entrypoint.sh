#!/usr/bin/env bash
# The GitHub Action's entrypoint. bash, not sh: dash drops the INPUT_FAIL-ON style
# variables (with hyphens) that the runner passes to Docker actions.
set -euo pipefail

workspace="${GITHUB_WORKSPACE:-/github/workspace}"
# The checkout belongs to the runner's user, the container runs as root: without
# this, git refuses the repository ("detected dubious ownership").
if ! git config --global --get-all safe.directory 2>/dev/null | grep -qxF -- "$workspace"; then
    git config --global --add safe.directory "$workspace"
fi
cd "$workspace"
exec aml-lint ci github "$@"
