"""labctl.engine's time limits without an engine: a call that does not end within
its limit, or an engine that accepts connections and never answers, ends in an
EngineError naming the call and what it was for (issue 22). The same module on a
real engine: tests/compose/test_engine.py."""
from __future__ import annotations

import os
import socket
import threading
import time

import pytest
from labctl import engine

pytestmark = pytest.mark.unit


@pytest.fixture
def silent_engine(tmp_path, monkeypatch):
    """A socket that accepts connections and never answers: an engine that hangs."""
    path = tmp_path / "silent.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")
    yield
    stop.set()
    thread.join(5)
    for conn in accepted:
        conn.close()
    server.close()


def test_an_engine_that_never_answers_ends_each_call_with_its_name(silent_engine):
    started = time.monotonic()
    where = os.environ["DOCKER_HOST"]
    with pytest.raises(engine.EngineError, match=rf"engine call connect on {where} (did not answer within 2s|failed)"):
        engine.list_containers("a=b", timeout=2)
    assert engine.ping(timeout=2) is False
    assert time.monotonic() - started < 2 * (2 + 2)  # each call: its limit, plus the socket's own


def test_bounded_names_the_call_and_the_target():
    with pytest.raises(engine.EngineError, match="engine call wait on container abc did not answer within 1s"):
        engine.bounded("wait", "container abc", lambda: time.sleep(10), timeout=1)
    with pytest.raises(engine.EngineError, match="engine call logs on container abc failed: boom"):
        engine.bounded("logs", "container abc", lambda: (_ for _ in ()).throw(OSError("boom")))
    assert engine.bounded("ping", "the engine", lambda: 42) == 42
