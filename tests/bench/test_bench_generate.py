"""The benchmark's repository generator: deterministic, exact sizes, realistic content."""

from __future__ import annotations

import ast
import json
import subprocess
from collections import Counter
from pathlib import Path, PurePosixPath

import pytest
import yaml
from bench.generate import (
    AML_KINDS,
    AML_SHARE,
    DEPLOYMENT_KINDS,
    JOB_UNIT_KINDS,
    Manifest,
    generate,
    plan,
)


def test_same_seed_gives_identical_files() -> None:
    assert plan(500, seed=3) == plan(500, seed=3)


def test_different_seeds_give_different_files() -> None:
    a, b = plan(500, seed=3), plan(500, seed=4)
    assert a != b
    assert len(a) == len(b) == 500


@pytest.mark.parametrize("n", [1, 7, 100, 1000, 10000])
def test_exactly_the_requested_number_of_files(n: int) -> None:
    assert len(plan(n, seed=0)) == n


def test_rejects_an_empty_repository() -> None:
    with pytest.raises(ValueError):
        plan(0, seed=0)


def test_every_azureml_kind_and_filler_at_1000_files() -> None:
    counts = Counter(kind for kind, _ in plan(1000, seed=0).values())
    missing = [k for k in AML_KINDS if counts[k] == 0]
    assert not missing, f"no {missing} in a 1,000-file repository: {dict(counts)}"
    # Units take about AML_SHARE of the files; the rest is filler.
    unit_files = sum(1 for rel in plan(1000, seed=0) if rel.startswith("projects/"))
    assert AML_SHARE - 0.1 <= unit_files / 1000 <= AML_SHARE + 0.01
    for filler in ("python", "json", "notebook", "yaml-other", "readme"):
        assert counts[filler] > 0, filler


def test_scaled_counts_grow_with_size() -> None:
    small = Counter(kind for kind, _ in plan(1000, seed=0).values())
    large = Counter(kind for kind, _ in plan(10000, seed=0).values())
    for kind in ("conda", "scoring-script", "deployment-managed", "python"):
        assert 5 * small[kind] < large[kind] < 20 * small[kind], kind


def test_files_parse_as_what_they_claim_to_be() -> None:
    for rel, (kind, text) in plan(600, seed=1).items():
        if isinstance(text, bytes):
            assert kind == "model", rel  # only model weights are binary
            continue
        suffix = PurePosixPath(rel).suffix
        if suffix in (".yml", ".yaml"):
            assert yaml.safe_load(text) is not None, rel
        elif suffix == ".py":
            ast.parse(text, filename=rel)
        elif suffix in (".json", ".ipynb"):
            json.loads(text)
        if kind == "notebook":
            assert json.loads(text)["nbformat"] == 4


def _deployments(files: dict[str, tuple[str, str | bytes]]) -> list[tuple[str, dict[str, object]]]:
    return [(rel, yaml.safe_load(text)) for rel, (kind, text) in files.items() if kind in DEPLOYMENT_KINDS]


def test_deployments_link_to_code_and_environments_that_exist() -> None:
    files = plan(10000, seed=0)
    deployments = _deployments(files)
    assert len(deployments) > 300
    missing_conda = 0
    for rel, doc in deployments:
        folder = PurePosixPath(rel).parent
        model = doc["model"]
        assert isinstance(model, dict)
        model_dir = (folder / str(model["path"])).as_posix().rstrip("/") + "/"
        assert any(f.startswith(model_dir) and files[f][0] == "model" for f in files), rel
        code = doc["code_configuration"]
        assert isinstance(code, dict)
        script = (folder / str(code["code"]) / str(code["scoring_script"])).as_posix()
        assert files[script][0] == "scoring-script", rel
        env = doc["environment"]
        if isinstance(env, dict) and "conda_file" in env:
            conda = (folder / str(env["conda_file"])).as_posix()
            if conda in files:
                assert files[conda][0] == "conda"
            else:
                missing_conda += 1
        elif isinstance(env, dict):
            context = folder / str(env["build"]["path"])  # type: ignore[index]
            assert files[(context / "Dockerfile").as_posix()][0] == "dockerfile"
        else:
            assert str(env).startswith("azureml:"), rel
    # The injected "conda file that is not there" defect: present, and rare.
    assert 0 < missing_conda < len(deployments) * 0.1


def test_some_scoring_scripts_import_packages_their_environment_lacks() -> None:
    files = plan(10000, seed=0)
    undeclared = 0
    for kind, text in files.values():
        if kind != "scoring-script":
            continue
        imported = {n.names[0].name.split(".")[0] for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Import)}
        if imported & {"catboost", "shap", "cv2", "statsmodels", "onnxruntime", "polars"}:
            undeclared += 1
    scripts = sum(1 for kind, _ in files.values() if kind == "scoring-script")
    assert 0 < undeclared < scripts * 0.2


def test_generate_writes_the_plan_and_a_git_checkout(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    manifest = generate(root, 120, seed=5, git=True)
    on_disk = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)
    assert on_disk == sorted(manifest.files) and len(on_disk) == 120
    expected = plan(120, seed=5)
    for rel in on_disk:
        content = expected[rel][1]
        raw = content if isinstance(content, bytes) else content.encode("utf-8")
        assert (root / rel).read_bytes() == raw
        assert manifest.files[rel] == expected[rel][0]
    tracked = subprocess.run(["git", "-C", str(root), "ls-files"], capture_output=True, text=True, check=True)
    assert sorted(tracked.stdout.split()) == on_disk


def test_generate_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        generate(tmp_path, 10, seed=0)
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_manifest_round_trips_through_json(tmp_path: Path) -> None:
    manifest = generate(tmp_path / "r", 50, seed=2)
    again = Manifest.from_json(manifest.root, json.loads(json.dumps(manifest.to_json())))
    assert again.files == manifest.files
    assert again.counts() == manifest.counts()
    assert sum(manifest.counts().values()) == 50


def test_jobs_profile_is_deterministic_and_leaves_the_default_alone() -> None:
    assert plan(400, seed=3, profile="jobs") == plan(400, seed=3, profile="jobs")
    assert plan(400, seed=3, profile="jobs") != plan(400, seed=3)
    assert len(plan(400, seed=3, profile="jobs")) == 400
    with pytest.raises(ValueError):
        plan(10, seed=0, profile="nope")


def test_jobs_profile_makes_every_job_kind_and_their_scripts() -> None:
    files = plan(1000, seed=0, profile="jobs")
    counts = Counter(kind for kind, _ in files.values())
    for kind in (*JOB_UNIT_KINDS, "conda", "environment", "deployment-managed"):
        assert counts[kind] > 0, (kind, dict(counts))
    assert counts["job-command"] + counts["job-sweep"] + counts["job-pipeline"] > 3 * counts["deployment-managed"]
    commands = []
    for rel, (kind, text) in files.items():
        if kind not in ("job-command", "job-sweep", "component"):
            continue
        assert isinstance(text, str)
        doc = yaml.safe_load(text)
        unit = doc["trial"] if kind == "job-sweep" else doc
        commands.append(unit["command"])
        code = PurePosixPath(rel).parent / unit["code"]
        assert any(f.startswith(f"{code.as_posix()}/") and k == "entry-script" for f, (k, _) in files.items()), rel
    # The forms a training repository uses: a script, a module, a launcher, a shell script.
    for form in ("python train.py", "python -m pkg.evaluate", "torchrun", "bash run.sh"):
        assert any(form in c for c in commands), form
    for rel, (kind, text) in files.items():
        if kind == "job-pipeline":
            assert isinstance(text, str)
            steps = yaml.safe_load(text)["jobs"]
            for step in steps.values():
                ref = str(step.get("component", "")).removeprefix("file:")
                if ref:
                    assert files[(PurePosixPath(rel).parent / ref).as_posix()][0] == "component", rel
