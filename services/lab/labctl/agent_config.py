"""The agent.json the lab's agent runs: the workshop's, or a team's own (LAB_AGENT_CONFIG).

Either way it points at the lab: LocalStack's endpoint, a checkpoint file in the state
directory and Apache's log folder. The agent validates the rest itself (agent.config).
"""
from __future__ import annotations

import json
from pathlib import Path

from labctl import settings as lab
from labctl.errors import LabStartError
from labctl.settings import LabSettings


def for_lab(settings: LabSettings, agent_dir: Path, log_dir: Path,
            initial_position: str = "START_OF_FILE") -> dict:
    """The agent.json the lab runs: the workshop's (or LAB_AGENT_CONFIG, a team's own), pointed at
    the lab's LocalStack, checkpoint file and Apache log folder. `initial_position` is the lab
    flow's (labctl.agent_flow_start: END_OF_FILE once the lab changed its log format)."""
    if settings.agent_config_file is not None:
        return _team_config(settings, agent_dir, log_dir)
    return {
        "cloudwatch.emitMetrics": True,
        "firehose.endpoint": settings.localstack_url,
        "kinesis.endpoint": settings.localstack_url,
        "checkpointFile": str(agent_dir / "checkpoints.db"),
        "log.statusReportingPeriodSeconds": 10,
        "flows": [{
            "filePattern": str(log_dir / "access_log*"),
            # the sibling lab ships the JSON log to the Kinesis stream, as its agent.json does
            **({"kinesisStream": lab.KINESIS_STREAM} if settings.access_log_format == "kinesis"
               else {"deliveryStream": lab.DELIVERY_STREAM}),
            "partitionKeyOption": "RANDOM",
            "initialPosition": initial_position,
            "maxBufferAgeMillis": 1000,
        }],
    }


def _team_config(settings: LabSettings, agent_dir: Path, log_dir: Path) -> dict:
    """A team's agent.json as written, but for where things are: the endpoints and the checkpoint
    file are the lab's, and each flow's filePattern keeps its file name (`access_log*`) in the
    lab's Apache log folder. The agent's own validation (agent.config) names a bad key."""
    try:
        config = json.loads(settings.agent_config_file.read_text())
    except ValueError as error:
        raise LabStartError(f"LAB_AGENT_CONFIG={settings.agent_config_file}: not JSON ({error})") from None
    flows = config.get("flows") if isinstance(config, dict) else None
    if not isinstance(flows, list) or not flows:
        raise LabStartError(f"LAB_AGENT_CONFIG={settings.agent_config_file}: `flows` must be a non-empty list")
    for number, flow in enumerate(flows):
        if not isinstance(flow, dict) or not isinstance(flow.get("filePattern"), str):
            raise LabStartError(f"LAB_AGENT_CONFIG={settings.agent_config_file}: flows[{number}].filePattern "
                                "must be a path")
    return {
        **config,
        "firehose.endpoint": settings.localstack_url,
        "kinesis.endpoint": settings.localstack_url,
        "checkpointFile": str(agent_dir / "checkpoints.db"),
        "flows": [{**flow, "filePattern": str(log_dir / Path(flow["filePattern"]).name)}
                  for flow in flows],
    }
