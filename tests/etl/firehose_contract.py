"""Test helpers: build Firehose transformation events and check the handler's response.

`check_contract` is the Firehose side of the contract (what makes Firehose fail a whole
batch if violated): every input recordId exactly once and in order, a valid result,
valid base64 data, and for `Ok` a JSON object ending with a newline.
"""

import base64
import json
from collections import Counter
from typing import Any

from etl.handler import lambda_handler

RESULTS = {"Ok", "Dropped", "ProcessingFailed"}


def make_event(payloads: list[bytes | str], with_optional_keys: bool = True) -> dict[str, Any]:
    """A Firehose event with one record per payload (str payloads are UTF-8 encoded)."""
    records = []
    for index, payload in enumerate(payloads):
        raw = payload.encode("utf-8") if isinstance(payload, str) else payload
        records.append({
            "recordId": f"record-{index:05d}",
            "approximateArrivalTimestamp": 1_700_000_000_000 + index,
            "data": base64.b64encode(raw).decode("ascii"),
        })
    event: dict[str, Any] = {"records": records}
    if with_optional_keys:
        event.update(invocationId="test-invocation", region="us-east-1",
                     deliveryStreamArn="arn:aws:firehose:us-east-1:000000000000:deliverystream/webserver_stream")
    return event


def check_contract(event: dict[str, Any], response: dict[str, Any]) -> list[dict[str, Any]]:
    """Assert the response honours the contract for `event`; return its records."""
    assert set(response) == {"records"}
    inputs, outputs = event["records"], response["records"]
    assert len(outputs) == len(inputs)
    input_ids = [record.get("recordId") if isinstance(record, dict) else None for record in inputs]
    output_ids = [record["recordId"] for record in outputs]
    assert output_ids == input_ids
    assert Counter(output_ids) == Counter(input_ids)
    for record in outputs:
        assert set(record) == {"recordId", "result", "data"}
        assert record["result"] in RESULTS
        payload = base64.b64decode(record["data"], validate=True)
        if record["result"] == "Ok":
            text = payload.decode("utf-8")
            assert text.endswith("\n") and text.count("\n") == 1
            assert isinstance(json.loads(text), dict)
    json.dumps(response)  # the Lambda runtime must be able to serialise it
    return outputs


def transform(payloads: list[bytes | str]) -> list[dict[str, Any]]:
    """Run the handler on `payloads`, check the contract, return the output records."""
    event = make_event(payloads)
    return check_contract(event, lambda_handler(event, None))


def transform_line(line: bytes | str) -> tuple[str, dict[str, Any] | None]:
    """(result, document or None) for one log line."""
    (record,) = transform([line])
    if record["result"] != "Ok":
        return record["result"], None
    return "Ok", json.loads(base64.b64decode(record["data"]))


# The document contract: field -> allowed types.
DOCUMENT_TYPES: dict[str, tuple[type, ...]] = {
    "host": (str,), "client_ip": (str, type(None)), "ident": (str, type(None)),
    "authuser": (str, type(None)), "@timestamp": (str,), "@timestamp_utc": (str,), "timezone": (str,),
    "request": (str,), "verb": (str, type(None)), "path": (str, type(None)),
    "http_version": (str, type(None)), "response": (int, type(None)), "bytes": (int, type(None)),
    "referer": (str, type(None)), "user-agent": (str, type(None)), "username": (str, type(None)),
    "session_id": (str, type(None)), "page": (str,), "category": (str, type(None)),
    "product": (str, type(None)), "is_bot": (bool,),
}
PAGES = {"home", "category", "product", "signin", "signup", "cart", "checkout", "other"}


def check_document(document: dict[str, Any]) -> None:
    """Assert `document` has exactly the contract's fields with the contract's types."""
    assert set(document) == set(DOCUMENT_TYPES)
    for name, types in DOCUMENT_TYPES.items():
        assert isinstance(document[name], types), (name, document[name])
    assert not isinstance(document["response"], bool) and not isinstance(document["bytes"], bool)
    assert document["page"] in PAGES
    assert document["@timestamp_utc"].endswith("Z")
