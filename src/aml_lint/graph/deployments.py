"""Deployments: their code folder, scoring script, model and environment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_lint.documents import Document, Kind
from aml_lint.findings import Location
from aml_lint.graph.environments import unit_environment
from aml_lint.graph.links import Link
from aml_lint.workspace import relpath

if TYPE_CHECKING:
    from aml_lint.graph.project import Project


def deployment_links(project: Project, doc: Document) -> None:
    data = doc.data
    assert isinstance(data, dict)
    folder = doc.path.parent
    script_doc: Document | None = None
    code = data.get("code_configuration")
    if isinstance(code, dict):
        code_dir = project.resolve(doc, folder, code.get("code"), ("code_configuration", "code"),
                                 "code_configuration.code", "dir")
        if code_dir is not None:
            project.link(Link(doc.rel, relpath(code_dir, project.root), "code", ("code_configuration", "code"),
                            doc.yaml.loc(("code_configuration", "code")) if doc.yaml else Location()))
            target = project.resolve(doc, code_dir, code.get("scoring_script"),
                                   ("code_configuration", "scoring_script"),
                                   "code_configuration.scoring_script", "file",
                                   f"the code folder '{relpath(code_dir, project.root)}'", uploaded=True)
            if target is not None:
                script_doc = project.add(target, Kind.SCORING_SCRIPT)
                if script_doc is not None:
                    project.link(Link(doc.rel, script_doc.rel, "scoring_script",
                                    ("code_configuration", "scoring_script")))
                    project.script_deployments.setdefault(script_doc.rel, []).append(doc)
    model = data.get("model")
    if isinstance(model, dict) and "path" in model:
        target = project.resolve(doc, folder, model.get("path"), ("model", "path"), "model.path", "any")
        if target is not None:
            project.link(Link(doc.rel, relpath(target, project.root), "model", ("model", "path")))
    env = unit_environment(project, doc, data.get("environment"), ("environment",), folder)
    if env is not None and script_doc is not None:
        project.script_envs.setdefault(script_doc.rel, []).append(env)
