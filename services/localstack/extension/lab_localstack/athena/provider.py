"""The lab's Athena provider: query executions (Start/Get/BatchGet/List/Stop,
GetQueryResults) over executions.py's runner, plus work groups and named queries
(workgroups.py) and tags (tags.py). LocalStack 4.14 ships no Athena API stubs, so
operations are declared with LocalStack's `@handler` against botocore's Athena model."""
from __future__ import annotations

import datetime as dt
import logging
import uuid

from botocore.exceptions import ClientError
from localstack.aws.api import RequestContext, handler
from localstack.aws.connect import connect_to
from localstack.services.plugins import ServiceLifecycleHook

from lab_localstack.athena import results, validation
from lab_localstack.athena.engine import Clients
from lab_localstack.athena.executions import QueryExecution, Runner
from lab_localstack.athena.history import ExecutionLog, result_from_files
from lab_localstack.athena.metadata_api import MetadataApi
from lab_localstack.athena.models import store_of
from lab_localstack.athena.s3_objects import ObjectCache, split_uri
from lab_localstack.athena.tags import TagsApi, work_group_key
from lab_localstack.athena.trino_engine import engine_for
from lab_localstack.athena.workgroups import WorkGroupsApi
from lab_localstack.aws_api import ATHENA, batch_get, find, with_next_token
from lab_localstack.state_files import state_dir

LOG = logging.getLogger(__name__)


def _time(epoch: float | None) -> dt.datetime | None:
    return None if epoch is None else dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


class LabAthenaProvider(WorkGroupsApi, MetadataApi, TagsApi, ServiceLifecycleHook):
    service = "athena"
    version = "2017-05-18"

    def __init__(self) -> None:
        self._cache = ObjectCache(state_dir("athena") / "s3-cache")
        self._history = ExecutionLog(state_dir("athena") / "executions.jsonl")
        self._runner = Runner(self._clients, self._history)
        for execution in self._history.load(QueryExecution):
            region = store_of(execution.account, execution.region)
            region.executions[execution.id] = execution
            if execution.client_request_token:
                region.tokens[execution.client_request_token] = execution.id

    def _clients(self, account: str, region: str) -> Clients:
        factory = connect_to(aws_access_key_id=account, region_name=region)
        return Clients(glue=factory.glue, s3=factory.s3, cache=self._cache, work_root=state_dir("athena") / "work")

    def glue_for(self, context: RequestContext):
        return self._clients(context.account_id, context.region).glue

    def _execution(self, context: RequestContext, query_id: str | None) -> QueryExecution:
        validation.require(query_id, "QueryExecutionId")
        return find(self.region(context).executions, query_id,
                    lambda: ATHENA.not_found(f"QueryExecution {query_id} was not found"))

    @handler("StartQueryExecution", expand=False)
    def start_query_execution(self, context: RequestContext, request: dict) -> dict:
        sql = validation.query_string(request.get("QueryString"))
        region = self.region(context)
        token = request.get("ClientRequestToken")
        if token and token in region.tokens:
            return {"QueryExecutionId": region.tokens[token]}
        wg = self.work_group(context, request.get("WorkGroup"))
        if wg["State"] != "ENABLED":
            raise ATHENA.invalid(f"WorkGroup {wg['Name']} is disabled.")
        wg_config = wg["Configuration"]
        output = (request.get("ResultConfiguration") or {}).get("OutputLocation")
        if wg_config.get("EnforceWorkGroupConfiguration") or not output:
            output = wg_config["ResultConfiguration"].get("OutputLocation") or output
        if not output:
            raise ATHENA.invalid("No output location provided. An output location is required either "
                                         "through the Workgroup result configuration setting or as an API input.")
        ctx = request.get("QueryExecutionContext") or {}
        execution = QueryExecution(
            id=str(uuid.uuid4()), query=sql, account=context.account_id, region=context.region,
            work_group=wg["Name"], database=(ctx.get("Database") or "default").lower(),
            catalog=ctx.get("Catalog") or "AwsDataCatalog", output_location=output, client_request_token=token,
            engine=engine_for(region.tags.get(work_group_key(wg["Name"]))))
        region.executions[execution.id] = execution
        if token:
            region.tokens[token] = execution.id
        self._runner.submit(execution)
        return {"QueryExecutionId": execution.id}

    def _describe(self, e: QueryExecution) -> dict:
        status = {"State": e.state, "SubmissionDateTime": _time(e.submitted)}
        if e.completed:
            status["CompletionDateTime"] = _time(e.completed)
        if e.reason:
            status["StateChangeReason"] = e.reason
        if e.athena_error:
            status["AthenaError"] = e.athena_error
        end = e.completed or dt.datetime.now().timestamp()
        engine_ms = int(((e.completed or end) - e.started) * 1000) if e.started else 0
        queue_ms = int(((e.started or end) - e.submitted) * 1000)
        stats = {"EngineExecutionTimeInMillis": engine_ms,
                 "DataScannedInBytes": e.result.data_scanned if e.result else 0,
                 "TotalExecutionTimeInMillis": int((end - e.submitted) * 1000),
                 "QueryQueueTimeInMillis": queue_ms, "ServicePreProcessingTimeInMillis": 0,
                 "QueryPlanningTimeInMillis": e.planning_ms, "ServiceProcessingTimeInMillis": 0}
        if e.state == "SUCCEEDED":
            stats["DataManifestLocation"] = e.manifest_location or ""
            stats["ResultReuseInformation"] = {"ReusedPreviousResult": False}
        out = {"QueryExecutionId": e.id, "Query": e.query,
               "ResultConfiguration": {"OutputLocation": e.result_key},
               "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"Enabled": False}},
               "QueryExecutionContext": {"Database": e.database, "Catalog": e.catalog.lower()},
               "Status": status, "Statistics": stats, "WorkGroup": e.work_group,
               "EngineVersion": {"SelectedEngineVersion": "AUTO",
                                 "EffectiveEngineVersion": "Athena engine version 3"},
               "SubstatementType": e.substatement_type or "UNKNOWN"}
        if e.statement_type:
            out["StatementType"] = e.statement_type
        return out

    @handler("GetQueryExecution", expand=False)
    def get_query_execution(self, context: RequestContext, request: dict) -> dict:
        return {"QueryExecution": self._describe(self._execution(context, request.get("QueryExecutionId")))}

    @handler("BatchGetQueryExecution", expand=False)
    def batch_get_query_execution(self, context: RequestContext, request: dict) -> dict:
        ids = request.get("QueryExecutionIds") or []
        ATHENA.check_length("BatchGetQueryExecution", "QueryExecutionIds", ids)
        found, missing = batch_get(ids, self.region(context).executions.get, lambda query_id: {
            "QueryExecutionId": query_id, "ErrorCode": "INVALID_INPUT",
            "ErrorMessage": f"QueryExecution {query_id} was not found"})
        return {"QueryExecutions": [self._describe(e) for e in found], "UnprocessedQueryExecutionIds": missing}

    @handler("ListQueryExecutions", expand=False)
    def list_query_executions(self, context: RequestContext, request: dict) -> dict:
        wg = self.work_group(context, request.get("WorkGroup"))["Name"]
        newest_first = [e.id for e in reversed(list(self.region(context).executions.values()))
                        if e.work_group == wg]
        return ATHENA.paged("ListQueryExecutions", "QueryExecutionIds", newest_first, request, 50)

    @handler("StopQueryExecution", expand=False)
    def stop_query_execution(self, context: RequestContext, request: dict) -> dict:
        self._runner.stop(self._execution(context, request.get("QueryExecutionId")))
        return {}

    def _restore_result(self, execution: QueryExecution) -> results.ResultSet:
        """The rows of a query that ran before a restart, read back from its OutputLocation."""
        s3 = self._clients(execution.account, execution.region).s3
        bucket, key = split_uri(execution.result_key)
        try:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            metadata = s3.get_object(Bucket=bucket, Key=key + ".metadata")["Body"].read()
        except ClientError as exc:
            raise ATHENA.invalid(f"Unable to read the query results at {execution.result_key}") from exc
        execution.result = result_from_files(body, metadata, execution.restored)
        return execution.result

    def _manifest(self, execution: QueryExecution, result: results.ResultSet) -> results.ResultSet:
        """QueryResultType=DATA_MANIFEST: the data manifest's file URIs as rows (CTAS, INSERT, UNLOAD)."""
        if result.data_files is None and execution.manifest_location:
            bucket, key = split_uri(execution.manifest_location)
            body = self._clients(execution.account, execution.region).s3.get_object(Bucket=bucket, Key=key)["Body"]
            result.data_files = body.read().decode().splitlines()
        if result.data_files is None:
            raise ATHENA.invalid("DATA_MANIFEST is only available for CREATE TABLE AS SELECT, INSERT INTO "
                                         "and UNLOAD queries")
        return results.manifest_result(result)

    @handler("GetQueryResults", expand=False)
    def get_query_results(self, context: RequestContext, request: dict) -> dict:
        execution = self._execution(context, request.get("QueryExecutionId"))
        if execution.state in ("QUEUED", "RUNNING"):
            raise ATHENA.invalid(f"Query has not yet finished. Current state: {execution.state}")
        if execution.state != "SUCCEEDED":
            raise ATHENA.invalid(f"Query did not finish successfully. Final query state: {execution.state}"
                                         + (f"\n{execution.reason}" if execution.reason else ""))
        result = execution.result or self._restore_result(execution)
        if (request.get("QueryResultType") or "DATA_ROWS") == "DATA_MANIFEST":
            result = self._manifest(execution, result)
        rows, token = ATHENA.page("GetQueryResults", results.all_rows(result), request, 1000)
        out = {"UpdateCount": result.update_count or 0,
               "ResultSet": {"Rows": results.as_rows(rows),
                             "ResultSetMetadata": {"ColumnInfo": results.column_info(result)}}}
        return with_next_token(out, token)
