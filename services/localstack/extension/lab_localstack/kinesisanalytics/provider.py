"""The Kinesis Analytics (v1, SQL) API for LocalStack 4.14.0, which ships neither this
provider nor its API stubs: operations are bound with localstack's @handler on the botocore
model `kinesisanalytics`, requests arrive as AWS's member names.

Applications live in memory (like community LocalStack's other services). Start validates the
code against the inputs on the chosen engine at once (InvalidApplicationConfigurationException
naming the fault), then the application is STARTING until its runner is up, then RUNNING.
"""
from __future__ import annotations

import logging
import os
import threading
import time

from botocore.exceptions import BotoCoreError, ClientError
from localstack.aws.api import RequestContext, handler
from localstack.services.plugins import ServiceLifecycleHook

from lab_localstack.aws_api import KINESIS_ANALYTICS as KDA
from lab_localstack.kinesisanalytics import connectors, discovery, validation
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
from lab_localstack.kinesisanalytics.runner import ApplicationRunner, build_engine
from lab_localstack.kinesisanalytics.validation import invalid

LOG = logging.getLogger(__name__)
DEFAULT_ENGINE = os.environ.get("LAB_KDA_ENGINE", "duckdb").lower()
if DEFAULT_ENGINE not in ("duckdb", "flink"):
    raise ValueError(f"LAB_KDA_ENGINE={DEFAULT_ENGINE!r}: use duckdb or flink")


def _is_firehose(arn: str) -> bool:
    return arn.split(":")[2:3] == ["firehose"]


def _not_found(name: str, account: str):
    return KDA.error("ResourceNotFoundException", f"Application {name} not found in account {account}")


class LabKinesisAnalyticsProvider(ServiceLifecycleHook):
    service = "kinesisanalytics"

    def __init__(self) -> None:
        self._lock = threading.RLock()

    def on_before_stop(self):
        for _, _, store in list(kinesisanalytics_stores.iter_stores()):
            for app in list(store.applications.values()):
                if app.runner:
                    app.runner.stop()

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

    # --- applications --------------------------------------------------------------------
    @handler("CreateApplication", expand=False)
    def create_application(self, context: RequestContext, request: dict) -> dict:
        name = request["ApplicationName"]
        validation.check_name(name)
        inputs, outputs = request.get("Inputs") or [], request.get("Outputs") or []
        if len(inputs) > 1:
            raise invalid("An application can have only one streaming input")
        if len(outputs) > validation.MAX_OUTPUTS:
            raise KDA.error("LimitExceededException", f"An application can have at most {validation.MAX_OUTPUTS} outputs")
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
        app = self._get(context, request["ApplicationName"])
        self._check_version(app, request["CurrentApplicationVersionId"])
        self._check_not_busy(app)
        update = request.get("ApplicationUpdate") or {}
        code = update.get("ApplicationCodeUpdate", app.code)
        validation.check_code(code)
        inputs = [self._input_update(app, u) for u in update.get("InputUpdates") or []]
        outputs = [self._output_update(app, u) for u in update.get("OutputUpdates") or []]
        app.code = code
        for new in inputs:
            app.inputs = [new if i["InputId"] == new["InputId"] else i for i in app.inputs]
        for new in outputs:
            app.outputs = [new if o["OutputId"] == new["OutputId"] else o for o in app.outputs]
        app.bump()
        if app.status == RUNNING:
            self._restart(app)
        return {}

    def _input_update(self, app: Application, update: dict) -> dict:
        current = next((i for i in app.inputs if i["InputId"] == update["InputId"]), None)
        if current is None:
            raise KDA.error("ResourceNotFoundException", f"Input {update['InputId']} not found")
        config = {"NamePrefix": update.get("NamePrefixUpdate", current["NamePrefix"]),
                  "InputSchema": current["InputSchema"], "InputParallelism": current["InputParallelism"]}
        if update.get("InputSchemaUpdate"):
            config["InputSchema"] = {**current["InputSchema"], **update["InputSchemaUpdate"]}
        if update.get("InputParallelismUpdate"):
            config["InputParallelism"] = {"Count": update["InputParallelismUpdate"]["CountUpdate"]}
        for kind in ("KinesisStreamsInput", "KinesisFirehoseInput"):
            source = update.get(f"{kind}Update") or current.get(f"{kind}Description")
            if source:
                config[kind] = {"ResourceARN": source.get("ResourceARNUpdate", source.get("ResourceARN")),
                                "RoleARN": source.get("RoleARNUpdate", source.get("RoleARN"))}
        processor = (update.get("InputProcessingConfigurationUpdate") or {}).get("InputLambdaProcessorUpdate")
        old = (current.get("InputProcessingConfigurationDescription") or {}).get("InputLambdaProcessorDescription")
        if processor or old:
            processor = processor or {}
            config["InputProcessingConfiguration"] = {"InputLambdaProcessor": {
                "ResourceARN": processor.get("ResourceARNUpdate", (old or {}).get("ResourceARN")),
                "RoleARN": processor.get("RoleARNUpdate", (old or {}).get("RoleARN"))}}
        validation.check_input(config)
        return input_description(current["InputId"], config)

    def _output_update(self, app: Application, update: dict) -> dict:
        current = next((o for o in app.outputs if o["OutputId"] == update["OutputId"]), None)
        if current is None:
            raise KDA.error("ResourceNotFoundException", f"Output {update['OutputId']} not found")
        config = {"Name": update.get("NameUpdate", current["Name"]),
                  "DestinationSchema": update.get("DestinationSchemaUpdate", current["DestinationSchema"])}
        for kind in validation.OUTPUT_KINDS:
            target = update.get(f"{kind}Update") or current.get(f"{kind}Description")
            if target:
                config[kind] = {"ResourceARN": target.get("ResourceARNUpdate", target.get("ResourceARN")),
                                "RoleARN": target.get("RoleARNUpdate", target.get("RoleARN"))}
                break
        validation.check_output(config)
        return output_description(current["OutputId"], config)

    @handler("AddApplicationInput", expand=False)
    def add_application_input(self, context: RequestContext, request: dict) -> dict:
        app = self._get(context, request["ApplicationName"])
        self._check_version(app, request["CurrentApplicationVersionId"])
        if app.inputs:
            raise invalid("An application can have only one streaming input")
        validation.check_input(request["Input"])
        app.inputs.append(input_description(app.new_id(), request["Input"]))
        app.bump()
        return {}

    @handler("AddApplicationOutput", expand=False)
    def add_application_output(self, context: RequestContext, request: dict) -> dict:
        app = self._get(context, request["ApplicationName"])
        self._check_version(app, request["CurrentApplicationVersionId"])
        if len(app.outputs) >= validation.MAX_OUTPUTS:
            raise KDA.error("LimitExceededException", f"An application can have at most {validation.MAX_OUTPUTS} outputs")
        validation.check_output(request["Output"])
        app.outputs.append(output_description(app.new_id(), request["Output"]))
        app.bump()
        if app.status == RUNNING:
            self._restart(app)
        return {}

    @handler("DeleteApplicationOutput", expand=False)
    def delete_application_output(self, context: RequestContext, request: dict) -> dict:
        app = self._get(context, request["ApplicationName"])
        self._check_version(app, request["CurrentApplicationVersionId"])
        if not any(o["OutputId"] == request["OutputId"] for o in app.outputs):
            raise KDA.error("ResourceNotFoundException", f"Output {request['OutputId']} not found")
        app.outputs = [o for o in app.outputs if o["OutputId"] != request["OutputId"]]
        app.bump()
        return {}

    @handler("AddApplicationInputProcessingConfiguration", expand=False)
    def add_input_processing(self, context: RequestContext, request: dict) -> dict:
        app = self._get(context, request["ApplicationName"])
        self._check_version(app, request["CurrentApplicationVersionId"])
        described = next((i for i in app.inputs if i["InputId"] == request["InputId"]), None)
        if described is None:
            raise KDA.error("ResourceNotFoundException", f"Input {request['InputId']} not found")
        processor = request["InputProcessingConfiguration"]["InputLambdaProcessor"]
        described["InputProcessingConfigurationDescription"] = {"InputLambdaProcessorDescription": dict(processor)}
        app.bump()
        return {}

    # --- running ---------------------------------------------------------------------------
    @handler("StartApplication", expand=False)
    def start_application(self, context: RequestContext, request: dict) -> dict:
        app = self._get(context, request["ApplicationName"])
        if app.status != READY:
            raise KDA.error("ResourceInUseException", f"Application {app.name} is in {app.status} state")
        configs = {c["Id"]: (c.get("InputStartingPositionConfiguration") or {}).get("InputStartingPosition", "NOW")
                   for c in request.get("InputConfigurations") or []}
        unknown = set(configs) - {i["InputId"] for i in app.inputs}
        if unknown:
            raise KDA.error("ResourceNotFoundException", f"Input {min(unknown)} not found")
        if not app.inputs:
            raise KDA.error("InvalidApplicationConfigurationException", "Application has no input configured")
        try:
            engine = build_engine(app, DEFAULT_ENGINE)
        except SqlRefused as refused:
            raise KDA.error("InvalidApplicationConfigurationException", str(refused)) from None
        checkpoints = store_of(app.account_id, app.region).checkpoints.setdefault(app.name, {})
        try:
            app.runner = ApplicationRunner(app, engine, configs, checkpoints)
        except (ClientError, BotoCoreError, FirehoseNotReadable) as problem:
            engine.close()
            raise KDA.error("InvalidApplicationConfigurationException",
                        f"Cannot read the input stream: {problem}") from None
        app.status = STARTING
        app.runner.start()
        return {}

    @handler("StopApplication", expand=False)
    def stop_application(self, context: RequestContext, request: dict) -> dict:
        app = self._get(context, request["ApplicationName"])
        if app.status not in (RUNNING, STARTING):
            return {}
        app.status = STOPPING
        runner, app.runner = app.runner, None

        def finish():
            if runner:
                runner.stop()
            app.status = READY

        threading.Thread(target=finish, daemon=True).start()
        return {}

    def _restart(self, app: Application) -> None:
        """A running application picks up an update: UPDATING, then RUNNING on the new version."""
        app.status = UPDATING
        old = app.runner
        old.stop()
        try:
            engine = build_engine(app, DEFAULT_ENGINE)
        except SqlRefused as refused:
            app.status, app.runner = READY, None
            raise KDA.error("InvalidApplicationConfigurationException", str(refused)) from None
        app.runner = ApplicationRunner(app, engine, {i["InputId"]: "LAST_STOPPED_POINT" for i in app.inputs},
                                       store_of(app.account_id, app.region).checkpoints.setdefault(app.name, {}))
        app.runner.start()

    # --- schema discovery ---------------------------------------------------------------------
    @handler("DiscoverInputSchema", expand=False)
    def discover_input_schema(self, context: RequestContext, request: dict) -> dict:
        records = self._sample(request)
        processor = (request.get("InputProcessingConfiguration") or {}).get("InputLambdaProcessor")
        processed = None
        if processor and request.get("ResourceARN"):
            metadata = (FirehoseInput if _is_firehose(request["ResourceARN"]) else connectors.KinesisInput
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

    def _sample(self, request: dict) -> list[dict]:
        if request.get("S3Configuration"):
            s3 = request["S3Configuration"]
            body = connectors.clients(f"arn:aws:s3:{'us-east-1'}:000000000000:x").s3.get_object(
                Bucket=s3["BucketARN"].split(":::")[-1], Key=s3["FileKey"])["Body"].read()
            return [{"Data": line.encode()} for line in body.decode().splitlines() if line.strip()]
        if not request.get("ResourceARN"):
            raise invalid("Either ResourceARN or S3Configuration must be provided")
        position = (request.get("InputStartingPositionConfiguration") or {}).get("InputStartingPosition",
                                                                                 "TRIM_HORIZON")
        if _is_firehose(request["ResourceARN"]):      # samples what the delivery stream accepts meanwhile
            reader = FirehoseInput(request["ResourceARN"])
            try:
                reader.position()
            except (FirehoseNotReadable, ClientError) as problem:
                raise invalid(f"Cannot read the delivery stream: {problem}") from None
        else:
            reader = connectors.KinesisInput(request["ResourceARN"],
                                             position if position != "NOW" else "TRIM_HORIZON", {})
        try:
            return self._poll_sample(reader)
        finally:
            reader.close()

    @staticmethod
    def _poll_sample(reader) -> list[dict]:
        records: list[dict] = []
        deadline = time.monotonic() + 5
        while len(records) < discovery.MAX_RECORDS and time.monotonic() < deadline:
            polled = [r for _, _, r in reader.poll()]
            records.extend(polled)
            if not polled and records:
                break
            if not polled:
                time.sleep(0.3)
        return records

    # --- tags ----------------------------------------------------------------------------------
    @handler("TagResource", expand=False)
    def tag_resource(self, context: RequestContext, request: dict) -> dict:
        app = self._by_arn(request["ResourceARN"])
        new = {t["Key"]: t.get("Value", "") for t in request["Tags"]}
        validation.check_tags(list({**app.tags, **new}))
        app.tags.update(new)
        return {}

    @handler("UntagResource", expand=False)
    def untag_resource(self, context: RequestContext, request: dict) -> dict:
        app = self._by_arn(request["ResourceARN"])
        for key in request["TagKeys"]:
            app.tags.pop(key, None)
        return {}

    @handler("ListTagsForResource", expand=False)
    def list_tags_for_resource(self, context: RequestContext, request: dict) -> dict:
        app = self._by_arn(request["ResourceARN"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(app.tags.items())]}
