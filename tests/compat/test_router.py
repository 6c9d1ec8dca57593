"""The newer-protocol router alone, in LocalStack's venv with no server: requests serialized and
signed by botocore itself (LocalStack's 1.42.54 model for `json`, the shipped 1.44.18 model for
`rest-json`) are given the right model, and LocalStack's parser finds the operation and its
members in them. Unsigned requests, other services' and the old protocol are left alone."""
from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import LOCALSTACK_VENV

pytestmark = pytest.mark.localstack

SCRIPT = r'''
import json
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.serialize import create_serializer
from localstack.aws.protocol.parser import create_parser
from localstack.aws.spec import load_service
from localstack.http import Request
from lab_localstack.protocols.newer_models import newer_models
from lab_localstack.protocols.router import NewerProtocolRouter, signing_name

def request(model, operation, params, sign_as=None):
    op = model.operation_model(operation)
    body = create_serializer(model.protocol).serialize_to_request(params, op)
    aws = AWSRequest(method=body["method"], url="http://127.0.0.1:4566" + body["url_path"]
                     + ("?" + "&".join(f"{k}={v}" for k, v in body["query_string"].items())
                        if body["query_string"] else ""),
                     data=body["body"], headers=body["headers"])
    if sign_as:
        SigV4Auth(Credentials("test", "test"), sign_as, "us-east-1").add_auth(aws)
    prepared = aws.prepare()
    path, _, query = prepared.url.partition("127.0.0.1:4566")[2].partition("?")
    return Request(prepared.method, path, query_string=query, headers=dict(prepared.headers),
                   body=prepared.body or b"")

def routed(found):
    return [found[0].service, found[1]] if found else None

newer = newer_models()["athena"]
router = NewerProtocolRouter(newer_models().values())
old = load_service("athena")
out = {}
params = {"QueryExecutionId": "abc-123", "MaxResults": 5}
rest = request(newer.model, "GetQueryResults", params, "athena")
out["rest"] = routed(router.model_for(rest))
op, parsed = create_parser(newer.model, "rest-json").parse(rest)
out["rest_parsed"] = [op.name, parsed]
tags = request(newer.model, "ListTagsForResource",
               {"ResourceARN": "arn:aws:athena:us-east-1:000000000000:workgroup/primary"}, "athena")
op, parsed = create_parser(newer.model, "rest-json").parse(tags)
out["tags_parsed"] = [op.name, parsed]
out["json"] = routed(router.model_for(request(old, "GetQueryResults", params, "athena")))
out["unsigned"] = routed(router.model_for(request(newer.model, "GetQueryResults", params)))
s3 = load_service("s3")
out["s3"] = routed(router.model_for(request(s3, "ListObjectsV2", {"Bucket": "b"}, "s3")))
out["signing_name"] = signing_name(rest)
print(json.dumps(out))
'''


def test_requests_in_the_new_protocol_get_the_newer_model():
    done = subprocess.run([str(LOCALSTACK_VENV / "bin" / "python"), "-c", SCRIPT],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["signing_name"] == "athena"
    assert out["rest"] == ["athena", "rest-json"]
    assert out["rest_parsed"] == ["GetQueryResults", {"QueryExecutionId": "abc-123", "MaxResults": 5}]
    # an ARN (with ':' and '/') as a URI label, percent-encoded by botocore
    assert out["tags_parsed"] == ["ListTagsForResource",
                                  {"ResourceARN": "arn:aws:athena:us-east-1:000000000000:workgroup/primary"}]
    assert out["json"] is None, "a json request keeps LocalStack's model"
    assert out["unsigned"] is None
    assert out["s3"] is None
