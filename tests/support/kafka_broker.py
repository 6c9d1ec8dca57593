"""Apache Kafka (the lab's broker: 4.1.1, one KRaft node, labctl.kafka_broker) for a test: free
127.0.0.1 ports, its log dirs in the test's folder, so a SIGKILL and a restart keep every record
the broker acknowledged, as the lab's broker does."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from labctl.labs.cloudwatch import kafka_broker, kafka_status

from tests.support.waiting import wait_for

START_TIMEOUT_S = 240   # the first start formats the storage; a JVM on 2 busy cores is slow


class RunningBroker:
    def __init__(self, cfg: kafka_broker.BrokerConfig):
        self.cfg = cfg
        self.log_file = cfg.node_dir / "kafka.log"
        self.proc: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return self.cfg.bootstrap

    def start(self, timeout: float = START_TIMEOUT_S) -> None:
        kafka_broker.write_config(self.cfg)
        env = {**os.environ, **kafka_broker.environment(self.cfg)}
        with open(self.log_file, "ab") as log:
            self.proc = subprocess.Popen(kafka_broker.command(self.cfg), stdout=log, stderr=subprocess.STDOUT,
                                         env=env, start_new_session=True, cwd=self.cfg.node_dir)

        def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"Kafka broker exited ({self.proc.returncode}): "
                                     f"{self.log_file.read_text()[-2000:]}")
            return kafka_status.health(self.bootstrap, timeout=1.0) == "up"
        wait_for(ready, timeout, 0.3, f"Apache Kafka on {self.bootstrap}")

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def running_broker(node_dir: Path, port: int) -> Iterator[RunningBroker]:
    from tests.conftest import free_port

    broker = RunningBroker(kafka_broker.BrokerConfig("127.0.0.1", port, Path(node_dir) / f"kafka-{port}",
                                                     free_port()))
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
