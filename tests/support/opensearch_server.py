"""Real OpenSearch (2.19.4, assembled from Maven Central by labctl.opensearch_native) as the
suites start it: on free loopback ports, its index in a folder of its own, restartable
(stop/start simulate an outage of the cluster, and the index survives them, as a real
cluster's does).

A JVM takes tens of seconds to start on a loaded 2-core machine, so the suites share one node
per session and xdist worker (tests/conftest.py's `opensearch_server`) and `wipe()` it where a
test needs it empty; only tests that need a node of their own start one.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import requests
from labctl import opensearch_native
from opensearchpy import OpenSearch

from tests.support.waiting import wait_for

START_TIMEOUT_S = 300   # a cold JVM on a 2-core machine running the suite on three workers


class OpenSearchProcess:
    """One OpenSearch node on 127.0.0.1; stop()/start() keep its data (an outage, not a wipe)."""

    def __init__(self, port: int, node_dir: Path, transport_port: int | None = None, heap: str = "512m"):
        from tests.conftest import free_port

        self.node = opensearch_native.NodeConfig(
            home=opensearch_native.install(), node_dir=Path(node_dir), http_port=port,
            transport_port=transport_port or free_port(), heap=heap)
        self.proc: subprocess.Popen | None = None

    @property
    def port(self) -> int:
        return self.node.http_port

    @property
    def url(self) -> str:
        return self.node.url

    @property
    def log_file(self) -> Path:
        return self.node.node_dir / "opensearch.out"

    def start(self) -> None:
        opensearch_native.write_node_config(self.node)
        with open(self.log_file, "ab") as log:
            self.proc = subprocess.Popen(
                opensearch_native.command(self.node), env={**_base_env(), **opensearch_native.environment(self.node)},
                cwd=self.node.node_dir, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

        def ready() -> bool:
            if self.proc.poll() is not None:
                tail = self.log_file.read_text(errors="replace").splitlines()[-20:]
                raise AssertionError(f"OpenSearch exited ({self.proc.returncode}):\n" + "\n".join(tail))
            return opensearch_native.ready(self.url)
        wait_for(ready, timeout=START_TIMEOUT_S, interval=0.3, what=f"OpenSearch on {self.url}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def kill(self) -> None:
        """SIGKILL: what OpenSearch acknowledged must survive it (its translog is fsync'd)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def client(self) -> OpenSearch:
        return OpenSearch(hosts=[self.url], timeout=30)

    def wipe(self) -> None:
        """Delete every index (hidden ones too) and every index template: an empty cluster."""
        requests.delete(f"{self.url}/*,.*", params={"expand_wildcards": "all"}, timeout=60).raise_for_status()
        for kind in ("_index_template", "_template"):
            names = requests.get(f"{self.url}/{kind}", timeout=30).json()
            names = [t["name"] for t in names.get("index_templates", [])] if kind == "_index_template" else list(names)
            for name in names:
                requests.delete(f"{self.url}/{kind}/{name}", timeout=30).raise_for_status()


def _base_env() -> dict[str, str]:
    import os

    # the JVM must not pick up a test's or the user's OpenSearch settings
    return {k: v for k, v in os.environ.items() if not k.startswith(("OPENSEARCH_", "JAVA_TOOL_OPTIONS"))}
