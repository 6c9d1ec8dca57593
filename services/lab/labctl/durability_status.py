"""What `make status` says about the lab's kept state: the disk use of the state directory
(where S3, Kinesis, Firehose's journal, the Glue catalog, Athena's history and, natively,
OpenSearch's index live)."""
from __future__ import annotations

import os
from pathlib import Path

from labctl.settings import LabSettings

# the parts of the state directory shown one by one (the rest is summed under "other")
PARTS = {
    "S3": "localstack/lab-s3", "Kinesis": "localstack/lab-kinesis", "Firehose": "localstack/lab-firehose",
    "Glue": "localstack/lab-glue", "Athena": "localstack/lab-athena",
    "Kinesis Analytics": "localstack/lab-kinesisanalytics", "Lambda": "localstack/lab-lambda",
    "access logs": "apache/logs", "GeoIP": "geoip", "OpenSearch": "opensearch/data",
}


def disk_use(path: Path) -> int:
    """Bytes on disk under `path` (allocated blocks; symbolic links are not followed)."""
    total = 0
    for root, dirs, files in os.walk(path):
        for name in files + dirs:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total


def collect(s: LabSettings) -> dict:
    data: dict = {"state_dir": str(s.state_dir), "disk_bytes": disk_use(s.state_dir), "parts": {}}
    for label, relative in PARTS.items():
        if (s.state_dir / relative).exists():
            data["parts"][label] = disk_use(s.state_dir / relative)
    return data


def human(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def render(data: dict) -> list[str]:
    if not data:
        return []
    lines = ["", "Kept state:"]
    parts = ", ".join(f"{label} {human(n)}" for label, n in data.get("parts", {}).items())
    lines.append(f"  {'state dir ' + data['state_dir']:<34} {human(data['disk_bytes'])}"
                 + (f" ({parts})" if parts else ""))
    return lines
