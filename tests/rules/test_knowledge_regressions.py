"""Issue 12, "Knowledge": false findings that came from the bundled facts, each from a hand-made
minimal reproduction, with the true case next to it still reported."""

from __future__ import annotations

from aml_lint.knowledge import deps
from lintkit import LintFn


def conda(*pip: str, python: str = "3.12", extra: tuple[str, ...] = ()) -> str:
    return "\n".join(["dependencies:", f"  - python={python}", *[f"  - {c}" for c in extra], "  - pip",
                      "  - pip:", *[f"      - {p}" for p in pip]]) + "\n"


def found(lint: LintFn, text: str, rule: str, name: str = "conda.yml") -> list[tuple[int, str, str]]:
    return [(f.line, f.severity.label, f.message) for f in lint({name: text}, rule=rule)]


# -- 1. Requires-Python is judged on the Python the environment really gets ----------------------


def test_requires_python_with_a_micro_floor_holds_on_the_newest_patch(lint: LintFn) -> None:
    # pandas 1.3.5 requires Python >=3.7.1: `python=3.7` installs 3.7.17, so it installs
    assert deps.full_version((3, 7)) == "3.7.17"
    assert found(lint, conda("pandas==1.3.5", python="3.7"), "AML504") == []
    # the same pin on a Python pinned to 3.7.0 cannot install
    hits = found(lint, conda("pandas==1.3.5", python="3.7.0"), "AML504")
    assert [(line, sev) for line, sev, _ in hits] == [(5, "error")]
    assert "Python 3.7.0" in hits[0][2] and "requires Python >=3.7.1" in hits[0][2]


def test_python_support_and_markers_use_the_newest_patch() -> None:
    support = deps.specifier_supports_python("pandas", "==1.3.5", (3, 7))
    assert support is not None and support.ok is True
    assert deps.python_full("3.7.11", (3, 7)) == (3, 7, 11)
    assert deps.python_full("=3.10", (3, 10)) == (3, 10, deps.NEWEST_PATCH[10])
    from aml_lint.knowledge import markers

    assert markers.evaluate('python_full_version >= "3.8.1"', (3, 8), "")
    assert not markers.evaluate('python_full_version >= "3.9.0"', (3, 8), "")


# -- 2. a release the tables do not hold is unknown ----------------------------------------------


def test_unheld_release_is_unknown_not_borrowed() -> None:
    unknown = deps.closure(["scikit-learn==0.0.1"], (3, 10))
    assert unknown.unknown == {"scikit-learn"} and "numpy" not in unknown
    assert deps.release_requires("azureml-inference-server-http", "9.9.9") is None
    # a pinned release releases.json holds is walked with its own requirements
    held = deps.closure(["scipy==1.10.1"], (3, 10))
    assert "numpy" in held and "scipy" not in held.unknown


def test_unpinned_requirement_is_todays_release_not_an_old_held_one() -> None:
    # requires.json holds azureml-defaults 1.0.45 only (a seed resolution picked it); unpinned, pip
    # installs today's release, whose requirements releases.json holds: those are walked
    held = deps._parsed_requires("azureml-defaults")
    assert held is not None and [str(v) for v in held.versions] == ["1.0.45"]
    newest = (deps.known_versions("azureml-defaults") or ())[-1]
    assert newest > deps.Version("1.60")
    today = deps.closure(["azureml-defaults"], (3, 11))
    assert today.chain("azureml-inference-server-http") == ["azureml-defaults", "azureml-inference-server-http"]
    old = deps.closure(["azureml-defaults==1.0.45"], (3, 7))
    assert "azureml-inference-server-http" not in old  # 1.0.45 predates the server package


# -- 3. the server's own requirements per release, from its wheels ------------------------------


def test_server_requirements_per_release_come_from_metadata() -> None:
    def pydantic(version: str) -> list[str]:
        reqs = deps.release_requires("azureml-inference-server-http", version) or ()
        return [r.specifier for r in reqs if r.name == "pydantic"]

    assert pydantic("1.0.0") == ["<1.11,>=1.9"]  # still pydantic 1
    assert pydantic("1.1.0") == ["~=2.0"]  # pydantic 2 came with 1.1.0
    defaults = deps.release_requires("azureml-defaults", "1.38.0") or ()
    assert [r.text for r in defaults if r.name == "azureml-inference-server-http"] == \
        ["azureml-inference-server-http~=0.4.1"]
    table = deps._table("releases.json")
    assert table["source_date"] == "2026-12-06" and "METADATA" in table["source"]


# -- 4. AML214: pins compared with the release's real requirement -------------------------------


def test_pin_the_server_accepts_passes(lint: LintFn) -> None:
    # 1.5.0 requires pydantic~=2.11.0: 2.11.7 is in it (no probe versions involved)
    assert found(lint, conda("azureml-inference-server-http==1.5.0", "pydantic==2.11.7"), "AML214") == []
    hits = found(lint, conda("azureml-inference-server-http==1.5.1", "pydantic==2.11.7"), "AML214")
    assert [(line, sev) for line, sev, _ in hits] == [(6, "error")]
    assert "'pydantic~=2.12.0', which azureml-inference-server-http 1.5.1 requires" in hits[0][2]


def test_old_defaults_whose_own_pins_make_it_work(lint: LintFn) -> None:
    # azureml-defaults 1.48.0 brings server ~=0.7.2 (flask<2.2): a MarkupSafe pin is compatible
    assert found(lint, conda("azureml-defaults==1.48.0", "MarkupSafe==2.1.2", python="3.8"), "AML214") == []
    # 1.38.0 brings server 0.4.14, which holds Jinja2<3.1 and itsdangerous<2.0 for its Flask 1.0.3
    assert found(lint, conda("azureml-defaults==1.38.0", "MarkupSafe==2.0.1", python="3.8"), "AML214") == []
    # 1.33.0 pins flask==1.0.3 itself and nothing holds Jinja2 back: still reported
    hits = found(lint, conda("azureml-defaults==1.33.0", python="3.8"), "AML214")
    assert [(line, sev) for line, sev, _ in hits] == [(5, "warning")]
    # ... unless the environment holds them itself
    assert found(lint, conda("azureml-defaults==1.33.0", "jinja2<3.1", "itsdangerous<2.1", python="3.8"),
                 "AML214") == []


LOCK = """\
azureml-inference-server-http==1.5.1 \\
    --hash=sha256:a68c36b4f45d6832418d3774d3735e3e689f59bd6a60e7a614e2acf889c25f60
pydantic==2.11.7 \\
    --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000
"""


def test_lock_files_never_get_remove_this_pin_advice(lint: LintFn) -> None:
    hits = found(lint, LOCK, "AML214", "requirements.txt")
    assert [(line, sev) for line, sev, _ in hits] == [(3, "error")]
    assert "regenerate the lock file" in hits[0][2] and "remove" not in hits[0][2]
    # a pip freeze (every line '==') whose pins the server accepts: nothing to say
    freeze = "\n".join(["azureml-inference-server-http==1.5.1", "flask==3.1.2", "werkzeug==3.1.3",
                        "pydantic==2.12.3", "gunicorn==23.0.0", "jinja2==3.1.6", "click==8.2.1"]) + "\n"
    assert found(lint, freeze, "AML214", "requirements.txt") == []


def test_unresolvable_only_when_no_release_accepts(lint: LintFn) -> None:
    # an unpinned server: pip falls back to 1.0.0 (pydantic 1): a warning, not an error
    hits = found(lint, "azureml-inference-server-http\npydantic<2\n", "AML214", "requirements.txt")
    assert [sev for _, sev, _ in hits] == ["warning"] and "falls back" in hits[0][2]
    hits = found(lint, "azureml-inference-server-http>=1.1\npydantic<2\n", "AML214", "requirements.txt")
    assert [sev for _, sev, _ in hits] == ["error"]


# -- 5. AML215: numpy 2 must be able to arrive ---------------------------------------------------


def test_numpy2_warning_only_where_numpy2_can_install(lint: LintFn) -> None:
    # numpy 2.0 needs Python 3.9: on 3.8 pip keeps numpy 1.x
    assert found(lint, conda("pandas==1.5.3", python="3.8"), "AML215") == []
    # scipy 1.10.1 requires numpy<1.27.0: numpy is capped below 2
    assert found(lint, conda("pandas==1.5.3", "scipy==1.10.1", python="3.10"), "AML215") == []
    # conda provides numpy (directly, or through a conda package that brings it)
    assert found(lint, conda("pandas==1.5.3", python="3.10", extra=("numpy",)), "AML215") == []
    assert found(lint, conda("pandas==1.5.3", python="3.10", extra=("scikit-learn",)), "AML215") == []
    # the true case: nothing holds numpy below 2
    hits = found(lint, conda("pandas==1.5.3", "scipy", python="3.10"), "AML215")
    assert [(line, sev) for line, sev, _ in hits] == [(5, "warning")]


# -- 6. the Python-range message names the blocker -----------------------------------------------


def test_python_range_names_the_blocking_dependency(lint: LintFn) -> None:
    # server 0.8.4 itself says >=3.7; its dependency inference-schema~=1.5.0 says <3.11
    hits = found(lint, conda("azureml-inference-server-http==0.8.4", python="3.11"), "AML209")
    assert [(line, sev) for line, sev, _ in hits] == [(2, "error")]
    assert "its dependency 'inference-schema~=1.5.0' requires Python >=3.7,<3.11" in hits[0][2]
    # through azureml-defaults: the whole path is shown
    hits = found(lint, conda("azureml-defaults==1.50.0", python="3.12"), "AML209")
    assert [sev for _, sev, _ in hits] == ["error"]
    assert ("its dependency 'inference-schema~=1.7.0' requires Python >=3.8,<3.12 (through "
            "azureml-inference-server-http~=0.8.0 -> inference-schema~=1.7.0)") in hits[0][2]
    assert found(lint, conda("azureml-inference-server-http==0.8.4", python="3.10"), "AML209") == []
    hits = found(lint, conda("inference-schema==1.5.1", python="3.11"), "AML504")
    assert [(line, sev) for line, sev, _ in hits] == [(5, "error")]
    assert "requires Python >=3.7,<3.11" in hits[0][2]


def test_mlflow_model_requirements_are_left_to_its_conda_file(lint: LintFn) -> None:
    files: dict[str, str | bytes] = {
        "model/MLmodel": "flavors:\n  python_function:\n    env:\n      conda: conda.yaml\n",
        "model/conda.yaml": conda("pandas==1.5.3", python="3.10"),
        "model/requirements.txt": "pandas==1.5.3\n",
    }
    found_ = lint(files, rule="AML215")
    assert [(f.path, f.line) for f in found_] == [("model/conda.yaml", 5)]
    # a requirements.txt without MLmodel beside it is still checked
    plain = {"other/conda.yaml": files["model/conda.yaml"], "other/requirements.txt": "pandas==1.5.3\n"}
    found_ = lint(plain, rule="AML215")  # the same tree: model/ is still there
    assert sorted(f.path for f in found_ if f.path.startswith("other/")) == [
        "other/conda.yaml", "other/requirements.txt"]


def test_requirements_file_judged_on_the_python_of_its_environment(lint: LintFn) -> None:
    env = ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: e\n"
           "image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1\nconda_file: conda.yml\n")
    files: dict[str, str | bytes] = {
        "env.yml": env,
        "conda.yml": "dependencies:\n  - python=3.8\n  - pip\n  - pip:\n      - -r requirements.txt\n",
        # on Python 3.8 pip takes server 1.3.4 (pydantic~=2.9.0) and numpy stays 1.x
        "requirements.txt": "azureml-inference-server-http\npydantic==2.9.2\npandas==1.5.3\n",
    }
    assert lint(files, rule="AML214") == [] and lint(files, rule="AML215") == []
    # without the environment, any Python: pip would take 1.5.1 and fall back for this pin
    alone = {"alone/requirements.txt": files["requirements.txt"]}
    assert [f.path for f in lint(alone, rule="AML214")] == ["alone/requirements.txt"]


def test_conda_pin_the_server_excludes_is_replaced_by_pip(lint: LintFn) -> None:
    text = "dependencies:\n  - python=3.12\n  - flask=2.2\n  - pip\n  - pip:\n      - azureml-inference-server-http==1.5.1\n"
    hits = found(lint, text, "AML214")
    assert [(line, sev) for line, sev, _ in hits] == [(3, "warning")]
    assert "pip replaces conda's flask" in hits[0][2]


def test_conda_env_export_is_a_lock(lint: LintFn) -> None:
    export = ("name: scoring\ndependencies:\n  - python=3.12.3=hab00c5b_0\n  - pip=24.0=pyhd8ed1ab_0\n"
              "  - setuptools=69.5.1=pyhd8ed1ab_0\n  - wheel=0.43.0=pyhd8ed1ab_1\n  - zlib=1.2.13=hd590445_5\n"
              "  - pip:\n      - azureml-inference-server-http==1.5.1\n      - pydantic==2.11.7\n"
              "      - flask==3.1.2\n")
    hits = found(lint, export, "AML214")
    assert [(line, sev) for line, sev, _ in hits] == [(10, "error")]
    assert "regenerate the lock file" in hits[0][2] and "remove" not in hits[0][2]


def test_flask1_companions_judged_on_the_environment_python(lint: LintFn) -> None:
    # Jinja2 3.1, itsdangerous 2.1 and MarkupSafe 2.1 require Python >=3.7: on 3.6 pip installs
    # Jinja2 3.0 / itsdangerous 2.0, which Flask 1.0.3 imports fine
    assert found(lint, conda("azureml-defaults==1.33.0", python="3.6.2"), "AML214") == []
    assert found(lint, conda("azureml-defaults==1.33.0", python="3.6"), "AML214") == []
    # the true case: on Python 3.7 pip takes Jinja2 3.1 and itsdangerous 2.1
    hits = found(lint, conda("azureml-defaults==1.33.0", python="3.7"), "AML214")
    assert [(line, sev) for line, sev, _ in hits] == [(5, "warning")]
    assert "'jinja2<3.1' and 'itsdangerous<2.1'" in hits[0][2]


def test_numpy2_judged_on_the_dockerfile_own_conda_env(lint: LintFn) -> None:
    base = "FROM mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1\nENV ENV_DIR=/envs/train\n"
    on_path = "ENV PATH=$ENV_DIR/bin:$PATH\nRUN pip install scikit-learn==1.0.2\n"
    # the env pip runs in is the Dockerfile's own conda env, on Python 3.8: numpy 2 cannot install
    py38 = base + "RUN conda create -y -p $ENV_DIR python=3.8.5 pip\n" + on_path
    assert found(lint, py38, "AML215", "Dockerfile") == []
    # conda installs numpy (capped) in that env: pip keeps it
    capped = base + "RUN conda create -y -p $ENV_DIR python=3.10 pip numpy~=1.23.5 -c conda-forge\n" + on_path
    assert found(lint, capped, "AML215", "Dockerfile") == []
    # the true case: a Python 3.10 env and nothing holds numpy below 2
    py310 = base + "RUN conda create -y -p $ENV_DIR python=3.10 pip\n" + on_path
    assert [(line, sev) for line, sev, _ in found(lint, py310, "AML215", "Dockerfile")] == [(5, "warning")]
    # an env the pip installs do not run in says nothing about their Python
    elsewhere = base + "RUN conda create -y -n other python=3.8.5\nRUN pip install scikit-learn==1.0.2\n"
    assert [line for line, _, _ in found(lint, elsewhere, "AML215", "Dockerfile")] == [4]


def test_numpy2_capped_through_an_extra(lint: LintFn) -> None:
    # azureml-dataset-runtime 1.62's `pandas` extra requires numpy<2.0.0 (requires.json)
    text = conda("scikit-learn==1.2.2", "azureml-dataset-runtime[pandas]", python="3.10")
    assert found(lint, text, "AML215") == []
    # without the extra nothing caps numpy: still reported
    hits = found(lint, conda("scikit-learn==1.2.2", "azureml-dataset-runtime", python="3.10"), "AML215")
    assert [(line, sev) for line, sev, _ in hits] == [(5, "warning")]
