"""Query executions and their state machine: QUEUED -> RUNNING -> SUCCEEDED | FAILED |
CANCELLED, run by a small pool of worker threads; each run gets its own DuckDB
connection (interrupted by StopQueryExecution), or on a Trino work group its statement goes to
Trino (trino_engine.py: SELECT, CTAS, INSERT, views; cancelled by StopQueryExecution), and writes `<id>.csv` and
`<id>.csv.metadata` to the OutputLocation, as Athena does (and `<id>-manifest.csv`, the
data manifest, for a statement that wrote data files)."""
from __future__ import annotations

import logging
import queue
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from botocore.exceptions import ClientError

from lab_localstack.athena import engine, errors, results, s3_objects, statements, trino_engine
from lab_localstack.athena.engine import Clients
from lab_localstack.athena.history import ExecutionLog

LOG = logging.getLogger(__name__)
TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


@dataclass
class QueryExecution:
    id: str
    query: str
    account: str
    region: str
    work_group: str
    database: str
    catalog: str
    output_location: str
    submitted: float = field(default_factory=time.time)
    state: str = "QUEUED"
    reason: str | None = None
    athena_error: dict | None = None
    statement_type: str | None = None
    substatement_type: str | None = None
    started: float | None = None
    completed: float | None = None
    planning_ms: int = 0
    result: results.ResultSet | None = None
    client_request_token: str | None = None
    connection: duckdb.DuckDBPyConnection | None = None
    manifest_location: str | None = None             # `<id>-manifest.csv` of a statement that wrote data
    restored: dict = field(default_factory=dict)     # set when loaded from the history after a restart
    engine: str = "duckdb"                           # the work group's engine (trino_engine.engine_for)
    trino: trino_engine.Cancellable | None = None    # the running Trino statement, on a Trino work group

    @property
    def result_key(self) -> str:
        return f"{self.output_location.rstrip('/')}/{self.id}.csv"


class Runner:
    """Worker threads that take queued executions and run them."""

    def __init__(self, clients_for: Callable[[str, str], Clients], history: ExecutionLog,
                 workers: int = 2) -> None:
        self._clients_for = clients_for
        self._history = history
        self._queue: queue.Queue[QueryExecution] = queue.Queue()
        self._lock = threading.Lock()
        for i in range(workers):
            threading.Thread(target=self._work, name=f"lab-athena-{i}", daemon=True).start()

    def submit(self, execution: QueryExecution) -> None:
        self._queue.put(execution)

    def stop(self, execution: QueryExecution) -> None:
        with self._lock:
            if execution.state in TERMINAL:
                return
            if execution.connection is not None:
                execution.connection.interrupt()
            if execution.trino is not None:
                execution.trino.cancel()
            self._finish(execution, "CANCELLED", None)   # the worker sees it and stops

    def _finish(self, execution: QueryExecution, state: str, failure: errors.QueryFailed | None) -> None:
        execution.state = state
        execution.completed = time.time()
        if failure is not None:
            execution.reason = failure.reason
            execution.athena_error = {"ErrorCategory": failure.category, "ErrorType": failure.error_type,
                                      "Retryable": False, "ErrorMessage": failure.reason}
        try:
            self._history.append(execution)
        except OSError as exc:
            LOG.error("query history not written: %s", exc)

    def _work(self) -> None:
        while True:
            execution = self._queue.get()
            with self._lock:
                if execution.state != "QUEUED":
                    continue
                execution.state = "RUNNING"
                execution.started = time.time()
            work_dir = None
            try:
                clients = self._clients_for(execution.account, execution.region)
                work_dir = clients.work_root / execution.id
                connection = engine.connect(clients.cache.root, work_dir)
                with self._lock:
                    execution.connection = connection
                    if execution.state != "RUNNING":      # stopped while connecting
                        raise errors.QueryCancelled()
                outcome, state, failure = self._run(execution, clients, work_dir), "SUCCEEDED", None
            except errors.QueryFailed as exc:
                outcome, state, failure = None, "FAILED", exc
            except errors.QueryCancelled:
                outcome, state, failure = None, "CANCELLED", None
            except Exception as exc:
                LOG.exception("Athena query %s failed unexpectedly", execution.id)
                outcome, state, failure = None, "FAILED", errors.QueryFailed(
                    f"GENERIC_INTERNAL_ERROR: {type(exc).__name__}: {exc}", errors.TYPE_INTERNAL,
                    errors.CATEGORY_SYSTEM)
            if work_dir is not None:
                shutil.rmtree(work_dir, ignore_errors=True)
            with self._lock:
                if execution.connection is not None:
                    execution.connection.close()
                    execution.connection = None
                if execution.state == "RUNNING":
                    execution.result = outcome
                    self._finish(execution, state, failure)

    def _run(self, execution: QueryExecution, clients: Clients, work_dir: Path) -> results.ResultSet:
        t0 = time.time()
        if execution.engine != "duckdb":
            return self._run_on_trino(execution, clients, work_dir)
        stmt = statements.classify(execution.query)
        execution.statement_type, execution.substatement_type = stmt.statement_type, stmt.substatement_type
        execution.planning_ms = int((time.time() - t0) * 1000)
        result = self._run_on_duckdb(stmt, execution, clients, work_dir)
        self._write_results(clients, execution, result)
        return result

    @staticmethod
    def _run_on_duckdb(stmt: statements.Statement, execution: QueryExecution, clients: Clients,
                       work_dir: Path) -> results.ResultSet:
        try:
            return statements.execute(stmt, execution.connection, clients, execution.database, execution.id,
                                      execution.output_location, work_dir)
        except duckdb.InterruptException as exc:
            raise errors.QueryCancelled() from exc

    def _run_on_trino(self, execution: QueryExecution, clients: Clients, work_dir: Path) -> results.ResultSet:
        """Trino runs what Athena runs on Trino; the Hive DDL stays the lab's, as in Athena. A
        statement the lab's parser does not read is Trino's to judge (its own syntax errors)."""
        trino_engine.check_engine(execution.engine)
        try:
            stmt = statements.classify(execution.query)
            sql, kind, tree = stmt.sql, stmt.substatement_type, stmt.tree
            execution.statement_type = stmt.statement_type
        except errors.QueryFailed:
            sql, kind, tree = execution.query, "SELECT", None
            execution.statement_type = "DML"
        execution.substatement_type = kind
        if kind in trino_engine.ON_TRINO:
            execution.trino = trino_engine.Cancellable()
            result = trino_engine.execute(sql, kind, tree, clients, execution.database, execution.id,
                                          execution.output_location, execution.trino)
        else:
            result = self._run_on_duckdb(stmt, execution, clients, work_dir)
        self._write_results(clients, execution, result)
        return result

    def _write_results(self, clients: Clients, execution: QueryExecution, result: results.ResultSet) -> None:
        try:
            bucket, key = s3_objects.split_uri(execution.result_key)
        except ValueError as exc:
            raise errors.QueryFailed(f"The S3 location provided to save your query results is invalid. {exc}",
                                     errors.TYPE_RESULT_WRITE) from exc
        objects = {key: results.csv_bytes(result), key + ".metadata": results.metadata_bytes(result)}
        manifest = key[:-len(".csv")] + "-manifest.csv"
        if result.data_files is not None:
            objects[manifest] = results.manifest_bytes(result)
        try:   # side by side: each PUT is a round trip through LocalStack's gateway
            with ThreadPoolExecutor(len(objects), thread_name_prefix="lab-athena-results") as pool:
                for done in [pool.submit(clients.s3.put_object, Bucket=bucket, Key=k, Body=body)
                             for k, body in objects.items()]:
                    done.result()
            if result.data_files is not None:
                execution.manifest_location = f"s3://{bucket}/{manifest}"
        except ClientError as exc:
            raise errors.QueryFailed(f"Unable to verify/create output bucket {bucket}",
                                     errors.TYPE_RESULT_WRITE) from exc
