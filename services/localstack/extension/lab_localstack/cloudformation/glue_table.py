"""AWS::Glue::Table through the lab's Glue.

Properties (AWS's resource reference): CatalogId, DatabaseName, TableInput (Name,
TableType, Parameters, PartitionKeys, StorageDescriptor, ...), Name,
OpenTableFormatInput (passed on to CreateTable). Ref returns the table
name; no Fn::GetAtt attributes. CatalogId and DatabaseName are create-only (a new
database replaces the table); a changed TableInput updates the table (UpdateTable,
which archives a table version as Glue does); a new TableInput.Name makes a new table
and deletes the old one. An unnamed table gets CloudFormation's generated name, lower case.
"""
from __future__ import annotations

import copy

from localstack.services.cloudformation.resource_provider import ResourceRequest

from lab_localstack.cloudformation.base import LabResourceProvider, default_name, schema

TYPE = "AWS::Glue::Table"


def _catalog(model: dict) -> dict:
    return {"CatalogId": model["CatalogId"]} if model.get("CatalogId") else {}


def _table_input(model: dict, name: str) -> dict:
    return {**copy.deepcopy(model.get("TableInput") or {}), "Name": name}


class GlueTableProvider(LabResourceProvider):
    TYPE = TYPE
    SERVICE = "Glue"
    SCHEMA = schema(TYPE, primary=["Name"], create_only=["CatalogId", "DatabaseName"])

    def _create(self, request: ResourceRequest) -> dict:
        model = request.desired_state
        name = ((model.get("TableInput") or {}).get("Name") or model.get("Name")
                or default_name(request, lower=True, limit=255))
        extra = {"OpenTableFormatInput": model["OpenTableFormatInput"]} if model.get("OpenTableFormatInput") else {}
        request.aws_client_factory.glue.create_table(
            **_catalog(model), DatabaseName=model.get("DatabaseName"), TableInput=_table_input(model, name), **extra)
        return {**model, "Name": name}

    def _read(self, request: ResourceRequest) -> dict:
        model = request.desired_state
        table = request.aws_client_factory.glue.get_table(
            **_catalog(model), DatabaseName=model["DatabaseName"], Name=model["Name"])["Table"]
        return {**model, "Name": table["Name"]}

    def _update(self, request: ResourceRequest) -> dict:
        model, before = request.desired_state, request.previous_state or {}
        glue = request.aws_client_factory.glue
        old_name = before["Name"]
        new_name = (model.get("TableInput") or {}).get("Name") or model.get("Name") or old_name
        if new_name.lower() != old_name.lower():
            created = self._create(request)
            glue.delete_table(**_catalog(before), DatabaseName=before["DatabaseName"], Name=old_name)
            return created
        glue.update_table(**_catalog(model), DatabaseName=model["DatabaseName"],
                          TableInput=_table_input(model, old_name))
        return {**model, "Name": old_name}

    def _delete(self, request: ResourceRequest) -> None:
        model = request.previous_state or request.desired_state
        request.aws_client_factory.glue.delete_table(
            **_catalog(model), DatabaseName=model["DatabaseName"], Name=model["Name"])
