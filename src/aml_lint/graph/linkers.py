"""What each kind of document links to: the one table to extend when a kind is added.

A linker takes the project and one parsed, non-template document of its kind, and records
the links it makes (``project.link``), the problems met on the way (``project.problem``) and
the environments it defines (``project.environments``). ``Project.resolve_links`` walks this
table once per loaded document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aml_lint.documents import DEPLOYMENT_KINDS, Document, Kind
from aml_lint.graph.deployments import deployment_links
from aml_lint.graph.environments import link_environment
from aml_lint.graph.jobs import link_command_unit_doc, link_pipeline, link_sweep

if TYPE_CHECKING:
    from aml_lint.graph.project import Project

Linker = Callable[["Project", Document], None]

LINKERS: dict[Kind, Linker] = {
    **{kind: deployment_links for kind in DEPLOYMENT_KINDS},
    Kind.ENVIRONMENT: link_environment,
    Kind.COMMAND_JOB: link_command_unit_doc,
    Kind.COMMAND_COMPONENT: link_command_unit_doc,
    Kind.SWEEP_JOB: link_sweep,
    Kind.PIPELINE_JOB: link_pipeline,
}
