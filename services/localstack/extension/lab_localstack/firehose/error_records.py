"""The JSON lines Firehose writes for records it could not process or deliver.

processing-failed/ (Lambda transformation failures):
  {attemptsMade, arrivalTimestamp, errorCode, errorMessage, attemptEndingTimestamp, rawData, lambdaArn}
AmazonOpenSearchService-failed/ and elasticsearch-failed/ (documents not indexed):
  {attemptsMade, arrivalTimestamp, errorCode, errorMessage, attemptEndingTimestamp,
   esDocumentId, esIndexName, esTypeName, rawData}
<ErrorOutputPrefix> with dynamic partitioning (keys not extracted, too many active partitions):
  {attemptsMade, arrivalTimestamp, errorCode, errorMessage, attemptEndingTimestamp, rawData}
format-conversion-failed (records that do not fit the Glue table's schema):
  {attemptsMade, arrivalTimestamp, lastErrorCode, lastErrorMessage, attemptEndingTimestamp,
   rawData, sequenceNumber, subSequenceNumber, dataCatalogTable: {catalogId, databaseName,
   tableName, region, versionId, catalogArn}}
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


def partitioning_failed_line(arrival_ms: int, raw: bytes, failure: ProcessingFailure) -> str:
    return json.dumps({**_attempt_fields(arrival_ms, failure), "rawData": base64.b64encode(raw).decode()})


@dataclass
class CatalogTable:
    """The Glue table of a format conversion, as AWS names it in failed records."""

    catalog_id: str
    database_name: str
    table_name: str
    region: str
    version_id: str

    @property
    def catalog_arn(self) -> str:
        return f"arn:aws:glue:{self.region}:{self.catalog_id}:catalog"


def format_conversion_failed_line(arrival_ms: int, raw: bytes, failure: ProcessingFailure,
                                  table: CatalogTable, kinesis_meta: dict | None = None) -> str:
    meta = kinesis_meta or {}
    return json.dumps({
        "attemptsMade": failure.attempts_made,
        "arrivalTimestamp": arrival_ms,
        "lastErrorCode": failure.error_code,
        "lastErrorMessage": failure.error_message,
        "attemptEndingTimestamp": failure.attempt_ending_ms,
        "rawData": base64.b64encode(raw).decode(),
        "sequenceNumber": meta.get("sequenceNumber"),
        "subSequenceNumber": meta.get("subsequenceNumber"),
        "dataCatalogTable": {
            "catalogId": table.catalog_id,
            "databaseName": table.database_name,
            "tableName": table.table_name,
            "region": table.region,
            "versionId": table.version_id,
            "catalogArn": table.catalog_arn,
        },
    })
