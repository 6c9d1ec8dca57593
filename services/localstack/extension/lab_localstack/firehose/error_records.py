"""The JSON lines Firehose writes for records it could not process or deliver.

processing-failed/ (Lambda transformation failures):
  {attemptsMade, arrivalTimestamp, errorCode, errorMessage, attemptEndingTimestamp, rawData, lambdaArn}
AmazonOpenSearchService-failed/ and elasticsearch-failed/ (documents not indexed):
  {attemptsMade, arrivalTimestamp, errorCode, errorMessage, attemptEndingTimestamp,
   esDocumentId, esIndexName, esTypeName, rawData}
Timestamps are epoch milliseconds, rawData is base64.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass


@dataclass
class ProcessingFailure:
    """Why a record's transformation failed, and after how many attempts."""

    error_code: str
    error_message: str
    attempts_made: int
    attempt_ending_ms: int


@dataclass
class DeliveryFailure:
    """Why a document was not indexed, and after how many attempts."""

    error_code: str
    error_message: str
    attempts_made: int
    attempt_ending_ms: int
    document_id: str
    index_name: str
    type_name: str


def _attempt_fields(arrival_ms: int, failure: ProcessingFailure | DeliveryFailure) -> dict:
    """The fields both AWS failure formats start with."""
    return {
        "attemptsMade": failure.attempts_made,
        "arrivalTimestamp": arrival_ms,
        "errorCode": failure.error_code,
        "errorMessage": failure.error_message,
        "attemptEndingTimestamp": failure.attempt_ending_ms,
    }


def processing_failed_line(arrival_ms: int, raw: bytes, failure: ProcessingFailure, lambda_arn: str) -> str:
    return json.dumps({
        **_attempt_fields(arrival_ms, failure),
        "rawData": base64.b64encode(raw).decode(),
        "lambdaArn": lambda_arn,
    })


def delivery_failed_line(arrival_ms: int, document: bytes, failure: DeliveryFailure) -> str:
    return json.dumps({
        **_attempt_fields(arrival_ms, failure),
        "esDocumentId": failure.document_id,
        "esIndexName": failure.index_name,
        "esTypeName": failure.type_name,
        "rawData": base64.b64encode(document).decode(),
    })
