"""HostRuntimeExecutor: LocalStack Lambda execution environments as host processes.

Selected with LAMBDA_RUNTIME_EXECUTOR=host (entry point `host` in
`localstack.lambda.runtime_executor`); the Docker executor stays available as
`docker`. Each execution environment is one runtime_bootstrap.py process bound
to 127.0.0.1 that speaks LocalStack's runtime protocol to its executor endpoint,
so LocalStack's own invoke path, scaling, keep-alive, CloudWatch Logs and
`FunctionError` handling apply unchanged.

A runtime that dies (the handler timed out, called os._exit, ran out of memory)
is replaced by a fresh process on the next invocation; if it dies during an
invocation, that invocation fails with Runtime.ExitError instead of hanging.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import threading
from concurrent.futures import InvalidStateError
from pathlib import Path

from localstack import config
from localstack.services.lambda_.invocation.executor_endpoint import (
    ShutdownDuringStartup,
    StatusErrorException,
)
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.runtime_executor import RuntimeExecutor

from lab_localstack.lambda_executor import function_code
from lab_localstack.lambda_executor.endpoint import HostExecutorEndpoint
from lab_localstack.lambda_executor.runtime_process import RuntimeProcess

LOG = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
# The runtime enforces the function timeout itself; this is the executor's
# backstop for a runtime too stuck to do so (e.g. a C call holding the GIL).
BACKSTOP_GRACE_SECONDS = 5
# Errors after which runtime_bootstrap.py abandons its process (its handler
# thread is still running): the next invocation must not be sent to it.
RUNTIME_ABANDONED_ERROR_TYPES = {"Sandbox.Timedout", "Runtime.OutOfMemory"}


class HostRuntimeExecutor(RuntimeExecutor):
    """Runs one execution environment of a Python function in a host subprocess."""

    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id=id, function_version=function_version)
        self.executor_endpoint = HostExecutorEndpoint(
            self.id, container_address=LOOPBACK, container_port=None
        )
        self._lock = threading.Lock()
        self._process: RuntimeProcess | None = None
        self._process_env: dict[str, str] = {}
        self._tmp_dir: Path | None = None
        self._stopped = False
        self._request_id = ""
        self._invocation_output_from = 0
        self._killed_by_backstop = False

    # lifecycle

    def start(self, env_vars: dict[str, str]) -> None:
        self._tmp_dir = Path(tempfile.mkdtemp(prefix=f"lambda-{self.id}-"))
        self._process_env = self._runtime_environment(env_vars)
        self._spawn()
        self.executor_endpoint.wait_for_startup()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            process = self._process
        if process is not None:
            process.stop()
            LOG.debug(
                "Stopped host runtime %d of %s", process.pid, self.function_version.qualified_arn
            )
        try:
            self.executor_endpoint.shutdown()
        except Exception as e:  # noqa: BLE001 - already unregistered / never started
            LOG.debug("Executor endpoint %s already shut down: %s", self.id, e)
        if self._tmp_dir is not None:
            shutil.rmtree(self._tmp_dir, ignore_errors=True)

    def _spawn(self) -> None:
        self.executor_endpoint.start()  # registers the endpoint and arms a new startup future
        with self._lock:
            if self._stopped:
                raise ShutdownDuringStartup("Executor stopped before its runtime started")
            self._process = RuntimeProcess(
                self._process_env,
                cwd=function_code.code_directory(self.function_version),
                on_exit=self._runtime_exited,
            )
        LOG.info(
            "Started host runtime %d for %s", self._process.pid, self.function_version.qualified_arn
        )

    def _runtime_environment(self, env_vars: dict[str, str]) -> dict[str, str]:
        """LocalStack's variables for the runtime, adapted to the host: code and
        layer directories instead of /var/task and /opt, the runtime's AWS SDK
        instead of the image's, a private TMPDIR."""
        env = {key: str(value) for key, value in env_vars.items()}
        env["LAMBDA_TASK_ROOT"] = str(function_code.code_directory(self.function_version))
        env["LAB_LAMBDA_LAYER_PATHS"] = os.pathsep.join(
            str(p) for p in function_code.layer_import_paths(self.function_version)
        )
        env["LAB_LAMBDA_RUNTIME_SDK_PATH"] = str(function_code.runtime_sdk_directory())
        env["TMPDIR"] = str(self._tmp_dir)
        env.setdefault(
            "PATH",
            os.pathsep.join(
                [str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]
            ),
        )
        env.setdefault("LANG", "C.UTF-8")
        # glibc reserves a 64 MB arena per thread; with 2 the address space stays
        # close to what is used, which keeps the RLIMIT_AS backstop meaningful
        env.setdefault("MALLOC_ARENA_MAX", "2")
        return env

    # invocation

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        if not self._process.is_running():
            self._restart()
        process = self._process
        self._request_id = payload["invoke-id"]
        self._invocation_output_from = process.lines_written
        self._killed_by_backstop = False
        backstop = threading.Timer(
            self.function_version.config.timeout + BACKSTOP_GRACE_SECONDS,
            self._kill_stuck_runtime,
            args=(process,),
        )
        backstop.daemon = True
        backstop.start()
        try:
            result = self.executor_endpoint.invoke(payload)
        finally:
            backstop.cancel()
        if result.is_error and _error_type(result.payload) in RUNTIME_ABANDONED_ERROR_TYPES:
            process.end()
        return result

    def _restart(self) -> None:
        """Replace a runtime that exited since its last invocation (a new cold start).
        An init failure raises StatusErrorException, which LocalStack turns into the
        invocation's error result."""
        LOG.info(
            "Host runtime %d of %s has exited (code %s): starting a fresh one",
            self._process.pid,
            self.function_version.qualified_arn,
            self._process.popen.returncode,
        )
        self._spawn()
        self.executor_endpoint.startup_future.result(
            timeout=config.LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT
        )

    def _kill_stuck_runtime(self, process: RuntimeProcess) -> None:
        LOG.warning(
            "Host runtime %d of %s did not finish within its timeout: killing it",
            process.pid,
            self.function_version.qualified_arn,
        )
        self._killed_by_backstop = True
        process.kill()

    def _runtime_exited(self, process: RuntimeProcess) -> None:
        """Fail whatever was waiting on a runtime that exited without answering."""
        with self._lock:
            if self._stopped or process is not self._process:
                return
        endpoint = self.executor_endpoint
        exit_error = {
            "errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {self._request_id} Error: Runtime exited with error: "
            f"exit status {process.popen.returncode}",
        }
        try:
            if endpoint.startup_future is not None and not endpoint.startup_future.done():
                LOG.warning(
                    "Host runtime %d of %s exited during init",
                    process.pid,
                    self.function_version.qualified_arn,
                )
                exit_error["errorMessage"] = (
                    f"Runtime exited with error: exit status {process.popen.returncode}"
                )
                endpoint.startup_future.set_exception(
                    StatusErrorException(
                        "Runtime exited during init", payload=json.dumps(exit_error).encode()
                    )
                )
                return
            future = endpoint.invocation_future
            if future is None or future.done():
                return
            if self._killed_by_backstop:
                timeout = self.function_version.config.timeout
                error = {
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": f"RequestId: {self._request_id} Error: Task timed out after {timeout}.00 seconds",
                }
            else:
                LOG.warning(
                    "Host runtime %d of %s exited during invocation %s (code %s)",
                    process.pid,
                    self.function_version.qualified_arn,
                    self._request_id,
                    process.popen.returncode,
                )
                error = exit_error
            logs = (
                process.output(self._invocation_output_from)
                + f"{error['errorMessage']}\n{error['errorType']}\n"
            )
            future.set_result(
                InvocationResult(
                    self._request_id, json.dumps(error).encode(), is_error=True, logs=logs
                )
            )
        except InvalidStateError:
            pass  # the runtime's own answer arrived first

    # addresses

    def get_address(self) -> str:
        return LOOPBACK

    def get_endpoint_from_executor(self) -> str:
        host = config.GATEWAY_LISTEN[0].host
        return LOOPBACK if host in ("", "0.0.0.0", "::", "localhost") or ":" in host else host

    def get_runtime_endpoint(self) -> str:
        return (
            f"http://{self.get_endpoint_from_executor()}:{config.GATEWAY_LISTEN[0].port}"
            f"{self.executor_endpoint.get_endpoint_prefix()}"
        )

    def get_logs(self) -> str:
        return (
            self._process.output()
            if self._process is not None
            else "Runtime process was not started"
        )

    # function versions

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        function_code.check_runtime(function_version)
        function_code.prepare_code(function_version)

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        pass  # nothing beyond LocalStack's own unzipped code, which LocalStack removes

    @classmethod
    def validate_environment(cls) -> bool:
        LOG.info(
            "Lambda runs in host processes (LAMBDA_RUNTIME_EXECUTOR=host): Python zip functions only"
        )
        return True


def _error_type(payload: bytes | None) -> str | None:
    try:
        return json.loads(payload or b"{}").get("errorType")
    except (ValueError, AttributeError):
        return None
