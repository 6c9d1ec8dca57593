"""`make cloudwatch-lab` on the native runtime: provision, then add the four supervisord programs
of labctl.labs.cloudwatch.lab (autostart=false) to the running supervisord, start them and wait
until each is ready.

Ready means: the broker answers a Kafka Metadata request; the agent and the connectors run
and have written their stats file (they rewrite it about every second).
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from labctl import aws_clients, native, preflight
from labctl.errors import LabError, LabStartError
from labctl.labs.cloudwatch import kafka_broker, kafka_status
from labctl.labs.cloudwatch import lab as cloudwatch_lab
from labctl.labs.cloudwatch.status import CloudWatchLab
from labctl.settings import LabSettings

LOG = logging.getLogger(__name__)

KAFKA_READY_S = 240   # the first start formats the storage; a JVM starts slowly on 2 busy cores
PROCESS_READY_S = 60


def start(settings: LabSettings, movers: tuple[str, ...] = cloudwatch_lab.MOVERS) -> None:
    """Provision, start the broker, then `movers` (the agent and both connectors unless told)."""
    if native.supervisord_pid(settings) is None:
        raise LabError("the native lab is not running: start it with `make up`, then `make cloudwatch-lab`")
    kafka_broker.libs_dir()  # the broker is fetched (`make kafka`), else a message saying so
    states = native.program_states(settings)
    for what, port in (("Kafka (LAB_KAFKA_PORT)", settings.kafka_port),
                       ("Kafka's controller (LAB_KAFKA_CONTROLLER_PORT)", settings.kafka_controller_port)):
        if states.get("kafka") != "RUNNING" and not preflight.port_is_free(settings.bind_address, port):
            raise LabStartError(str(preflight.PortInUse(what, settings.bind_address, port,
                                                        preflight.port_holder(port))))
    paths = cloudwatch_lab.native_paths(settings)
    for key in ("cloudwatch-source_state", "s3-sink_state"):
        paths[key].mkdir(parents=True, exist_ok=True)
    cloudwatch_lab.write_awslogs_conf(settings)
    aws_clients.connect(settings.localstack_url)
    made = cloudwatch_lab.provision(settings.localstack_url)
    LOG.info("buckets: %s", ", ".join(made) if made else "already there")
    native.add_programs(settings, "cloudwatch-lab", cloudwatch_lab.programs(settings))
    native.start_program(settings, "kafka", "Kafka broker",
                         lambda: kafka_status.health(settings.kafka_bootstrap) == "up", KAFKA_READY_S)
    for name in movers:
        since = time.time() - 1  # the file's timestamp may be rounded down to the second
        native.start_program(settings, name, name, lambda name=name, since=since: (
            native.program_states(settings).get(name) == "RUNNING"
            and _written_since(paths[f"{name}_stats"], since)), PROCESS_READY_S)


def stop(settings: LabSettings) -> None:
    """Stop the agent and the connectors, then the broker (while LocalStack still answers)."""
    if native.supervisord_pid(settings) is not None:
        native.stop_programs(settings, *reversed(cloudwatch_lab.PROGRAMS))


def _written_since(path: Path, since: float) -> bool:
    """The stats file was (re)written after `since`: a file left by an earlier run does not count."""
    try:
        return path.stat().st_mtime >= since
    except OSError:
        return False


def processes(settings: LabSettings) -> dict[str, str]:
    """The four programs' supervisord states (lower case), {} when the lab is not running."""
    states = native.program_states(settings)
    return {name: states[name].lower() for name in cloudwatch_lab.PROGRAMS if name in states}


def stats_json(settings: LabSettings, name: str) -> str | None:
    path = cloudwatch_lab.native_paths(settings)[f"{name}_stats"]
    return path.read_text() if path.exists() else None


class NativeCloudWatchLab(CloudWatchLab):
    """The lab's hook on the native runtime: supervisord's programs and the stats files on disk."""

    def start(self) -> int:
        start(self.settings)
        return 0

    def stop(self) -> None:
        stop(self.settings)

    def processes(self) -> dict[str, str]:
        return processes(self.settings)

    def stats_json(self, name: str) -> str | None:
        return stats_json(self.settings, name)

    def kafka_status(self) -> dict:
        return kafka_status.collect(self.settings.kafka_bootstrap)
