"""A LocalStack with the lab's `opensearch`/`es` providers whose domains are the shared real
OpenSearch node (LAB_OPENSEARCH_URL; tests/conftest.py's `opensearch_server`), created in 2 s
instead of the lab's 10."""
from __future__ import annotations

import pytest

from tests.conftest import LOCALSTACK_VENV, LocalStackInstance

CREATE_SECONDS = "2"


@pytest.fixture(scope="module")
def domains_localstack(tmp_path_factory, opensearch_server) -> LocalStackInstance:
    if not (LOCALSTACK_VENV / "bin" / "python").exists():
        pytest.fail(f"no LocalStack venv at {LOCALSTACK_VENV}: run `make localstack-venv`")
    base = tmp_path_factory.mktemp("domains-localstack")
    inst = LocalStackInstance(base / "volume", base / "localstack.log", opensearch_url=opensearch_server.url,
                              extra_env={"LAB_OPENSEARCH_DOMAIN_CREATE_SECONDS": CREATE_SECONDS})
    inst.start()
    yield inst
    inst.stop()
