"""Fixtures for the Firehose conformance suite: an OpenSearch-API server that can be
stopped and restarted on its port, and a LocalStack whose buffers run fast for the
lake-optimised delivery. What the suites call is in tests/support/firehose_calls.py."""
from __future__ import annotations

import pytest

from tests.conftest import free_port
from tests.support.firehose_calls import LAKE_ACTIVE_PARTITIONS
from tests.support.opensearch_server import OsmemProcess


@pytest.fixture(scope="session")
def osmem(tmp_path_factory) -> OsmemProcess:
    """One OpenSearch-API server (osmem-server) for the session."""
    server = OsmemProcess(free_port(), tmp_path_factory.mktemp("osmem") / "osmem.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def lake_localstack(tmp_path_factory):
    from tests.conftest import LocalStackInstance

    base = tmp_path_factory.mktemp("lake-localstack")
    inst = LocalStackInstance(base / "volume", base / "localstack.log", extra_env={
        "LAB_FIREHOSE_BUFFER_TIME_SCALE": "0.05",
        "LAB_FIREHOSE_ACTIVE_PARTITIONS": str(LAKE_ACTIVE_PARTITIONS)})
    inst.start()
    yield inst
    inst.stop()
