"""`pip install` options whose value is the next word are not packages (`--progress-bar off`)."""

from __future__ import annotations

from aml_lint.documents.dockerfile import read_dockerfile


def test_option_values_are_not_installed_packages() -> None:
    text = ("FROM python:3.11\n"
            "RUN pip install --progress-bar off --cache-dir /tmp/c numpy==2.0.2 --only-binary :all: scipy\n")
    assert [line.text for line in read_dockerfile(text, "Dockerfile").pip_installs()] == ["numpy==2.0.2", "scipy"]


def test_a_package_after_a_flag_without_value_is_still_read() -> None:
    text = "FROM python:3.11\nRUN pip install --no-cache-dir --upgrade off-the-shelf\n"
    assert [line.text for line in read_dockerfile(text, "Dockerfile").pip_installs()] == ["off-the-shelf"]
