"""The sibling labs, one package each beside the main lab's core:

- `labs/cloudwatch/`: CloudWatch Logs -> Kafka -> S3 (`make cloudwatch-lab`): its processes,
  their status, the Kafka broker; reached from the core through its hook (labctl.labs.hook: one class per runtime,
  in native_side and compose_side).
- `labs/lake/`: the Parquet lake stack (`make lake-lab`), a one-shot deployment.
- `labs/anomaly/`: the Glue streaming anomaly lab (`make anomaly-lab`), a one-shot run.

`hooks(runtime_name, settings)` gives the core the hooks of the labs that run beside it.
"""
from __future__ import annotations

import importlib

from labctl.labs.hook import LabHook
from labctl.settings import LabSettings

# lab (its make target) -> runtime name -> its hook class as "module:Class". Imported when asked
# for, so that `python -m labctl.labs.<lab>.<module>` does not import its own module first
# (runpy warns, and the warning would land in output a caller parses).
HOOKS: dict[str, dict[str, str]] = {
    "cloudwatch-lab": {"native": "labctl.labs.cloudwatch.native_side:NativeCloudWatchLab",
                       "compose": "labctl.labs.cloudwatch.compose_side:ComposeCloudWatchLab"},
}


def _hook_class(path: str) -> type[LabHook]:
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def hook(lab: str, runtime_name: str, settings: LabSettings) -> LabHook:
    """The hook of sibling lab `lab` (its make target) on runtime `runtime_name`."""
    return _hook_class(HOOKS[lab][runtime_name])(settings)


def hooks(runtime_name: str, settings: LabSettings) -> list[LabHook]:
    """Every sibling lab's hook on runtime `runtime_name`."""
    return [_hook_class(by_runtime[runtime_name])(settings) for by_runtime in HOOKS.values()]
