#!/usr/bin/env bash
# The GitHub Action's entrypoint. bash, not sh: dash drops the INPUT_FAIL-ON style
# variables (with hyphens) that the runner passes to Docker actions.
set -euo pipefail

workspace="${GITHUB_WORKSPACE:-/github/workspace}"
cd "$workspace"

# The checkout belongs to the runner's user and the container runs as root: git
# refuses such a repository ("detected dubious ownership") unless it is marked
# safe. Passed through the environment, so nothing is written to $HOME.
count="${GIT_CONFIG_COUNT:-0}"
export "GIT_CONFIG_KEY_${count}=safe.directory" "GIT_CONFIG_VALUE_${count}=${workspace}"
export GIT_CONFIG_COUNT=$((count + 1))

# Run as the owner of the workspace when that is not root, so the files we write
# (SARIF) are not root-owned leftovers on the runner.
owner="$(stat -c %u "$workspace")"
if [ "$(id -u)" = 0 ] && [ "$owner" != 0 ] && command -v setpriv >/dev/null; then
    exec setpriv --reuid="$owner" --regid="$(stat -c %g "$workspace")" --clear-groups -- \
        aml-lint ci github "$@"
fi
exec aml-lint ci github "$@"
