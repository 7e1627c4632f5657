# The GitHub Action's image: aml-lint in a virtual environment, git, nothing else.
# BASE_IMAGE is pinned to a Python patch release; tests build on a local Debian base.
#
# Layers of the final image, from the least to the most often changed (docs/image.md):
#   1. git (apt), without docs, man pages, locales, apt lists or perl;
#   2. the dependencies' virtual environment, without pip, setuptools or wheel;
#   3. entrypoint.sh;
#   4. aml-lint itself (a few hundred kB): a change under src/ rebuilds only this one.
ARG BASE_IMAGE=python:3.12.7-slim-bookworm

# The dependency list alone, read from pyproject.toml: a new version or tool setting there
# leaves it byte for byte the same, so the dependencies' layer stays cached.
FROM ${BASE_IMAGE} AS requirements
# Lets a builder find and prune the throw-away stages.
LABEL org.aml-lint.stage=build
COPY pyproject.toml /build/
RUN python3 -c 'import tomllib; print(*tomllib.load(open("/build/pyproject.toml", "rb"))["project"]["dependencies"], sep="\n")' \
        > /build/requirements.txt

FROM ${BASE_IMAGE} AS venv
LABEL org.aml-lint.stage=build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python3 -m venv /opt/aml-lint

FROM venv AS deps
COPY --from=requirements /build/requirements.txt /build/requirements.txt
# Compiled .pyc kept: without them every run (a fresh container, as a non-root user that
# cannot write them) compiles again: +120 ms a check, +250 ms more when the API is used.
RUN /opt/aml-lint/bin/pip install --requirement /build/requirements.txt \
 && /opt/aml-lint/bin/python -m pip uninstall --yes pip setuptools wheel \
 && rm -f /opt/aml-lint/bin/Activate.ps1 /opt/aml-lint/bin/activate* \
 && find /opt/aml-lint/lib -mindepth 4 -depth -type d -name tests -exec rm -rf {} +

# aml-lint without its dependencies, installed under /staging so that the final image gets
# exactly its files (package, metadata, console script) as one small layer.
FROM venv AS app
COPY pyproject.toml README.md /build/
COPY src /build/src
# Compiled here with the paths they will have (not /staging/...), for tracebacks.
RUN /opt/aml-lint/bin/pip install --no-deps --no-compile --no-warn-script-location --root /staging /build \
 && /opt/aml-lint/bin/python -m compileall -q -s /staging -p / /staging/opt/aml-lint

FROM ${BASE_IMAGE}
# git lists the changed files; slim Python images do not ship it. dpkg leaves out docs, man
# pages and locales (Debian's slim images already say so); the perl that git depends on is
# removed again: aml-lint runs only git's built-in commands (diff, ls-files, rev-parse,
# status, log, cat-file, config), none of which is a perl script. That is 47 MB of 86.
RUN if ! command -v git >/dev/null; then \
        printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
            'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
            'path-exclude /usr/share/locale/*' 'path-exclude /usr/share/lintian/*' \
            > /etc/dpkg/dpkg.cfg.d/aml-lint-no-docs \
        && dpkg-query -W -f '${Package}\n' | sort > /tmp/packages-before \
        && apt-get update \
        && apt-get install --yes --no-install-recommends git ca-certificates \
        && dpkg-query -W -f '${Package}\n' | sort | comm -13 /tmp/packages-before - \
            | grep -E '^(perl|perl-modules-[0-9.]+|libperl[0-9.]+|liberror-perl|libgdbm6|libgdbm-compat4)$' \
            | xargs --no-run-if-empty dpkg --purge --force-depends \
        && apt-get clean; \
    fi \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
        /var/cache/debconf/*-old /var/lib/dpkg/*-old /tmp/packages-before /root/.cache
COPY --from=deps /opt/aml-lint /opt/aml-lint
COPY entrypoint.sh /entrypoint.sh
ENV PATH=/opt/aml-lint/bin:$PATH PYTHONUNBUFFERED=1
COPY --from=app /staging/ /
# No USER: GitHub mounts the workspace and its command files owned by the runner's
# user and documents that Docker actions run as root; entrypoint.sh drops to the
# workspace owner when that is not root.
ENTRYPOINT ["/entrypoint.sh"]
