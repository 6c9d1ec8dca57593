"""The Firehose data-transformation contract: event and response shapes, record data codec.

Firehose invokes the function with
  {"invocationId", "deliveryStreamArn", "region",
   "records": [{"recordId", "approximateArrivalTimestamp", "data": <base64>,
                "kinesisRecordMetadata" (only with a Kinesis stream as source)}]}
and expects every recordId back exactly once:
  {"records": [{"recordId", "result": "Ok" | "Dropped" | "ProcessingFailed", "data": <base64>}]}

Only `records`, `recordId` and `data` are used; the other keys may be absent (LocalStack
sends only `records`). The shapes are TypedDicts: documentation and type checking
without any cost per record.
"""

import binascii
import json
from typing import Any, NotRequired, TypedDict

OK = "Ok"
DROPPED = "Dropped"
PROCESSING_FAILED = "ProcessingFailed"
RESULTS = (OK, DROPPED, PROCESSING_FAILED)


class KinesisRecordMetadata(TypedDict, total=False):
    sequenceNumber: str
    subsequenceNumber: str
    partitionKey: str
    shardId: str
    approximateArrivalTimestamp: int


class FirehoseInputRecord(TypedDict):
    recordId: str
    data: str  # base64
    approximateArrivalTimestamp: NotRequired[int]
    kinesisRecordMetadata: NotRequired[KinesisRecordMetadata]


class FirehoseEvent(TypedDict):
    records: list[FirehoseInputRecord]
    invocationId: NotRequired[str]
    deliveryStreamArn: NotRequired[str]
    region: NotRequired[str]


class FirehoseOutputRecord(TypedDict):
    recordId: str
    result: str  # one of RESULTS
    data: str  # base64


class FirehoseResponse(TypedDict):
    records: list[FirehoseOutputRecord]


# Hot path codec: binascii directly (base64.b64encode adds a call and a copy).
decode_data = binascii.a2b_base64  # lenient: accepts the excess "=" of AWS's sample event


def encode_data(payload: bytes) -> str:
    """Standard base64 text of `payload` (no newline)."""
    return binascii.b2a_base64(payload, newline=False).decode("ascii")


def original_data(record: Any) -> str:
    """The record's data to return with `ProcessingFailed` or `Dropped`: what Firehose sent.

    Valid base64 is returned canonically re-encoded (same bytes, normalised padding); a
    string that is not base64 is returned as the base64 of its UTF-8 text, and a
    non-string value as the base64 of its JSON, so the response always carries valid
    base64 and nothing the sender gave is lost for the processing-failed/ backup.
    """
    data = record.get("data") if isinstance(record, dict) else record
    if data is None:
        return ""
    if isinstance(data, str):
        try:
            return encode_data(binascii.a2b_base64(data))
        except (binascii.Error, ValueError):
            return encode_data(data.encode("utf-8", "backslashreplace"))
    return encode_data(json.dumps(data, default=repr).encode("utf-8"))


def record_id(record: Any) -> Any:
    """The recordId to echo (None if the record has none: not something Firehose sends)."""
    return record.get("recordId") if isinstance(record, dict) else None
