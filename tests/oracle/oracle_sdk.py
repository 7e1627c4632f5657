"""The Azure ML SDK v2 (azure-ai-ml) as a second opinion: does the real client accept a YAML file?

Each kind is loaded the way `az ml ... create --file` loads it, then given the client-side
checks that `create` runs before it talks to Azure (`Environment.validate()`, the
deployment's `_validate()`, the code configuration's `_validate()`, a job's or component's
local `_validate()`). Nothing here reaches
the network: sockets are blocked while the SDK is imported and while it loads a file.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


class NetworkBlocked(RuntimeError):
    """The SDK tried to open a socket while loading a local file."""


@contextlib.contextmanager
def sockets_blocked() -> Iterator[None]:
    """Any attempt to open a connection raises NetworkBlocked (and the test sees it)."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise NetworkBlocked(f"the SDK tried to open a socket: {args!r}")

    class Refused(socket.socket):  # a class, not a function: modules imported meanwhile subclass it
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            refuse(*args)

    saved = socket.socket, socket.create_connection, socket.getaddrinfo
    socket.socket = Refused  # type: ignore[misc]
    socket.create_connection = refuse  # type: ignore[assignment]
    socket.getaddrinfo = refuse  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.socket, socket.create_connection, socket.getaddrinfo = saved  # type: ignore[misc]


class Sdk:
    """The SDK's loaders, imported once (azure.ai.ml takes one to two seconds to import)."""

    def __init__(self) -> None:
        with sockets_blocked():
            from azure.ai.ml.entities import _load_functions as load

        self.load = load
        # The SDK logs every rejected file at WARNING/ERROR on top of raising: keep the test output quiet.
        logging.getLogger("azure").setLevel(logging.CRITICAL)

    def loader(self, kind: str, data: Any) -> Callable[[Path], Any]:
        load = self.load
        if kind == "environment":
            return load.load_environment
        if kind == "online":  # switches to the Kubernetes schema on `type: kubernetes`
            return load.load_online_deployment
        if kind == "batch":
            # `az ml batch-deployment create` picks the entity from `type:` as these loaders do.
            kind_of = data.get("type") if isinstance(data, dict) else None
            if kind_of == "model":
                return load.load_model_batch_deployment
            if kind_of == "pipeline":
                return load.load_pipeline_component_batch_deployment
            return load.load_batch_deployment
        if kind == "online-endpoint":
            return load.load_online_endpoint
        if kind == "batch-endpoint":
            return load.load_batch_endpoint
        if kind == "job":  # `az ml job create`: the job class from `type:` (command when absent)
            return load.load_job
        if kind == "component":  # `az ml component create`
            return load.load_component
        raise ValueError(kind)

    def verdict(self, kind: str, path: Path, data: Any) -> str | None:
        """None when the SDK accepts the file, else the first line of its complaint."""
        try:
            with sockets_blocked():
                entity = self.loader(kind, data)(path)
                _client_checks(entity)
        except NetworkBlocked:
            raise
        except Exception as exc:  # the SDK raises marshmallow, its own and plain Python errors alike
            text = " ".join(str(exc).split())
            return f"{type(exc).__name__}: {text[:300]}"
        return None


def _client_checks(entity: Any) -> None:
    """What `create` checks on the client before its first request."""
    from azure.ai.ml.entities import Component, Environment, Job

    if isinstance(entity, (Job, Component)):
        # JobOperations._validate / ComponentOperations._validate (local part): the schema again,
        # the pipeline's steps, the components they name; a job that is not path-aware has none.
        validate = getattr(entity, "_validate", None)
        if validate is not None:
            validate(raise_error=True)
        code = getattr(entity, "code", None)
        if isinstance(code, str) and code.startswith("git+"):
            raise ValueError(f"Invalid code value: {code}. Git paths are not supported.")
        if isinstance(entity, Job):
            _job_request_checks(entity)
        # An inline environment is registered as it is (EnvironmentOperations.create_or_update
        # validates it): the job's, a sweep trial's, a component's.
        trial = getattr(entity, "trial", None)
        for env in (getattr(entity, "environment", None), getattr(trial, "environment", None)):
            if isinstance(env, Environment):
                env.validate()
        return

    if isinstance(entity, Environment):
        entity.validate()  # EnvironmentOperations.create_or_update -> _to_rest_object -> validate
        return
    from azure.ai.ml.entities import Endpoint

    if isinstance(entity, Endpoint):
        from azure.ai.ml.entities._endpoint._endpoint_helpers import (
            validate_endpoint_or_deployment_name,
            validate_identity_type_defined,
        )

        # What _to_rest_online_endpoint / _to_rest_batch_endpoint check first.
        validate_endpoint_or_deployment_name(entity.name)
        if hasattr(entity, "traffic"):
            validate_identity_type_defined(entity.identity)
        return
    validate = getattr(entity, "_validate", None)
    if validate is not None:
        validate()  # the deployments' _to_rest_object runs it first
    code = getattr(entity, "code_configuration", None)
    if code is not None:
        code._validate()  # "scoring script can't be empty"
        from azure.ai.ml._utils._endpoint_utils import validate_scoring_script
        from azure.ai.ml.entities import PipelineComponentBatchDeployment

        # create() opens and parses the scoring script unless `code` names a registered asset.
        if not isinstance(entity, PipelineComponentBatchDeployment) and isinstance(code.code, str) \
                and not code.code.startswith("azureml:"):
            validate_scoring_script(entity)
    env = getattr(entity, "environment", None)
    if isinstance(env, Environment):
        # An inline environment is registered as it is: create_or_update validates it then.
        env.validate()


def _job_request_checks(job: Any) -> None:
    """What `az ml job create` checks while it builds the request, after uploading the code: the
    request itself (to_rest_job_object runs CommandJob._validate: inputs the command binds), and
    each pipeline step's component as ComponentOperations validates it before registering it."""
    from azure.ai.ml.entities import Component, PipelineJob
    from azure.ai.ml.entities._job.to_rest_functions import to_rest_job_object

    to_rest_job_object(job)
    if isinstance(job, PipelineJob):
        from azure.ai.ml.entities import Environment

        for node in job.jobs.values():
            component = getattr(node, "_component", None)
            if isinstance(component, Component):
                component._validate(raise_error=True)
            # An inline environment is registered (EnvironmentOperations.create_or_update validates it).
            for env in (getattr(node, "environment", None), getattr(component, "environment", None)):
                if isinstance(env, Environment):
                    env.validate()
