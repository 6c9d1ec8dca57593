"""A LocalStack with the lab's `opensearch`/`es` providers whose domains are an OpenSearch-API
server of the test's own (LAB_OPENSEARCH_URL), created in 2 s instead of the lab's 10."""
from __future__ import annotations

import pytest

from tests.conftest import LOCALSTACK_VENV, LocalStackInstance, free_port
from tests.support.opensearch_server import OsmemProcess

CREATE_SECONDS = "2"


@pytest.fixture(scope="module")
def osmem(tmp_path_factory) -> OsmemProcess:
    server = OsmemProcess(free_port(), tmp_path_factory.mktemp("osmem") / "osmem.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def domains_localstack(tmp_path_factory, osmem) -> LocalStackInstance:
    if not (LOCALSTACK_VENV / "bin" / "python").exists():
        pytest.fail(f"no LocalStack venv at {LOCALSTACK_VENV}: run `make localstack-venv`")
    base = tmp_path_factory.mktemp("domains-localstack")
    inst = LocalStackInstance(base / "volume", base / "localstack.log", opensearch_url=osmem.url,
                              extra_env={"LAB_OPENSEARCH_DOMAIN_CREATE_SECONDS": CREATE_SECONDS})
    inst.start()
    yield inst
    inst.stop()
