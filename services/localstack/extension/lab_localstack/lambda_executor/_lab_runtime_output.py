"""What a function sees of its invocation, for the host Lambda runtime (stdlib only):
its captured stdout/stderr, the request id in its log lines, and its `context` object.

Imported by runtime_bootstrap.py (which runs with `python -S -I`, so it puts this
directory on the path only for this import; the leading underscore keeps the name out of
the way of the function's own modules).
"""
from __future__ import annotations

import io
import logging
import os
import sys
import threading
import time


class CapturedOutput(io.TextIOBase):
    """sys.stdout/sys.stderr replacement: collects what the function writes for
    the current invocation's logs and still echoes it to the process output."""

    def __init__(self, echo, sink: list[str], lock: threading.Lock) -> None:
        self._echo = echo
        self._sink = sink
        self._lock = lock

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self._lock:
            self._sink.append(text)
        self._echo.write(text)
        return len(text)

    def flush(self) -> None:
        self._echo.flush()


class OutputCollector:
    """Everything the function writes between two take() calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chunks: list[str] = []
        self.stdout = CapturedOutput(sys.stdout, self._chunks, self._lock)
        self.stderr = CapturedOutput(sys.stderr, self._chunks, self._lock)

    def write(self, text: str) -> None:
        self.stdout.write(text)

    def take(self) -> str:
        with self._lock:
            text = "".join(self._chunks)
            self._chunks.clear()
        return text


class RequestIdFilter(logging.Filter):
    """Stamps the current request id on every record, like AWS's log format."""

    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = RequestIdFilter.request_id
        return True


class LambdaContext:
    """The `context` argument of a Python handler (the attributes AWS documents)."""

    def __init__(self, request_id: str, invoked_arn: str, deadline: float) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))
