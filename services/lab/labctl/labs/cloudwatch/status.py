"""What `make status` says about the CloudWatch Logs -> Kafka -> S3 lab (make cloudwatch-lab).

"not started" until `make cloudwatch-lab`; then each process's state, Kafka (health, topics
with partitions and records, consumer groups with committed offsets and lag: labctl.labs.cloudwatch.kafka_status)
and what the agent and each connector moved, from their stats files (issue 24's contract):
the agent's `events_sent`, the source's `records_produced`, the sink's `records_written`.
"""
from __future__ import annotations

import json

from labctl.labs.cloudwatch import lab as cloudwatch_lab
from labctl.labs.hook import LabHook

NOT_STARTED = {"state": "not started"}
# What each one "moved": the count that the next stage receives.
MOVED_KEY = {"awslogs-agent": "events_sent", "cloudwatch-source": "records_produced", "s3-sink": "records_written"}
SHOWN_KEYS = {
    "awslogs-agent": ("lines_read", "events_sent", "put_log_events_calls", "retries"),
    "cloudwatch-source": ("events_read", "records_produced"),
    "s3-sink": ("records_consumed", "records_written", "objects_written"),
}


def collect(sources: CloudWatchLab | None) -> dict:
    if sources is None:
        return dict(NOT_STARTED)
    processes = sources.processes()
    if not processes or all(state in ("stopped", "exited 0") for state in processes.values()):
        return dict(NOT_STARTED)
    data: dict = {"state": "started", "processes": processes, "kafka": sources.kafka_status(),
                  "stats": {}, "moved": {}}
    for name in cloudwatch_lab.MOVERS:
        text = sources.stats_json(name)
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


class CloudWatchLab(LabHook):
    """The lab's hook (labctl.labs.hook), what both runtimes share; native_side and compose_side
    say where its processes, stats files and Kafka's status come from."""

    status_key = "cloudwatch_lab"

    def processes(self) -> dict[str, str]:
        """Its processes that were started, with their state; {} when it was not started."""
        raise NotImplementedError

    def stats_json(self, name: str) -> str | None:
        """The stats file of the agent or a connector (labctl.labs.cloudwatch.lab.MOVERS)."""
        raise NotImplementedError

    def kafka_status(self) -> dict:
        """labctl.labs.cloudwatch.kafka_status.collect() as seen from where the broker is reachable."""
        raise NotImplementedError

    def instance_id(self) -> str:
        """The awslogs agent's {instance_id}: its log stream, and the topic's suffix."""
        return cloudwatch_lab.instance_id()

    def status(self) -> dict:
        return collect(self)

    def render(self, data: dict) -> list[str]:
        return render(data)
