"""Test Lambda functions for the host executor: zips built in memory, created,
invoked and read back through LocalStack's public APIs only."""

from __future__ import annotations

import io
import json
import textwrap
import time
import uuid
import zipfile

import boto3
from botocore.config import Config

ROLE = "arn:aws:iam::000000000000:role/lambda-test"
# One attempt only: boto3's automatic retries would hide a 500 from LocalStack
# (e.g. an invoke sent to a runtime that is going away) behind a second try.
SINGLE_ATTEMPT = Config(retries={"total_max_attempts": 1}, read_timeout=120)


def client(instance, service: str):
    """A boto3 client of a LocalStackInstance that never retries."""
    return boto3.client(
        service,
        endpoint_url=instance.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=SINGLE_ATTEMPT,
    )


# One source file shared by all test functions; each function picks its handler.
HANDLERS = textwrap.dedent("""
    import json
    import logging
    import os
    import sys
    import time

    import helper_only_in_zip

    print("init: module loaded")
    logger = logging.getLogger()
    logger.setLevel(logging.INFO)


    def echo(event, context):
        return {
            "event": event,
            "pid": os.getpid(),
            "function_name": context.function_name,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "aws_request_id": context.aws_request_id,
            "invoked_function_arn": context.invoked_function_arn,
            "log_group_name": context.log_group_name,
            "remaining_ms": context.get_remaining_time_in_millis(),
            "helper": helper_only_in_zip.VALUE,
        }


    def chatty(event, context):
        print("printed", event["marker"])
        logger.info("logged %s", event["marker"])
        sys.stderr.write("stderr " + event["marker"] + "\\n")
        return "ok"


    def fail(event, context):
        raise ValueError("failing on purpose: " + event["marker"])


    def slow(event, context):
        print("sleeping", event["seconds"])
        time.sleep(event["seconds"])
        return {"slept": event["seconds"], "pid": os.getpid()}


    def crash(event, context):
        print("about to exit")
        sys.stdout.flush()
        os._exit(3)


    def isolation(event, context):
        found = {}
        for name in ("localstack", "boto3", "botocore", "requests", "plux"):
            try:
                __import__(name)
                found[name] = True
            except ImportError:
                found[name] = False
        import resource
        return {
            "importable": found,
            "sys_path": sys.path,
            "address_space_limit": resource.getrlimit(resource.RLIMIT_AS)[0],
            "memory_env": os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
            "timeout_env": os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT"),
            "task_root": os.environ.get("LAMBDA_TASK_ROOT"),
            "cwd": os.getcwd(),
        }


    def s3_buckets(event, context):
        import boto3  # the runtime's, as on AWS: the zip does not carry it

        names = [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]
        return {"buckets": names, "boto3_file": boto3.__file__}


    def hog(event, context):
        blocks = [bytearray(1024 * 1024) for _ in range(event["megabytes"])]  # zero-filled: resident
        time.sleep(event["hold_seconds"])
        return len(blocks)


    def many_threads(event, context):
        import threading
        stop = threading.Event()
        threads = [threading.Thread(target=stop.wait) for _ in range(event["threads"])]
        for thread in threads:
            thread.start()
        started = sum(thread.is_alive() for thread in threads)
        stop.set()
        for thread in threads:
            thread.join()
        return started
""")

HELPER = 'VALUE = "from the zip"\n'


def code_zip(extra_files: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("handlers.py", HANDLERS)
        archive.writestr("helper_only_in_zip.py", HELPER)
        for name, text in (extra_files or {}).items():
            archive.writestr(name, text)
    return buf.getvalue()


def create_function(
    lambda_client,
    handler: str,
    timeout: int = 10,
    memory: int = 128,
    runtime: str = "python3.13",
    zip_bytes: bytes | None = None,
    wait: bool = True,
) -> str:
    name = f"t-{handler.split('.')[-1]}-{uuid.uuid4().hex[:8]}"
    lambda_client.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=ROLE,
        Handler=handler,
        Code={"ZipFile": zip_bytes or code_zip()},
        Timeout=timeout,
        MemorySize=memory,
    )
    if wait:
        lambda_client.get_waiter("function_active_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 0.5, "MaxAttempts": 120}
        )
    return name


def invoke(lambda_client, name: str, event) -> tuple[str | None, object]:
    """(FunctionError or None, decoded JSON payload) of a RequestResponse invoke."""
    response = lambda_client.invoke(
        FunctionName=name, InvocationType="RequestResponse", Payload=json.dumps(event).encode()
    )
    assert response["StatusCode"] == 200, response
    return response.get("FunctionError"), json.loads(response["Payload"].read())


def log_messages(logs_client, name: str, must_contain: str, deadline_s: float = 60.0) -> list[str]:
    """Messages of /aws/lambda/<name> once one contains must_contain (LocalStack
    writes them from a queue, a little after the invoke returns)."""
    deadline = time.monotonic() + deadline_s
    messages: list[str] = []
    while time.monotonic() < deadline:
        try:
            events = logs_client.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
        except logs_client.exceptions.ResourceNotFoundException:
            events = []
        messages = [e["message"] for e in events]
        if any(must_contain in m for m in messages):
            return messages
        time.sleep(0.3)
    return messages
