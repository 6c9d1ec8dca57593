"""The CloudWatch lab on the compose runtime: the `cloudwatch` profile's services, their states,
stats files and Kafka's status asked from inside the network (labctl.compose runs them)."""
from __future__ import annotations

import json
import logging

from labctl import compose, engine
from labctl import settings as lab
from labctl.labs.cloudwatch import lab as cloudwatch_lab
from labctl.labs.cloudwatch.status import CloudWatchLab

LOG = logging.getLogger(__name__)

CLOUDWATCH_PROFILE = "cloudwatch"
# The awslogs agent's container hostname (docker-compose.yml): its {instance_id} derives from it.
AWSLOGS_HOSTNAME = "unicorn-shop"
# The CloudWatch lab's services (profile cloudwatch) and where each keeps its stats file.
CLOUDWATCH_STATS = {"awslogs-agent": "/var/lib/awslogs/stats.json",
                    "cloudwatch-source": "/var/lib/kafka-connect/stats.json",
                    "s3-sink": "/var/lib/kafka-connect/stats.json"}
CLOUDWATCH_SERVICES = ("kafka", "cloudwatch-setup", *CLOUDWATCH_STATS)


def processes() -> dict[str, str]:
    """The CloudWatch lab's services and their state (healthy, exited 1, ...); {} when not started."""
    try:
        found = compose.containers(include_stopped=True)
    except engine.EngineError as error:
        LOG.warning("%s", error)
        return {}
    return {compose.service_of(attrs): compose.container_health(attrs) for attrs in found
            if compose.service_of(attrs) in CLOUDWATCH_SERVICES}


def stats_json(service: str) -> str | None:
    return compose.exec_output(service, "cat", CLOUDWATCH_STATS[service], stderr=False)


def kafka_status_json() -> str | None:
    """labctl.labs.cloudwatch.kafka_status run inside the network (where the broker's advertised
    name resolves), in the first of the lab's Python containers of the profile that answers."""
    for service in CLOUDWATCH_STATS:
        out = compose.exec_output(service, "python", "-m", "labctl.labs.cloudwatch.kafka_status",
                                  "--bootstrap", f"kafka:{lab.CONTAINER_PORTS['kafka']}", timeout=30, stderr=False)
        if out:
            return out
    return None


class ComposeCloudWatchLab(CloudWatchLab):
    """The lab's hook on the compose runtime: the `cloudwatch` profile (`make down` stops it)."""

    def start(self) -> int:
        # the profile's one-shot `cloudwatch-setup` provisions (make cloudwatch-lab without Compose
        # would too, but it must also hold for `docker compose --profile cloudwatch up`)
        return compose.up_profile(CLOUDWATCH_PROFILE, CLOUDWATCH_SERVICES)

    def processes(self) -> dict[str, str]:
        return processes()

    def stats_json(self, name: str) -> str | None:
        return stats_json(name)

    def instance_id(self) -> str:
        return cloudwatch_lab.instance_id(hostname=AWSLOGS_HOSTNAME)

    def kafka_status(self) -> dict:
        text = kafka_status_json()
        try:
            return json.loads(text) if text else {
                "health": "unknown", "error": "asked from the profile's Python containers; none answered"}
        except ValueError:
            return {"health": "unknown", "error": "labctl.labs.cloudwatch.kafka_status printed no JSON"}
