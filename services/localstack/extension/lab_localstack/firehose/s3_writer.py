"""Writes Firehose objects to S3 (LocalStack's own S3, through its internal client).

S3 delivery never gives up (AWS retries for 24 hours): a missing bucket or an S3
error is retried with backoff until it works or the stream stops. The records
stay in the journal meanwhile, so a stop loses nothing.
"""
from __future__ import annotations

import gzip
import io
import logging
import threading
import zipfile
from collections.abc import Callable

from botocore.config import Config
from localstack.aws.connect import connect_to

from lab_localstack.firehose import s3_keys
from lab_localstack.firehose.stream_settings import S3Target

LOG = logging.getLogger(__name__)

RETRY_BACKOFF_START_S = 0.5
RETRY_BACKOFF_MAX_S = 5.0


class DeliveryStopped(Exception):
    """The stream stopped while a write was still being retried."""


def encode_body(body: bytes, compression: str) -> bytes:
    if compression == "GZIP":
        return gzip.compress(body)
    if compression == "ZIP":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("data", body)
        return buffer.getvalue()
    return body


class S3Writer:
    """Puts objects for one stream; retries until success or stop."""

    def __init__(self, account_id: str, region: str, stream_name: str, stop: threading.Event,
                 on_retry: Callable[[str], None] = lambda reason: None):
        self._client = connect_to(
            aws_access_key_id=account_id, region_name=region,
            config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=60),
        ).s3
        self._stream_name = stream_name
        self._stop = stop
        self._on_retry = on_retry

    def key_for(self, target: S3Target, version_id: str, arrival_ms: int,
                error_output_type: str = "", folder: str = "", partition_keys=None,
                default_extension: str | None = None) -> str:
        """Key of a data object (no error type) or of an error object; `partition_keys`
        evaluates a dynamically partitioned prefix, `default_extension` replaces the
        compression's (format conversion's .parquet / .orc; FileExtension still wins)."""
        if error_output_type and target.error_output_prefix:
            prefix = target.error_output_prefix
        elif error_output_type:
            prefix = folder or f"{error_output_type}/"
        else:
            prefix = target.prefix
        extension = target.file_extension or default_extension or ""
        return s3_keys.object_key(prefix, self._stream_name, version_id, arrival_ms,
                                  target.compression, extension, error_output_type, partition_keys)

    def put(self, target: S3Target, key: str, body: bytes) -> None:
        payload = encode_body(body, target.compression)
        delay = RETRY_BACKOFF_START_S
        while True:
            try:
                self._client.put_object(Bucket=target.bucket, Key=key, Body=payload)
                LOG.debug("wrote s3://%s/%s (%d bytes)", target.bucket, key, len(payload))
                return
            except Exception as error:  # noqa: BLE001 - any failure is retried
                self._on_retry(f"S3 write to {target.bucket} failed: {error}")
                LOG.warning("S3 write s3://%s/%s failed (%s); retrying in %.1fs",
                            target.bucket, key, error, delay)
            if self._stop.wait(delay):
                raise DeliveryStopped(f"stopped while writing s3://{target.bucket}/{key}")
            delay = min(delay * 2, RETRY_BACKOFF_MAX_S)
