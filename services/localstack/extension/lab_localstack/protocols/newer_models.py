"""The newer service models the extension ships (`models/<service>/<api-version>/service-2.json`,
botocore's own layout) and how each compares with the model LocalStack 4.14.0 parses with.

LocalStack reads botocore 1.42.54's models. When AWS moves a service to another protocol, SDKs
released after that speak only the new one; a `NewerModel` is the current model of such a
service, kept beside LocalStack's so that both the old protocol (LocalStack's model) and the new
one (this model) are answered. A model whose protocols LocalStack's model already has is loaded
but routes nothing (`routes_nothing`), so shipping a model never changes what already works.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from botocore.loaders import Loader
from botocore.model import ServiceModel
from localstack.aws.spec import load_service

LOG = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).resolve().parent / "models"


@dataclass(frozen=True)
class NewerModel:
    """A service's newer model and the protocols it adds to LocalStack's model of it."""

    service: str                      # botocore's service name, e.g. "athena"
    model: ServiceModel               # the newer model (one instance: LocalStack caches parsers by it)
    localstack_protocols: tuple[str, ...]
    added_protocols: tuple[str, ...]  # spoken by the newer model only

    @property
    def signing_name(self) -> str:
        return self.model.signing_name

    @property
    def routes_nothing(self) -> bool:
        return not self.added_protocols


def protocols_of(model: ServiceModel) -> tuple[str, ...]:
    """The protocols a model declares (`metadata.protocols`, else its one `protocol`)."""
    return tuple(model.metadata.get("protocols") or [model.protocol])


def shipped_services(models_dir: Path = MODELS_DIR) -> list[str]:
    """The services with a model under `models_dir`, by folder name."""
    return sorted(p.name for p in models_dir.iterdir()
                  if p.is_dir() and any(p.glob("*/service-2.json")))


def load_newer(service: str, models_dir: Path = MODELS_DIR) -> NewerModel:
    """The newest model of `service` under `models_dir`, compared with LocalStack's."""
    loader = Loader(extra_search_paths=[str(models_dir)], include_default_search_paths=False)
    model = ServiceModel(loader.load_service_model(service, "service-2"), service)
    localstack = protocols_of(load_service(service))
    added = tuple(p for p in protocols_of(model) if p not in localstack)
    return NewerModel(service, model, localstack, added)


@functools.cache
def newer_models() -> dict[str, NewerModel]:
    """Every shipped model, by service name (loaded once per process)."""
    found = {}
    for service in shipped_services():
        newer = load_newer(service)
        found[service] = newer
        LOG.info("newer model of %s (API %s): protocols %s, LocalStack's %s%s", service,
                 newer.model.api_version, protocols_of(newer.model), newer.localstack_protocols,
                 "" if newer.routes_nothing else f"; routing {newer.added_protocols} to it")
    return found


def extra_operation_names(service: str) -> list[str]:
    """Operations of the service's newer model that LocalStack's model lacks (none without one)."""
    newer = newer_models().get(service)
    if newer is None or newer.routes_nothing:
        return []
    known = set(load_service(service).operation_names)
    return [name for name in newer.model.operation_names if name not in known]
