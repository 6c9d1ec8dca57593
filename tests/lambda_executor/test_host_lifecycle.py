"""Execution environments as host processes: LocalStack scales them for
concurrent invocations, and none survives its function or LocalStack itself."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest

from tests.lambda_executor import functions
from tests.lambda_executor.conftest import runtime_processes

pytestmark = pytest.mark.localstack

PARALLEL = 8


def still_running(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.add(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def wait_until_gone(pids: set[int], deadline_s: float = 60.0) -> set[int]:
    """The pids still running once all are gone or the deadline passed."""
    deadline = time.monotonic() + deadline_s
    while still_running(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return still_running(pids)


def invoke_in_parallel(lambda_client, name: str, count: int, seconds: float) -> list[tuple]:
    with ThreadPoolExecutor(count) as pool:
        return list(
            pool.map(
                lambda _: functions.invoke(lambda_client, name, {"seconds": seconds}), range(count)
            )
        )


def test_parallel_invocations_all_succeed_and_delete_stops_their_runtimes(
    localstack, lambda_client
):
    name = functions.create_function(lambda_client, "handlers.slow", timeout=30)
    try:
        results = invoke_in_parallel(lambda_client, name, PARALLEL, seconds=1)
        runtimes = {p.pid for p in runtime_processes(localstack.proc.pid)}
    finally:
        lambda_client.delete_function(FunctionName=name)

    assert [error for error, _ in results] == [None] * PARALLEL, results
    pids = {body["pid"] for _, body in results}
    assert len(pids) > 1, (
        "overlapping invocations should have been spread over several environments"
    )
    assert pids <= runtimes, "every invocation ran in a runtime process started by LocalStack"
    assert wait_until_gone(pids) == set()


def test_no_runtime_outlives_a_stopped_localstack(localstack_factory):
    instance = localstack_factory()
    lambda_client = functions.client(instance, "lambda")
    name = functions.create_function(lambda_client, "handlers.slow", timeout=30)
    results = invoke_in_parallel(lambda_client, name, 3, seconds=0.5)
    pids = {body["pid"] for _, body in results}
    assert pids and pids <= {p.pid for p in runtime_processes(instance.proc.pid)}

    instance.stop()

    assert wait_until_gone(pids) == set()


def test_no_runtime_outlives_a_killed_localstack(localstack_factory):
    instance = localstack_factory()
    lambda_client = functions.client(instance, "lambda")
    name = functions.create_function(lambda_client, "handlers.echo")
    _, body = functions.invoke(lambda_client, name, {})
    assert body["pid"] in {p.pid for p in runtime_processes(instance.proc.pid)}

    os.kill(instance.proc.pid, signal.SIGKILL)  # no chance to stop its environments
    instance.proc.wait()

    assert wait_until_gone({body["pid"]}) == set()
