"""The `apache_ETL` Lambda handler: Firehose records of Apache log lines -> JSON documents.

Deployed with the handler string `etl.handler.lambda_handler`. Per record:
base64 -> UTF-8 text (invalid bytes kept as \\xhh, Apache's own escape style) -> parsed
line -> document -> compact JSON + "\\n" -> base64, result `Ok`. A record that is not an
acceptable access-log line (or is not even a record) gets `ProcessingFailed` with its
original data; a record matching a drop rule (etl.config) gets `Dropped`. With
ETL_GEOIP_DATABASES set, the cold start fetches the GeoIP databases (etl.geoip_source)
and documents of public clients get a `geo` object (etl.geoip). The handler
never raises for bad input: one bad record must not fail the other 499.
"""

import logging
from typing import Any

from etl.access_log import LogFields, parse_line
from etl.config import EtlConfig, load_config
from etl.document import render_document, use_geoip
from etl.firehose import (
    DROPPED,
    OK,
    PROCESSING_FAILED,
    FirehoseOutputRecord,
    FirehoseResponse,
    decode_data,
    encode_data,
    original_data,
    record_id,
)
from etl.geoip_source import open_geoip

logger = logging.getLogger(__name__)

# Read once per container (cold start); a bad value fails the initialisation loudly.
CONFIG = load_config()
logger.setLevel(CONFIG.log_level)
use_geoip(open_geoip(CONFIG.geoip_databases))

_SAMPLE_CHARS = 200  # how much of a failed record the log line shows
_USER_AGENT = LogFields._fields.index("user_agent")


class NotAnAccessLogLine(ValueError):
    """The record's text is not a line in a log format the ETL accepts."""


def _is_dropped(user_agent: str | None, path: str | None, config: EtlConfig) -> bool:
    if config.drop_user_agent is not None and user_agent is not None and config.drop_user_agent.search(user_agent):
        return True
    return config.drop_path is not None and path is not None and bool(config.drop_path.search(path))


def _describe_failure(record: Any, error: Exception) -> str:
    try:
        sample = decode_data(record["data"])[:_SAMPLE_CHARS].decode("utf-8", "backslashreplace")
    except Exception:  # noqa: BLE001 - the record may be anything; this only builds a log line
        sample = repr(record)[:_SAMPLE_CHARS]
    return f"{type(error).__name__}: {error} in {sample!r}"


def transform_records(records: list[Any], config: EtlConfig = CONFIG) -> list[FirehoseOutputRecord]:
    """One output record per input record, in the same order; never raises for bad input."""
    output: list[FirehoseOutputRecord] = []
    append = output.append
    drops_anything = config.drops_anything
    dropped = failed = 0
    first_failure = None
    for record in records:
        try:
            text = decode_data(record["data"]).decode("utf-8", "backslashreplace")
            fields = parse_line(text)
            if fields is None:
                raise NotAnAccessLogLine("not an access-log line in an accepted format")
            document, path = render_document(fields)
            if drops_anything and _is_dropped(fields[_USER_AGENT], path, config):
                append({"recordId": record.get("recordId"), "result": DROPPED, "data": original_data(record)})
                dropped += 1
                continue
            # .get: LocalStack's own Firehose sends records without a recordId; echo null.
            append({"recordId": record.get("recordId"), "result": OK, "data": encode_data(document.encode("utf-8"))})
        except Exception as error:  # noqa: BLE001 - any bad record becomes ProcessingFailed
            append({"recordId": record_id(record), "result": PROCESSING_FAILED, "data": original_data(record)})
            failed += 1
            if first_failure is None:
                first_failure = _describe_failure(record, error)
    if failed:
        logger.warning("%d of %d records failed processing; first: %s", failed, len(records), first_failure)
    logger.info("transformed %d records: %d ok, %d dropped, %d failed",
                len(records), len(records) - dropped - failed, dropped, failed)
    return output


def lambda_handler(event: Any, context: Any = None) -> FirehoseResponse:
    """Firehose data-transformation entry point."""
    records = event.get("records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        logger.error("event has no 'records' list (keys: %s); nothing to transform",
                     list(event)[:10] if isinstance(event, dict) else type(event).__name__)
        return {"records": []}
    return {"records": transform_records(records)}
