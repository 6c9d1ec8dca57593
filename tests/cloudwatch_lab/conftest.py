"""The native lab the CloudWatch lab's suites start once per module (`make up`, free ports)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from labctl import native, runtimes, settings

from tests.conftest import free_port

PORT_KEYS = ("LAB_APACHE_PORT", "LAB_LOCALSTACK_PORT", "LAB_OPENSEARCH_PORT", "LAB_DASHBOARDS_PORT",
             "LAB_KAFKA_PORT", "LAB_KAFKA_CONTROLLER_PORT")


@contextmanager
def running_native_lab(tmp_path_factory, name: str) -> Iterator[tuple[settings.LabSettings, dict[str, str]]]:
    """A native lab after `make up` (the CloudWatch lab's programs rendered, not started), and the
    environment a `make` or labctl command needs to reach it; `make down` at the end."""
    env = {"LAB_STATE_DIR": str(tmp_path_factory.mktemp(name) / "lab"),
           "LAB_BIND_ADDRESS": "127.0.0.1", "LAB_BUFFER_INTERVAL": "1",
           **{key: str(free_port()) for key in PORT_KEYS}}
    s = settings.load(env)
    runtimes.record(s, runtimes.NativeRuntime(s))
    try:
        native.up(s)
        yield s, env
    finally:
        native.down(s)
