"""The project graph: documents and the links between them (see aml_lint.graph.project).

One module per thing linked: environments (EnvSpec, conda includes, a Dockerfile's
requirements), deployments, scripts (local modules, SDK calls, explicit links), dockerfiles
(which ones AzureML builds, from which context), and the ``LINKERS`` table by kind (linkers).
"""

from aml_lint.graph.dockerfiles import (
    dev_container_dockerfiles,
    docker_builds,
    is_build_script,
    may_build_image,
    sdk_build_contexts,
)
from aml_lint.graph.environments import EnvSpec
from aml_lint.graph.linkers import LINKERS, Linker
from aml_lint.graph.links import Link, LinkProblem
from aml_lint.graph.paths import ASSET_PREFIXES, is_absolute_path, near_miss
from aml_lint.graph.project import Project
from aml_lint.graph.scripts import SdkUsage, find_sdk_usage

__all__ = [
    "ASSET_PREFIXES",
    "LINKERS",
    "EnvSpec",
    "Link",
    "LinkProblem",
    "Linker",
    "Project",
    "SdkUsage",
    "dev_container_dockerfiles",
    "docker_builds",
    "find_sdk_usage",
    "is_absolute_path",
    "is_build_script",
    "may_build_image",
    "near_miss",
    "sdk_build_contexts",
]
