"""Lambda Python runtime for one host execution environment (stdlib only).

Run by HostRuntimeExecutor as `python -S -I -u runtime_bootstrap.py`, so neither
LocalStack's site-packages nor the caller's PYTHON* variables are visible: the
function sees the standard library, its own code directory, its layers and the
runtime's boto3, as in a real Lambda. It speaks LocalStack's runtime protocol (the one its Go init
speaks inside the Docker image):

- imports the handler, then POSTs `{RUNTIME_ENDPOINT}/status/{RUNTIME_ID}/ready`
  with `{"port": N}` (the port it serves /invoke on), or `.../status/{id}/error`
  with an AWS-style error body if the import fails;
- on `POST /invoke` ({"invoke-id", "invoked-function-arn", "payload", "trace-id"})
  runs the handler with a context object, then POSTs
  `invocations/{id}/logs` ({"logs": "..."}) and `invocations/{id}/response`
  (the JSON result) or `invocations/{id}/error` ({"errorMessage", "errorType",
  "requestId", "stackTrace"}).

A handler that outlives AWS_LAMBDA_FUNCTION_TIMEOUT gets a `Sandbox.Timedout`
error, one whose resident memory exceeds AWS_LAMBDA_FUNCTION_MEMORY_SIZE a
`Runtime.OutOfMemory` error; either way the process then exits (a running
thread cannot be stopped) and the executor starts a fresh one (a new cold
start) for the next invocation, as AWS recycles its sandbox.
"""

from __future__ import annotations

import http.client
import importlib
import json
import logging
import os
import resource
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# `python -I` does not put the script's directory on the path: add it for this one import.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _lab_runtime_output import LambdaContext, OutputCollector, RequestIdFilter

sys.path.pop(0)

LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
LOG_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
# Memory is enforced on resident memory (as Lambda's cgroup does), checked this
# often while a handler runs. RLIMIT_AS is only a backstop against runaway
# allocation between two checks: address space is much larger than RSS (every
# thread reserves an 8 MB stack), so it gets generous headroom.
MEMORY_CHECK_SECONDS = 0.05
ADDRESS_SPACE_MULTIPLE = 4
ADDRESS_SPACE_HEADROOM_MB = 2048


class RuntimeApi:
    """POSTs to LocalStack's executor endpoint over one kept-alive connection."""

    def __init__(self, endpoint: str, runtime_id: str) -> None:
        parts = urlsplit(endpoint)
        self._host, self._port = parts.hostname, parts.port or 80
        self._prefix = parts.path.rstrip("/")
        self._runtime_id = runtime_id
        self._connection: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()

    def post(self, path: str, body: bytes, content_type: str = "application/json") -> None:
        with self._lock:
            for attempt in (1, 2):  # the gateway may close an idle kept-alive connection
                if self._connection is None:
                    self._connection = http.client.HTTPConnection(
                        self._host, self._port, timeout=30
                    )
                try:
                    self._connection.request(
                        "POST", f"{self._prefix}/{path}", body, {"Content-Type": content_type}
                    )
                    response = self._connection.getresponse()
                    response.read()
                    return
                except (OSError, http.client.HTTPException):
                    self._connection.close()
                    self._connection = None
                    if attempt == 2:
                        raise

    def ready(self, port: int) -> None:
        self.post(f"status/{self._runtime_id}/ready", json.dumps({"port": port}).encode())

    def init_error(self, error: dict) -> None:
        self.post(f"status/{self._runtime_id}/error", json.dumps(error).encode())

    def logs(self, request_id: str, text: str) -> None:
        self.post(f"invocations/{request_id}/logs", json.dumps({"logs": text}).encode())

    def response(self, request_id: str, body: bytes) -> None:
        self.post(f"invocations/{request_id}/response", body)

    def error(self, request_id: str, error: dict) -> None:
        self.post(f"invocations/{request_id}/error", json.dumps(error).encode())


def error_body(
    error: BaseException, error_type: str | None = None, request_id: str = "", skip_frames: int = 0
) -> dict:
    """AWS Python runtime's error document for an exception."""
    tb = error.__traceback__
    for _ in range(skip_frames):
        tb = tb.tb_next if tb is not None else None
    return {
        "errorMessage": str(error),
        "errorType": error_type or type(error).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(traceback.extract_tb(tb)),
    }


def error_log(body: dict) -> str:
    lines = [f"[ERROR] {body['errorType']}: {body['errorMessage']}\n"]
    if body["stackTrace"]:
        lines.append("Traceback (most recent call last):\n")
        lines.extend(body["stackTrace"])
    return "".join(lines)


def runtime_init_error(error_type: str, message: str) -> InitError:
    """An init error of the runtime itself (no user stack trace), as AWS reports it."""
    return InitError({"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": []})


def load_handler(handler_spec: str):
    """Import `module.function` (a module may be given as a/b/c); AWS's error types on failure."""
    try:
        module_name, function_name = handler_spec.rsplit(".", 1)
    except ValueError:
        raise runtime_init_error("Runtime.MalformedHandlerName",
                                 f"Bad handler '{handler_spec}': not enough values to unpack")
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise runtime_init_error("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {e}")
    except SyntaxError as e:
        raise runtime_init_error("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {e}")
    except Exception as e:  # noqa: BLE001 - any exception at import time is an init error
        raise InitError(error_body(e))
    handler = getattr(module, function_name, None)
    if handler is None:
        raise runtime_init_error("Runtime.HandlerNotFound",
                                 f"Handler '{function_name}' missing on module '{module_name}'")
    return handler


class InitError(Exception):
    def __init__(self, body: dict) -> None:
        super().__init__(body["errorMessage"])
        self.body = body


class Runtime:
    """One execution environment: the handler, its output and its invocations."""

    def __init__(self, api: RuntimeApi, output: OutputCollector, handler, init_ms: float) -> None:
        self.api = api
        self.output = output
        self.handler = handler
        self.init_ms: float | None = init_ms  # reported once, on the first invocation
        self.timeout_s = int(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "3"))
        self.memory_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.memory_limit_mb = int(self.memory_mb)
        self.version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")

    def invoke(self, request: dict) -> None:
        """Run one invocation to completion and report it (called on its own thread)."""
        request_id = request["invoke-id"]
        started = time.time()
        deadline = started + self.timeout_s
        RequestIdFilter.request_id = request_id
        os.environ["_X_AMZN_TRACE_ID"] = request.get("trace-id") or ""
        init_output = self.output.take()
        outcome: dict = {}
        worker = threading.Thread(
            target=self._run_handler,
            name=f"handler-{request_id}",
            args=(request, deadline, outcome),
            daemon=True,
        )
        worker.start()
        abort = self._supervise(worker, deadline)
        duration_ms = (time.time() - started) * 1000
        if abort == "timeout":
            self.output.write(
                f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {request_id} "
                f"Task timed out after {self.timeout_s}.00 seconds\n"
            )
        logs = (
            init_output
            + f"START RequestId: {request_id} Version: {self.version}\n"
            + self.output.take()
            + f"END RequestId: {request_id}\n"
            + self._report(request_id, duration_ms, abort)
        )
        if abort == "out of memory":
            logs += f"RequestId: {request_id} Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory\n"
        self.api.logs(request_id, logs)
        if abort == "timeout":
            self.api.error(
                request_id,
                {
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": f"RequestId: {request_id} Error: Task timed out after {self.timeout_s}.00 seconds",
                },
            )
        elif abort == "out of memory":
            self.api.error(
                request_id,
                {
                    "errorType": "Runtime.OutOfMemory",
                    "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
                },
            )
        if abort:
            os._exit(0)  # the handler thread cannot be stopped: give up this environment
        if "error" in outcome:
            self.api.error(request_id, outcome["error"])
        else:
            self.api.response(request_id, outcome["response"])

    def _supervise(self, worker: threading.Thread, deadline: float) -> str | None:
        """Wait for the handler; "timeout" or "out of memory" if it must be abandoned."""
        while worker.is_alive():
            remaining = deadline - time.time()
            if remaining <= 0:
                return "timeout"
            worker.join(min(MEMORY_CHECK_SECONDS, remaining))
            if worker.is_alive() and resident_memory_mb() > self.memory_limit_mb:
                return "out of memory"
        return None

    def _run_handler(self, request: dict, deadline: float, outcome: dict) -> None:
        request_id = request["invoke-id"]
        try:
            event = json.loads(request.get("payload") or "null")
            result = self.handler(
                event, LambdaContext(request_id, request.get("invoked-function-arn", ""), deadline)
            )
        except Exception as e:  # noqa: BLE001 - every handler failure becomes a function error
            body = error_body(e, request_id=request_id, skip_frames=1)
            self.output.write(error_log(body))
            outcome["error"] = body
            return
        try:
            outcome["response"] = json.dumps(result).encode()
        except (TypeError, ValueError) as e:
            body = {
                "errorMessage": f"Unable to marshal response: {e}",
                "errorType": "Runtime.MarshalError",
                "requestId": request_id,
                "stackTrace": [],
            }
            self.output.write(error_log(body))
            outcome["error"] = body

    def _report(self, request_id: str, duration_ms: float, abort: str | None) -> str:
        max_rss_mb = memory_status_mb("VmHWM")
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {int(duration_ms) + 1} ms\tMemory Size: {self.memory_mb} MB\t"
            f"Max Memory Used: {max_rss_mb} MB"
        )
        if self.init_ms is not None:
            report += f"\tInit Duration: {self.init_ms:.2f} ms"
            self.init_ms = None
        if abort == "timeout":
            report += "\tStatus: timeout"
        elif abort == "out of memory":
            report += "\tStatus: error\tError Type: Runtime.OutOfMemory"
        return report + "\n"


def memory_status_mb(field: str) -> int:
    """A Vm* field of /proc/self/status in MB (VmRSS now, VmHWM peak). Not
    ru_maxrss: it keeps the high-water mark of the LocalStack process this
    runtime was forked from."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def resident_memory_mb() -> int:
    return memory_status_mb("VmRSS")


def make_invoke_server(runtime: Runtime) -> ThreadingHTTPServer:
    class InvokeHandler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path != "/invoke":
                self.send_error(404)
                return
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            # Answer before the handler runs: a handler that ends the process at
            # once must not take LocalStack's acknowledgement down with it.
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.wfile.flush()
            threading.Thread(
                target=runtime.invoke, args=(request,), name="invocation", daemon=True
            ).start()

        def log_message(self, format: str, *args) -> None:  # keep the function's output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), InvokeHandler)
    server.daemon_threads = True
    return server


def limit_memory() -> None:
    memory_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
    ceiling = (
        max(memory_mb * ADDRESS_SPACE_MULTIPLE, memory_mb + ADDRESS_SPACE_HEADROOM_MB) * 1024 * 1024
    )
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


def exit_when_parent_dies() -> None:
    """LocalStack holds our stdin open: EOF means it is gone, so are we (no orphans)."""

    def watch() -> None:
        while sys.stdin.buffer.read(4096):
            pass
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def set_import_path() -> None:
    """Function code first, then its layers, then the runtime's AWS SDK (boto3, as AWS's
    Python runtimes provide it; a copy bundled in the code or a layer wins), then the
    standard library."""
    layers = [p for p in os.environ.get("LAB_LAMBDA_LAYER_PATHS", "").split(os.pathsep) if p]
    sdk = [p for p in [os.environ.get("LAB_LAMBDA_RUNTIME_SDK_PATH", "")] if p]
    sys.path[:0] = [os.environ["LAMBDA_TASK_ROOT"], *layers, *sdk]


def main() -> None:
    exit_when_parent_dies()
    set_import_path()
    limit_memory()
    api = RuntimeApi(os.environ["LOCALSTACK_RUNTIME_ENDPOINT"], os.environ["LOCALSTACK_RUNTIME_ID"])
    output = OutputCollector()
    sys.stdout, sys.stderr = output.stdout, output.stderr
    log_handler = logging.StreamHandler(output.stdout)
    log_handler.setFormatter(logging.Formatter(LOG_FORMAT, LOG_DATE_FORMAT))
    log_handler.formatter.converter = time.gmtime
    log_handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(log_handler)
    if os.environ.get("AWS_LAMBDA_LOG_LEVEL"):
        logging.getLogger().setLevel(os.environ["AWS_LAMBDA_LOG_LEVEL"].upper())

    init_started = time.time()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except InitError as e:
        sys.__stderr__.write(error_log(e.body))
        api.init_error(e.body)
        sys.exit(1)
    runtime = Runtime(api, output, handler, (time.time() - init_started) * 1000)
    server = make_invoke_server(runtime)
    api.ready(server.server_address[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
