"""Helpers for the agent tests: run the agent as a real process, write numbered
log lines, rotate logs, read back what reached S3 or Kinesis, and a TCP proxy
that can be stopped to make the endpoint unavailable."""
from __future__ import annotations

import collections
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.support.waiting import scaled

REPO = Path(__file__).resolve().parents[2]


# --- the agent process ----------------------------------------------------------
class AgentProcess:
    """`python -m agent --config ...` with its stderr in a file."""

    def __init__(self, workdir: Path, config: dict, name: str = "agent"):
        self.workdir = workdir
        self.config_path = workdir / f"{name}.json"
        self.config_path.write_text(json.dumps(config, indent=2))
        self.stats_path = workdir / f"{name}-stats.json"
        self.log_path = workdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, *extra: str) -> AgentProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115 (kept open for the process, closed in stop)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "agent", "--config", str(self.config_path),
             "--stats-file", str(self.stats_path), *extra],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        return self

    def stats(self) -> dict:
        try:
            return json.loads(self.stats_path.read_text())
        except (OSError, ValueError):
            return {}

    def wait_stats(self, predicate, timeout: float = 60, what: str = "condition") -> dict:
        deadline = time.monotonic() + scaled(timeout)
        while time.monotonic() < deadline:
            stats = self.stats()
            if stats and predicate(stats):
                return stats
            self.assert_running()
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; log tail:\n{self.log_tail()}")

    def assert_running(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"agent exited with {self.proc.returncode}:\n{self.log_tail()}")

    def terminate(self, timeout: float = 15) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop_quietly(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture()
def agents():
    """Start agents through this list; any still running is killed at the end."""
    started: list[AgentProcess] = []
    yield started
    for a in started:
        a.stop_quietly()


def run_agent_cli(config: dict, tmp_path: Path, *extra: str, timeout: float = 60) -> subprocess.CompletedProcess:
    path = tmp_path / f"cfg-{uuid.uuid4().hex[:6]}.json"
    path.write_text(json.dumps(config))
    return subprocess.run([sys.executable, "-m", "agent", "--config", str(path), *extra],
                          cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False)


# --- numbered log lines -----------------------------------------------------------
def log_line(seq: int) -> bytes:
    """An Apache combined line carrying a unique sequence number."""
    return (f'10.0.{seq % 250}.{seq % 7} - - [22/Nov/2026:04:29:26 +0000] '
            f'"GET /products/{seq:09d} HTTP/1.1" 200 {1000 + seq % 5000} '
            f'"www.unicornshop.com/" "Mozilla/5.0" "user = anonymous; PHPSESSID={seq:032x}"\n'
            ).encode()


def seq_of(line: bytes) -> int:
    return int(line.split(b"/products/", 1)[1][:9])


class LogWriter:
    """Appends numbered lines to a log file, like Apache (O_APPEND), and rotates it."""

    def __init__(self, path: Path):
        self.path = path
        self.next_seq = 0
        self._open()

    def _open(self) -> None:
        self.fh = open(self.path, "ab", buffering=0)  # noqa: SIM115 (a long-lived writer, closed in close)

    def write(self, count: int) -> None:
        lines = b"".join(log_line(self.next_seq + i) for i in range(count))
        self.fh.write(lines)
        self.next_seq += count

    def _shift_rotated(self) -> None:
        # access_log.N -> access_log.N+1, like logrotate's numbered rotation.
        rotated = sorted((p for p in self.path.parent.glob(self.path.name + ".*")),
                         key=lambda p: int(p.suffix[1:]), reverse=True)
        for p in rotated:
            p.rename(self.path.with_name(f"{self.path.name}.{int(p.suffix[1:]) + 1}"))

    def rotate(self, kind: str) -> None:
        if kind == "rename":
            self._shift_rotated()
            self.path.rename(self.path.with_name(self.path.name + ".1"))
            self.fh.close()
            self._open()
        elif kind == "copytruncate":
            self._shift_rotated()
            shutil.copyfile(self.path, self.path.with_name(self.path.name + ".1"))
            os.truncate(self.path, 0)       # the writer keeps its O_APPEND descriptor
        elif kind == "delete":
            self.fh.close()
            self.path.unlink()
            self._open()
        else:
            raise ValueError(kind)

    def close(self) -> None:
        self.fh.close()


def count_seqs(lines: list[bytes]) -> collections.Counter:
    return collections.Counter(seq_of(line) for line in lines if line.strip())


def assert_exactly_once(counts: collections.Counter, total: int) -> None:
    missing = [s for s in range(total) if counts[s] == 0]
    dups = {s: c for s, c in counts.items() if c > 1}
    extra = [s for s in counts if not 0 <= s < total]
    assert not missing, f"{len(missing)} lines lost, e.g. {missing[:10]}"
    assert not dups, f"{len(dups)} lines duplicated, e.g. {list(dups.items())[:10]}"
    assert not extra, f"unexpected lines {extra[:10]}"


# --- destinations ------------------------------------------------------------------
def make_firehose_to_s3(localstack, name: str) -> str:
    """A Firehose stream delivering to its own bucket; returns the bucket name."""
    bucket = f"agent-{name}".lower().replace("_", "-")
    localstack.client("s3").create_bucket(Bucket=bucket)
    fh = localstack.client("firehose")
    dest = {"RoleARN": "arn:aws:iam::000000000000:role/firehose", "BucketARN": f"arn:aws:s3:::{bucket}",
            "Prefix": "raw/", "BufferingHints": {"IntervalInSeconds": 1, "SizeInMBs": 1}}
    try:
        fh.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                  ExtendedS3DestinationConfiguration=dest)
    except fh.exceptions.InvalidArgumentException:
        dest["BufferingHints"]["IntervalInSeconds"] = 60
        fh.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                  ExtendedS3DestinationConfiguration=dest)
    deadline = time.monotonic() + scaled(60)
    while fh.describe_delivery_stream(DeliveryStreamName=name)[
            "DeliveryStreamDescription"]["DeliveryStreamStatus"] != "ACTIVE":
        assert time.monotonic() < deadline, "delivery stream never became ACTIVE"
        time.sleep(0.2)
    return bucket


def s3_lines(localstack, bucket: str) -> list[bytes]:
    s3 = localstack.client("s3")
    lines: list[bytes] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
            lines.extend(body.splitlines(keepends=True))
    return lines


def make_kinesis_stream(localstack, name: str, shards: int = 2) -> None:
    kin = localstack.client("kinesis")
    kin.create_stream(StreamName=name, ShardCount=shards)
    deadline = time.monotonic() + 180     # kinesis-local may be npm-installed on first use
    while kin.describe_stream(StreamName=name)["StreamDescription"]["StreamStatus"] != "ACTIVE":
        assert time.monotonic() < deadline, "Kinesis stream never became ACTIVE"
        time.sleep(0.3)


def kinesis_lines(localstack, name: str) -> list[bytes]:
    kin = localstack.client("kinesis")
    lines: list[bytes] = []
    for shard in kin.list_shards(StreamName=name)["Shards"]:
        it = kin.get_shard_iterator(StreamName=name, ShardId=shard["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            resp = kin.get_records(ShardIterator=it, Limit=10_000)
            for rec in resp["Records"]:
                assert rec["Data"].endswith(b"\n"), "records are sent with their newline"
                lines.append(rec["Data"])
            if not resp["Records"] and resp.get("MillisBehindLatest", 0) == 0:
                break
            it = resp.get("NextShardIterator")
    return lines


def wait_for_lines(read, total: int, timeout: float = 90) -> collections.Counter:
    """Poll a destination until every sequence number 0..total-1 has arrived."""
    deadline = time.monotonic() + scaled(timeout)
    while True:
        counts = count_seqs(read())
        if all(counts[s] for s in range(total)) or time.monotonic() > deadline:
            return counts
        time.sleep(0.5)


# --- a TCP proxy in front of LocalStack ------------------------------------------------
class TcpProxy:
    """Forwards 127.0.0.1:port to an upstream; stop() refuses and cuts every connection."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.port))
        ls.listen(64)
        self._listener = ls
        threading.Thread(target=self._accept, args=(ls,), daemon=True).start()

    def stop(self) -> None:
        ls, self._listener = self._listener, None
        if ls is not None:
            try:
                ls.shutdown(socket.SHUT_RDWR)   # wakes the thread blocked in accept()
            except OSError:
                pass
            ls.close()
        with self._lock:
            conns, self._conns = self._conns, set()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    def _accept(self, ls: socket.socket) -> None:
        while True:
            try:
                client, _ = ls.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def flow_config(log_pattern: str, *, firehose: str | None = None, kinesis: str | None = None,
                **extra) -> dict:
    flow = {"filePattern": log_pattern, "initialPosition": "START_OF_FILE",
            "partitionKeyOption": "RANDOM", "maxBufferAgeMillis": 1000,
            "minTimeBetweenFilePollsMillis": 50, "retryInitialBackoffMillis": 50,
            "retryMaxBackoffMillis": 1000}
    if firehose:
        flow["deliveryStream"] = firehose
    if kinesis:
        flow["kinesisStream"] = kinesis
    flow.update(extra)
    return flow


def agent_config(tmp_path: Path, endpoint: str, flows: list[dict], **extra) -> dict:
    cfg = {"cloudwatch.emitMetrics": True, "firehose.endpoint": endpoint,
           "kinesis.endpoint": endpoint, "checkpointFile": str(tmp_path / "checkpoints.sqlite"),
           "log.statusReportingPeriodSeconds": 1, "flows": flows}
    cfg.update(extra)
    return cfg
