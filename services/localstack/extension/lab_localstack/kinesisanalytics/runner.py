"""A running application: one thread that reads its input, feeds the engine, runs the pumps
and delivers its outputs, every TICK_S.

ROWTIME of an input row is the time the record is read into the application (KDA's rule: the
time the row is inserted into the in-application stream). Tumbling windows are emitted on the
first tick after their end, so within window end + TICK_S (plus the query) on the embedded
engine. Inputs: a Kinesis stream (connectors.KinesisInput) or a Firehose delivery stream
(firehose_input.FirehoseInput). The engine is chosen per application (tag `lab:engine` = duckdb | flink) or by
LAB_KDA_ENGINE (default duckdb).
"""
from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable

from lab_localstack.kinesisanalytics import connectors
from lab_localstack.kinesisanalytics.engine import Engine
from lab_localstack.kinesisanalytics.firehose_input import FirehoseInput
from lab_localstack.kinesisanalytics.models import Application
from lab_localstack.kinesisanalytics.record_mapping import InputMapping

LOG = logging.getLogger(__name__)
TICK_S = 0.25
STARTUP_TIMEOUT_S = 180


class ApplicationRunner:
    """Runs one application until stopped (see the module docstring)."""

    def __init__(self, app: Application, engine: Engine, positions: dict[str, str], checkpoints: dict[str, str],
                 on_running: Callable[[ApplicationRunner], None]):
        self.app = app
        self._on_running = on_running      # the provider marks the application RUNNING (under its lock)
        self.engine = engine
        self.last_error = ""
        self.counters = defaultdict(int)
        self._inputs = []
        for described in app.inputs:
            stream = described.get("KinesisStreamsInputDescription")
            if stream is not None:
                reader = connectors.KinesisInput(stream["ResourceARN"], positions.get(described["InputId"], "NOW"),
                                                 checkpoints)
            else:
                reader = FirehoseInput(described["KinesisFirehoseInputDescription"]["ResourceARN"])
            reader.position()
            processor = (described.get("InputProcessingConfigurationDescription") or {}).get(
                "InputLambdaProcessorDescription")
            self._inputs.append((described, reader, InputMapping.from_schema(described["InputSchema"]), processor))
        self._outputs = [connectors.Output(o, app.arn) for o in app.outputs]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"kda-{app.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        for _, reader, _, _ in self._inputs:
            reader.close()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self.engine.close()

    def _run(self) -> None:
        if not self.engine.wait_ready(STARTUP_TIMEOUT_S):     # the Flink engine is STARTING until its job runs
            self.last_error = f"{self.engine.name} engine not ready after {STARTUP_TIMEOUT_S} s"
        if self._stop.is_set():
            return
        self._on_running(self)
        LOG.info("application %s running on %s", self.app.name, self.engine.name)
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                self.step()
            except Exception as problem:  # noqa: BLE001 - keep running, report the reason
                self.last_error = str(problem)
                LOG.warning("application %s: %s", self.app.name, problem)
            self._stop.wait(max(0.0, TICK_S - (time.monotonic() - began)))

    def step(self) -> None:
        for described, reader, mapping, processor in self._inputs:
            self._read(described, reader, mapping, processor)
        self.engine.tick(int(time.time() * 1000))
        for output in self._outputs:
            rows, output.seq = self.engine.read_new(output.name, output.seq)
            if rows:
                output.deliver(rows)
                self.counters["delivered"] += len(rows)

    def _read(self, described: dict, reader, mapping: InputMapping, processor: dict | None) -> None:
        polled = reader.poll()
        if not polled:
            return
        self.counters["read"] += len(polled)
        names = described["InAppStreamNames"]
        shard_of = {r["SequenceNumber"]: i for i, _, r in polled}
        if processor:
            kept, errors = connectors.preprocess(processor["ResourceARN"], self.app.arn, reader.arn,
                                                 [(shard, r) for _, shard, r in polled], reader.event_metadata)
        else:
            kept, errors = [(r, r["Data"]) for _, _, r in polled], []
        now_ms = int(time.time() * 1000)
        rows_by_stream = defaultdict(list)
        for record, data in kept:
            rows, row_errors = mapping.rows(data, now_ms)
            errors.extend(row_errors)
            stream = names[shard_of[record["SequenceNumber"]] % len(names)]
            rows_by_stream[stream].extend((now_ms, row) for row in rows)
        for stream, rows in rows_by_stream.items():
            self.engine.insert(stream, rows)
        if errors:
            self.engine.add_errors(errors)
            self.counters["errors"] += len(errors)
