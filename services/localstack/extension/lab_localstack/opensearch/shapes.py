"""A Domain as the two APIs describe it: the `opensearch` API's DomainStatus and DomainConfig,
the `es` API's ElasticsearchDomainStatus and ElasticsearchDomainConfig (AWS's API references:
member names, the `.search` / `.elasticsearch` instance-type suffixes, DomainId
`<account>/<name>`, no Endpoint while the domain is being created)."""
from __future__ import annotations

import time
from datetime import UTC, datetime

from lab_localstack.opensearch.models import Domain, endpoint_host

DEFAULT_EBS = {"EBSEnabled": True, "VolumeType": "gp2", "VolumeSize": 10}
DEFAULT_ADVANCED = {"override_main_response_version": "false",
                    "rest.action.multi.allow_explicit_index": "true"}


def _cluster_config(domain: Domain, suffix: str, key: str) -> dict:
    given = domain.options.get(key) or {}
    config = {"InstanceType": f"m5.large.{suffix}", "InstanceCount": 1, "DedicatedMasterEnabled": False,
              "ZoneAwarenessEnabled": False, "WarmEnabled": False,
              "ColdStorageOptions": {"Enabled": False}}
    config.update(given)
    return config


def _common(domain: Domain, deleted: bool) -> dict:
    processing = deleted or domain.processing()
    status = {
        "DomainId": domain.domain_id,
        "DomainName": domain.name,
        "ARN": domain.arn,
        "Created": True,
        "Deleted": deleted,
        "Processing": processing,
        "UpgradeProcessing": False,
        "EBSOptions": domain.options.get("EBSOptions") or DEFAULT_EBS,
        "AccessPolicies": domain.options.get("AccessPolicies", ""),
        "SnapshotOptions": domain.options.get("SnapshotOptions") or {"AutomatedSnapshotStartHour": 0},
        "CognitoOptions": {"Enabled": False},
        "EncryptionAtRestOptions": domain.options.get("EncryptionAtRestOptions") or {"Enabled": False},
        "NodeToNodeEncryptionOptions": domain.options.get("NodeToNodeEncryptionOptions") or {"Enabled": False},
        "AdvancedOptions": {**DEFAULT_ADVANCED, **(domain.options.get("AdvancedOptions") or {})},
        "DomainEndpointOptions": {"EnforceHTTPS": False, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07",
                                  **(domain.options.get("DomainEndpointOptions") or {})},
        "AdvancedSecurityOptions": {"Enabled": False, "InternalUserDatabaseEnabled": False},
    }
    if not processing:
        status["Endpoint"] = endpoint_host()
    return status


def domain_status(domain: Domain, deleted: bool = False) -> dict:
    """The `opensearch` API's DomainStatus."""
    status = _common(domain, deleted)
    status["EngineVersion"] = domain.engine_version
    status["ClusterConfig"] = _cluster_config(domain, "search", "ClusterConfig")
    status["DomainProcessingStatus"] = ("Deleting" if deleted else
                                        "Creating" if status["Processing"] else "Active")
    return status


def es_version(domain: Domain) -> str:
    """The es API's ElasticsearchVersion: "7.10" for Elasticsearch, "OpenSearch_2.19" otherwise."""
    prefix = "Elasticsearch_"
    return domain.engine_version.removeprefix(prefix)


def es_domain_status(domain: Domain, deleted: bool = False) -> dict:
    """The `es` API's ElasticsearchDomainStatus."""
    status = _common(domain, deleted)
    status["ElasticsearchVersion"] = es_version(domain)
    status["ElasticsearchClusterConfig"] = _cluster_config(domain, "elasticsearch", "ClusterConfig")
    return status


def _option_status(domain: Domain) -> dict:
    created = datetime.fromtimestamp(domain.created_at, tz=UTC)
    return {"CreationDate": created, "UpdateDate": created, "UpdateVersion": 1,
            "State": "Processing" if domain.processing(time.time()) else "Active", "PendingDeletion": False}


def domain_config(domain: Domain, es: bool = False) -> dict:
    """DomainConfig (`opensearch`) or ElasticsearchDomainConfig (`es`): each option and its status."""
    status = es_domain_status(domain) if es else domain_status(domain)
    option = _option_status(domain)
    names = ["EBSOptions", "AccessPolicies", "SnapshotOptions", "CognitoOptions", "EncryptionAtRestOptions",
             "NodeToNodeEncryptionOptions", "AdvancedOptions", "DomainEndpointOptions", "AdvancedSecurityOptions"]
    names += ["ElasticsearchVersion", "ElasticsearchClusterConfig"] if es else ["EngineVersion", "ClusterConfig"]
    config = {name: {"Options": status[name], "Status": option} for name in names}
    config["VPCOptions"] = {"Options": {}, "Status": option}
    return config
