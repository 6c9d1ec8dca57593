"""A Kafka broker (the lab's Tansu) for a test: a free 127.0.0.1 port, memory or S3 storage."""
from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from labctl.labs.cloudwatch import kafka_broker


class RunningBroker:
    def __init__(self, cfg: kafka_broker.BrokerConfig, log_file: Path):
        self.cfg = cfg
        self.log_file = log_file
        self.proc: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return self.cfg.bootstrap

    def start(self, timeout: float = 30.0) -> None:
        env = {**os.environ, **kafka_broker.environment(self.cfg)}
        with open(self.log_file, "ab") as log:
            self.proc = subprocess.Popen(kafka_broker.command(self.cfg), stdout=log, stderr=subprocess.STDOUT,
                                         env=env, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Kafka broker exited ({self.proc.returncode}): {self.log_file.read_text()[-2000:]}")
            try:
                socket.create_connection((self.cfg.host, self.cfg.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"Kafka broker not listening on {self.bootstrap} after {timeout} s")

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def running_broker(log_dir: Path, port: int, storage: str = "memory://tansu/",
                   s3_endpoint: str = "") -> Iterator[RunningBroker]:
    broker = RunningBroker(kafka_broker.BrokerConfig("127.0.0.1", port, storage, s3_endpoint),
                           log_dir / f"kafka-{port}.log")
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
