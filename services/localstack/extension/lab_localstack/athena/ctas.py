"""CREATE TABLE AS SELECT as Athena runs it for Hive tables: the WITH properties
(format PARQUET/TEXTFILE/JSON, write_compression/parquet_compression, field_delimiter,
external_location, partitioned_by, is_external; bucketing, ORC and AVRO refused with a
reason), WITH NO DATA and IF NOT EXISTS; the query's rows written in the format
(file_formats.py) under an empty location, the table (and its partitions) registered in
Glue with the format's SerDe, and the data files reported for the data manifest."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from sqlglot import exp

from lab_localstack import hive
from lab_localstack.athena import engine, errors, file_formats, output_files
from lab_localstack.athena.results import ResultSet, text_result

LOG = logging.getLogger(__name__)
_KNOWN = {"format", "external_location", "write_compression", "parquet_compression", "partitioned_by",
          "table_type", "bucketed_by", "bucket_count", "is_external", "field_delimiter", "orc_compression"}
_WRITABLE = ("PARQUET", "TEXTFILE", "JSON")     # formats of tables the lab also reads


@dataclass
class CtasProperties:
    format: str = "PARQUET"
    location: str | None = None
    compression: str | None = None
    delimiter: str | None = None
    partitioned_by: list[str] = field(default_factory=list)
    bucketed_by: list[str] = field(default_factory=list)
    table_type: str = "HIVE"
    no_data: bool = False                        # ... AS SELECT ... WITH NO DATA


def _value(node: exp.Expression | None) -> str | list[str]:
    if isinstance(node, exp.Array):
        return [e.name for e in node.expressions]
    return "" if node is None else node.name


def properties(create: exp.Create) -> CtasProperties:
    """The WITH (...) of a CTAS; an unknown or unsupported property fails the query."""
    props = CtasProperties()
    for prop in (create.args.get("properties") or exp.Properties(expressions=[])).expressions:
        if isinstance(prop, exp.FileFormatProperty):
            props.format = prop.this.name.upper()
        elif isinstance(prop, exp.PartitionedByProperty):
            props.partitioned_by = [p.lower() for p in _value(prop.this)]
        elif type(prop) is exp.Property:
            name, value = prop.name.lower(), _value(prop.args.get("value"))
            if name not in _KNOWN:
                raise errors.QueryFailed(f"INVALID_TABLE_PROPERTY: Catalog 'awsdatacatalog' table property "
                                         f"'{name}' does not exist")
            if name == "external_location":
                props.location = value
            elif name in ("write_compression", "parquet_compression", "orc_compression"):
                props.compression = value
            elif name == "field_delimiter":
                props.delimiter = value
            elif name == "bucketed_by":
                props.bucketed_by = list(value)
            elif name == "table_type":
                props.table_type = value.upper()
            elif name == "is_external" and prop.args["value"].sql().strip("'").lower() != "true":
                raise errors.QueryFailed("NOT_SUPPORTED: is_external = false is for Iceberg tables; a Hive CTAS "
                                         "table is external")
        elif isinstance(prop, exp.LocationProperty):
            props.location = prop.this.name
        elif isinstance(prop, exp.WithDataProperty):
            props.no_data = bool(prop.args.get("no"))
    if props.table_type != "HIVE":
        raise errors.QueryFailed(f"NOT_SUPPORTED: table_type '{props.table_type}' is not supported by the lab's "
                                 "CTAS (HIVE tables only)")
    if props.bucketed_by:
        raise errors.QueryFailed("NOT_SUPPORTED: bucketed_by/bucket_count are not supported by the lab's CTAS "
                                 "(Hive bucketing needs Hive's bucket hash; use partitioned_by)")
    return props


def run(con: duckdb.DuckDBPyConnection, clients: engine.Clients, create: exp.Create, database: str,
        query_id: str, output_location: str | None, work_dir: Path) -> ResultSet:
    """Runs the CTAS; the result's `data_files` are the S3 URIs written."""
    table = create.this
    db, name = (table.db or database).lower(), table.name.lower()
    props = properties(create)
    ff = file_formats.resolve(props.format, props.compression, props.delimiter, allowed=_WRITABLE)
    try:
        clients.glue.get_table(DatabaseName=db, Name=name)
        if create.args.get("exists"):                # IF NOT EXISTS: nothing to do, as Trino does
            result = text_result("rows", [])
            result.update_count, result.data_files = 0, []
            return result
        raise errors.QueryFailed(f"TABLE_ALREADY_EXISTS: Table 'awsdatacatalog.{db}.{name}' already exists")
    except clients.glue.exceptions.EntityNotFoundException:
        pass
    location = props.location or f"{(output_location or '').rstrip('/')}/tables/{query_id}/"
    location = location if location.endswith("/") else location + "/"
    staging = f"{(output_location or '').rstrip('/')}/tables/{query_id}"
    output_files.require_empty(clients.s3, location, f"HIVE_PATH_ALREADY_EXISTS: Target directory for table "
                               f"'{db}.{name}' already exists: {location}. You may need to manually clean the "
                               f"data at location '{staging}' before retrying. Athena will not delete data in "
                               "your account.")
    analysed = engine.analysed(con, clients, create.expression, database, new_relation=True)
    query = analysed.query
    _check_partition_columns([n.lower() for n, _ in analysed.columns], props.partitioned_by)
    if props.no_data:                                # the table and its schema, no rows
        query = exp.select("*").from_(query.subquery("q")).limit(0)
    written = output_files.write(con, clients.s3, query, location, query_id, work_dir, ff, props.partitioned_by)
    glue_types = {n.lower(): hive.duckdb_to_glue(t) for n, t in written.columns}
    columns = [{"Name": n, "Type": t} for n, t in glue_types.items() if n not in props.partitioned_by]
    keys = [{"Name": k, "Type": glue_types[k]} for k in props.partitioned_by]
    storage, params = file_formats.table_storage(ff, columns, location)
    clients.glue.create_table(DatabaseName=db, TableInput={
        "Name": name, "TableType": "EXTERNAL_TABLE", "PartitionKeys": keys, "StorageDescriptor": storage,
        "Parameters": params})
    for start in range(0, len(written.partitions), 100):
        clients.glue.batch_create_partition(DatabaseName=db, TableName=name, PartitionInputList=[
            {"Values": values, "StorageDescriptor": {**storage, "Location": where}}
            for values, where in written.partitions[start:start + 100]])
    result = text_result("rows", [])
    result.update_count = written.rows
    result.data_files = written.uris
    return result


def _check_partition_columns(names: list[str], keys: list[str]) -> None:
    """Athena: the partition columns are the last columns of the query, in the same order."""
    if not keys:
        return
    if names[-len(keys):] != keys or len(keys) >= len(names):
        raise errors.QueryFailed("HIVE_COLUMN_ORDER_MISMATCH: Partition keys must be the last columns in the "
                                 f"table and in the same order as the table properties: {keys}")
