"""The Kinesis Analytics (v1, SQL) API for LocalStack 4.14.0, which ships neither this
provider nor its API stubs: operations are bound with localstack's @handler on the botocore
model `kinesisanalytics`, requests arrive as AWS's member names.

Applications live in memory (models.py's stores, like community LocalStack's other services).
Every change of an application's state, by a call or by a background thread (a runner up, a
stop or delete finished), holds the provider's lock; a call validates everything before it
changes anything. Start and the restart of an updated running application take one launch path
(`_launch`): the engine (engine.py) and the runner are built with the code checked against the
inputs (InvalidApplicationConfigurationException naming the fault), then the application is
STARTING (UPDATING when restarted) until its engine takes rows, then RUNNING. LAB_KDA_ENGINE is
read when the provider is built.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError
from localstack.aws.api import RequestContext, handler
from localstack.services.plugins import ServiceLifecycleHook

from lab_localstack.aws_api import KINESIS_ANALYTICS as KDA
from lab_localstack.kinesisanalytics import connectors, discovery, sampling, validation
from lab_localstack.kinesisanalytics.engine import ENGINES, build_engine, check_plan
from lab_localstack.kinesisanalytics.firehose_input import FirehoseInput, FirehoseNotReadable
from lab_localstack.kinesisanalytics.kda_sql import SqlRefused
from lab_localstack.kinesisanalytics.models import (
    DELETING,
    READY,
    RUNNING,
    STARTING,
    STOPPING,
    UPDATING,
    Application,
    input_description,
    kinesisanalytics_stores,
    output_description,
    store_of,
)
from lab_localstack.kinesisanalytics.runner import ApplicationRunner
from lab_localstack.kinesisanalytics.updates import replaced, updated_input, updated_output
from lab_localstack.kinesisanalytics.validation import invalid

LOG = logging.getLogger(__name__)


def engine_setting() -> str:
    """LAB_KDA_ENGINE: the engine of applications without a `lab:engine` tag (default duckdb)."""
    engine = os.environ.get("LAB_KDA_ENGINE", "duckdb").lower()
    if engine not in ENGINES:
        raise ValueError(f"LAB_KDA_ENGINE={engine!r}: use duckdb or flink")
    return engine


def _not_found(name: str, account: str):
    return KDA.error("ResourceNotFoundException", f"Application {name} not found in account {account}")


def _misconfigured(message: str):
    return KDA.error("InvalidApplicationConfigurationException", message)


class LabKinesisAnalyticsProvider(ServiceLifecycleHook):
    service = "kinesisanalytics"

    def __init__(self) -> None:
        self._default_engine = engine_setting()
        self._lock = threading.RLock()      # held by every change of an application's state

    def on_before_stop(self):
        with self._lock:
            runners = [app.runner for _, _, store in kinesisanalytics_stores.iter_stores()
                       for app in store.applications.values() if app.runner]
        for runner in runners:
            runner.stop()

    # --- helpers -----------------------------------------------------------------------
    def _get(self, context: RequestContext, name: str) -> Application:
        app = store_of(context.account_id, context.region).applications.get(name)
        if app is None or app.status == DELETING:
            raise _not_found(name, context.account_id)
        return app

    def _by_arn(self, arn: str) -> Application:
        parts = arn.split(":")
        if len(parts) == 6 and parts[5].startswith("application/"):
            app = store_of(parts[4], parts[3]).applications.get(parts[5].partition("/")[2])
            if app is not None and app.arn == arn:
                return app
        raise KDA.error("ResourceNotFoundException", f"Resource {arn} not found")

    @staticmethod
    def _check_version(app: Application, version) -> None:
        if version != app.version:
            raise KDA.error("ConcurrentModificationException",
                            f"Current application version id {app.version} does not match the provided "
                            f"version id {version}")

    @staticmethod
    def _check_not_busy(app: Application) -> None:
        if app.status not in (READY, RUNNING):
            raise KDA.error("ResourceInUseException", f"Application {app.name} is in {app.status} state")

    def _check_launchable(self, app: Application) -> None:
        """What a restart needs, checked before an update changes a running application."""
        try:
            check_plan(app, self._default_engine)
        except SqlRefused as refused:
            raise _misconfigured(str(refused)) from None

    # --- applications --------------------------------------------------------------------
    @contextmanager
    def _updating(self, context: RequestContext, request: dict, restart: bool = False) -> Iterator[Application]:
        """Every update's frame: under the lock, the named application at the version the caller
        read (ConcurrentModificationException otherwise); when the change went through, the next
        version, and with `restart` a running application restarted on it."""
        with self._lock:
            app = self._get(context, request["ApplicationName"])
            self._check_version(app, request["CurrentApplicationVersionId"])
            yield app
            app.bump()
            if restart and app.status == RUNNING:
                self._restart(app)

    @handler("CreateApplication", expand=False)
    def create_application(self, context: RequestContext, request: dict) -> dict:
        name = request["ApplicationName"]
        validation.check_name(name)
        inputs, outputs = request.get("Inputs") or [], request.get("Outputs") or []
        if len(inputs) > 1:
            raise invalid("An application can have only one streaming input")
        if len(outputs) > validation.MAX_OUTPUTS:
            raise KDA.error("LimitExceededException",
                            f"An application can have at most {validation.MAX_OUTPUTS} outputs")
        for config in inputs:
            validation.check_input(config)
        for config in outputs:
            validation.check_output(config)
        validation.check_code(request.get("ApplicationCode"))
        validation.check_tags(request.get("Tags"))
        store = store_of(context.account_id, context.region)
        with self._lock:
            if name in store.applications:
                raise KDA.error("ResourceInUseException", f"Application {name} already exists")
            arn = f"arn:aws:kinesisanalytics:{context.region}:{context.account_id}:application/{name}"
            app = Application(context.account_id, context.region, name, arn,
                              request.get("ApplicationDescription", ""), request.get("ApplicationCode", ""),
                              tags={t["Key"]: t.get("Value", "") for t in request.get("Tags") or []})
            app.inputs = [input_description(app.new_id(), c) for c in inputs]
            app.outputs = [output_description(app.new_id(), c) for c in outputs]
            store.applications[name] = app
        return {"ApplicationSummary": app.summary()}

    @handler("DescribeApplication", expand=False)
    def describe_application(self, context: RequestContext, request: dict) -> dict:
        return {"ApplicationDetail": self._get(context, request["ApplicationName"]).detail()}

    @handler("ListApplications", expand=False)
    def list_applications(self, context: RequestContext, request: dict) -> dict:
        apps = sorted(store_of(context.account_id, context.region).applications.values(), key=lambda a: a.name)
        page, more = KDA.page_after("ListApplications", apps, request.get("ExclusiveStartApplicationName"),
                                    request.get("Limit"), 50, name=lambda a: a.name)
        return {"ApplicationSummaries": [a.summary() for a in page], "HasMoreApplications": more}

    @handler("DeleteApplication", expand=False)
    def delete_application(self, context: RequestContext, request: dict) -> dict:
        with self._lock:
            app = self._get(context, request["ApplicationName"])
            created = request["CreateTimestamp"]
            if abs(created.timestamp() - app.created.timestamp()) >= 1:
                raise KDA.error("ConcurrentModificationException",
                                "Provided create timestamp does not match the application's create timestamp")
            app.status = DELETING
            runner, app.runner = app.runner, None

        def finish():
            if runner:
                runner.stop()
            with self._lock:
                store_of(app.account_id, app.region).applications.pop(app.name, None)

        threading.Thread(target=finish, daemon=True).start()
        return {}

    @handler("UpdateApplication", expand=False)
    def update_application(self, context: RequestContext, request: dict) -> dict:
        with self._updating(context, request, restart=True) as app:
            self._check_not_busy(app)
            update = request.get("ApplicationUpdate") or {}
            code = update.get("ApplicationCodeUpdate", app.code)
            validation.check_code(code)
            inputs = replaced(app.inputs, [updated_input(app, u) for u in update.get("InputUpdates") or []],
                              "InputId")
            outputs = replaced(app.outputs, [updated_output(app, u) for u in update.get("OutputUpdates") or []],
                               "OutputId")
            if app.status == RUNNING:
                self._check_launchable(dataclasses.replace(app, code=code, inputs=inputs, outputs=outputs))
            app.code, app.inputs, app.outputs = code, inputs, outputs
        return {}

    @handler("AddApplicationInput", expand=False)
    def add_application_input(self, context: RequestContext, request: dict) -> dict:
        with self._updating(context, request) as app:
            if app.inputs:
                raise invalid("An application can have only one streaming input")
            validation.check_input(request["Input"])
            app.inputs.append(input_description(app.new_id(), request["Input"]))
        return {}

    @handler("AddApplicationOutput", expand=False)
    def add_application_output(self, context: RequestContext, request: dict) -> dict:
        with self._updating(context, request, restart=True) as app:
            if len(app.outputs) >= validation.MAX_OUTPUTS:
                raise KDA.error("LimitExceededException",
                                f"An application can have at most {validation.MAX_OUTPUTS} outputs")
            validation.check_output(request["Output"])
            if app.status == RUNNING:
                self._check_launchable(app)
            app.outputs.append(output_description(app.new_id(), request["Output"]))
        return {}

    @handler("DeleteApplicationOutput", expand=False)
    def delete_application_output(self, context: RequestContext, request: dict) -> dict:
        with self._updating(context, request) as app:
            if not any(o["OutputId"] == request["OutputId"] for o in app.outputs):
                raise KDA.error("ResourceNotFoundException", f"Output {request['OutputId']} not found")
            app.outputs = [o for o in app.outputs if o["OutputId"] != request["OutputId"]]
        return {}

    @handler("AddApplicationInputProcessingConfiguration", expand=False)
    def add_input_processing(self, context: RequestContext, request: dict) -> dict:
        with self._updating(context, request) as app:
            described = next((i for i in app.inputs if i["InputId"] == request["InputId"]), None)
            if described is None:
                raise KDA.error("ResourceNotFoundException", f"Input {request['InputId']} not found")
            processor = request["InputProcessingConfiguration"]["InputLambdaProcessor"]
            described["InputProcessingConfigurationDescription"] = {"InputLambdaProcessorDescription": dict(processor)}
        return {}

    # --- running ---------------------------------------------------------------------------
    @handler("StartApplication", expand=False)
    def start_application(self, context: RequestContext, request: dict) -> dict:
        with self._lock:
            app = self._get(context, request["ApplicationName"])
            if app.status != READY:
                raise KDA.error("ResourceInUseException", f"Application {app.name} is in {app.status} state")
            positions = {c["Id"]: (c.get("InputStartingPositionConfiguration") or {}).get("InputStartingPosition",
                                                                                          "NOW")
                         for c in request.get("InputConfigurations") or []}
            unknown = set(positions) - {i["InputId"] for i in app.inputs}
            if unknown:
                raise KDA.error("ResourceNotFoundException", f"Input {min(unknown)} not found")
            if not app.inputs:
                raise _misconfigured("Application has no input configured")
            self._launch(app, positions, STARTING)
        return {}

    @handler("StopApplication", expand=False)
    def stop_application(self, context: RequestContext, request: dict) -> dict:
        with self._lock:
            app = self._get(context, request["ApplicationName"])
            if app.status not in (RUNNING, STARTING):
                return {}
            app.status = STOPPING
            runner, app.runner = app.runner, None

        def finish():
            if runner:
                runner.stop()
            with self._lock:
                if app.status == STOPPING:
                    app.status = READY

        threading.Thread(target=finish, daemon=True).start()
        return {}

    def _launch(self, app: Application, positions: dict[str, str], status: str) -> None:
        """Start and restart's one path (the caller holds the lock): the engine and the runner of
        the application's current version, the application in `status` until the engine takes rows."""
        try:
            engine = build_engine(app, self._default_engine)
        except SqlRefused as refused:
            raise _misconfigured(str(refused)) from None
        checkpoints = store_of(app.account_id, app.region).checkpoints.setdefault(app.name, {})
        try:
            runner = ApplicationRunner(app, engine, positions, checkpoints, self._now_running)
        except (ClientError, BotoCoreError, FirehoseNotReadable) as problem:
            engine.close()
            raise _misconfigured(f"Cannot read the input stream: {problem}") from None
        app.status, app.runner = status, runner
        runner.start()

    def _now_running(self, runner: ApplicationRunner) -> None:
        """A runner's engine takes rows: its application is RUNNING, unless stopped or replaced meanwhile."""
        with self._lock:
            if runner.app.runner is runner:
                runner.app.status = RUNNING

    def _restart(self, app: Application) -> None:
        """A running application picks up an update (the caller holds the lock and has checked it):
        UPDATING, then RUNNING on the new version from where the old one stopped reading."""
        old, app.runner = app.runner, None
        app.status = UPDATING
        if old:
            old.stop()
        try:
            self._launch(app, {i["InputId"]: "LAST_STOPPED_POINT" for i in app.inputs}, UPDATING)
        except Exception:
            app.status = READY
            raise

    # --- schema discovery ---------------------------------------------------------------------
    @handler("DiscoverInputSchema", expand=False)
    def discover_input_schema(self, context: RequestContext, request: dict) -> dict:
        records = sampling.sample(request, context.account_id, context.region)
        processor = (request.get("InputProcessingConfiguration") or {}).get("InputLambdaProcessor")
        processed = None
        if processor and request.get("ResourceARN"):
            metadata = (FirehoseInput if sampling.is_firehose(request["ResourceARN"]) else connectors.KinesisInput
                        ).event_metadata
            kept, _ = connectors.preprocess(processor["ResourceARN"], "", request["ResourceARN"],
                                            [("shardId-000000000000", r) for r in records], metadata)
            processed = [data for _, data in kept]
        try:
            response = discovery.discover(processed if processed is not None else [r["Data"] for r in records])
        except ValueError as problem:
            raise KDA.error("UnableToDetectSchemaException", str(problem)) from None
        if processed is not None:
            response["ProcessedInputRecords"] = [p.decode("utf-8", "replace") for p in processed]
            response["RawInputRecords"] = [r["Data"].decode("utf-8", "replace") for r in records]
        return response

    # --- tags ----------------------------------------------------------------------------------
    @handler("TagResource", expand=False)
    def tag_resource(self, context: RequestContext, request: dict) -> dict:
        with self._lock:
            app = self._by_arn(request["ResourceARN"])
            new = {t["Key"]: t.get("Value", "") for t in request["Tags"]}
            validation.check_tags(list({**app.tags, **new}))
            app.tags.update(new)
        return {}

    @handler("UntagResource", expand=False)
    def untag_resource(self, context: RequestContext, request: dict) -> dict:
        with self._lock:
            app = self._by_arn(request["ResourceARN"])
            for key in request["TagKeys"]:
                app.tags.pop(key, None)
        return {}

    @handler("ListTagsForResource", expand=False)
    def list_tags_for_resource(self, context: RequestContext, request: dict) -> dict:
        app = self._by_arn(request["ResourceARN"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(app.tags.items())]}
