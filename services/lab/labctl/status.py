"""`make status`: the health of every service and where every log line is.

Counts per stage: lines in Apache's access log, the agent's sent / failed /
backlog (its stats file), Firehose's received / delivered / dropped / failed /
buffered (the lab extension's /_lab/firehose/streams), documents in the index,
and records in S3 by prefix. The last line says whether every line the lab's flow ships is
accounted for: index + processing-failed + delivery-failed + dropped (with
LAB_ACCESS_LOG_FORMAT=kinesis: the records in the Kinesis stream's S3 archive), counted from the
line where the flow began (labctl.agent_flow_start).

Only what the lab owns is counted (labctl.ownership: its streams, the index `apache` itself,
the objects its streams wrote under their exact prefixes); an attendee's streams, indices and
objects, however they are named, are listed under "Not the lab's" and never counted.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from labctl import aws_clients, data_lake, durability_status, stage_counts
from labctl import settings as lab
from labctl.settings import LabSettings

if TYPE_CHECKING:
    from labctl.labs.hook import LabHook
    from labctl.runtimes import Runtime

LOG = logging.getLogger(__name__)



@dataclass
class LabStatus:
    runtime: str
    services: dict[str, str] = field(default_factory=dict)      # name -> up / down / detail
    log_lines: int | None = None
    access_log_format: str = "clickstream"                      # what the lab's flow ships
    counted_from: int = 0                                      # access-log lines before that flow began
    accounted_before: int = 0                                  # its destination's count when it began
    agent: dict = field(default_factory=dict)
    firehose: dict = field(default_factory=dict)
    index_documents: int | None = None
    s3_records: dict[str, int] = field(default_factory=dict)    # prefix name -> records (lines)
    s3_objects: dict[str, int] = field(default_factory=dict)
    data_lake: dict = field(default_factory=dict)              # crawler, tables, Athena queries by state
    kept_state: dict = field(default_factory=dict)             # state dir disk use, part by part
    labs: dict[str, dict] = field(default_factory=dict)        # each sibling lab's section (its hook)
    # not the lab's (an attendee's): delivery_streams name -> counters, indices name -> documents,
    # s3_objects writing stream -> objects in the backup bucket; listed, never counted
    others: dict[str, dict] = field(default_factory=dict)

    @property
    def written(self) -> int | None:
        """Lines the lab's flow ships: the access log's, from the line where the flow began."""
        return None if self.log_lines is None else max(0, self.log_lines - self.counted_from)

    @property
    def accounted(self) -> int | None:
        if self.access_log_format == "kinesis":
            archived = self.s3_records.get("kinesis_archive")
            return None if archived is None else archived - self.accounted_before
        if self.index_documents is None:
            return None
        stream = self.firehose.get(lab.DELIVERY_STREAM, {})
        return (self.index_documents + self.s3_records.get("processing_failed", 0)
                + self.s3_records.get("opensearch_failed", 0)
                + self.s3_records.get("elasticsearch_failed", 0)
                + int(stream.get("dropped", 0))) - self.accounted_before


def collect(settings: LabSettings, runtime: Runtime | None, hooks: Sequence[LabHook] = ()) -> LabStatus:
    """Health and counts of the lab that `runtime` runs (None: not started), with the sections
    of the sibling labs whose `hooks` are given (labctl.labs)."""
    lab_status = LabStatus(runtime=runtime.name if runtime else "not started")
    lab_status.services = {
        "apache": stage_counts.tcp_health(*settings.apache_address),
        "localstack": stage_counts.http_health(settings.localstack_url + "/_localstack/health"),
        "opensearch": stage_counts.http_health(settings.opensearch_url + "/"),
    }
    stats_text = None
    if runtime is not None:
        lab_status.services["dashboards"] = stage_counts.http_health(settings.dashboards_url + "/api/status")
        lab_status.services["agent"] = runtime.agent_state()
        lab_status.log_lines = runtime.access_log_lines()
        start = runtime.flow_start()
        lab_status.access_log_format, lab_status.counted_from = start.access_log_format, start.line
        lab_status.accounted_before = start.accounted_before or 0
        stats_text = runtime.agent_stats_json()
    if stats_text:
        try:
            lab_status.agent = json.loads(stats_text)
        except ValueError:
            lab_status.agent = {"error": "stats file unreadable"}
    streams = stage_counts.stream_counters(settings.localstack_url)
    if streams is not None:
        lab_status.firehose, lab_status.others["delivery_streams"] = streams
    lab_status.index_documents = stage_counts.index_documents(settings.opensearch_url)
    lab_status.others["indices"] = stage_counts.other_indices(settings.opensearch_url)
    lab_status.kept_state = durability_status.collect(settings)
    lab_status.labs = {hook.status_key: hook.status() for hook in hooks}
    if lab_status.services["localstack"] == "up":
        lab_status.s3_objects, lab_status.s3_records, lab_status.others["s3_objects"] = stage_counts.s3_scan(
            settings.localstack_url)
        lab_status.data_lake = _data_lake(settings.localstack_url)
    return lab_status


def _data_lake(localstack_url: str) -> dict:
    clients = aws_clients.clients_for(localstack_url)
    return data_lake.status_counts(clients("glue"), clients("athena"))


def agent_stats_age(agent: dict) -> float | None:
    """Seconds since the agent last wrote its stats (it rewrites them within 0.2 s of a
    change), or None when unknown."""
    updated = agent.get("updated_at") if isinstance(agent, dict) else None
    if not updated:
        return None
    try:
        written = datetime.strptime(updated, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return max(0.0, (datetime.now(UTC) - written).total_seconds())


def _counters_text(counters: dict, verbose: bool) -> str:
    """A stream's counters: the non-zero ones (every one with `verbose`)."""
    shown = ", ".join(f"{k} {v}" for k, v in counters.items()
                      if isinstance(v, (int, float)) and (verbose or v))
    return shown or "nothing received"


def _verdict(lab_status: LabStatus) -> str:
    """Whether every line is accounted for; lines still in the lab stream's buffer are said to be
    there (a normal wait of up to the buffer interval), not missing."""
    accounted, written = lab_status.accounted, lab_status.written
    if accounted == written:
        return "all accounted for"
    stream = lab.KINESIS_DELIVERY_STREAM if lab_status.access_log_format == "kinesis" else lab.DELIVERY_STREAM
    buffered = int(lab_status.firehose.get(stream, {}).get("buffered_records", 0) or 0)
    if buffered and accounted + buffered == written:
        return f"{buffered} buffered in {stream}: delivered when its buffer interval ends"
    return "in flight or missing"


def render_text(lab_status: LabStatus, hooks: Sequence[LabHook] = (), verbose: bool = False) -> str:
    """`make status`'s text; `verbose` shows every Firehose counter, zeros included."""
    lines = [f"Clickstream Lab status ({lab_status.runtime} runtime)", "", "Services:"]
    lines += [f"  {name:<12} {state}" for name, state in lab_status.services.items()]
    lines += ["", "Pipeline:"]
    if lab_status.log_lines is not None:
        lines.append(f"  {'access_log lines':<34} {lab_status.log_lines}")
    totals = lab_status.agent.get("totals", lab_status.agent) if isinstance(lab_status.agent, dict) else {}
    for key in ("lines_read", "records_sent", "records_failed", "records_retried", "backlog_bytes"):
        if key in totals:
            lines.append(f"  {'agent ' + key.replace('_', ' '):<34} {totals[key]}")
    age = agent_stats_age(lab_status.agent)
    if age is not None:
        lines.append(f"  {'agent figures as of':<34} {age:.0f}s ago")
    for stream, counters in sorted(lab_status.firehose.items()):
        if isinstance(counters, dict):
            lines.append(f"  firehose {stream:<25} {_counters_text(counters, verbose)}")
    lines.append(f"  {'documents in index ' + lab.INDEX_NAME:<34} "
                 f"{'?' if lab_status.index_documents is None else lab_status.index_documents}")
    for name, count in lab_status.s3_records.items():
        lines.append(f"  {'S3 ' + stage_counts.S3_PREFIXES[name]:<34} {count} records in {lab_status.s3_objects.get(name, 0)} objects")
    lines += _render_others(lab_status.others)
    lines += _render_data_lake(lab_status.data_lake)
    lines += durability_status.render(lab_status.kept_state)
    for hook in hooks:
        lines += hook.render(lab_status.labs.get(hook.status_key, {}))
    if lab_status.written is not None and lab_status.accounted is not None:
        lines += ["", f"Accounted: {lab_status.accounted} of {lab_status.written} lines ({_verdict(lab_status)})"]
        if lab_status.counted_from:
            lines.append(f"  counted from access_log line {lab_status.counted_from + 1}, where the lab began shipping "
                         f"LAB_ACCESS_LOG_FORMAT={lab_status.access_log_format} lines")
    return "\n".join(lines)


def _render_others(others: dict) -> list[str]:
    """Streams, indices and objects that are not the lab's: shown, never counted."""
    streams, indices = others.get("delivery_streams") or {}, others.get("indices") or {}
    objects = others.get("s3_objects") or {}
    if not (streams or indices or objects):
        return []
    lines = ["", "Not the lab's (yours: listed, never counted):"]
    for stream, counters in sorted(streams.items()):
        shown = ", ".join(f"{k} {counters[k]}" for k in ("received", "delivered", "processing_failed",
                                                         "delivery_failed", "dropped") if counters.get(k))
        lines.append(f"  {'firehose ' + stream:<34} {shown or 'nothing received'}")
    for index, documents in sorted(indices.items()):
        lines.append(f"  {'index ' + index:<34} {documents} documents")
    for stream, count in sorted(objects.items()):
        lines.append(f"  {'S3 objects written by ' + stream:<34} {count}")
    return lines


def _render_data_lake(lake: dict) -> list[str]:
    if not lake:
        return []
    lines = ["", "Data lake:"]
    crawler = lake.get("crawler")
    if crawler:
        lines.append(f"  {'crawler ' + crawler['name']:<34} {crawler['state']} (last crawl {crawler['last_crawl']})")
    for table, partitions in sorted(lake.get("tables", {}).items()):
        lines.append(f"  {'table ' + lab.GLUE_DATABASE + '.' + table:<34} {partitions} partitions")
    queries = lake.get("queries")
    if queries is not None:
        shown = ", ".join(f"{state.lower()} {n}" for state, n in sorted(queries.items())) or "none yet"
        lines.append(f"  {'athena queries':<34} {sum(queries.values())} ({shown})")
    return lines


def render_json(lab_status: LabStatus) -> str:
    data = asdict(lab_status)
    data.update(data.pop("labs"))   # each sibling lab's section under its own key
    data["accounted"] = lab_status.accounted
    data["written"] = lab_status.written
    return json.dumps(data, indent=2, sort_keys=True)
