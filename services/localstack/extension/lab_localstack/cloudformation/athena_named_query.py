"""AWS::Athena::NamedQuery through the lab's Athena.

Properties (AWS's resource reference): Database, Description, Name, QueryString,
WorkGroup; every one of them is create-only (a change replaces the saved query).
Ref returns the NamedQueryId (the id CreateNamedQuery returns); Fn::GetAtt
NamedQueryId gives the same. An unnamed query gets CloudFormation's generated name
(the API requires one).
"""
from __future__ import annotations

from localstack.services.cloudformation.resource_provider import ResourceRequest

from lab_localstack.cloudformation.base import LabResourceProvider, default_name, schema

TYPE = "AWS::Athena::NamedQuery"
PROPERTIES = ("Database", "Description", "Name", "QueryString", "WorkGroup")


class AthenaNamedQueryProvider(LabResourceProvider):
    TYPE = TYPE
    SERVICE = "Athena"
    SCHEMA = schema(TYPE, primary=["NamedQueryId"], create_only=list(PROPERTIES), read_only=["NamedQueryId"])

    def _create(self, request: ResourceRequest) -> dict:
        model = {**request.desired_state}
        model.setdefault("Name", default_name(request))
        given = {key: model[key] for key in PROPERTIES if model.get(key)}
        query_id = request.aws_client_factory.athena.create_named_query(**given)["NamedQueryId"]
        return {**model, "NamedQueryId": query_id}

    def _read(self, request: ResourceRequest) -> dict:
        model = request.desired_state
        request.aws_client_factory.athena.get_named_query(NamedQueryId=model["NamedQueryId"])
        return model

    def _update(self, request: ResourceRequest) -> dict:
        return {**request.desired_state, "NamedQueryId": (request.previous_state or {})["NamedQueryId"]}

    def _delete(self, request: ResourceRequest) -> None:
        model = request.previous_state or request.desired_state
        request.aws_client_factory.athena.delete_named_query(NamedQueryId=model["NamedQueryId"])
