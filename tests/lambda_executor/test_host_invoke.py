"""Invoking Python functions through native LocalStack with LAMBDA_RUNTIME_EXECUTOR=host:
payloads, context, logs in CloudWatch Logs, errors, timeouts, crashes, isolation."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import WaiterError

from tests.lambda_executor import functions

pytestmark = pytest.mark.localstack


def test_echo_returns_the_event_with_the_context(lambda_client, make_function):
    name = make_function("handlers.echo", memory=256)
    event = {"marker": uuid.uuid4().hex, "nested": {"list": [1, 2.5, None, "é"]}}

    error, body = functions.invoke(lambda_client, name, event)

    assert error is None, body
    assert body["event"] == event
    assert body["function_name"] == name
    assert body["memory_limit_in_mb"] == "256"
    assert body["invoked_function_arn"].endswith(f":function:{name}")
    assert body["log_group_name"] == f"/aws/lambda/{name}"
    assert 0 < body["remaining_ms"] <= 10_000
    assert body["helper"] == "from the zip"  # a module that exists only in the function's zip


def test_warm_invocations_reuse_one_runtime_process(lambda_client, make_function):
    name = make_function("handlers.echo")
    bodies = [functions.invoke(lambda_client, name, {"n": n})[1] for n in range(5)]

    assert [b["event"] for b in bodies] == [{"n": n} for n in range(5)]
    assert len({b["pid"] for b in bodies}) == 1
    assert len({b["aws_request_id"] for b in bodies}) == 5


def test_printed_logged_and_stderr_lines_reach_cloudwatch_logs(
    lambda_client, logs_client, make_function
):
    name = make_function("handlers.chatty")
    marker = uuid.uuid4().hex

    error, body = functions.invoke(lambda_client, name, {"marker": marker})
    messages = functions.log_messages(logs_client, name, "REPORT RequestId")

    assert (error, body) == (None, "ok")
    text = "".join(messages)
    assert f"printed {marker}\n" in messages
    assert f"stderr {marker}\n" in messages
    assert any(m.startswith("[INFO]\t") and m.endswith(f"\tlogged {marker}\n") for m in messages), (
        text
    )
    assert (
        "init: module loaded\n" in messages
    )  # output of the init phase goes with the first invocation
    assert any(m.startswith("START RequestId: ") for m in messages), text
    assert any(m.startswith("END RequestId: ") for m in messages), text


def test_raised_exception_is_a_function_error_with_the_aws_error_body(
    lambda_client, logs_client, make_function
):
    name = make_function("handlers.fail")
    marker = uuid.uuid4().hex

    error, body = functions.invoke(lambda_client, name, {"marker": marker})

    assert error == "Unhandled"
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == f"failing on purpose: {marker}"
    assert any(
        "in fail" in frame and "raise ValueError" in frame for frame in body["stackTrace"]
    ), body
    assert not any("runtime_bootstrap" in frame for frame in body["stackTrace"]), body
    messages = functions.log_messages(
        logs_client, name, f"[ERROR] ValueError: failing on purpose: {marker}"
    )
    assert f"[ERROR] ValueError: failing on purpose: {marker}\n" in messages


def test_timeout_is_a_function_error_and_the_next_invocation_gets_a_fresh_runtime(
    lambda_client, logs_client, make_function
):
    name = make_function("handlers.slow", timeout=1)

    error, body = functions.invoke(lambda_client, name, {"seconds": 30})

    assert error == "Unhandled"
    assert body["errorType"] == "Sandbox.Timedout"
    assert body["errorMessage"].endswith("Task timed out after 1.00 seconds")
    messages = functions.log_messages(logs_client, name, "Task timed out after 1.00 seconds")
    assert any(m.endswith("Task timed out after 1.00 seconds\n") for m in messages), messages
    assert "sleeping 30\n" in messages

    error, body = functions.invoke(lambda_client, name, {"seconds": 0})
    assert (error, body["slept"]) == (None, 0)


def test_runtime_that_exits_mid_invocation_is_an_exit_error_then_recovers(
    lambda_client, make_function
):
    name = make_function("handlers.crash")

    error, body = functions.invoke(lambda_client, name, {})

    assert error == "Unhandled"
    assert body["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in body["errorMessage"]
    # the environment is still usable: the next invoke starts a new runtime (and crashes again)
    error, body = functions.invoke(lambda_client, name, {})
    assert (error, body["errorType"]) == ("Unhandled", "Runtime.ExitError")


def test_import_failure_is_a_function_error_like_aws(lambda_client, make_function):
    broken = functions.code_zip(
        {"broken.py": "import module_that_is_nowhere\n\ndef handler(e, c):\n    return 1\n"}
    )
    name = make_function("broken.handler", zip_bytes=broken)

    error, body = functions.invoke(lambda_client, name, {})

    assert error == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert (
        body["errorMessage"]
        == "Unable to import module 'broken': No module named 'module_that_is_nowhere'"
    )


def test_missing_handler_function_is_reported(lambda_client, make_function):
    name = make_function("handlers.not_defined")

    error, body = functions.invoke(lambda_client, name, {})

    assert (error, body["errorType"]) == ("Unhandled", "Runtime.HandlerNotFound")


def test_function_sees_stdlib_its_own_code_and_the_runtimes_boto3(lambda_client, make_function):
    name = make_function("handlers.isolation", memory=512, timeout=7)

    error, body = functions.invoke(lambda_client, name, {})

    assert error is None, body
    # all of these are installed in LocalStack's own venv, none is in the zip; AWS's
    # Python runtimes provide boto3 (and botocore), nothing else of LocalStack's is visible
    assert body["importable"] == {
        "localstack": False,
        "boto3": True,
        "botocore": True,
        "requests": False,
        "plux": False,
    }
    assert body["sys_path"][0] == body["task_root"] == body["cwd"]
    assert not any("site-packages" in p for p in body["sys_path"]), body["sys_path"]
    assert (body["memory_env"], body["timeout_env"]) == ("512", "7")
    assert body["address_space_limit"] >= 512 * 1024 * 1024


def test_the_runtimes_boto3_reaches_localstack_with_the_functions_credentials(
    lambda_client, make_function, localstack
):
    bucket = f"runtime-sdk-{uuid.uuid4().hex[:8]}"
    functions.client(localstack, "s3").create_bucket(Bucket=bucket)
    name = make_function("handlers.s3_buckets")

    error, body = functions.invoke(lambda_client, name, {})

    assert error is None, body
    assert bucket in body["buckets"]
    assert "lab-lambda-runtime-sdk-" in body["boto3_file"]


def test_bundled_boto3_wins_over_the_runtimes(lambda_client, make_function):
    bundled = functions.code_zip(
        {
            "boto3/__init__.py": "MARK = 'bundled'\n",
            "uses_boto3.py": "import boto3\n\ndef handler(e, c):\n    return boto3.MARK\n",
        }
    )
    name = make_function("uses_boto3.handler", zip_bytes=bundled)

    assert functions.invoke(lambda_client, name, {}) == (None, "bundled")


def test_bundled_dependency_shadows_nothing_and_is_importable(lambda_client, make_function):
    # a function that ships its own "requests" gets exactly that one
    bundled = functions.code_zip(
        {
            "requests/__init__.py": "MARK = 'bundled'\n",
            "uses_bundle.py": "import requests\n\ndef handler(e, c):\n    return requests.MARK\n",
        }
    )
    name = make_function("uses_bundle.handler", zip_bytes=bundled)

    assert functions.invoke(lambda_client, name, {}) == (None, "bundled")


def test_resident_memory_beyond_memory_size_is_out_of_memory_then_recovers(
    lambda_client, logs_client, make_function
):
    name = make_function("handlers.hog", memory=128)

    # holds the memory long enough for the runtime's memory check to see it
    error, body = functions.invoke(lambda_client, name, {"megabytes": 192, "hold_seconds": 5})

    assert (error, body["errorType"]) == ("Unhandled", "Runtime.OutOfMemory")
    assert body["errorMessage"].endswith("Error: Runtime exited with error: signal: killed")
    assert functions.invoke(lambda_client, name, {"megabytes": 32, "hold_seconds": 0}) == (None, 32)


def test_a_function_can_start_many_threads(lambda_client, make_function):
    # the address-space backstop must not count what threads merely reserve
    name = make_function("handlers.many_threads", memory=128)

    assert functions.invoke(lambda_client, name, {"threads": 100}) == (None, 100)


def test_non_python_runtime_is_refused_with_a_clear_reason(lambda_client, make_function):
    name = make_function("index.handler", runtime="nodejs20.x", wait=False)
    waiter = lambda_client.get_waiter("function_active_v2")
    with pytest.raises(WaiterError):
        waiter.wait(FunctionName=name, WaiterConfig={"Delay": 0.5, "MaxAttempts": 60})

    config = lambda_client.get_function_configuration(FunctionName=name)
    assert config["State"] == "Failed"
    assert "nodejs20.x is not supported by the host executor" in config["StateReason"]
