"""The OpenSearch-API server (osmem-server) as the suites start it: on a free loopback
port, restartable (stop/start simulate an outage of the cluster)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import requests
from opensearchpy import OpenSearch
from osmem_server import resolve_binary

from tests.support.waiting import wait_for


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).ok
    except requests.RequestException:
        return False


class OsmemProcess:
    """osmem-server on a fixed loopback port; stop()/start() simulate an outage."""

    def __init__(self, port: int, log_file: Path, binary: Path | None = None):
        self.binary = Path(binary or resolve_binary())   # the binary the installed package ships
        self.port = port
        self.log_file = log_file
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.log_file, "ab") as log:
            self.proc = subprocess.Popen(
                [str(self.binary), "-addr", f"127.0.0.1:{self.port}", "-no-stdin-watch", "-no-ja"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        wait_for(lambda: _answers(self.url), timeout=30, interval=0.1, what=f"osmem-server on {self.url}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None

    def client(self) -> OpenSearch:
        return OpenSearch(hosts=[self.url], timeout=30)
