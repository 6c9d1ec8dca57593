"""PutRecords' and GetRecords' JSON answers written directly, for the hot path.

LocalStack's serializer walks the output shape member by member in Python (for GetRecords:
every record's four members, base64 of its data, its timestamp), which costs more than the
rest of the call. A shard keeps each record's JSON fragment from the time it is stored
(shard.py), so a GetRecords answer is a join of fragments; PutRecords' answer is plain
strings and numbers, one `json.dumps`. The bytes are what LocalStack's serializer writes
for the `json` protocol (Content-Type application/x-amz-json-1.1, x-amzn-RequestId, a
timestamp as epoch seconds, blobs in base64). Only JSON requests take this path: CBOR
(the Java SDK's default) and anything else go through LocalStack's serializer.

The handler also sets the request context's `service_response` (what the skeleton sets from a
returned dict): without it LocalStack's ServiceResponseParser parses the raw answer back with
botocore (every record's timestamp and base64), which would cost more than it saved.
"""
from __future__ import annotations

import json

from localstack.aws.api import RequestContext
from localstack.http import Response


def wants_json(context: RequestContext) -> bool:
    headers = context.request.headers
    content_type = headers.get("Content-Type", "")
    accept = headers.get("Accept", "")
    return content_type.startswith("application/x-amz-json") and "cbor" not in accept


def response(context: RequestContext, body: bytes, summary: dict) -> Response:
    """The answer; `summary` (truthy: the output without its long lists) as the service response."""
    context.service_response = summary
    return Response(body, 200, headers={"Content-Type": "application/x-amz-json-1.1",
                                        "x-amzn-RequestId": context.request_id})


def put_records(result: dict) -> bytes:
    return json.dumps(result, separators=(",", ":")).encode()


def get_records(fragments: list[bytes], out: dict) -> bytes:
    """`out` without Records (MillisBehindLatest, NextShardIterator or ChildShards)."""
    rest = json.dumps(out, separators=(",", ":")).encode()
    return b'{"Records":[' + b",".join(fragments) + b"]," + rest[1:]
