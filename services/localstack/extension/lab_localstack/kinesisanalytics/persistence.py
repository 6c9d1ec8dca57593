"""Kinesis Analytics applications kept across restarts, and running again afterwards.

The provider keeps its applications in memory (provider.py). This module adds, without
changing the provider's operations:

- `PersistentKinesisAnalyticsProvider`, the provider plus a file,
  `LOCALSTACK_VOLUME_DIR/lab-kinesisanalytics/applications.json`: every application
  (name, ARN, code, inputs, outputs, tags, version, ids, timestamps), whether it was meant
  to run (RUNNING, STARTING or UPDATING when saved), and the per-shard checkpoints of its
  input readers. It is rewritten (temporary file, fsync, rename) after every operation
  that changes something (`dispatch_table`), every few seconds while checkpoints move, and
  when LocalStack stops;
- at start-up (`load_at_start`, an `on_infra_ready` hook: LocalStack would otherwise load
  the provider only on its first request) the applications come back READY, and those
  meant to run are started again from `LAST_STOPPED_POINT`: after their last checkpoint
  (records read since the last save are read again: at-least-once, as KDA's own
  recovery), or from the trim horizon for an input never read.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime
from pathlib import Path

from localstack import config
from localstack.aws.api import RequestContext
from localstack.aws.skeleton import DispatchTable
from localstack.runtime import hooks

from lab_localstack.after_change import after_changes
from lab_localstack.kinesisanalytics.models import (
    READY,
    RUNNING,
    STARTING,
    UPDATING,
    Application,
    kinesisanalytics_stores,
    store_of,
)
from lab_localstack.kinesisanalytics.provider import LabKinesisAnalyticsProvider
from lab_localstack.state_files import state_dir, write_atomic

LOG = logging.getLogger(__name__)
SAVE_EVERY_S = 5.0
START_WITHIN_S = 120.0
READ_ONLY = ("Describe", "List", "Discover")
RUNNING_STATES = (RUNNING, STARTING, UPDATING)
DATES = ("created", "updated")


def state_file() -> Path:
    return state_dir("kinesisanalytics") / "applications.json"


def to_record(app: Application) -> dict:
    fields = {k: v for k, v in vars(app).items() if k not in ("runner", "status")}
    for name in DATES:
        fields[name] = fields[name].isoformat()
    fields["running"] = app.status in RUNNING_STATES
    return fields


def from_record(record: dict) -> tuple[Application, bool]:
    fields = dict(record)
    running = fields.pop("running", False)
    for name in DATES:
        fields[name] = datetime.fromisoformat(fields[name])
    return Application(**fields, status=READY), running


class PersistentKinesisAnalyticsProvider(LabKinesisAnalyticsProvider):
    def __init__(self) -> None:
        super().__init__()
        self._path = state_file()
        self._save_lock = threading.Lock()
        self._last_saved = ""
        self._to_start: list[Application] = []
        self._restore()
        self._stop = threading.Event()
        threading.Thread(target=self._save_periodically, name="kda-save", daemon=True).start()

    # --- save -------------------------------------------------------------------------
    def save(self) -> None:
        with self._save_lock:
            with self._lock:
                data = {"applications": [], "checkpoints": []}
                for account, regions in kinesisanalytics_stores.items():
                    for region, store in regions.items():
                        data["applications"] += [to_record(a) for a in store.applications.values()
                                                 if a.status != "DELETING"]
                        data["checkpoints"] += [
                            {"account": account, "region": region, "application": name, "shards": dict(shards)}
                            for name, shards in store.checkpoints.items()]
            text = json.dumps(data, indent=1, sort_keys=True)
            if text == self._last_saved:
                return
            write_atomic(self._path, text)
            self._last_saved = text

    def _save_periodically(self) -> None:
        while not self._stop.wait(SAVE_EVERY_S):
            try:
                self.save()
            except Exception:
                LOG.exception("saving the Kinesis Analytics applications failed")

    def on_before_stop(self):
        self._stop.set()
        self.save()           # the checkpoints as they are now, before the runners stop
        super().on_before_stop()

    # --- restore ------------------------------------------------------------------------
    def _restore(self) -> None:
        if not self._path.exists():
            return
        data = json.loads(self._path.read_text())
        applications = data.get("applications", [])
        for record in applications:
            app, running = from_record(record)
            store_of(app.account_id, app.region).applications[app.name] = app
            if running:
                self._to_start.append(app)
        for checkpoint in data.get("checkpoints", []):
            store = store_of(checkpoint["account"], checkpoint["region"])
            store.checkpoints[checkpoint["application"]] = dict(checkpoint["shards"])
        LOG.info("Kinesis Analytics: %d applications restored from %s (%d to start again)",
                 len(applications), self._path, len(self._to_start))

    def start_restored(self) -> None:
        """Start again the applications that were running when the lab stopped. Their inputs
        may not answer yet at start-up (kinesis-mock starts on the first Kinesis request, a
        delivery stream is restored by its own provider): each is tried for START_WITHIN_S."""
        deadline = time.monotonic() + START_WITHIN_S
        pending = list(self._to_start)
        while pending:
            app = pending.pop(0)
            try:
                self._start_again(app)
                LOG.info("Kinesis Analytics application %s started again", app.name)
            except Exception as problem:  # noqa: BLE001 (tried again; logged when given up)
                if time.monotonic() < deadline and app.status == READY:
                    pending.append(app)
                    time.sleep(1.0)
                    continue
                LOG.warning("Kinesis Analytics application %s could not start again: %s", app.name, problem)
        self._to_start = []
        self.save()

    def _start_again(self, app: Application) -> None:
        if app.status != READY:
            return                 # started (or deleted) by a request meanwhile
        context = RequestContext(None)
        context.account_id, context.region = app.account_id, app.region
        self.start_application(context, {"ApplicationName": app.name, "InputConfigurations": [
            {"Id": i["InputId"], "InputStartingPositionConfiguration": {"InputStartingPosition": "LAST_STOPPED_POINT"}}
            for i in app.inputs]})


def with_saving(table: DispatchTable, provider: PersistentKinesisAnalyticsProvider) -> DispatchTable:
    return after_changes(table, lambda op: not op.startswith(READ_ONLY), lambda _op, _request: provider.save())


@hooks.on_infra_ready()
def load_at_start() -> None:
    """Load the provider when LocalStack is ready, so restored applications run again
    without waiting for a Kinesis Analytics request."""
    from localstack.services.plugins import SERVICE_PLUGINS
    from localstack.utils.bootstrap import is_api_enabled

    if (config.SERVICE_PROVIDER_CONFIG.get_provider("kinesisanalytics") != "lab"
            or not is_api_enabled("kinesisanalytics") or not state_file().exists()):
        return
    service = SERVICE_PLUGINS.require("kinesisanalytics")
    provider = service.lifecycle_hook
    if isinstance(provider, PersistentKinesisAnalyticsProvider):
        threading.Thread(target=provider.start_restored, name="kda-restart", daemon=True).start()
