"""The lab's Kafka broker: Apache Kafka 4.1.1, one KRaft node (broker and controller in one JVM).

Its jars come from Maven Central through services/jvm/kafka (pom.xml + sha256.lock, fetched by
services/jvm/fetch.py into the lab's cache: `make kafka`). Each broker has a node folder holding
server.properties, log4j2.properties and data/ (the log dirs and the KRaft metadata log): the
native lab's is under its state dir, so topics, records and consumer groups' committed offsets
survive `make down`/`make up` and a SIGKILL of the broker (records acknowledged with acks=all are
in the OS's page cache when the broker answers).

The supervised command is `python -m labctl.labs.cloudwatch.kafka_broker NODE_DIR`: it formats the storage the
first time (kafka.tools.StorageTool, --standalone: a one-voter dynamic quorum) and then execs the
broker (kafka.Kafka), so supervisord watches and signals the JVM itself.
"""
from __future__ import annotations

import base64
import importlib.util
import logging
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from labctl.errors import LabError

LOG = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[5]
FETCH_SCRIPT = REPO_ROOT / "services" / "jvm" / "fetch.py"
COMPONENT = "kafka"
KAFKA_VERSION = "4.1.1"
FORMAT_TIMEOUT_S = 180


class KafkaBrokerError(LabError):
    """The broker's jars are not fetched, or Java is missing; the message says what to run."""


@dataclass(frozen=True)
class BrokerConfig:
    host: str                  # the address the broker binds to (127.0.0.1 by default)
    port: int                  # the client listener (LAB_KAFKA_PORT)
    node_dir: Path             # server.properties, log4j2.properties, data/
    controller_port: int       # the KRaft controller's listener, on the same address
    advertised_host: str = ""  # when it differs from `host` (a broker bound to 0.0.0.0)
    heap: str = "512m"
    controller_host: str = ""  # when it differs from `host` (the compose image's: 127.0.0.1)

    @property
    def bootstrap(self) -> str:
        return f"{self.advertised_host or self.host}:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.node_dir / "data"


def libs_dir() -> Path:
    """The verified folder of Kafka's jars (services/jvm/fetch.py kafka)."""
    spec = importlib.util.spec_from_file_location("lab_jvm_fetch", FETCH_SCRIPT)
    fetch = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fetch)
    folder = fetch.verified_dir(COMPONENT)
    if folder is None:
        raise KafkaBrokerError(f"Apache Kafka {KAFKA_VERSION} is not fetched: run `make kafka` "
                               f"(python3 {FETCH_SCRIPT.relative_to(REPO_ROOT)} {COMPONENT})")
    return folder


def java() -> str:
    home = os.environ.get("JAVA_HOME")
    found = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not found:
        raise KafkaBrokerError("no Java found: Apache Kafka 4.1 needs Java 17+ "
                               "(apt-get install openjdk-17-jre-headless)")
    return found


def server_properties(cfg: BrokerConfig) -> str:
    controller = f"{cfg.controller_host or cfg.host}:{cfg.controller_port}"
    return "\n".join([
        "# Written by labctl.labs.cloudwatch.kafka_broker; edits are overwritten at each start.",
        "process.roles=broker,controller",
        "node.id=1",
        f"listeners=PLAINTEXT://{cfg.host}:{cfg.port},CONTROLLER://{controller}",
        f"advertised.listeners=PLAINTEXT://{cfg.bootstrap}",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        f"controller.quorum.bootstrap.servers={controller}",
        f"log.dirs={cfg.data_dir}",
        "num.partitions=1",
        # one node: every internal topic with one replica
        "offsets.topic.replication.factor=1",
        # one partition, not 50: the first group commit creates the topic quickly
        "offsets.topic.num.partitions=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        # the connectors' configs may set session.timeout.ms down to 1 s (Kafka Connect's
        # consumer.override.*) to rejoin quickly after a restart; Kafka's floor is 6 s
        "group.min.session.timeout.ms=1000",
        "",
    ])


LOG4J2 = """# Written by labctl.labs.cloudwatch.kafka_broker: the broker logs to stdout (supervisord keeps the file).
status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = info
logger.state.name = state.change.logger
logger.state.level = warn
"""


def write_config(cfg: BrokerConfig) -> None:
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    (cfg.node_dir / "tmp").mkdir(exist_ok=True)
    (cfg.node_dir / "server.properties").write_text(server_properties(cfg))
    (cfg.node_dir / "log4j2.properties").write_text(LOG4J2)
    (cfg.node_dir / "heap").write_text(cfg.heap + "\n")


def jvm_args(node_dir: Path, heap: str, libs: Path) -> list[str]:
    """The JVM's options and class path (no `java`): the native broker's and the compose image's."""
    return [f"-Xms{heap}", f"-Xmx{heap}", "-XX:+UseG1GC", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={node_dir / 'log4j2.properties'}",
            f"-Djava.io.tmpdir={node_dir / 'tmp'}", "-cp", str(libs / "*")]


def format_args(node_dir: Path, libs: Path) -> list[str]:
    """Formatting the log dir for KRaft, one voter (append `-t CLUSTER_ID`)."""
    return [*jvm_args(node_dir, "256m", libs), "kafka.tools.StorageTool", "format",
            "-c", str(node_dir / "server.properties"), "--standalone"]


def broker_args(node_dir: Path, heap: str, libs: Path) -> list[str]:
    """The broker itself (kafka.Kafka) on the node's server.properties."""
    return [*jvm_args(node_dir, heap, libs), "kafka.Kafka", str(node_dir / "server.properties")]


def new_cluster_id() -> str:
    """A random cluster id as Kafka makes one (Uuid.randomUuid: URL-safe base64 of 16 bytes), never
    starting with "-": kafka-storage's parser would take such an id for an option."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def format_storage(node_dir: Path) -> bool:
    """Format the log dir for KRaft once (True when it did); a formatted one is left alone."""
    if (node_dir / "data" / "meta.properties").is_file():
        return False
    cluster_id = new_cluster_id()
    LOG.info("formatting Kafka's storage in %s (cluster id %s)", node_dir / "data", cluster_id)
    done = subprocess.run([java(), *format_args(node_dir, libs_dir()), "-t", cluster_id],
                          capture_output=True, text=True, timeout=FORMAT_TIMEOUT_S, check=False)
    if done.returncode:
        raise KafkaBrokerError(f"formatting Kafka's storage failed:\n{(done.stdout + done.stderr)[-2000:]}")
    return True


def command(cfg: BrokerConfig) -> list[str]:
    """What supervisord (or a test) runs: format once, then the broker in this process."""
    return [sys.executable, "-m", "labctl.labs.cloudwatch.kafka_broker", str(cfg.node_dir)]


def environment(cfg: BrokerConfig) -> dict[str, str]:
    """labctl must be importable by the wrapper, whatever the working directory."""
    return {"PYTHONPATH": str(REPO_ROOT / "services" / "lab")}


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="kafka_broker: %(message)s")
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m labctl.labs.cloudwatch.kafka_broker NODE_DIR (written by labctl.labs.cloudwatch.kafka_broker.write_config)",
              file=sys.stderr)
        return 2
    node_dir = Path(args[0])
    try:
        if not (node_dir / "server.properties").is_file():
            raise KafkaBrokerError(f"no server.properties in {node_dir}")
        format_storage(node_dir)
        heap = (node_dir / "heap").read_text().strip()
        argv_java = [java(), *broker_args(node_dir, heap, libs_dir())]
    except KafkaBrokerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    os.execv(argv_java[0], argv_java)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
