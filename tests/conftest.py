"""Shared fixtures: the native LocalStack with the lab's extension, real OpenSearch and a
Trino lab (started on first use, stopped when the next test file does not need them:
tests/support/shared_servers.py), free ports, AWS clients pointed at loopback only."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
from labctl.preflight import free_port

from tests.support.data_files import DATA_DIR
from tests.support.markers import check_markers
from tests.support.shared_servers import SHARED, release_idle, shared
from tests.support.waiting import stretch_test_timeout

pytest_plugins = ["tests.support.processes"]   # servers a run starts end with it

REPO = Path(__file__).resolve().parent.parent
LOCALSTACK_VENV = Path(os.environ.get("LAB_LOCALSTACK_VENV", REPO / ".venv-localstack"))

# Never let a test reach real AWS: dummy credentials, fixed region.
os.environ.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
for _var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(_var, None)


def pytest_collection_modifyitems(config, items):
    check_markers(items)
    if not any(item.get_closest_marker("docker") for item in items):
        return
    from labctl.compose import engine_answers

    if engine_answers():
        return
    skip = pytest.mark.skip(reason="no Docker engine answers on this machine")
    for item in items:
        if item.get_closest_marker("docker"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def test_data() -> Path:
    """tests/data: third-party data copied into the repository (see its README)."""
    assert DATA_DIR.is_dir(), f"test data not found at {DATA_DIR}"
    return DATA_DIR


class LocalStackInstance:
    """A running native LocalStack, restartable (fault tests restart it)."""

    def __init__(self, state_dir: Path, log_file: Path, **overrides):
        from labctl import localstack_native as ls

        self._ls = ls
        self.cfg = ls.NativeLocalStackConfig(
            venv=LOCALSTACK_VENV, state_dir=state_dir, port=free_port(), **overrides
        )
        self.log_file = log_file
        self.proc = None

    @property
    def url(self) -> str:
        return self.cfg.url

    def start(self) -> None:
        self.proc = self._ls.start(self.cfg, self.log_file)
        try:
            self._ls.wait_ready(self.url, self.proc, timeout=180)
        except Exception:
            print(self.log_file.read_text(errors="replace")[-5000:])
            raise

    def stop(self) -> None:
        if self.proc is not None:
            self._ls.stop(self.proc)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    @classmethod
    @contextmanager
    def running(cls, base: Path, **overrides):
        """A started instance under `base` (state and log), stopped on leaving."""
        inst = cls(base / "volume", base / "localstack.log", **overrides)
        inst.start()
        try:
            yield inst
        finally:
            inst.stop()

    def client(self, service: str):
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")


@pytest.fixture(scope="session")
def localstack(tmp_path_factory) -> LocalStackInstance:
    """One native LocalStack 4.14.0 with the lab's extension for the session."""
    if not (LOCALSTACK_VENV / "bin" / "python").exists():
        pytest.fail(f"no LocalStack venv at {LOCALSTACK_VENV}: run `make localstack-venv`")
    with LocalStackInstance.running(tmp_path_factory.mktemp("localstack")) as inst:
        yield inst


@contextmanager
def _opensearch_node(tmp_path_factory):
    from labctl import opensearch_native

    from tests.support.opensearch_server import OpenSearchProcess

    try:
        server = OpenSearchProcess(free_port(), tmp_path_factory.mktemp("opensearch"))
    except opensearch_native.OpenSearchInstallError as error:
        pytest.fail(f"{error} (make test fetches it)")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def _trino_lab(tmp_path_factory):
    from tests.support import trino_lab as lab

    if not (LOCALSTACK_VENV / "bin" / "python").exists():
        pytest.fail(f"no LocalStack venv at {LOCALSTACK_VENV}: run `make localstack-venv`")
    if (missing := lab.missing()) is not None:
        pytest.fail(missing)
    base = tmp_path_factory.mktemp("trino-lab")
    trino_port = free_port()
    localstack = LocalStackInstance(base / "volume", base / "localstack.log",
                                    extra_env={"LAB_TRINO_URL": f"http://127.0.0.1:{trino_port}"})
    with lab.running(base, trino_port, localstack) as running:
        yield running


def _on_trino(item: pytest.Item) -> bool:
    """tests/athena's modules parametrized with engine `trino` reach the lab through their
    `localstack` fixture (request.getfixturevalue), not by naming it."""
    callspec = getattr(item, "callspec", None)
    return callspec is not None and callspec.params.get("engine") == "trino"


@pytest.fixture(scope="module")
def opensearch_server(tmp_path_factory):
    """A real OpenSearch node shared by the tests that follow each other in this worker
    (tests/support/shared_servers.py): tests use their own index names, or call `wipe()`
    when they need the cluster empty."""
    return shared("opensearch_server", lambda: _opensearch_node(tmp_path_factory)).get()


@pytest.fixture(scope="module")
def trino_lab(tmp_path_factory):
    """A LocalStack + Trino 476 lab (tests/support/trino_lab.py) shared by the differential
    suite and the Athena client suites' Trino work group while they follow each other."""
    return shared("trino_lab", lambda: _trino_lab(tmp_path_factory), _on_trino).get()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    stretch_test_timeout(item)          # before pytest-timeout's wrapper reads the limit
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield                               # the test's own fixtures first
    release_idle(list(SHARED.values()), item, nextitem)


@pytest.fixture()
def localstack_factory(tmp_path):
    """Start extra LocalStack instances (e.g. with LocalStack's own Firehose)."""
    started: list[LocalStackInstance] = []

    def make(**overrides) -> LocalStackInstance:
        n = len(started)
        inst = LocalStackInstance(tmp_path / f"ls{n}" / "volume", tmp_path / f"ls{n}.log", **overrides)
        inst.start()
        started.append(inst)
        return inst

    yield make
    for inst in started:
        inst.stop()
