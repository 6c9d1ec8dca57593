"""Work groups (`primary` always exists) and named queries, per account and region
(models.py). Mixed into the provider."""
from __future__ import annotations

import uuid

from localstack.aws.api import RequestContext, handler

from lab_localstack.athena import validation
from lab_localstack.athena.models import ENGINE_VERSION, StoreAccess, new_work_group
from lab_localstack.athena.tags import tag_map, work_group_key
from lab_localstack.aws_api import ATHENA, batch_get, find, with_next_token


class WorkGroupsApi(StoreAccess):
    """Work groups and named queries."""

    def work_group(self, context: RequestContext, name: str | None) -> dict:
        return find(self.region(context).work_groups, name or "primary",
                    lambda: ATHENA.not_found(f"WorkGroup {name} is not found."))

    @handler("CreateWorkGroup", expand=False)
    def create_work_group(self, context: RequestContext, request: dict) -> dict:
        name = validation.work_group_name(request.get("Name"))
        region = self.region(context)
        if name in region.work_groups:
            raise ATHENA.invalid("WorkGroup is already created")
        tags = tag_map(request.get("Tags"))
        region.work_groups[name] = new_work_group(name, request.get("Configuration"), request.get("Description"))
        if tags:
            region.tags[work_group_key(name)] = tags
        return {}

    @handler("GetWorkGroup", expand=False)
    def get_work_group(self, context: RequestContext, request: dict) -> dict:
        return {"WorkGroup": self.work_group(context, request.get("WorkGroup"))}

    @handler("ListWorkGroups", expand=False)
    def list_work_groups(self, context: RequestContext, request: dict) -> dict:
        groups = sorted(self.region(context).work_groups.values(), key=lambda w: w["Name"])
        items, token = ATHENA.page("ListWorkGroups", groups, request, 50)
        out = {"WorkGroups": [{"Name": w["Name"], "State": w["State"], "Description": w.get("Description", ""),
                               "CreationTime": w["CreationTime"], "EngineVersion": ENGINE_VERSION}
                              for w in items]}
        return with_next_token(out, token)

    @handler("UpdateWorkGroup", expand=False)
    def update_work_group(self, context: RequestContext, request: dict) -> dict:
        wg = self.work_group(context, request.get("WorkGroup"))
        updates = request.get("ConfigurationUpdates") or {}
        config = wg["Configuration"]
        for key in ("EnforceWorkGroupConfiguration", "PublishCloudWatchMetricsEnabled", "RequesterPaysEnabled"):
            if key in updates:
                config[key] = updates[key]
        result_updates = updates.get("ResultConfigurationUpdates") or {}
        if result_updates.get("RemoveOutputLocation"):
            config["ResultConfiguration"].pop("OutputLocation", None)
        if result_updates.get("OutputLocation"):
            config["ResultConfiguration"]["OutputLocation"] = result_updates["OutputLocation"]
        if "Description" in request:
            wg["Description"] = request["Description"]
        if request.get("State"):
            wg["State"] = request["State"]
        return {}

    @handler("DeleteWorkGroup", expand=False)
    def delete_work_group(self, context: RequestContext, request: dict) -> dict:
        name = request.get("WorkGroup")
        if name == "primary":
            raise ATHENA.invalid("Cannot delete primary workgroup")
        self.work_group(context, name)
        del self.region(context).work_groups[name]
        self.region(context).tags.pop(work_group_key(name), None)
        return {}

    # --- named queries -----------------------------------------------------
    @handler("CreateNamedQuery", expand=False)
    def create_named_query(self, context: RequestContext, request: dict) -> dict:
        for member in ("Name", "Database", "QueryString"):
            validation.require(request.get(member), member)
        wg = self.work_group(context, request.get("WorkGroup"))
        query_id = str(uuid.uuid4())
        self.region(context).named_queries[query_id] = {
            "Name": request["Name"], "Description": request.get("Description", ""), "Database": request["Database"],
            "QueryString": request["QueryString"], "NamedQueryId": query_id, "WorkGroup": wg["Name"]}
        return {"NamedQueryId": query_id}

    def _named(self, context: RequestContext, query_id: str | None) -> dict:
        return find(self.region(context).named_queries, query_id or "",
                    lambda: ATHENA.not_found(f"NamedQuery {query_id} was not found"))

    @handler("GetNamedQuery", expand=False)
    def get_named_query(self, context: RequestContext, request: dict) -> dict:
        return {"NamedQuery": self._named(context, request.get("NamedQueryId"))}

    @handler("ListNamedQueries", expand=False)
    def list_named_queries(self, context: RequestContext, request: dict) -> dict:
        wg = self.work_group(context, request.get("WorkGroup"))["Name"]
        ids = [q["NamedQueryId"] for q in self.region(context).named_queries.values() if q["WorkGroup"] == wg]
        return ATHENA.paged("ListNamedQueries", "NamedQueryIds", ids, request, 50)

    @handler("BatchGetNamedQuery", expand=False)
    def batch_get_named_query(self, context: RequestContext, request: dict) -> dict:
        found, missing = batch_get(request.get("NamedQueryIds") or [], self.region(context).named_queries.get,
                                   lambda query_id: {"NamedQueryId": query_id, "ErrorCode": "INVALID_INPUT",
                                                     "ErrorMessage": f"NamedQuery {query_id} was not found"})
        return {"NamedQueries": found, "UnprocessedNamedQueryIds": missing}

    @handler("DeleteNamedQuery", expand=False)
    def delete_named_query(self, context: RequestContext, request: dict) -> dict:
        self._named(context, request.get("NamedQueryId"))
        del self.region(context).named_queries[request["NamedQueryId"]]
        return {}
