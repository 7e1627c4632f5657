"""The query API over the committed knowledge tables (no network, no shared data)."""

from __future__ import annotations

import pytest

from aml_lint.knowledge import deps

GOLDEN = [
    ("cv2", "opencv-python"),
    ("sklearn", "scikit-learn"),
    ("sklearn.linear_model", "scikit-learn"),
    ("PIL", "pillow"),
    ("PIL.Image", "pillow"),
    ("yaml", "pyyaml"),
    ("bs4", "beautifulsoup4"),
    ("skimage", "scikit-image"),
    ("dateutil", "python-dateutil"),
    ("dateutil.parser", "python-dateutil"),
    ("google.protobuf", "protobuf"),
    ("google.protobuf.json_format", "protobuf"),
    ("azure.ai.ml", "azure-ai-ml"),
    ("azure.ai.ml.entities", "azure-ai-ml"),
    ("azureml.core", "azureml-core"),
    ("azureml.core.model", "azureml-core"),
    ("mpl_toolkits", "matplotlib"),
    ("mpl_toolkits.mplot3d", "matplotlib"),
    ("typing_extensions", "typing-extensions"),
    ("pkg_resources", "setuptools"),
]


@pytest.mark.parametrize(("module", "dist"), GOLDEN)
def test_golden_import_names(module: str, dist: str) -> None:
    cands = deps.import_candidates(module)
    assert cands.dists[0] == dist
    assert not cands.heuristic
    assert deps.providers(module, [dist]) == [dist]


@pytest.mark.parametrize("module", ["numpy", "pandas", "mlflow", "joblib", "requests"])
def test_same_named_distribution_comes_first(module: str) -> None:
    assert deps.import_candidates(module).dists[0] == module
    assert deps.providers(module, [module.upper()]) == [module]


def test_cv2_any_opencv_flavour_provides_it() -> None:
    for dist in ("opencv-python", "opencv-python-headless", "opencv-contrib-python-headless"):
        assert deps.providers("cv2", [dist]) == [dist]
    assert deps.providers("cv2", ["opencv"]) == []  # conda metapackage name is not a PyPI dist


def test_namespaces_resolve_by_longest_prefix() -> None:
    assert deps.import_candidates("azure.identity").dists[0] == "azure-identity"
    assert deps.import_candidates("azure.storage.blob").dists[0] == "azure-storage-blob"
    assert deps.import_candidates("azure.core.exceptions").dists[0] == "azure-core"
    assert deps.import_candidates("google.cloud.storage").dists[0] == "google-cloud-storage"
    bare = deps.import_candidates("azure")
    assert bare.namespace and bare.dists == ()


def test_unknown_namespace_member_is_guessed_dots_to_dashes() -> None:
    cands = deps.import_candidates("azure.zz_not_a_real_sdk.client")
    assert cands.heuristic
    assert cands.dists == ("azure-zz-not-a-real-sdk-client", "azure-zz-not-a-real-sdk")
    assert deps.providers("azure.zz_not_a_real_sdk.client", ["azure-zz-not-a-real-sdk"]) == [
        "azure-zz-not-a-real-sdk"]


def test_inference_server_shim_provides_azureml_contrib_services() -> None:
    module = "azureml.contrib.services.aml_request"
    assert deps.is_runtime_shim(module, ["azureml-inference-server-http"])
    assert "azureml-inference-server-http" in deps.providers(module, ["azureml-inference-server-http"])
    assert deps.providers(module, ["azureml-contrib-services"]) == ["azureml-contrib-services"]
    assert not deps.is_runtime_shim(module, ["azureml-core"])


def test_extras_submodule_needs() -> None:
    cands = deps.import_candidates("inference_schema.parameter_types.numpy_parameter_type")
    assert cands.dists[0] == "inference-schema" and cands.requires == ("numpy",)
    assert deps.import_candidates("inference_schema.schema_decorators").requires == ()


@pytest.mark.parametrize(("name", "normalized"), [
    ("Scikit_Learn", "scikit-learn"), ("ruamel.yaml", "ruamel-yaml"), ("PyYAML", "pyyaml"),
    ("typing__extensions", "typing-extensions"), (" numpy ", "numpy"),
])
def test_normalize_pep503(name: str, normalized: str) -> None:
    assert deps.normalize(name) == normalized


@pytest.mark.parametrize(("conda", "pypi"), [
    ("pytorch", ["torch"]),
    ("py-xgboost", ["xgboost"]),
    ("msgpack-python", ["msgpack", "msgpack-python"]),
    ("matplotlib-base", ["matplotlib"]),
    ("opencv", ["opencv-python"]),
    ("python", []),
    ("numpy", ["numpy"]),
    ("Scikit-Learn", ["scikit-learn"]),
    ("some-unknown-conda-pkg", ["some-unknown-conda-pkg"]),
])
def test_conda_to_pypi(conda: str, pypi: list[str]) -> None:
    assert deps.conda_to_pypi(conda) == pypi


def test_py_opencv_provides_cv2_through_the_map() -> None:
    dists = deps.conda_to_pypi("py-opencv")
    assert "opencv-python" in dists
    assert deps.providers("cv2", dists)


@pytest.mark.parametrize(("module", "python", "expected"), [
    ("os", (3, 7), True), ("os.path", (3, 13), True), ("numpy", (3, 10), False),
    ("distutils", (3, 11), True), ("distutils", (3, 12), False), ("imp", (3, 12), False),
    ("cgi", (3, 12), True), ("cgi", (3, 13), False), ("tomllib", (3, 10), False),
    ("tomllib", (3, 11), True), ("zoneinfo", (3, 8), False), ("zoneinfo", (3, 9), True),
    ("asyncore", (3, 12), False), ("graphlib", (3, 9), True),
])
def test_stdlib_per_version(module: str, python: tuple[int, int], expected: bool) -> None:
    assert deps.is_stdlib(module, python) is expected


@pytest.mark.parametrize(("module", "removed"), [
    ("distutils", (3, 12)), ("imp", (3, 12)), ("asynchat", (3, 12)), ("asyncore", (3, 12)),
    ("smtpd", (3, 12)), ("cgi", (3, 13)), ("cgitb", (3, 13)), ("telnetlib", (3, 13)),
    ("imghdr", (3, 13)), ("audioop", (3, 13)), ("formatter", (3, 10)), ("binhex", (3, 11)),
    ("os", None), ("numpy", None),
])
def test_stdlib_removals(module: str, removed: tuple[int, int] | None) -> None:
    assert deps.stdlib_removed_in(module) == removed
    if removed:
        assert deps.is_removed_stdlib(module, removed)
        assert not deps.is_removed_stdlib(module, (3, removed[1] - 1))


def test_stdlib_without_python_means_any_version() -> None:
    assert deps.is_stdlib("distutils") and deps.is_stdlib("tomllib") and not deps.is_stdlib("yaml")


def test_backports() -> None:
    assert deps.backports("imp") == ["zombie-imp"]
    assert "setuptools" in deps.backports("distutils.core")
    assert deps.backports("os") == []


@pytest.mark.parametrize("text,expected", [
    ("3.10", (3, 10)), ("3.8.13", (3, 8)), ("=3.12", (3, 12)), (">=3.9,<3.11", (3, 9)),
    ("2.7", None), ("", None), (None, None), ("latest", None),
])
def test_parse_python(text: str | None, expected: tuple[int, int] | None) -> None:
    assert deps.parse_python(text) == expected


def test_closure_walks_requires_dist() -> None:
    c = deps.closure(["scikit-learn"], (3, 10))
    assert {"numpy", "scipy", "joblib", "threadpoolctl"} <= c.dists
    assert c.chain("numpy")[0] == "scikit-learn"
    assert c.parent["scikit-learn"] is None
    assert "scikit-learn" in c.declared


def test_closure_of_inference_server_has_inference_schema_but_not_numpy() -> None:
    c = deps.closure(["azureml-inference-server-http"], (3, 10))
    assert "inference-schema" in c and "flask" in c
    assert "numpy" not in c  # only with inference-schema's numpy-support extra


def test_closure_follows_the_pinned_version() -> None:
    # 0.8.x of the inference server used opencensus; 1.x uses OpenTelemetry
    old = deps.closure(["azureml-inference-server-http==0.8.4"], (3, 8))
    new = deps.closure(["azureml-inference-server-http"], (3, 10))
    assert "opencensus-ext-azure" in old and "opencensus-ext-azure" not in new
    assert "opentelemetry-api" in new


def test_closure_unpinned_takes_the_newest_version_for_the_python() -> None:
    info = deps._parsed_requires("scikit-learn")
    assert info is not None and len(info.versions) >= 2
    assert "numpy" in deps.closure(["scikit-learn"], (3, 8))
    # a release the tables do not hold: its dependencies are unknown, not borrowed from another
    unknown = deps.closure(["scikit-learn==99.0"], (3, 10))
    assert "numpy" not in unknown and unknown.unknown == {"scikit-learn"}


def test_closure_honours_extras() -> None:
    assert "numpy" not in deps.closure(["inference-schema"], (3, 10))
    c = deps.closure(["inference-schema[numpy-support]"], (3, 10))
    assert "numpy" in c
    assert c.chain("numpy") == ["inference-schema", "numpy"]


def test_closure_honours_python_markers() -> None:
    # exceptiongroup is a dependency of anyio/pytest-style packages only below 3.11
    info = deps._parsed_requires("anyio")
    if info is None or not any(r.name == "exceptiongroup" and r.marker for r, _ in info.requires):
        pytest.skip("anyio's requirements in the data have no python_version marker")
    assert "exceptiongroup" in deps.closure(["anyio"], (3, 10))
    assert "exceptiongroup" not in deps.closure(["anyio"], (3, 12))


def test_closure_reports_unknown_dependencies() -> None:
    c = deps.closure(["scikit-learn", "zz-surely-unknown-dist"], (3, 10))
    assert "zz-surely-unknown-dist" in c.unknown and not c.complete
    assert deps.known_dependencies("scikit-learn") and not deps.known_dependencies("zz-surely-unknown-dist")


def test_pin_python_support() -> None:
    bad = deps.pin_supports_python("numpy==1.19.5", (3, 10))
    assert bad is not None and bad.ok is False and 10 not in bad.pythons and 8 in bad.pythons
    good = deps.pin_supports_python("numpy==1.26.4", (3, 10))
    assert good is not None and good.ok is True
    assert deps.specifier_supports_python("numpy", "==1.19.*", (3, 8)).ok is True  # type: ignore[union-attr]
    assert deps.pin_supports_python("numpy", (3, 10)) is None  # unpinned
    assert deps.pin_supports_python("left-pad==1.0", (3, 10)) is None  # no data
    unknown = deps.pin_supports_python("numpy==99.0", (3, 10))
    assert unknown is not None and unknown.ok is None


@pytest.mark.parametrize(("req", "python", "ok"), [
    ("pandas==2.2.3", (3, 8), False), ("pandas==1.5.3", (3, 8), True),
    ("scikit-learn==0.24.2", (3, 10), False), ("scikit-learn>=1.3", (3, 12), True),
    ("torch==1.12.1", (3, 11), False), ("torch==2.3.1", (3, 11), True),
    ("tensorflow==2.10.0", (3, 11), False), ("tensorflow==2.15.0", (3, 11), True),
])
def test_pin_python_support_key_packages(req: str, python: tuple[int, int], ok: bool) -> None:
    verdict = deps.pin_supports_python(req, python)
    assert verdict is not None and verdict.ok is ok


def test_source_date_is_fixed_in_every_table() -> None:
    dates = {deps._table(n)["source_date"] for n in ("imports.json", "conda.json", "stdlib.json", "requires.json")}
    assert dates == {deps.source_date()}
    # the release tables were gathered later, together
    assert deps._table("python_support.json")["source_date"] == deps._table("releases.json")["source_date"]
    assert deps._table("releases.json")["source_date"] > deps.source_date()


@pytest.mark.parametrize(("text", "expected"), [
    ("3.10", (3, 10)), ("=3.10", (3, 10)), ("==3.10.4", (3, 10)), ("3.10.*", (3, 10)),
    ("3.10.* *_cpython", (3, 10)), (">=3.8", None), ("3.8|3.9", None), ("<3.12", None),
    (">=3.10,<3.11", None), ("2.7", None), ("", None), (None, None),
])
def test_parse_python_pin_only_accepts_exact_minor(text: str | None, expected: tuple[int, int] | None) -> None:
    assert deps.parse_python_pin(text) == expected


def test_known_pypi_names() -> None:
    known = deps.known_pypi_names()
    assert {"pandas", "scikit-learn", "torch", "opencv-python", "azureml-core"} <= known
    assert "cudatoolkit" not in known and "mkl" not in known


def test_an_exact_pin_matches_the_releases_a_specifier_set_matches() -> None:
    # specifier_supports_python compares '==X' pins by equality instead of SpecifierSet.contains;
    # it must pick the releases SpecifierSet picks, for every release in the table and several
    # spellings of its pin (wildcards and odd spellings take the SpecifierSet path themselves).
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    from aml_lint.knowledge import deps

    checked = 0
    for dist in deps._table("python_support.json")["dists"]:
        releases = deps._support_versions(dist)
        for text, version in releases:
            for spec in (f"=={text}", f"== {text} ", f"=={text}.0", f"=={version.public}", f"=={text}.*"):
                support = deps.specifier_supports_python(dist, spec, (3, 11))
                try:
                    spec_set = SpecifierSet(spec)
                except InvalidSpecifier:  # '==1.0.post1.0': not a pin at all
                    assert support is None, spec
                    continue
                assert support is not None
                expected = [t for t, v in releases if spec_set.contains(v, prereleases=True)]
                assert list(support.matching) == expected, spec
                checked += deps._exact_pin(spec) is not None
    assert checked > 1000  # most of them went through the '==' path
    assert deps._exact_pin("==1.0+local") is None and deps._exact_pin(">=1.0") is None


def test_requirement_specifiers_follow_the_extras() -> None:
    # azureml-dataset-runtime 1.62's `pandas` extra adds numpy<2.0.0 to its base numpy requirement
    base = deps.requirement_specifiers("azureml-dataset-runtime", "==1.62.0", (3, 10), [], "numpy")
    with_extra = deps.requirement_specifiers("azureml-dataset-runtime", "==1.62.0", (3, 10), ["pandas"], "numpy")
    assert base and with_extra and len(base) == len(with_extra)
    assert not any(s.startswith("<2") for specs in base for s in specs)
    assert all(any(s.startswith("<2") for s in specs) for specs in with_extra)
    # a release requires.json does not hold: unknown, never borrowed from another release
    assert deps.requirement_specifiers("azureml-dataset-runtime", "==0.0.1", (3, 10), ["pandas"], "numpy") is None
    assert deps.requirement_specifiers("no-such-dist", "", (3, 10), [], "numpy") is None
