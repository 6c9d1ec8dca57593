"""AWS::Glue::Database through the lab's Glue.

Properties (AWS's resource reference): CatalogId, DatabaseInput (Name, Description,
LocationUri, Parameters, ...), DatabaseName. Ref returns the database name; the type
has no Fn::GetAtt attributes. CatalogId and DatabaseName are create-only; a change of
DatabaseInput updates the database in place (UpdateDatabase), and a new
DatabaseInput.Name makes a new database and deletes the old one (Glue cannot rename).
An unnamed database gets CloudFormation's generated name, in lower case as Glue keeps it.
"""
from __future__ import annotations

import copy

from localstack.services.cloudformation.resource_provider import ResourceRequest

from lab_localstack.cloudformation.base import LabResourceProvider, default_name, schema

TYPE = "AWS::Glue::Database"


def _catalog(model: dict) -> dict:
    return {"CatalogId": model["CatalogId"]} if model.get("CatalogId") else {}


def _database_input(model: dict, name: str) -> dict:
    return {**copy.deepcopy(model.get("DatabaseInput") or {}), "Name": name}


class GlueDatabaseProvider(LabResourceProvider):
    TYPE = TYPE
    SERVICE = "Glue"
    SCHEMA = schema(TYPE, primary=["DatabaseName"], create_only=["CatalogId", "DatabaseName"])

    def _create(self, request: ResourceRequest) -> dict:
        model = request.desired_state
        name = ((model.get("DatabaseInput") or {}).get("Name") or model.get("DatabaseName")
                or default_name(request, lower=True, limit=255))
        request.aws_client_factory.glue.create_database(
            **_catalog(model), DatabaseInput=_database_input(model, name))
        return {**model, "DatabaseName": name}

    def _read(self, request: ResourceRequest) -> dict:
        model = request.desired_state
        db = request.aws_client_factory.glue.get_database(**_catalog(model), Name=model["DatabaseName"])["Database"]
        return {**model, "DatabaseName": db["Name"]}

    def _update(self, request: ResourceRequest) -> dict:
        model, before = request.desired_state, request.previous_state or {}
        glue = request.aws_client_factory.glue
        old_name = before["DatabaseName"]
        new_name = (model.get("DatabaseInput") or {}).get("Name") or old_name
        if new_name.lower() != old_name.lower():
            created = self._create(request)
            glue.delete_database(**_catalog(before), Name=old_name)
            return created
        glue.update_database(**_catalog(model), Name=old_name, DatabaseInput=_database_input(model, old_name))
        return {**model, "DatabaseName": old_name}

    def _delete(self, request: ResourceRequest) -> None:
        model = request.previous_state or request.desired_state
        request.aws_client_factory.glue.delete_database(**_catalog(model), Name=model["DatabaseName"])
