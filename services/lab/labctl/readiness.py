"""Is the lab ready, and is every line accounted for? What `make wait` and the Python API wait on.

Ready means every service of the running lab answers (Apache's port, LocalStack's and
OpenSearch's health, the runtime's extra services such as Dashboards) and the agent runs.
Accounted means the lines the caller counts (or the access-log lines the lab's flow ships,
labctl.agent_flow_start) are all in one of the places a line ends: the index, the failure
outputs, or Firehose's `dropped` counter (labctl.stage_counts, as `make status` counts); with
LAB_ACCESS_LOG_FORMAT=kinesis, the Kinesis stream's S3 archive. On a time-out the error names what is not ready, or the accounting so far.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from labctl import settings as lab
from labctl import stage_counts, started_settings
from labctl.errors import LabTimeout
from labctl.settings import LabSettings
from labctl.waiting import wait_until

if TYPE_CHECKING:
    from labctl.runtimes import Runtime


def not_ready(settings: LabSettings, runtime: Runtime) -> dict[str, str]:
    """Each service that is not ready, with its state ({} when all are)."""
    states = {
        "apache": stage_counts.tcp_health(*settings.apache_address),
        "localstack": stage_counts.http_health(settings.localstack_url + "/_localstack/health"),
        "opensearch": stage_counts.http_health(settings.opensearch_url + "/"),
        "dashboards": stage_counts.http_health(settings.dashboards_url + "/api/status"),
        "agent": runtime.agent_state(),
    }
    return {name: state for name, state in states.items() if state not in ("up", "running", started_settings.EMPTY_LAB_AGENT)}


def wait_ready(settings: LabSettings, runtime: Runtime, timeout: float = 300) -> None:
    """Return when every service is ready; LabTimeout naming the ones that are not."""
    last: dict[str, str] = {}

    def ready() -> bool:
        nonlocal last
        last = not_ready(settings, runtime)
        return not last

    try:
        wait_until(ready, timeout, interval=1.0, what="the lab's services")
    except LabTimeout:
        waiting = ", ".join(f"{name} {state}" for name, state in last.items())
        raise LabTimeout(f"not ready after {timeout:.0f}s: {waiting}", last) from None


@dataclass(frozen=True)
class Accounting:
    """Where the lines went, as `make status` counts them (only the lab's own resources)."""

    written: int | None          # lines written (Apache's access log; None: unknown)
    indexed: int
    processing_failed: int       # S3 processing-failed/ (the ETL's ProcessingFailed)
    delivery_failed: int         # S3 <prefix>AmazonOpenSearchService-failed/ (OpenSearch refused or down)
    dropped: int                 # Firehose's dropped counter (the ETL returned Dropped)
    buffered: int                # Firehose's buffered counter (received, not delivered yet)
    archived: int = 0            # records in the Kinesis stream's S3 archive (kinesis format)
    access_log_format: str = "clickstream"
    before: int = 0              # accounted before the lab's flow began (labctl.agent_flow_start)

    @property
    def accounted(self) -> int:
        if self.access_log_format == "kinesis":
            return self.archived - self.before
        return self.indexed + self.processing_failed + self.delivery_failed + self.dropped - self.before


def accounting_at(localstack_url: str, opensearch_url: str, written: int | None,
                  access_log_format: str = "clickstream") -> Accounting:
    """The accounting of the lab whose LocalStack and OpenSearch answer at these URLs."""
    lab_streams, _others = stage_counts.stream_counters(localstack_url) or ({}, {})
    kinesis = access_log_format == "kinesis"
    stream = lab_streams.get(lab.KINESIS_DELIVERY_STREAM if kinesis else lab.DELIVERY_STREAM, {})
    _objects, records = stage_counts.s3_counts(localstack_url)
    return Accounting(
        written=written, indexed=stage_counts.index_documents(opensearch_url) or 0,
        processing_failed=records.get("processing_failed", 0),
        delivery_failed=records.get("opensearch_failed", 0) + records.get("elasticsearch_failed", 0),
        dropped=int(stream.get("dropped", 0)), buffered=int(stream.get("buffered", 0)),
        archived=records.get("kinesis_archive", 0), access_log_format=access_log_format)


def accounting(settings: LabSettings, runtime: Runtime | None) -> Accounting:
    """The accounting of the lab these settings describe (lines written: the access-log lines
    its flow ships, from the line where that flow began)."""
    if runtime is None:
        return accounting_at(settings.localstack_url, settings.opensearch_url, None, settings.access_log_format)
    lines, start = runtime.access_log_lines(), runtime.flow_start()
    now = accounting_at(settings.localstack_url, settings.opensearch_url,
                        None if lines is None else max(0, lines - start.line), start.access_log_format)
    return replace(now, before=start.accounted_before or 0)


def wait_accounted(read: Callable[[], Accounting], lines: int | None = None, timeout: float = 300) -> Accounting:
    """Return the accounting `read` gives once `lines` (default: the lines written) are accounted
    for; LabTimeout with the accounting so far when they are not in time."""
    last: Accounting | None = None

    def done() -> Accounting | None:
        nonlocal last
        last = read()
        wanted = lines if lines is not None else last.written
        return last if wanted is not None and last.accounted >= wanted else None

    try:
        return wait_until(done, timeout, interval=1.0, what="every line accounted for")
    except LabTimeout:
        wanted = lines if lines is not None else (last.written if last else None)
        raise LabTimeout(f"after {timeout:.0f}s {last.accounted if last else 0} of {wanted} lines are "
                         f"accounted for: {last}", last) from None
