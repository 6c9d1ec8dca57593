"""What `make status` says about the CloudWatch Logs -> Kafka -> S3 lab (make cloudwatch-lab).

"not started" until `make cloudwatch-lab`; then each process's state, Kafka (health, topics
with partitions and records, consumer groups with committed offsets and lag: labctl.kafka_status)
and what the agent and each connector moved, from their stats files (issue 24's contract):
the agent's `events_sent`, the source's `records_produced`, the sink's `records_written`.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from labctl import cloudwatch_lab

if TYPE_CHECKING:
    from labctl.runtimes import Runtime

NOT_STARTED = {"state": "not started"}
# What each one "moved": the count that the next stage receives.
MOVED_KEY = {"awslogs-agent": "events_sent", "cloudwatch-source": "records_produced", "s3-sink": "records_written"}
SHOWN_KEYS = {
    "awslogs-agent": ("lines_read", "events_sent", "put_log_events_calls", "retries"),
    "cloudwatch-source": ("events_read", "records_produced"),
    "s3-sink": ("records_consumed", "records_written", "objects_written"),
}


def collect(runtime: Runtime | None) -> dict:
    if runtime is None:
        return dict(NOT_STARTED)
    processes = runtime.cloudwatch_processes()
    if not processes or all(state in ("stopped", "exited 0") for state in processes.values()):
        return dict(NOT_STARTED)
    data: dict = {"state": "started", "processes": processes, "kafka": runtime.kafka_status(),
                  "stats": {}, "moved": {}}
    for name in cloudwatch_lab.MOVERS:
        text = runtime.cloudwatch_stats_json(name)
        if text is None:
            continue
        try:
            stats = json.loads(text)
        except ValueError:
            stats = {"last_error": "stats file unreadable"}
        data["stats"][name] = stats
        if isinstance(stats.get(MOVED_KEY[name]), int):
            data["moved"][name] = stats[MOVED_KEY[name]]
    return data


def render(data: dict) -> list[str]:
    lines = ["", "CloudWatch lab (make cloudwatch-lab):"]
    if data.get("state") != "started":
        return lines + [f"  {data.get('state', 'not started')}"]
    lines += [f"  {name:<34} {state}" for name, state in data.get("processes", {}).items()]
    kafka = data.get("kafka", {})
    lines.append(f"  {'kafka ' + kafka.get('bootstrap', ''):<34} {kafka.get('health', '?')}"
                 + (f" ({kafka['error']})" if kafka.get("error") else ""))
    for topic, info in kafka.get("topics", {}).items():
        lines.append(f"  {'topic ' + topic:<34} {info['records']} records in {info['partitions']} partitions")
        for partition, (start, end) in sorted(info.get("offsets", {}).items(), key=lambda kv: int(kv[0])):
            lines.append(f"    {'partition ' + partition:<32} offsets {start}-{end}")
    for group, info in kafka.get("groups", {}).items():
        committed = ", ".join(f"{tp} {offset}" for tp, offset in sorted(info["committed"].items())) or "nothing"
        lines.append(f"  {'group ' + group:<34} lag {info['lag']} (committed: {committed})")
    for name, stats in data.get("stats", {}).items():
        shown = ", ".join(f"{key.replace('_', ' ')} {stats[key]}" for key in SHOWN_KEYS[name] if key in stats)
        lines.append(f"  {name + ' moved':<34} {data['moved'].get(name, '?')} ({shown})")
        if stats.get("last_error"):
            lines.append(f"  {name + ' last error':<34} {stats['last_error']}")
    return lines
