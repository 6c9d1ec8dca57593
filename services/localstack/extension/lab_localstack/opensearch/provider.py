"""The `opensearch` and `es` APIs over the store of models.py: create, describe, list, delete
domains and describe their configuration. Every domain is the lab's own OpenSearch; nothing
is downloaded or started (LocalStack's own provider would fetch an OpenSearch per domain).

Errors as AWS answers them (both APIs' references): ResourceAlreadyExistsException (409) for a
name in use, ResourceNotFoundException (409) for an unknown one, ValidationException (400) for a
name outside AWS's rule: 3-28 characters, lowercase letters, digits and hyphens, starting with a
letter (the model's pattern `[a-z][a-z0-9\\-]+`).
"""
from __future__ import annotations

import logging
import re
import time

from localstack.aws.api import RequestContext, handler
from localstack.aws.api import es as es_api
from localstack.aws.api import opensearch as os_api

from lab_localstack.opensearch import shapes
from lab_localstack.opensearch.models import (
    ES_DEFAULT_VERSION,
    OPENSEARCH_DEFAULT_VERSION,
    Domain,
    create_seconds,
    store,
)

LOG = logging.getLogger(__name__)

NAME_PATTERN = r"[a-z][a-z0-9\-]+"
NAME_MIN, NAME_MAX = 3, 28
KEPT_OPTIONS = ("ClusterConfig", "EBSOptions", "AccessPolicies", "SnapshotOptions", "AdvancedOptions",
                "EncryptionAtRestOptions", "NodeToNodeEncryptionOptions", "DomainEndpointOptions")


def name_problem(name: str | None) -> str | None:
    """AWS's "1 validation error detected" message for a bad domain name, or None."""
    name = name or ""
    constraint = None
    if len(name) < NAME_MIN:
        constraint = f"Member must have length greater than or equal to {NAME_MIN}"
    elif len(name) > NAME_MAX:
        constraint = f"Member must have length less than or equal to {NAME_MAX}"
    elif not re.fullmatch(NAME_PATTERN, name):
        constraint = f"Member must satisfy regular expression pattern: {NAME_PATTERN}"
    if constraint is None:
        return None
    return f"1 validation error detected: Value '{name}' at 'domainName' failed to satisfy constraint: {constraint}"


class DomainOperations:
    """What both APIs do, with each API's exception classes."""

    errors = os_api

    def _check_name(self, name: str | None) -> None:
        if problem := name_problem(name):
            raise self.errors.ValidationException(problem)

    def _find(self, context: RequestContext, name: str) -> Domain:
        self._check_name(name)
        domain = store().get(context.account_id, context.region, name)
        if domain is None:
            raise self.errors.ResourceNotFoundException(f"Domain not found: {name}")
        return domain

    def _create(self, context: RequestContext, request: dict, engine_version: str) -> Domain:
        name = request.get("DomainName")
        self._check_name(name)
        options = {key: request[key] for key in KEPT_OPTIONS if request.get(key) is not None}
        if "ElasticsearchClusterConfig" in request:
            options["ClusterConfig"] = request["ElasticsearchClusterConfig"]
        with store().lock:
            if store().get(context.account_id, context.region, name) is not None:
                raise self.errors.ResourceAlreadyExistsException(
                    f"domain {name} already exists in region {context.region}")
            now = time.time()
            domain = Domain(name=name, account=context.account_id, region=context.region,
                            engine_version=engine_version, created_at=now, ready_at=now + create_seconds(),
                            options=options, tags=list(request.get("TagList") or []))
            store().put(domain)
        LOG.info("lab OpenSearch: domain %s created (%s)", domain.arn, engine_version)
        return domain

    def _delete(self, context: RequestContext, name: str) -> Domain:
        with store().lock:
            domain = self._find(context, name)
            store().remove(domain)
        LOG.info("lab OpenSearch: domain %s deleted", domain.arn)
        return domain

    def _described(self, context: RequestContext, names: list[str]) -> list[Domain]:
        """The domains of `names` that exist (AWS leaves unknown ones out)."""
        for name in names:
            self._check_name(name)
        found = (store().get(context.account_id, context.region, name) for name in names)
        return [domain for domain in found if domain is not None]

    def _names(self, context: RequestContext, engine_type: str | None) -> dict:
        return {"DomainNames": [{"DomainName": d.name, "EngineType": d.engine_type}
                                for d in store().in_region(context.account_id, context.region)
                                if engine_type in (None, d.engine_type)]}


class LabOpensearchProvider(DomainOperations, os_api.OpensearchApi):
    """The `opensearch` API (2021-01-01)."""

    errors = os_api

    @handler("CreateDomain", expand=False)
    def create_domain(self, context: RequestContext, request: dict) -> dict:
        domain = self._create(context, request, request.get("EngineVersion") or OPENSEARCH_DEFAULT_VERSION)
        return {"DomainStatus": shapes.domain_status(domain)}

    def describe_domain(self, context: RequestContext, domain_name: str, **kwargs) -> dict:
        return {"DomainStatus": shapes.domain_status(self._find(context, domain_name))}

    def describe_domains(self, context: RequestContext, domain_names: list[str], **kwargs) -> dict:
        return {"DomainStatusList": [shapes.domain_status(d) for d in self._described(context, domain_names)]}

    def describe_domain_config(self, context: RequestContext, domain_name: str, **kwargs) -> dict:
        return {"DomainConfig": shapes.domain_config(self._find(context, domain_name))}

    def list_domain_names(self, context: RequestContext, engine_type: str | None = None, **kwargs) -> dict:
        return self._names(context, engine_type)

    def delete_domain(self, context: RequestContext, domain_name: str, **kwargs) -> dict:
        return {"DomainStatus": shapes.domain_status(self._delete(context, domain_name), deleted=True)}


class LabEsProvider(DomainOperations, es_api.EsApi):
    """The `es` API (2015-01-01), Amazon Elasticsearch Service's names for the same domains."""

    errors = es_api

    @handler("CreateElasticsearchDomain", expand=False)
    def create_elasticsearch_domain(self, context: RequestContext, request: dict) -> dict:
        version = request.get("ElasticsearchVersion") or ES_DEFAULT_VERSION
        engine = version if version.startswith("OpenSearch_") else f"Elasticsearch_{version}"
        return {"DomainStatus": shapes.es_domain_status(self._create(context, request, engine))}

    def describe_elasticsearch_domain(self, context: RequestContext, domain_name: str, **kwargs) -> dict:
        return {"DomainStatus": shapes.es_domain_status(self._find(context, domain_name))}

    def describe_elasticsearch_domains(self, context: RequestContext, domain_names: list[str], **kwargs) -> dict:
        return {"DomainStatusList": [shapes.es_domain_status(d) for d in self._described(context, domain_names)]}

    def describe_elasticsearch_domain_config(self, context: RequestContext, domain_name: str, **kwargs) -> dict:
        return {"DomainConfig": shapes.domain_config(self._find(context, domain_name), es=True)}

    def list_domain_names(self, context: RequestContext, engine_type: str | None = None, **kwargs) -> dict:
        return self._names(context, engine_type)

    def delete_elasticsearch_domain(self, context: RequestContext, domain_name: str, **kwargs) -> dict:
        return {"DomainStatus": shapes.es_domain_status(self._delete(context, domain_name), deleted=True)}
