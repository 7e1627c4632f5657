"""A registered environment, or a curated one aml-lint's table does not know: its contents cannot be checked.

What it finds: deployments, jobs (command and sweep jobs, the steps of a pipeline job) and
command components whose `environment:` is an `azureml:` or registry reference whose packages
aml-lint cannot see: an environment registered in the workspace (info), and a
curated one (`azureml://registries/azureml/environments/<name>/...`, `azureml:AzureML-<name>`)
that aml-lint's table of curated environments does not hold as written. The table
(built from Azure/azureml-assets; its date is in the message) knows each curated
environment's released versions, Python and packages, so a curated environment it knows
is checked for real and gets no finding here. A registry name the table does not know, an
environment removed from azureml-assets (no longer maintained, and the registry may have
archived it; left to AML217 where that rule knows the deprecation) and a version that cannot
exist (not a number) are warnings; a version newer than the table, published before the
release tags the table reads or missing from them, and an unknown `AzureML-` workspace name
(the table cannot list every one) are info.

Why it matters: aml-lint checks imports and pins against what an environment installs; for
a registered environment that list lives in the workspace, not in the pull request, so
those checks are skipped for this deployment or job rather than guessed. A curated name that
no release defines fails the deployment or the job ("No definition exists for environment"),
unless the environment is newer than aml-lint's table.

Fails:
    environment: azureml:my-env:3

Passes:
    environment: azureml://registries/azureml/environments/sklearn-1.5/labels/latest

Fix: for a registered environment, nothing to fix; to have it checked, keep its definition
in the repository (inline or `file:`), or add a `links:` entry to a local copy of it. For a
curated name, check the spelling against the registry (`az ml environment list --registry-name
azureml`), and move off a removed environment to its successor.
"""

from __future__ import annotations

from collections.abc import Iterator

from aml_lint.documents import DEPLOYMENT_KINDS, JOB_KINDS, Document, Kind
from aml_lint.findings import Severity
from aml_lint.graph import EnvSpec
from aml_lint.knowledge.curated import KNOWN, LEGACY, REMOVED, UNKNOWN_NAME, UNKNOWN_VERSION
from aml_lint.rules.base import Context, Hit
from aml_lint.rules.environment.common import curated_env_status
from aml_lint.rules.environment.image_deprecated import curated_name
from aml_lint.rules.links.environment_reference import problem

ID = "AML103"
NAME = "environment-not-visible"
SEVERITY = "info"
KINDS = tuple(sorted(DEPLOYMENT_KINDS | JOB_KINDS, key=lambda k: k.value))


def _what(doc: Document) -> str:
    if doc.kind in DEPLOYMENT_KINDS:
        return "deployment"
    return "component" if doc.kind is Kind.COMMAND_COMPONENT else "job"


def check(doc: Document, ctx: Context) -> Iterator[Hit]:
    # A pipeline job's steps and a sweep's trial: every environment the graph records for the file.
    what = _what(doc)
    for env in ctx.project.environments.get(doc.rel, []):
        if env.reference and problem(env.reference) is None:
            hit = _curated_hit(env, what) if env.curated is not None else None
            if hit is not None or env.curated is None or not env.visible:
                yield hit or Hit(f"environment '{env.reference}' is registered in the workspace; its packages "
                                 f"are not visible here, so import and pin checks skip this {what}",
                                 env.reference_location)


def _curated_hit(env: EnvSpec, what: str = "deployment") -> Hit | None:
    """What the curated table says about the reference, when it is not simply known."""
    c = env.curated
    if c is None:
        return None
    table = f"aml-lint's table of curated environments (Azure/azureml-assets as of {c.table_date})"
    if c.status == UNKNOWN_NAME:
        if c.form == LEGACY:
            return Hit(f"environment '{env.reference}' is not in {table}: it may be a curated environment "
                       "newer than the table; its packages are not visible here, so import and pin checks "
                       f"skip this {what}", env.reference_location)
        return Hit(f"'{c.name}' is not a curated environment in {table}: the {what} fails if the azureml "
                   "registry has no such environment (check the name); if it is newer than the table, its "
                   "packages are not checked", env.reference_location, severity=Severity.WARNING)
    if c.status == REMOVED:
        name = curated_name(env.reference or "")
        if name and curated_env_status(name) is not None:
            return None  # AML217 reports the deprecation, with the successor to move to
        when = f" on {c.removed_on}" if c.removed_on else ""
        return Hit(f"curated environment '{c.environment}' was removed from Azure/azureml-assets{when} "
                   "(no longer maintained; the registry may have archived it): move to a current "
                   f"curated environment; checked against its last release ({c.resolved_version or 'untagged'})",
                   env.reference_location, severity=Severity.WARNING)
    if c.status == KNOWN and not c.visible and not c.version_note:
        return Hit(f"curated environment '{c.environment}' is in {table}, but without what it installs; its "
                   f"packages are not visible here, so import and pin checks skip this {what}",
                   env.reference_location)
    if c.version_note == "unread":
        return Hit(f"version {c.version} of curated environment '{c.environment}' was released, but its "
                   f"definition is not in {table}; its packages are not visible here, so import and pin "
                   f"checks skip this {what}", env.reference_location)
    if c.status == UNKNOWN_VERSION:
        if c.version_note == "unlisted" and not (c.version or "").isdigit():
            return Hit(f"version '{c.version}' of curated environment '{c.environment}' is not a version number: "
                       f"the azureml registry numbers its versions (latest {c.latest} in {table}), so the "
                       f"{what} fails to find it",
                       env.reference_location, severity=Severity.WARNING)
        when = {"newer": "newer than", "older": "older than the release tags read by",
                "unlisted": "not among the release tags read by"}[c.version_note]
        return Hit(f"version {c.version} of curated environment '{c.environment}' is {when} {table} "
                   f"(latest {c.latest}); its packages are not visible here, so import and pin checks skip "
                   f"this {what}", env.reference_location)
    return None
