"""Record transformation by a Lambda function, as Firehose does it.

The event is AWS's: {invocationId, deliveryStreamArn, region, records: [{recordId,
approximateArrivalTimestamp (epoch ms), data (base64)[, kinesisRecordMetadata]}]}.
Records are sent in invocations of at most the processor's BufferSizeInMBs (and
under Lambda's 6 MB payload limit).

The response must return every recordId exactly once with result Ok | Dropped |
ProcessingFailed and base64 data for Ok. A failed invocation (function error,
timeout, Lambda unavailable) is retried NumberOfRetries times (default 3); a
malformed response fails the whole invocation at once. Failed records carry an
AWS error code (Lambda.FunctionError, Lambda.FunctionTimedOut,
Lambda.MissingRecordId, Lambda.DuplicatedRecordId, Lambda.JsonProcessingException,
Lambda.ProcessingFailedStatus...) and go to processing-failed/.
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError
from localstack.aws.connect import connect_to

from lab_localstack.firehose import environment
from lab_localstack.firehose.clock import now_ms
from lab_localstack.firehose.error_records import ProcessingFailure
from lab_localstack.firehose.journal import JournalRecord
from lab_localstack.firehose.stream_settings import LambdaProcessor

LOG = logging.getLogger(__name__)

INVOKE_PAYLOAD_LIMIT = 6 * 1024 * 1024
_RECORD_OVERHEAD = 400       # JSON keys, ids and metadata around each record's data
_RETRY_BACKOFF_S = 0.5
_TIMEOUT_MARGIN_S = 3        # beyond the function's own timeout before we call it timed out
_CONFIG_CACHE_S = 10         # how long the function's Timeout setting is reused
# Invocations of one batch run in parallel, as AWS invokes the function concurrently.
VALID_RESULTS = ("Ok", "Dropped", "ProcessingFailed")

MESSAGES = {
    "Lambda.FunctionError": "The Lambda function was successfully invoked but it returned an error result.",
    "Lambda.FunctionTimedOut": "The Lambda function invocation timed out. Increase the Timeout setting in the Lambda function.",
    "Lambda.MissingRecordId": "One or more record Ids were not returned. Ensure that the Lambda function returns all received record Ids.",
    "Lambda.DuplicatedRecordId": "Multiple records were returned with the same record Id. Ensure that the Lambda function returns a unique record Id for each record.",
    "Lambda.JsonProcessingException": "There was an error parsing returned records from the Lambda function. Ensure that the returned records follow the status model required by Kinesis Data Firehose.",
    "Lambda.ProcessingFailedStatus": "ProcessingFailed status set for record",
    "Lambda.ResourceNotFound": "The Lambda function could not be found. Ensure the function exists.",
    "Lambda.InvokeLimitExceeded": "The Lambda concurrent execution limit is exceeded.",
    "Lambda.ServiceException": "The Lambda service could not be reached.",
}


@dataclass
class RecordOutcome:
    """What became of one record: Ok (with data), Dropped or ProcessingFailed."""

    result: str
    data: bytes | None = None
    failure: ProcessingFailure | None = None
    metadata: dict | None = None     # the response record's `metadata` (dynamic partitioning keys)


class InvocationFailed(Exception):
    def __init__(self, code: str, detail: str = "", retriable: bool = True):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.retriable = retriable


def split_for_invocations(records: list[JournalRecord], max_bytes: int) -> list[list[JournalRecord]]:
    """Chunks of records each within the processor's buffer size and Lambda's payload limit."""
    chunks: list[list[JournalRecord]] = []
    current: list[JournalRecord] = []
    size = payload = 0
    for record in records:
        record_payload = (len(record.data) * 4) // 3 + _RECORD_OVERHEAD
        if current and (size + len(record.data) > max_bytes or payload + record_payload > INVOKE_PAYLOAD_LIMIT):
            chunks.append(current)
            current, size, payload = [], 0, 0
        current.append(record)
        size += len(record.data)
        payload += record_payload
    if current:
        chunks.append(current)
    return chunks


def build_event(records: list[JournalRecord], stream_arn: str, region: str,
                source_stream_arn: str | None = None) -> dict:
    """AWS's transformation event; with a Kinesis stream as source it also names the
    stream (`sourceKinesisStreamArn`) and each record carries `kinesisRecordMetadata`."""
    event_records = []
    for record in records:
        entry = {
            "recordId": record.record_id,
            "approximateArrivalTimestamp": record.arrival_ms,
            "data": base64.b64encode(record.data).decode(),
        }
        if record.kinesis_meta is not None:
            entry["kinesisRecordMetadata"] = record.kinesis_meta
        event_records.append(entry)
    event = {
        "invocationId": str(uuid.uuid4()),
        "deliveryStreamArn": stream_arn,
        "region": region,
    }
    if source_stream_arn:
        event["sourceKinesisStreamArn"] = source_stream_arn
    event["records"] = event_records
    return event


def parse_response(payload: bytes, record_ids: list[str]) -> dict[str, tuple[str, bytes | None, dict | None]]:
    """recordId -> (result, data, metadata) from a Lambda response; raises InvocationFailed if malformed."""
    try:
        body = json.loads(payload)
        returned = body["records"]
        if not isinstance(returned, list):
            raise TypeError("records is not a list")
    except (ValueError, TypeError, KeyError) as error:
        raise InvocationFailed("Lambda.JsonProcessingException", str(error), retriable=False)
    results: dict[str, tuple[str, bytes | None, dict | None]] = {}
    expected = set(record_ids)
    for item in returned:
        if not isinstance(item, dict) or not isinstance(item.get("recordId"), str):
            raise InvocationFailed("Lambda.JsonProcessingException", "a record has no recordId", False)
        record_id = item["recordId"]
        if record_id in results:
            raise InvocationFailed("Lambda.DuplicatedRecordId", record_id, retriable=False)
        if record_id not in expected:
            raise InvocationFailed("Lambda.MissingRecordId", f"unknown recordId {record_id}", False)
        result = item.get("result")
        if result not in VALID_RESULTS:
            raise InvocationFailed("Lambda.JsonProcessingException", f"invalid result {result!r}", False)
        data = None
        if result == "Ok":
            try:
                data = base64.b64decode(item.get("data"), validate=True)
            except (binascii.Error, TypeError, ValueError):
                raise InvocationFailed("Lambda.JsonProcessingException",
                                       f"data of {record_id} is not base64", retriable=False)
        metadata = item.get("metadata")
        results[record_id] = (result, data, metadata if isinstance(metadata, dict) else None)
    if len(results) != len(expected):
        raise InvocationFailed("Lambda.MissingRecordId", f"{len(expected) - len(results)} missing", False)
    return results


class LambdaTransformer:
    """Transforms batches of one stream's records with its Lambda processor."""

    def __init__(self, processor: LambdaProcessor, stream_arn: str, account_id: str, region: str,
                 stop: threading.Event, source_stream_arn: str | None = None):
        self.processor = processor
        self._stream_arn = stream_arn
        self._source_stream_arn = source_stream_arn
        self._account_id = account_id
        self._region = region
        self._stop = stop
        self._clients: dict[int, object] = {}
        self._lock = threading.Lock()
        self._timeout: tuple[int, float] | None = None   # (seconds, valid until monotonic time)
        self.invocations = 0
        self.errors = 0

    def _count(self, invocations: int = 0, errors: int = 0) -> None:
        with self._lock:
            self.invocations += invocations
            self.errors += errors

    def _client(self, read_timeout: int):
        with self._lock:
            if read_timeout not in self._clients:
                self._clients[read_timeout] = connect_to(
                    aws_access_key_id=self._account_id, region_name=self._function_region(),
                    config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=read_timeout,
                                  max_pool_connections=environment.current().lambda_concurrency + 2),
                ).lambda_
            return self._clients[read_timeout]

    def _function_region(self) -> str:
        parts = self.processor.function_arn.split(":")
        return parts[3] if len(parts) > 3 and parts[3] else self._region

    def _function_timeout(self) -> int:
        cached = self._timeout
        if cached and cached[1] > time.monotonic():
            return cached[0]
        try:
            config = self._client(30).get_function_configuration(FunctionName=self.processor.function_arn)
            timeout = int(config.get("Timeout", 60))
            self._timeout = (timeout, time.monotonic() + _CONFIG_CACHE_S)
            return timeout
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                raise InvocationFailed("Lambda.ResourceNotFound", str(error))
            raise InvocationFailed("Lambda.ServiceException", str(error))
        except Exception as error:  # noqa: BLE001 - any other failure is a retriable service error
            raise InvocationFailed("Lambda.ServiceException", str(error))

    def transform(self, records: list[JournalRecord]) -> list[RecordOutcome]:
        """Outcomes in the order of the records given."""
        chunks = split_for_invocations(records, self.processor.buffer_size_bytes)
        if len(chunks) == 1:
            return self._transform_chunk(chunks[0])
        with ThreadPoolExecutor(min(environment.current().lambda_concurrency, len(chunks)),
                                thread_name_prefix="firehose-lambda") as pool:
            results = list(pool.map(self._transform_chunk, chunks))
        return [outcome for chunk_outcomes in results for outcome in chunk_outcomes]

    def _transform_chunk(self, records: list[JournalRecord]) -> list[RecordOutcome]:
        record_ids = [r.record_id for r in records]
        max_attempts = 1 + self.processor.number_of_retries
        attempt = 0
        while True:
            attempt += 1
            try:
                results = self._invoke(records, record_ids)
                break
            except InvocationFailed as failure:
                self._count(errors=1)
                LOG.warning("Lambda %s attempt %d/%d for %d records failed: %s",
                            self.processor.function_arn, attempt, max_attempts, len(records), failure)
                if failure.retriable and attempt < max_attempts and not self._stop.wait(
                        _RETRY_BACKOFF_S * attempt):
                    continue
                ending = ProcessingFailure(failure.code, MESSAGES.get(failure.code, failure.detail),
                                           attempt, now_ms())
                return [RecordOutcome("ProcessingFailed", failure=ending) for _ in records]
        ending_ms = now_ms()
        outcomes = []
        for record_id in record_ids:
            result, data, metadata = results[record_id]
            if result == "ProcessingFailed":
                failure = ProcessingFailure("Lambda.ProcessingFailedStatus",
                                            MESSAGES["Lambda.ProcessingFailedStatus"], attempt, ending_ms)
                outcomes.append(RecordOutcome(result, failure=failure))
            else:
                outcomes.append(RecordOutcome(result, data=data, metadata=metadata))
        return outcomes

    def _invoke(self, records: list[JournalRecord], record_ids: list[str]) -> dict:
        timeout = self._function_timeout()
        event = build_event(records, self._stream_arn, self._region, self._source_stream_arn)
        self._count(invocations=1)
        try:
            response = self._client(timeout + _TIMEOUT_MARGIN_S).invoke(
                FunctionName=self.processor.function_arn, Payload=json.dumps(event).encode())
        except ReadTimeoutError as error:
            raise InvocationFailed("Lambda.FunctionTimedOut", str(error))
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code == "ResourceNotFoundException":
                raise InvocationFailed("Lambda.ResourceNotFound", str(error))
            if code in ("TooManyRequestsException", "ThrottlingException"):
                raise InvocationFailed("Lambda.InvokeLimitExceeded", str(error))
            raise InvocationFailed("Lambda.ServiceException", str(error))
        except Exception as error:  # noqa: BLE001 - any other failure is a retriable service error
            raise InvocationFailed("Lambda.ServiceException", str(error))
        payload = response["Payload"].read()
        if response.get("FunctionError"):
            detail = payload.decode(errors="replace")[:500]
            if "timed out" in detail.lower() or "Timedout" in detail:
                raise InvocationFailed("Lambda.FunctionTimedOut", detail)
            raise InvocationFailed("Lambda.FunctionError", detail)
        return parse_response(payload, record_ids)
