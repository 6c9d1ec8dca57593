"""Partition indexes: CreatePartitionIndex, GetPartitionIndexes, DeletePartitionIndex, and
`PartitionIndexes` at CreateTable (Terraform's aws_glue_catalog_table reads them after every
create and refresh). An index is a list of the table's partition keys; at most 3 per table,
as AWS allows. The lab's partition filter needs no index, so an index is ACTIVE at once
(AWS shows CREATING while it backfills). Mixed into the provider."""
from __future__ import annotations

import copy

from localstack.aws.api import RequestContext, handler

from lab_localstack.aws_api import GLUE
from lab_localstack.glue import validation
from lab_localstack.glue.catalog import CatalogAccess
from lab_localstack.glue.models import GlueStore, table_key

MAX_INDEXES = 3


def add_index(cat: GlueStore, table: dict, index: dict) -> None:
    """Store one PartitionIndex ({Keys, IndexName}) of a table, with Glue's checks."""
    name = index.get("IndexName")
    validation.require(name, "partitionIndex.indexName")
    keys = index.get("Keys") or []
    validation.require(keys or None, "partitionIndex.keys")
    types = {k["Name"]: k.get("Type", "string") for k in table.get("PartitionKeys") or []}
    for key in keys:
        if key not in types:
            raise GLUE.invalid(f"Index key {key} is not a partition key of table {table['Name']}.")
    indexes = cat.partition_indexes.setdefault(table_key(table['DatabaseName'], table['Name']), [])
    if any(i["IndexName"] == name for i in indexes):
        raise GLUE.error("AlreadyExistsException", f"Partition index {name} already exists.")
    if len(indexes) >= MAX_INDEXES:
        raise GLUE.error("ResourceNumberLimitExceededException", f"A table can have at most {MAX_INDEXES} partition indexes.")
    indexes.append({"IndexName": name, "Keys": [{"Name": k, "Type": types[k]} for k in keys],
                    "IndexStatus": "ACTIVE"})


class PartitionIndexesApi(CatalogAccess):
    """Partition indexes of a table."""

    @handler("CreatePartitionIndex", expand=False)
    def create_partition_index(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            cat = self.catalog(context)
            table = cat.table(request.get("DatabaseName"), request.get("TableName"))
            add_index(cat, table, request.get("PartitionIndex") or {})
            self.store.save()
        return {}

    @handler("GetPartitionIndexes", expand=False)
    def get_partition_indexes(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            cat = self.catalog(context)
            table = cat.table(request.get("DatabaseName"), request.get("TableName"))
            indexes = copy.deepcopy(cat.partition_indexes.get(table_key(table['DatabaseName'], table['Name']), []))
        return {"PartitionIndexDescriptorList": indexes}

    @handler("DeletePartitionIndex", expand=False)
    def delete_partition_index(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            cat = self.catalog(context)
            table = cat.table(request.get("DatabaseName"), request.get("TableName"))
            indexes = cat.partition_indexes.get(table_key(table['DatabaseName'], table['Name']), [])
            kept = [i for i in indexes if i["IndexName"] != request.get("IndexName")]
            if len(kept) == len(indexes):
                raise GLUE.not_found(f"Partition index {request.get('IndexName')} not found.")
            indexes[:] = kept
            self.store.save()
        return {}
