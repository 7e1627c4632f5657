#!/usr/bin/env bash
# Package the AmlLint Azure Pipelines task as a Marketplace extension (.vsix).
#
#   azure-pipelines-task/package.sh [--stage-only] [--out DIR] [-- TFX ARGS...]
#
# 1. builds the aml-lint wheel of this repository into the task folder (AmlLint/wheel/),
#    where index.js installs it from at run time;
# 2. stages the extension: vss-extension.json, overview.md, AmlLint/{task.json,index.js,wheel};
# 3. runs tfx-cli from npm, pinned (TFX_CLI_VERSION): `npx tfx-cli extension create` on the
#    staged folder; the .vsix is <publisher>.<id>-<version>.vsix in --out.
#
# The task, the extension and the Python package carry one version: bump all three (task.json
# "version", vss-extension.json "version", pyproject.toml) before publishing, or the agents
# keep the old task. Publish with your own publisher id, e.g.
#   azure-pipelines-task/package.sh -- --publisher my-publisher
#   npx tfx-cli extension publish --vsix dist/azure-pipelines/*.vsix --share-with my-org --token "$PAT"
#
# Environment: PYTHON (default python3); TFX_CLI_VERSION (default below); AML_LINT_NO_BUILD_ISOLATION=1 builds the wheel with the
# build tools already installed (offline), instead of pip's isolated build environment.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
out="$repo/dist/azure-pipelines"
stage_only=0
tfx_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --stage-only) stage_only=1 ;;
    --out) out="$2"; shift ;;
    --) shift; tfx_args=("$@"); break ;;
    *) echo "package.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
python="${PYTHON:-python3}"
tfx_version="${TFX_CLI_VERSION:-0.23.1}"
stage="$out/extension"
task="$stage/AmlLint"

# One version everywhere.
versions="$("$python" - "$repo" <<'PY'
import json, sys
from pathlib import Path
repo = Path(sys.argv[1])
if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib
py = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["version"]
v = json.loads((repo / "azure-pipelines-task/task.json").read_text())["version"]
task = f"{v['Major']}.{v['Minor']}.{v['Patch']}"
ext = json.loads((repo / "azure-pipelines-task/vss-extension.json").read_text())["version"]
print(py, task, ext)
PY
)"
read -r py_version task_version ext_version <<<"$versions"
if [ "$py_version" != "$task_version" ] || [ "$task_version" != "$ext_version" ]; then
  echo "package.sh: versions differ: pyproject $py_version, task.json $task_version, vss-extension.json $ext_version" >&2
  exit 1
fi

rm -rf "$stage"
mkdir -p "$task/wheel"
build_flags=(--no-deps --disable-pip-version-check --wheel-dir "$task/wheel")
if [ "${AML_LINT_NO_BUILD_ISOLATION:-0}" = 1 ]; then build_flags+=(--no-build-isolation); fi
"$python" -m pip wheel "${build_flags[@]}" "$repo"
cp "$here/task.json" "$here/index.js" "$task/"
cp "$here/vss-extension.json" "$here/overview.md" "$stage/"
echo "staged the extension in $stage (aml-lint $py_version)"

if [ "$stage_only" = 1 ]; then
  exit 0
fi
npx --yes "tfx-cli@$tfx_version" extension create --root "$stage" --manifest-globs vss-extension.json \
  --output-path "$out" ${tfx_args[@]+"${tfx_args[@]}"}
