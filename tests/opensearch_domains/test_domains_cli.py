"""The workshop's "Create the Elasticsearch domain" step typed with the AWS CLI (v1, the
project venv's `aws`): create, wait for the endpoint, list, describe, delete, through both
the `opensearch` and the `es` commands, with nothing but an endpoint, region and test keys."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.support.waiting import wait_for

pytestmark = [pytest.mark.localstack, pytest.mark.opensearch]

AWS = Path(sys.executable).parent / "aws"


def aws(localstack, tmp_path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    done = subprocess.run([str(AWS), "--endpoint-url", localstack.url, "--output", "json", *args],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_create_the_elasticsearch_domain_by_hand(domains_localstack, opensearch_server, tmp_path):
    assert AWS.exists(), f"no AWS CLI at {AWS}: run `make venv`"
    domain = f"workshop-{uuid.uuid4().hex[:6]}"
    created = json.loads(aws(domains_localstack, tmp_path, "es", "create-elasticsearch-domain",
                             "--domain-name", domain, "--elasticsearch-version", "6.3",
                             "--elasticsearch-cluster-config", "InstanceType=t2.small.elasticsearch,InstanceCount=1",
                             "--ebs-options", "EBSEnabled=true,VolumeType=gp2,VolumeSize=10").stdout)
    assert created["DomainStatus"]["Processing"] is True
    assert created["DomainStatus"]["ARN"].endswith(f":domain/{domain}")

    def endpoint() -> str | None:
        out = aws(domains_localstack, tmp_path, "opensearch", "describe-domain", "--domain-name", domain).stdout
        return json.loads(out)["DomainStatus"].get("Endpoint")

    assert wait_for(endpoint, timeout=60, what="the domain's endpoint") == f"127.0.0.1:{opensearch_server.port}"
    listed = json.loads(aws(domains_localstack, tmp_path, "es", "list-domain-names").stdout)["DomainNames"]
    assert {"DomainName": domain, "EngineType": "Elasticsearch"} in listed
    table = aws(domains_localstack, tmp_path, "opensearch", "list-domain-names", "--output", "text").stdout
    assert domain in table

    aws(domains_localstack, tmp_path, "es", "delete-elasticsearch-domain", "--domain-name", domain)
    gone = aws(domains_localstack, tmp_path, "opensearch", "describe-domain", "--domain-name", domain, check=False)
    assert gone.returncode != 0 and "ResourceNotFoundException" in gone.stderr


def test_bad_domain_name_is_refused_with_awss_rule(domains_localstack, tmp_path):
    assert AWS.exists(), f"no AWS CLI at {AWS}: run `make venv`"
    done = aws(domains_localstack, tmp_path, "opensearch", "create-domain", "--domain-name", "Workshop_Domain",
               check=False)
    assert done.returncode != 0
    assert "ValidationException" in done.stderr and "[a-z][a-z0-9\\-]+" in done.stderr
