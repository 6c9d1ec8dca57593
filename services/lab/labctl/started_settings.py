"""The settings a running lab was started with, so that `make up` on a running lab applies a
changed setting or refuses it, never ignores it.

`make up` records them (state folder, started-settings.json) once the lab is up. On a lab that
runs, `make up` applies what provisioning applies live (the Firehose buffer and retry hints:
LAB_BUFFER_INTERVAL, LAB_BUFFER_SIZE_MB, LAB_RETRY_DURATION) and refuses every setting that
needs the services started again (ports, LAB_ACCESS_LOG_FORMAT, GeoIP, the team's parts, ...)
with "stop the lab first: make down", naming each one with its running and its new value.
"""
from __future__ import annotations

import json
from pathlib import Path

from labctl.settings import LabSettings

FILE = "started-settings.json"
EMPTY_LAB_AGENT = "not run (an empty lab: LAB_PROVISION=none)"   # the agent's state in one
# LabSettings field -> the variable a user sets. Only what the services are started with.
NEEDS_RESTART = {
    "bind_address": "LAB_BIND_ADDRESS", "apache_port": "LAB_APACHE_PORT",
    "localstack_port": "LAB_LOCALSTACK_PORT", "opensearch_port": "LAB_OPENSEARCH_PORT",
    "dashboards_port": "LAB_DASHBOARDS_PORT", "kafka_port": "LAB_KAFKA_PORT",
    "kafka_controller_port": "LAB_KAFKA_CONTROLLER_PORT",
    "opensearch_transport_port": "LAB_OPENSEARCH_TRANSPORT_PORT", "opensearch_heap": "OPENSEARCH_HEAP",
    "access_log_format": "LAB_ACCESS_LOG_FORMAT", "geoip_database": "LAB_GEOIP_DATABASE",
    "geoip_enabled": "LAB_GEOIP_DATABASE", "lambda_zip_override": "LAB_LAMBDA_ZIP",
    "lambda_handler": "LAB_LAMBDA_HANDLER", "agent_config_file": "LAB_AGENT_CONFIG",
    "backup_mode": "LAB_BACKUP_MODE", "provision": "LAB_PROVISION",
}


def _path(settings: LabSettings) -> Path:
    return settings.state_dir / FILE


def _values(settings: LabSettings) -> dict[str, str]:
    return {field: str(getattr(settings, field)) for field in NEEDS_RESTART}


def record(settings: LabSettings) -> None:
    """Remember what the lab now runs with (after a successful `make up`)."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    _path(settings).write_text(json.dumps(_values(settings), indent=2, sort_keys=True) + "\n")


def forget(settings: LabSettings) -> None:
    _path(settings).unlink(missing_ok=True)


def empty_lab(settings: LabSettings) -> bool:
    """True when the running lab was started empty (LAB_PROVISION=none), whatever the caller's
    own environment says."""
    try:
        return json.loads(_path(settings).read_text()).get("provision") == "none"
    except (OSError, ValueError, AttributeError):
        return settings.empty


def changes(settings: LabSettings) -> list[str]:
    """Each setting that differs from what the running lab was started with, as
    "LAB_X=new (the lab runs with old)"; [] when none does or nothing was recorded."""
    try:
        started = json.loads(_path(settings).read_text())
    except (OSError, ValueError):
        return []
    now = _values(settings)
    out = []
    for field, variable in NEEDS_RESTART.items():
        if field in started and started[field] != now[field]:
            out.append(f"{variable}: {_shown(field, now[field])} (the lab runs with {_shown(field, started[field])})")
    return list(dict.fromkeys(out))


def _shown(field: str, value: str) -> str:
    if field == "geoip_enabled":
        return "GeoIP on" if value == "True" else "off"
    return "unset" if value == "None" else value
