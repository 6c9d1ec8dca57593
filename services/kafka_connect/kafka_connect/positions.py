"""The CloudWatch Logs source's committed position per log stream: one fsync'd JSON file.

Kafka Connect keeps a source's offsets in its offsets topic; the lab keeps them in
`<state-dir>/<connector name>.offsets.json`, written (temp file, fsync, rename, fsync of the
folder) only after the producer's delivery reports confirmed every record before the position.
A file rather than a topic: it survives a broker that loses its topics (memory storage) without
pretending the records are still there, and a reader (`make status`) needs no Kafka client.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class StreamPosition:
    token: str = ""          # GetLogEvents nextForwardToken after the last delivered page
    events: int = 0          # events delivered from this stream (all runs)
    last_timestamp: int = 0  # event time of the last delivered event (epoch ms)


class Positions:
    def __init__(self, state_dir: Path, connector: str):
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", connector)
        self.path = Path(state_dir) / f"{safe}.offsets.json"
        self.streams: dict[str, StreamPosition] = {}
        if self.path.exists():
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            self.streams = {name: StreamPosition(**pos) for name, pos in doc.get("streams", {}).items()}

    def get(self, stream: str) -> StreamPosition:
        return self.streams.setdefault(stream, StreamPosition())

    def commit(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"version": 1, "streams": {k: asdict(v) for k, v in sorted(self.streams.items())}}
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=str(self.path.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(doc, f, indent=1)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
