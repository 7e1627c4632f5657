"""The requirement-line and conda match-spec readers: the forms pip and conda accept, as they read them."""

from __future__ import annotations

import pytest

from aml_lint.documents.conda import parse_match_spec
from aml_lint.documents.requirements import parse_pip_line, read_requirements
from aml_lint.findings import Location
from aml_lint.rules.environment.common import conda_specifier


@pytest.mark.parametrize(("text", "url", "local", "egg"), [
    (".", ".", True, None),
    ("-e .", ".", True, None),
    (".[train]", ".[train]", True, None),
    ("./pkg", "./pkg", True, None),
    ("../libs/common[extra]", "../libs/common[extra]", True, None),
    ("/opt/wheels/pkg-1.0-py3-none-any.whl", "/opt/wheels/pkg-1.0-py3-none-any.whl", True, None),
    ("git+https://github.com/org/repo.git@v1#subdirectory=sub&egg=My_Pkg",
     "git+https://github.com/org/repo.git@v1#subdirectory=sub&egg=My_Pkg", False, "my-pkg"),
    ("https://example.org/pkg-1.0.tar.gz", "https://example.org/pkg-1.0.tar.gz", False, None),
])
def test_paths_and_urls_are_direct_references(text: str, url: str, local: bool, egg: str | None) -> None:
    line = parse_pip_line(text, Location())
    assert line is not None and line.error is None
    assert (line.url, line.local, line.egg, line.opaque) == (url, local, egg, True)


@pytest.mark.parametrize("text", ["2>/dev/null", ">> /tmp/log", "| tee /tmp/log", "&&"])
def test_shell_words_after_pip_in_a_run_line_are_not_requirements(text: str) -> None:
    assert parse_pip_line(text, Location()) is None


def test_quoted_list_item_with_a_slash_is_not_a_path() -> None:
    line = parse_pip_line("'pkg @ https://example.org/pkg-1.0.tar.gz',", Location())
    assert line is not None and line.error and line.url is None


def test_named_url_is_a_requirement_with_its_url() -> None:
    line = parse_pip_line("pkg[extra] @ https://example.org/pkg-1.0-py3-none-any.whl ; python_version >= '3.9'",
                          Location())
    assert line is not None and line.requirement is not None
    assert (line.requirement.name, line.url, line.local) == (
        "pkg", "https://example.org/pkg-1.0-py3-none-any.whl", False)


@pytest.mark.parametrize("text", ["--index-url https://x/simple", "-i https://x/simple", "--pre",
                                  "--no-binary :all:", "-f ./wheels", "--trusted-host x.org",
                                  "--extra-index-url=https://x/simple"])
def test_options(text: str) -> None:
    line = parse_pip_line(text, Location())
    assert line is not None and line.option and line.error is None and line.requirement is None


def test_display_drops_hash_options() -> None:
    req = read_requirements("numpy==1.26.4 \\\n    --hash=sha256:aaaa \\\n    --hash sha256:bbbb\n"
                            "pandas==2.2.2 --hash=sha256:cccc  # pinned\n", "requirements.txt")
    assert [line.display for line in req.lines] == ["numpy==1.26.4", "pandas==2.2.2"]
    assert [d.spec for d in req.declared] == ["numpy==1.26.4", "pandas==2.2.2"]
    assert "--hash" in req.lines[0].text  # the line itself is kept whole


@pytest.mark.parametrize(("text", "shape"), [
    ("'numpy',\n'pandas==2.2.2',\n", "python-list"),
    ('["numpy"]\n', "python-list"),
    ('{"numpy": "1.26"}\n', "json"),
    ("numpy=1.21.2=py38h_0\npandas=1.3.0=py38_0\n", "conda-list"),
    ("numpy,\npandas,\nscipy,\n", "comma-separated"),
])
def test_unparseable_files(text: str, shape: str) -> None:
    bad = read_requirements(text, "requirements.txt").unparseable
    assert bad is not None and bad.shape == shape and bad.first.location.line == 1


@pytest.mark.parametrize("text", [
    "numpy==1.26.4\npandas=2.2.2\n",  # one mistake among good lines: reported per line
    "numpy==1.26.4\n",
    "# only a comment\n",
])
def test_readable_files(text: str) -> None:
    assert read_requirements(text, "requirements.txt").unparseable is None


# --------------------------------------------------------------------------- conda


@pytest.mark.parametrize(("text", "name", "version", "build", "channel"), [
    ("PyJWT < 2.0.0", "pyjwt", "<2.0.0", "", ""),
    ("numpy >=1.20", "numpy", ">=1.20", "", ""),
    ("python = 3.8", "python", "=3.8", "", ""),
    ("numpy 1.21.2 py38h6c91a56_0", "numpy", "1.21.2", "py38h6c91a56_0", ""),
    ("numpy=1.21.2=py38h6c91a56_0", "numpy", "=1.21.2", "py38h6c91a56_0", ""),
    ("conda-forge::numpy", "numpy", "", "", "conda-forge"),
    ("conda-forge/linux-64::numpy==1.0", "numpy", "==1.0", "", "conda-forge/linux-64"),
    ("numpy[version='>=1.20']", "numpy", ">=1.20", "", ""),
    ("numpy[version='>=1.20', build=py38*]", "numpy", ">=1.20", "py38*", ""),
    ("numpy *", "numpy", "*", "", ""),
    ("numpy * openblas_0", "numpy", "*", "openblas_0", ""),
    ("numpy 1.2.*", "numpy", "1.2.*", "", ""),
    ("numpy=1.2", "numpy", "=1.2", "", ""),
    ("numpy>=1.2,<2", "numpy", ">=1.2,<2", "", ""),
    ("numpy >= 1.0 , < 2.0 py34_0", "numpy", ">=1.0,<2.0", "py34_0", ""),
    ("numpy 1.2|1.3", "numpy", "1.2|1.3", "", ""),
    ("https://conda.anaconda.org/conda-forge::numpy>=1", "numpy", ">=1", "", "https://conda.anaconda.org/conda-forge"),
    ("https://x.org/linux-64/numpy-1.21.2-py38h_0.conda", "numpy", "", "", ""),
])
def test_match_specs_as_conda_reads_them(text: str, name: str, version: str, build: str, channel: str) -> None:
    dep = parse_match_spec(text, Location())
    assert dep.valid, dep.error
    assert (dep.name, dep.version, dep.build, dep.channel) == (name, version, build, channel)


@pytest.mark.parametrize("text", ["numpy==>1.2", "numpy=>1.0", "numpy>=1.2,", "numpy>=1.2 <2", "numpy[version=]",
                                  ">=1.2", "-r requirements.txt"])
def test_match_specs_conda_rejects(text: str) -> None:
    dep = parse_match_spec(text, Location())
    assert not dep.valid and dep.error


@pytest.mark.parametrize(("version", "pep440"), [
    ("", ""), ("*", ""), ("=1.2", "==1.2.*"), ("==1.2", "==1.2"), ("1.2.*", "==1.2.*"), ("<2.0.0", "<2.0.0"),
    (">=1.0,<2.0", "<2.0,>=1.0"), ("=1.2.3=py38_0", "==1.2.3.*"), ("1.21.2 py38h_0", "==1.21.2.*"),
    ("!=1.2.*", "!=1.2.*"),
])
def test_conda_specifier(version: str, pep440: str) -> None:
    spec = conda_specifier(version)
    assert spec is not None and str(spec) == pep440


def test_conda_or_has_no_pep440_form() -> None:
    assert conda_specifier("1.2|1.3") is None
