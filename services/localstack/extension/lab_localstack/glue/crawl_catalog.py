"""One crawl of one catalog target (CatalogTargets: existing tables as the source), as AWS
documents it: each table's own location is crawled; the folders between the location and
the files are the table's partition keys, in order (`key=value` folders give their value,
other folders their name: Firehose's `YYYY/MM/dd/HH/` fills year, month, day, hour); each new
partition is added with the table's own storage descriptor (SerDe, formats) at its folder.
With UpdateBehavior UPDATE_IN_DATABASE the columns found in the data that the table lacks
are added after its own (types of existing columns are kept); with LOG the schema is left
alone. A table that does not exist fails the crawl, as on AWS (EntityNotFound in the log)."""
from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable

from lab_localstack.data_keys import split_uri
from lab_localstack.glue import crawl
from lab_localstack.glue import schema_inference as infer
from lab_localstack.glue.models import GlueStore, values_key

LOG = logging.getLogger(__name__)
SAMPLED_OBJECTS = 10   # files read for new columns (the table already declares its schema)


class TableMissing(Exception):
    """A catalog target names a table the catalog does not hold."""


def _partition_values(rel: str, depth: int) -> list[str] | None:
    folders = rel.split("/")[:-1]
    if len(folders) < depth:
        return None
    return [m.group(2) if (m := crawl.HIVE_FOLDER.match(f)) else f for f in folders[:depth]]


def _new_columns(table: dict, objects: list[dict], s3, bucket: str, stopping: Callable[[], bool]) -> list[dict]:
    """Columns the data has and the table (columns and partition keys) lacks."""
    merged: dict[str, infer.Sample] = {}
    for obj in objects[:SAMPLED_OBJECTS]:
        if stopping():
            raise crawl.Cancelled()
        crawl.sample_object(s3, bucket, obj, merged)
    sample = next(iter(merged.values()), None)
    if sample is None:
        return []
    if sample.classification == "json":
        infer.finish_json(sample)
    known = {c["Name"].lower() for c in table["StorageDescriptor"].get("Columns", []) + table.get("PartitionKeys", [])}
    return [{"Name": n, "Type": t} for n, t in sample.columns.items() if n.lower() not in known]


def crawl_table(cat: GlueStore, lock, crawler: dict, s3, database: str, table_name: str,
                stopping: Callable[[], bool]) -> crawl.TargetResult:
    """Crawls one existing table's location; the catalog is only touched under `lock`."""
    db, name = database.lower(), table_name.lower()
    with lock:
        table = copy.deepcopy(cat.tables.get(db, {}).get(name))
    if table is None:
        raise TableMissing(f"Table {table_name} not found in database {database}")
    location = (table.get("StorageDescriptor") or {}).get("Location") or ""
    bucket, prefix = split_uri(location)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    objects = crawl.list_objects(s3, bucket, prefix, [])
    keys = table.get("PartitionKeys") or []
    update_schema = (crawler.get("SchemaChangePolicy") or {}).get("UpdateBehavior", "UPDATE_IN_DATABASE") \
        == "UPDATE_IN_DATABASE"
    added_columns = _new_columns(table, objects, s3, bucket, stopping) if objects and update_schema else []
    with lock:
        record = cat.tables.get(db, {}).get(name)
        if record is None:
            raise TableMissing(f"Table {table_name} not found in database {database}")
        if added_columns:
            record["StorageDescriptor"]["Columns"] = record["StorageDescriptor"].get("Columns", []) + added_columns
            record["UpdateTime"] = time.time()
            record.setdefault("Parameters", {})["UPDATED_BY_CRAWLER"] = crawler["Name"]
        added = _add_partitions(cat.table_partitions(db, name), record, objects, len(keys), bucket) if keys else 0
    if objects and keys and not added and all(_partition_values(o["Rel"], len(keys)) is None for o in objects):
        LOG.warning("crawler %s: no file under %s is %d folders deep (the table's partition keys)",
                    crawler["Name"], location, len(keys))
    return crawl.TargetResult(name, False, bool(added_columns) or added > 0, added)


def _add_partitions(parts: dict[str, dict], table: dict, objects: list[dict], depth: int, bucket: str) -> int:
    sd, now, added = table["StorageDescriptor"], time.time(), 0
    for obj in objects:
        values = _partition_values(obj["Rel"], depth)
        if values is None or values_key(values) in parts:
            continue
        folders = obj["Rel"].split("/")[:depth]
        parts[values_key(values)] = {
            "Values": values, "DatabaseName": table["DatabaseName"], "TableName": table["Name"],
            "CatalogId": table.get("CatalogId"), "CreationTime": now, "LastAccessTime": now,
            "StorageDescriptor": dict(copy.deepcopy(sd), Location=f"s3://{bucket}/{obj['Base']}{'/'.join(folders)}/"),
            "Parameters": {}}
        added += 1
    return added
