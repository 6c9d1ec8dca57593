"""AWS::Glue::Partition through the lab's Glue.

Properties (AWS's resource reference): CatalogId, DatabaseName, TableName,
PartitionInput (Values, StorageDescriptor, Parameters, ...). CatalogId, DatabaseName
and TableName are create-only; a changed PartitionInput (its values included) is
applied with UpdatePartition. AWS documents that Ref returns the partition's Id
without saying what the Id looks like: here it is database|table|value|value...
(lab's choice, stable for one partition), with Fn::GetAtt Id giving the same.
"""
from __future__ import annotations

from localstack.services.cloudformation.resource_provider import ResourceRequest

from lab_localstack.cloudformation.base import LabResourceProvider, schema

TYPE = "AWS::Glue::Partition"


def _catalog(model: dict) -> dict:
    return {"CatalogId": model["CatalogId"]} if model.get("CatalogId") else {}


def _values(model: dict) -> list[str]:
    return [str(v) for v in (model.get("PartitionInput") or {}).get("Values") or []]


def _with_id(model: dict) -> dict:
    return {**model, "Id": "|".join([model["DatabaseName"], model["TableName"], *_values(model)])}


class GluePartitionProvider(LabResourceProvider):
    TYPE = TYPE
    SERVICE = "Glue"
    SCHEMA = schema(TYPE, primary=["Id"], create_only=["CatalogId", "DatabaseName", "TableName"], read_only=["Id"])

    def _create(self, request: ResourceRequest) -> dict:
        model = request.desired_state
        request.aws_client_factory.glue.create_partition(
            **_catalog(model), DatabaseName=model.get("DatabaseName"), TableName=model.get("TableName"),
            PartitionInput={**(model.get("PartitionInput") or {}), "Values": _values(model)})
        return _with_id(model)

    def _read(self, request: ResourceRequest) -> dict:
        model = request.desired_state
        request.aws_client_factory.glue.get_partition(
            **_catalog(model), DatabaseName=model["DatabaseName"], TableName=model["TableName"],
            PartitionValues=_values(model))
        return _with_id(model)

    def _update(self, request: ResourceRequest) -> dict:
        model, before = request.desired_state, request.previous_state or {}
        request.aws_client_factory.glue.update_partition(
            **_catalog(model), DatabaseName=model["DatabaseName"], TableName=model["TableName"],
            PartitionValueList=_values(before),
            PartitionInput={**(model.get("PartitionInput") or {}), "Values": _values(model)})
        return _with_id(model)

    def _delete(self, request: ResourceRequest) -> None:
        model = request.previous_state or request.desired_state
        request.aws_client_factory.glue.delete_partition(
            **_catalog(model), DatabaseName=model["DatabaseName"], TableName=model["TableName"],
            PartitionValues=_values(model))
