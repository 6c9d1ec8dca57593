"""The catalog's partition operations: Create/BatchCreate/Get/GetPartitions
(with `Expression`)/BatchGet/Update/Delete/BatchDelete. Mixed into the provider."""
from __future__ import annotations

from localstack.aws.api import CommonServiceException, RequestContext, handler

from lab_localstack.aws_api import GLUE
from lab_localstack.glue import partition_filter, shapes, validation
from lab_localstack.glue.catalog import CatalogAccess
from lab_localstack.glue.models import values_key


def _error_entry(values: list[str], exc: CommonServiceException) -> dict:
    return {"PartitionValues": values, "ErrorDetail": {"ErrorCode": exc.code, "ErrorMessage": exc.message}}


def _segment(parts: list[dict], segment: dict) -> list[dict]:
    """The partitions of one of `TotalSegments` disjoint segments (Glue's parallel listing;
    Trino's Glue metastore asks for 5 at once): a stable split by the partition values, so
    the segments of one listing cover every partition exactly once."""
    total, number = segment.get("TotalSegments"), segment.get("SegmentNumber")
    if not isinstance(total, int) or not 1 <= total <= 10:
        raise GLUE.invalid("Segment.TotalSegments must be between 1 and 10.")
    if not isinstance(number, int) or not 0 <= number < total:
        raise GLUE.invalid(f"Segment.SegmentNumber must be between 0 and {total - 1}.")
    ordered = sorted(parts, key=lambda p: values_key(p["Values"]))
    return [p for i, p in enumerate(ordered) if i % total == number]


class PartitionsApi(CatalogAccess):
    """Partitions of a table."""

    def _add_partition(self, context: RequestContext, table: dict, partition_input: dict) -> None:
        values = validation.partition_values(partition_input.get("Values"), table["PartitionKeys"])
        parts = self.catalog(context).table_partitions(table["DatabaseName"], table["Name"])
        key = values_key(values)
        if key in parts:
            raise GLUE.error("AlreadyExistsException", "Partition already exists.")
        parts[key] = shapes.partition_record(partition_input, table["DatabaseName"], table["Name"],
                                             context.account_id)

    @handler("CreatePartition", expand=False)
    def create_partition(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            table = self.catalog(context).table(request.get("DatabaseName"), request.get("TableName"))
            self._add_partition(context, table, request.get("PartitionInput") or {})
            self.store.save()
        return {}

    @handler("BatchCreatePartition", expand=False)
    def batch_create_partition(self, context: RequestContext, request: dict) -> dict:
        inputs = GLUE.check_length("BatchCreatePartition", "PartitionInputList", request.get("PartitionInputList") or [])
        failed = []
        with self.store.lock:
            table = self.catalog(context).table(request.get("DatabaseName"), request.get("TableName"))
            for partition_input in inputs:
                try:
                    self._add_partition(context, table, partition_input)
                except CommonServiceException as exc:
                    failed.append(_error_entry(partition_input.get("Values") or [], exc))
            self.store.save()
        return {"Errors": failed} if failed else {}

    def _partition(self, context: RequestContext, table: dict, values: list[str] | None) -> dict:
        key = values_key(validation.partition_values(values, table["PartitionKeys"]))
        part = self.catalog(context).table_partitions(table["DatabaseName"], table["Name"]).get(key)
        if part is None:
            raise GLUE.not_found("Cannot find partition.")
        return part

    @handler("GetPartition", expand=False)
    def get_partition(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            table = self.catalog(context).table(request.get("DatabaseName"), request.get("TableName"))
            return {"Partition": shapes.to_response(self._partition(context, table, request.get("PartitionValues")))}

    @handler("GetPartitions", expand=False)
    def get_partitions(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            table = self.catalog(context).table(request.get("DatabaseName"), request.get("TableName"))
            parts = list(self.catalog(context).table_partitions(table["DatabaseName"], table["Name"]).values())
        if request.get("Expression"):
            parts = partition_filter.matching(request["Expression"], table["PartitionKeys"], parts)
        if request.get("Segment"):
            parts = _segment(parts, request["Segment"])
        return GLUE.paged("GetPartitions", "Partitions", parts, request, 1000, shapes.to_response)

    @handler("BatchGetPartition", expand=False)
    def batch_get_partition(self, context: RequestContext, request: dict) -> dict:
        wanted = GLUE.check_length("BatchGetPartition", "PartitionsToGet", request.get("PartitionsToGet") or [])
        found, missing = [], []
        with self.store.lock:
            table = self.catalog(context).table(request.get("DatabaseName"), request.get("TableName"))
            for entry in wanted:
                try:
                    found.append(self._partition(context, table, entry.get("Values")))
                except CommonServiceException:
                    missing.append({"Values": entry.get("Values") or []})
        return {"Partitions": shapes.to_response(found), "UnprocessedKeys": missing}

    @handler("UpdatePartition", expand=False)
    def update_partition(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            table = self.catalog(context).table(request.get("DatabaseName"), request.get("TableName"))
            old = self._partition(context, table, request.get("PartitionValueList"))
            partition_input = request.get("PartitionInput") or {}
            new_values = validation.partition_values(partition_input.get("Values") or old["Values"],
                                                     table["PartitionKeys"])
            parts = self.catalog(context).table_partitions(table["DatabaseName"], table["Name"])
            if values_key(new_values) != values_key(old["Values"]) and values_key(new_values) in parts:
                raise GLUE.error("AlreadyExistsException", "Partition already exists.")
            del parts[values_key(old["Values"])]
            record = shapes.partition_record({**partition_input, "Values": list(new_values)}, table["DatabaseName"],
                                             table["Name"], context.account_id, previous=old)
            parts[values_key(new_values)] = record
            self.store.save()
        return {}

    @handler("DeletePartition", expand=False)
    def delete_partition(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            table = self.catalog(context).table(request.get("DatabaseName"), request.get("TableName"))
            part = self._partition(context, table, request.get("PartitionValues"))
            del self.catalog(context).table_partitions(table["DatabaseName"], table["Name"])[values_key(part["Values"])]
            self.store.save()
        return {}

    @handler("BatchDeletePartition", expand=False)
    def batch_delete_partition(self, context: RequestContext, request: dict) -> dict:
        wanted = GLUE.check_length("BatchDeletePartition", "PartitionsToDelete", request.get("PartitionsToDelete") or [])
        failed = []
        with self.store.lock:
            table = self.catalog(context).table(request.get("DatabaseName"), request.get("TableName"))
            parts = self.catalog(context).table_partitions(table["DatabaseName"], table["Name"])
            for entry in wanted:
                try:
                    part = self._partition(context, table, entry.get("Values"))
                    del parts[values_key(part["Values"])]
                except CommonServiceException as exc:
                    failed.append(_error_entry(entry.get("Values") or [], exc))
            self.store.save()
        return {"Errors": failed} if failed else {}
