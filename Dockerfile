# The GitHub Action's image: aml-lint in a virtual environment, git, nothing else.
# BASE_IMAGE is pinned to a Python patch release; tests build on a local Debian base.
ARG BASE_IMAGE=python:3.12.7-slim-bookworm

FROM ${BASE_IMAGE} AS build
# Lets a builder find and prune this throw-away stage.
LABEL org.aml-lint.stage=build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml README.md /build/
COPY src /build/src
RUN python3 -m venv /opt/aml-lint \
 && /opt/aml-lint/bin/pip install /build \
 && /opt/aml-lint/bin/python -m pip uninstall --yes pip setuptools wheel

FROM ${BASE_IMAGE}
# git lists the changed files; slim Python images do not ship it.
RUN if ! command -v git >/dev/null; then \
        apt-get update \
        && apt-get install --yes --no-install-recommends git ca-certificates \
        && apt-get clean; \
    fi \
 && rm -rf /var/lib/apt/lists/* /root/.cache
COPY --from=build /opt/aml-lint /opt/aml-lint
COPY entrypoint.sh /entrypoint.sh
ENV PATH=/opt/aml-lint/bin:$PATH PYTHONUNBUFFERED=1
# No USER: GitHub mounts the workspace and its command files owned by the runner's
# user and documents that Docker actions run as root; entrypoint.sh drops to the
# workspace owner when that is not root.
ENTRYPOINT ["/entrypoint.sh"]
