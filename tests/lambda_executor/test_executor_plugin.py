"""The executor is chosen by configuration: `host` is discoverable next to
LocalStack's own `docker` in LocalStack's venv, and LAMBDA_RUNTIME_EXECUTOR selects it."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from tests.conftest import LOCALSTACK_VENV
from tests.lambda_executor import functions

pytestmark = pytest.mark.localstack

DISCOVER = textwrap.dedent("""
    import json, os
    from plux import PluginManager
    from localstack.services.lambda_.invocation.runtime_executor import RuntimeExecutor, get_runtime_executor

    names = PluginManager("localstack.lambda.runtime_executor").list_names()
    host = PluginManager("localstack.lambda.runtime_executor").load("host").load()
    selected = get_runtime_executor()
    print(json.dumps({
        "names": sorted(names),
        "host_class": f"{host.__module__}.{host.__qualname__}",
        "host_is_runtime_executor": issubclass(host, RuntimeExecutor),
        "selected": f"{selected.__module__}.{selected.__qualname__}",
    }))
""")


def discover(executor_setting: str) -> dict:
    env = {"PATH": "/usr/bin:/bin", "LAMBDA_RUNTIME_EXECUTOR": executor_setting}
    result = subprocess.run(
        [str(LOCALSTACK_VENV / "bin" / "python"), "-c", DISCOVER],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_host_and_docker_executors_are_both_registered():
    found = discover("host")

    assert {"host", "docker"} <= set(found["names"])
    assert found["host_class"] == "lab_localstack.lambda_executor.executor.HostRuntimeExecutor"
    assert found["host_is_runtime_executor"]


def test_configuration_selects_the_executor():
    assert (
        discover("host")["selected"]
        == "lab_localstack.lambda_executor.executor.HostRuntimeExecutor"
    )
    assert discover("docker")["selected"].endswith("docker_runtime_executor.DockerRuntimeExecutor")


def test_running_localstack_uses_the_host_executor(localstack):
    lambda_client = functions.client(localstack, "lambda")
    name = functions.create_function(lambda_client, "handlers.echo")
    try:
        error, body = functions.invoke(lambda_client, name, {"via": "host"})
    finally:
        lambda_client.delete_function(FunctionName=name)

    assert (error, body["event"]) == (None, {"via": "host"})
    assert f"Started host runtime {body['pid']} for " in localstack.log_file.read_text(
        errors="replace"
    )
