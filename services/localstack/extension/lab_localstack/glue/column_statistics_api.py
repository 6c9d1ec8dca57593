"""Column statistics of tables and partitions (Update/Get/Delete ColumnStatisticsFor{Table,
Partition}), kept as given, and GetUserDefinedFunctions (the lab's catalogs hold none). Trino's
Hive connector on Glue calls them on every CREATE TABLE / CTAS / INSERT commit and when
planning, so Athena on Trino needs them. Mixed into the provider."""
from __future__ import annotations

import copy

from localstack.aws.api import RequestContext, handler

from lab_localstack.aws_api import GLUE
from lab_localstack.glue import shapes, validation
from lab_localstack.glue.catalog import CatalogAccess
from lab_localstack.glue.models import GlueStore, table_key, values_key

MAX_COLUMNS = 25   # AWS: at most 25 ColumnStatistics per Update call


def _owner(cat: GlueStore, request: dict, values: list[str] | None) -> dict[str, dict]:
    """The column -> ColumnStatistics map of a table (values None) or one of its partitions."""
    table = cat.table(request.get("DatabaseName"), request.get("TableName"))
    key = table_key(table["DatabaseName"], table["Name"])
    if values is not None:
        part_key = values_key(validation.partition_values(values, table["PartitionKeys"]))
        if part_key not in cat.table_partitions(table["DatabaseName"], table["Name"]):
            raise GLUE.not_found("Partition not found.")
        key = f"{key}/{part_key}"
    return cat.column_statistics.setdefault(key, {})


def _columns_of(request: dict) -> list[str]:
    names = request.get("ColumnNames") or []
    validation.require(names or None, "columnNames")
    return names


class ColumnStatisticsApi(CatalogAccess):
    """Column statistics and user-defined functions."""

    def _update(self, context: RequestContext, request: dict, values: list[str] | None) -> dict:
        stats = request.get("ColumnStatisticsList") or []
        if len(stats) > MAX_COLUMNS:
            raise GLUE.invalid(f"ColumnStatisticsList may hold at most {MAX_COLUMNS} entries.")
        with self.store.lock:
            owner = _owner(self.catalog(context), request, values)
            for entry in stats:
                validation.require(entry.get("ColumnName"), "columnStatistics.columnName")
                owner[entry["ColumnName"].lower()] = shapes.to_storage(copy.deepcopy(entry))
            self.store.save()
        return {"Errors": []}

    def _get(self, context: RequestContext, request: dict, values: list[str] | None) -> dict:
        with self.store.lock:
            owner = _owner(self.catalog(context), request, values)
            found, errors = [], []
            for name in _columns_of(request):
                if name.lower() in owner:
                    found.append(shapes.to_response(copy.deepcopy(owner[name.lower()])))
                else:
                    errors.append({"ColumnName": name, "Error": {
                        "ErrorCode": "EntityNotFoundException", "ErrorMessage": "Statistics do not exist for this column"}})
        return {"ColumnStatisticsList": found, "Errors": errors}

    def _delete(self, context: RequestContext, request: dict, values: list[str] | None) -> dict:
        validation.require(request.get("ColumnName"), "columnName")
        with self.store.lock:
            _owner(self.catalog(context), request, values).pop(request["ColumnName"].lower(), None)
            self.store.save()
        return {}

    @handler("UpdateColumnStatisticsForTable", expand=False)
    def update_column_statistics_for_table(self, context: RequestContext, request: dict) -> dict:
        return self._update(context, request, None)

    @handler("GetColumnStatisticsForTable", expand=False)
    def get_column_statistics_for_table(self, context: RequestContext, request: dict) -> dict:
        return self._get(context, request, None)

    @handler("DeleteColumnStatisticsForTable", expand=False)
    def delete_column_statistics_for_table(self, context: RequestContext, request: dict) -> dict:
        return self._delete(context, request, None)

    @handler("UpdateColumnStatisticsForPartition", expand=False)
    def update_column_statistics_for_partition(self, context: RequestContext, request: dict) -> dict:
        return self._update(context, request, request.get("PartitionValues") or [])

    @handler("GetColumnStatisticsForPartition", expand=False)
    def get_column_statistics_for_partition(self, context: RequestContext, request: dict) -> dict:
        return self._get(context, request, request.get("PartitionValues") or [])

    @handler("DeleteColumnStatisticsForPartition", expand=False)
    def delete_column_statistics_for_partition(self, context: RequestContext, request: dict) -> dict:
        return self._delete(context, request, request.get("PartitionValues") or [])

    @handler("GetUserDefinedFunctions", expand=False)
    def get_user_defined_functions(self, context: RequestContext, request: dict) -> dict:
        validation.require(request.get("Pattern"), "pattern")
        return {"UserDefinedFunctions": []}
