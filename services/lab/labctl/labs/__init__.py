"""The sibling labs, one package each beside the main lab's core:

- `labs/cloudwatch/`: CloudWatch Logs -> Kafka -> S3 (`make cloudwatch-lab`): its processes,
  their status, the Kafka broker; reached from the core through its hook (labctl.labs.hook: one class per runtime,
  in native_side and compose_side).
- `labs/lake/`: the Parquet lake stack (`make lake-lab`), a one-shot deployment.
- `labs/anomaly/`: the Glue streaming anomaly lab (`make anomaly-lab`), a one-shot run.

`hooks(runtime_name, settings)` gives the core the hooks of the labs that run beside it.
"""
from __future__ import annotations

from labctl.labs.cloudwatch.compose_side import ComposeCloudWatchLab
from labctl.labs.cloudwatch.native_side import NativeCloudWatchLab
from labctl.labs.hook import LabHook
from labctl.settings import LabSettings

# lab (its make target) -> runtime name -> its hook class
HOOKS: dict[str, dict[str, type[LabHook]]] = {
    "cloudwatch-lab": {"native": NativeCloudWatchLab, "compose": ComposeCloudWatchLab},
}


def hook(lab: str, runtime_name: str, settings: LabSettings) -> LabHook:
    """The hook of sibling lab `lab` (its make target) on runtime `runtime_name`."""
    return HOOKS[lab][runtime_name](settings)


def hooks(runtime_name: str, settings: LabSettings) -> list[LabHook]:
    """Every sibling lab's hook on runtime `runtime_name`."""
    return [by_runtime[runtime_name](settings) for by_runtime in HOOKS.values()]
