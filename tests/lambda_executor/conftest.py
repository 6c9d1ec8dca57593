"""Fixtures for the host Lambda executor tests: clients of the session LocalStack
and a factory of test functions that are deleted afterwards."""

from __future__ import annotations

import psutil
import pytest
from botocore.exceptions import ClientError

from tests.lambda_executor import functions


@pytest.fixture(scope="module")
def lambda_client(localstack):
    return functions.client(localstack, "lambda")


@pytest.fixture(scope="module")
def logs_client(localstack):
    return functions.client(localstack, "logs")


@pytest.fixture()
def make_function(lambda_client):
    created: list[str] = []

    def make(handler: str, **kwargs) -> str:
        name = functions.create_function(lambda_client, handler, **kwargs)
        created.append(name)
        return name

    yield make
    for name in created:
        try:
            lambda_client.delete_function(FunctionName=name)
        except ClientError as e:
            # LocalStack 4.14.0 cannot delete a function whose preparation failed
            # ("Unable to find version manager"); it is left behind, harmless.
            if "Unable to find version manager" not in str(e):
                raise


def runtime_processes(localstack_pid: int) -> list[psutil.Process]:
    """The host runtimes (runtime_bootstrap.py) LocalStack has started and not yet reaped."""
    found = []
    try:
        children = psutil.Process(localstack_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    for child in children:
        try:
            if any(part.endswith("runtime_bootstrap.py") for part in child.cmdline()):
                found.append(child)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            pass
    return found
