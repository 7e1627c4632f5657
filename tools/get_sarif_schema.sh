#!/usr/bin/env bash
# Fetch the SARIF 2.1.0 JSON schema for the tests, from Microsoft's SARIF multitool package on npm
# (it ships sarif-2.1.0.json). Cached in .cache/; the tests read it from there.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.cache/sarif-2.1.0.json
[ -s "$out" ] && exit 0
mkdir -p .cache
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent @microsoft/sarif-multitool-linux@5.7.0 >/dev/null)
tar -xzf "$tmp"/microsoft-sarif-multitool-linux-5.7.0.tgz -C "$tmp" package/sarif-2.1.0.json
mv "$tmp"/package/sarif-2.1.0.json "$out"
echo "SARIF schema cached at $out"
