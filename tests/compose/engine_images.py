"""Build contexts of the real engines' images for the compose tests on podman (no registry).

tests/compose/standins.override.yml builds OpenSearch and Apache Kafka from the same
checksum-verified Maven Central artefacts the native runtime runs, not from an image registry.
`prepare()` puts each engine's build context under build/compose-engines/:

  opensearch/  the Dockerfile of tests/compose/engines/opensearch and `opensearch/`, the
               installation labctl.opensearch_native.install() assembled (the native one);
  kafka/       the Dockerfile and scripts of tests/compose/engines/kafka, `libs/` (the verified
               jars of services/jvm/kafka) and `node/`: server.properties, log4j2.properties and
               the JVM's argument files, written by labctl.labs.cloudwatch.kafka_broker for a
               node at /var/lib/kafka in the container.

Nothing is fetched here: `make opensearch kafka` (prerequisites of `make test`) fetched and
verified the artefacts; a missing one fails with the command to run. The big folders are copied
again only when the artefacts' lock changes (a stamp), so the engine's layer cache holds.
"""
from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

from labctl import opensearch_native
from labctl.labs.cloudwatch import kafka_broker

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "tests" / "compose" / "engines"
CONTEXTS = REPO / "build" / "compose-engines"
STAMP = ".source"
# In the Kafka image (tests/compose/engines/kafka/Dockerfile)
KAFKA_NODE = Path("/var/lib/kafka")
KAFKA_LIBS = Path("/opt/kafka/libs")
KAFKA_CONFIG = kafka_broker.BrokerConfig(host="0.0.0.0", port=9092, node_dir=KAFKA_NODE, controller_port=9093,
                                         advertised_host="kafka", controller_host="127.0.0.1")


def _copy_small_files(source: Path, context: Path) -> None:
    for path in source.iterdir():
        target = context / path.name
        if not (target.is_file() and filecmp.cmp(path, target, shallow=False)):
            shutil.copy2(path, target)


def _signature(folder: Path) -> str:
    """The folder's files by path, size and time: changes when the artefacts do."""
    return "".join(f"{p.relative_to(folder)} {p.stat().st_size} {p.stat().st_mtime_ns}\n"
                   for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink())


def _copy_tree_once(source: Path, target: Path) -> None:
    """`target` as a copy of `source` (modes and times kept), redone only when `source` changes."""
    stamp = target.parent / f"{STAMP}-{target.name}"
    signature = f"{source}\n{_signature(source)}"
    if target.is_dir() and stamp.is_file() and stamp.read_text() == signature:
        return
    shutil.rmtree(target, ignore_errors=True)
    stamp.unlink(missing_ok=True)
    shutil.copytree(source, target, symlinks=True)
    stamp.write_text(signature)


def _write_if_changed(path: Path, text: str) -> None:
    if not (path.is_file() and path.read_text() == text):
        path.write_text(text)


def _argfile(args: list[str]) -> str:
    """Java's @argfile: one argument a line (none here holds a space or a quote)."""
    assert not any(set(arg) & set(" \t\"'") for arg in args), args
    return "\n".join(args) + "\n"


def opensearch_context() -> Path:
    context = CONTEXTS / "opensearch"
    context.mkdir(parents=True, exist_ok=True)
    _copy_small_files(SOURCES / "opensearch", context)
    _copy_tree_once(opensearch_native.install(), context / "opensearch")
    return context


def kafka_context() -> Path:
    context = CONTEXTS / "kafka"
    (context / "node").mkdir(parents=True, exist_ok=True)
    _copy_small_files(SOURCES / "kafka", context)
    _copy_tree_once(kafka_broker.libs_dir(), context / "libs")
    node = context / "node"
    _write_if_changed(node / "server.properties", kafka_broker.server_properties(KAFKA_CONFIG))
    _write_if_changed(node / "log4j2.properties", kafka_broker.LOG4J2)
    _write_if_changed(node / "format.args", _argfile(kafka_broker.format_args(KAFKA_NODE, KAFKA_LIBS)))
    _write_if_changed(node / "broker.args",
                      _argfile(kafka_broker.broker_args(KAFKA_NODE, KAFKA_CONFIG.heap, KAFKA_LIBS)))
    return context


def prepare() -> dict[str, Path]:
    """Both engines' build contexts, ready for `docker-compose build`."""
    return {"opensearch": opensearch_context(), "kafka": kafka_context()}
