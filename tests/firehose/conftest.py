"""Fixtures for the Firehose conformance suite: an OpenSearch-API server that can be
stopped and restarted on its port, and a LocalStack whose buffers run fast for the
lake-optimised delivery. What the suites call is in tests/support/firehose_calls.py."""
from __future__ import annotations

import pytest

from tests.support.firehose_calls import LAKE_ACTIVE_PARTITIONS
from tests.support.shared_servers import shared


@pytest.fixture(scope="module")
def lake_localstack(tmp_path_factory):
    """Shared by the files that follow each other in this worker (tests/support/shared_servers.py)."""
    from tests.conftest import LocalStackInstance

    return shared("lake_localstack", lambda: LocalStackInstance.running(
        tmp_path_factory.mktemp("lake-localstack"), extra_env={
            "LAB_FIREHOSE_BUFFER_TIME_SCALE": "0.05", "LAB_FIREHOSE_ACTIVE_PARTITIONS": str(LAKE_ACTIVE_PARTITIONS)})).get()
