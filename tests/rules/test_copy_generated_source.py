"""Issue 12, class N7: a Dockerfile COPY source that .gitignore lists is generated, not missing.

A script writes `environment/requirements.txt` before the build and `.gitignore` keeps it out of
git: the COPY is a warning that says so, not an error. It stays an error when the file could not
reach the build even once generated: the build context's `.dockerignore`, or the `.amlignore` /
`.gitignore` at the root of an AzureML build context (AzureML applies it to the upload).
"""

from __future__ import annotations

from lintkit import LintFn

RULE = "AML218"
ENV = ("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: my-env\n"
       "build:\n  path: environment\n")
DOCKERFILE = ("FROM mcr.microsoft.com/azureml/minimal-py312-inference:20240101.v1\n"
              "COPY requirements.txt /tmp/requirements.txt\nCOPY conda.yml /tmp/conda.yml\n")


def _found(found: list) -> list[tuple[int, str]]:
    return [(f.line, f.severity.label) for f in found]


def test_gitignored_copy_source_is_a_warning_that_says_it_is_generated(lint: LintFn) -> None:
    found = lint({"env.yml": ENV, "environment/Dockerfile": DOCKERFILE,
                  ".gitignore": "# written by bin/build.sh\nrequirements.txt\n"}, rule=RULE)
    assert _found(found) == [(2, "warning"), (3, "error")]  # conda.yml is not ignored: still an error
    assert ".gitignore ignores it" in found[0].message and "earlier step" in found[0].message


def test_without_the_gitignore_it_is_an_error(lint: LintFn) -> None:
    found = lint({"env.yml": ENV, "environment/Dockerfile": DOCKERFILE, ".gitignore": "*.log\n"}, rule=RULE)
    assert _found(found) == [(2, "error"), (3, "error")]


def test_unlinked_dockerfile_with_a_generated_source_is_info(lint: LintFn) -> None:
    found = lint({"environment/Dockerfile": DOCKERFILE, ".gitignore": "requirements.txt\n",
                  "environment/conda.yml": "dependencies: [python=3.12]\n"}, rule=RULE)
    assert _found(found) == [(2, "info")]


def test_gitignored_folder_source_is_generated(lint: LintFn) -> None:
    dockerfile = "FROM mcr.microsoft.com/azureml/minimal-py312-inference:20240101.v1\nCOPY registered_model/ /model/\n"
    found = lint({"env.yml": ENV, "environment/Dockerfile": dockerfile,
                  ".gitignore": "registered_model/\n"}, rule=RULE)
    assert _found(found) == [(2, "warning")]


def test_source_the_context_ignore_file_excludes_stays_an_error(lint: LintFn) -> None:
    # .dockerignore: Docker never sends it; environment/.gitignore: AzureML does not upload it.
    for ignore in ("environment/.dockerignore", "environment/.gitignore"):
        found = lint({"env.yml": ENV, "environment/Dockerfile": DOCKERFILE, ".gitignore": "requirements.txt\n",
                      ignore: "requirements.txt\n", "environment/conda.yml": "dependencies: [python=3.12]\n"},
                     rule=RULE)
        assert _found(found) == [(2, "error")], ignore


def test_an_amlignore_at_the_root_of_the_azureml_context_keeps_the_source_out(lint: LintFn) -> None:
    found = lint({"env.yml": ENV, "environment/Dockerfile": DOCKERFILE, ".gitignore": "requirements.txt\n",
                  "environment/.amlignore": "*.txt\n", "environment/conda.yml": "dependencies: [python=3.12]\n"},
                 rule=RULE)
    assert _found(found) == [(2, "error")]
