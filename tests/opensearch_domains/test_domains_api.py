""""Create the Elasticsearch domain" by hand through boto3: the `opensearch` and `es` APIs
answer CreateDomain and friends with AWS's shapes and errors, the domain is Processing and
then active with the lab's OpenSearch as its Endpoint, and it survives a restart.

Expectations from AWS's API references (OpenSearch Service 2021-01-01, Elasticsearch Service
2015-01-01): the ARN `arn:aws:es:<region>:<account>:domain/<name>`, DomainId
`<account>/<name>`, ResourceAlreadyExistsException / ResourceNotFoundException (HTTP 409),
ValidationException (400) for a name outside `[a-z][a-z0-9\\-]+` of 3-28 characters, an
Endpoint only once the domain is no longer processing, the es API's default version 1.5."""
from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.support.waiting import wait_for

pytestmark = [pytest.mark.localstack, pytest.mark.opensearch]

ACCOUNT, REGION = "000000000000", "us-east-1"


def name(prefix: str = "d") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_of(call, **kwargs) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    response = err.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def active(client, domain: str, describe="describe_domain") -> dict | None:
    status = getattr(client, describe)(DomainName=domain)["DomainStatus"]
    return status if not status["Processing"] else None


def host_port(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}"


def test_create_domain_processing_then_active_on_the_labs_opensearch(domains_localstack, opensearch_server):
    client = domains_localstack.client("opensearch")
    domain = name("workshop")
    created = client.create_domain(DomainName=domain, EngineVersion="OpenSearch_2.11",
                                   ClusterConfig={"InstanceType": "t3.small.search", "InstanceCount": 1},
                                   EBSOptions={"EBSEnabled": True, "VolumeType": "gp2", "VolumeSize": 10})["DomainStatus"]
    assert created["ARN"] == f"arn:aws:es:{REGION}:{ACCOUNT}:domain/{domain}"
    assert created["DomainId"] == f"{ACCOUNT}/{domain}"
    assert (created["Created"], created["Deleted"], created["Processing"]) == (True, False, True)
    assert "Endpoint" not in created          # AWS: no endpoint until the domain is ready
    assert created["EngineVersion"] == "OpenSearch_2.11"
    assert created["ClusterConfig"]["InstanceType"] == "t3.small.search"

    ready = wait_for(lambda: active(client, domain), timeout=60, what=f"domain {domain} active")
    assert ready["Endpoint"] == host_port(opensearch_server.url)
    assert ready["DomainProcessingStatus"] == "Active"
    # the endpoint is a working OpenSearch (the lab's, never a download)
    assert requests.get(f"http://{ready['Endpoint']}", timeout=5).json()["version"]["number"]

    names = client.list_domain_names()["DomainNames"]
    assert {"DomainName": domain, "EngineType": "OpenSearch"} in names
    listed = client.describe_domains(DomainNames=[domain, "no-such-domain"])["DomainStatusList"]
    assert [d["DomainName"] for d in listed] == [domain]
    config = client.describe_domain_config(DomainName=domain)["DomainConfig"]
    assert config["EngineVersion"]["Options"] == "OpenSearch_2.11"
    assert config["ClusterConfig"]["Status"]["State"] == "Active"

    deleted = client.delete_domain(DomainName=domain)["DomainStatus"]
    assert (deleted["Deleted"], deleted["DomainName"]) == (True, domain)
    code, status, message = error_of(client.describe_domain, DomainName=domain)
    assert (code, status) == ("ResourceNotFoundException", 409) and domain in message
    assert domain not in [d["DomainName"] for d in client.list_domain_names()["DomainNames"]]


def test_errors_as_aws_answers_them(domains_localstack):
    client = domains_localstack.client("opensearch")
    domain = name()
    client.create_domain(DomainName=domain)
    assert error_of(client.create_domain, DomainName=domain)[:2] == ("ResourceAlreadyExistsException", 409)
    assert error_of(client.delete_domain, DomainName=name("gone"))[:2] == ("ResourceNotFoundException", 409)
    # boto3 checks only the minimum length before sending: the others reach the service
    raw = boto3.client("opensearch", endpoint_url=domains_localstack.url, region_name=REGION,
                       aws_access_key_id="test", aws_secret_access_key="test",
                       config=Config(parameter_validation=False))
    for bad in ("Workshop", "1workshop", "work_shop", "a" * 29, "ab"):
        code, status, message = error_of(raw.create_domain, DomainName=bad)
        assert (code, status) == ("ValidationException", 400), bad
        assert message.startswith("1 validation error detected") and "domainName" in message
    assert bad not in [d["DomainName"] for d in client.list_domain_names()["DomainNames"]]
    code, _, message = error_of(client.get_upgrade_status, DomainName=domain)
    assert code == "DisabledOperationException" and "GetUpgradeStatus" in message


def test_es_api_sees_the_same_domains(domains_localstack, opensearch_server):
    es, opensearch = domains_localstack.client("es"), domains_localstack.client("opensearch")
    domain = name("es")
    created = es.create_elasticsearch_domain(DomainName=domain, ElasticsearchVersion="6.3")["DomainStatus"]
    assert (created["ElasticsearchVersion"], created["Processing"]) == ("6.3", True)
    assert created["ARN"] == f"arn:aws:es:{REGION}:{ACCOUNT}:domain/{domain}"
    ready = wait_for(lambda: active(es, domain, "describe_elasticsearch_domain"), timeout=60, what="es domain")
    assert ready["Endpoint"] == host_port(opensearch_server.url)
    assert opensearch.describe_domain(DomainName=domain)["DomainStatus"]["EngineVersion"] == "Elasticsearch_6.3"
    assert {"DomainName": domain, "EngineType": "Elasticsearch"} in es.list_domain_names()["DomainNames"]
    assert domain not in [d["DomainName"] for d in
                          opensearch.list_domain_names(EngineType="OpenSearch")["DomainNames"]]
    config = es.describe_elasticsearch_domain_config(DomainName=domain)["DomainConfig"]
    assert config["ElasticsearchVersion"]["Options"] == "6.3"
    assert config["ElasticsearchClusterConfig"]["Options"]["InstanceType"].endswith(".elasticsearch")
    default = name("es-default")
    assert es.create_elasticsearch_domain(DomainName=default)["DomainStatus"]["ElasticsearchVersion"] == "1.5"
    assert es.delete_elasticsearch_domain(DomainName=domain)["DomainStatus"]["Deleted"] is True
    assert error_of(es.describe_elasticsearch_domain, DomainName=domain)[:2] == ("ResourceNotFoundException", 409)
    assert error_of(es.create_elasticsearch_domain, DomainName=default)[0] == "ResourceAlreadyExistsException"


def test_domains_survive_a_restart(domains_localstack):
    client = domains_localstack.client("opensearch")
    domain = name("kept")
    arn = client.create_domain(DomainName=domain)["DomainStatus"]["ARN"]
    domains_localstack.restart()
    client = domains_localstack.client("opensearch")
    assert client.describe_domain(DomainName=domain)["DomainStatus"]["ARN"] == arn
