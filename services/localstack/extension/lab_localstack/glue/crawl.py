"""One crawl of one S3 target: list the objects (hidden files and Exclusions skipped),
classify and sample them (schema_inference.py), find partitions in the folders
between the target and the files (Hive `key=value/` or Firehose's `YYYY/MM/dd/HH/`
as partition_0..partition_n), and write the table and its partitions to the catalog;
a re-crawl widens/adds columns and adds new partitions (Glue's default
UPDATE_IN_DATABASE schema-change policy)."""
from __future__ import annotations

import fnmatch
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lab_localstack import hive
from lab_localstack.data_keys import is_data_key, relative_key, split_uri
from lab_localstack.glue import schema_inference as infer
from lab_localstack.glue import shapes
from lab_localstack.glue.models import GlueStore, values_key

HIVE_FOLDER = re.compile(r"^([^=/]+)=([^/]*)$")


@dataclass
class TargetResult:
    table: str | None = None
    created: bool = False
    updated: bool = False
    partitions_added: int = 0


class Cancelled(Exception):
    """StopCrawler was called during the crawl."""


def table_name(bucket: str, prefix: str, table_prefix: str = "") -> str:
    last = prefix.rstrip("/").rsplit("/", 1)[-1] or bucket
    return (table_prefix + re.sub(r"[^a-z0-9_]", "_", last.lower()))[:255]


def list_objects(s3, bucket: str, prefix: str, exclusions: list[str]) -> list[dict]:
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            rel = relative_key(item["Key"], prefix)
            if not rel or not is_data_key(item["Key"], prefix):
                continue
            if any(fnmatch.fnmatch(rel, pattern) for pattern in exclusions):
                continue
            out.append({**item, "Rel": rel, "Base": item["Key"][:len(item["Key"]) - len(rel)]})
    return out


def sample_object(s3, bucket: str, obj: dict, merged: dict[str, infer.Sample]) -> str:
    head = s3.get_object(Bucket=bucket, Key=obj["Key"], Range=f"bytes=0-{infer.SAMPLE_BYTES - 1}")["Body"].read()
    if head[:4] == b"PAR1":
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "sample.parquet"
            path.write_bytes(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read())
            sample = infer.infer_parquet(path)
        current = merged.setdefault("parquet", infer.Sample("parquet"))
        for name, typ in sample.columns.items():
            current.columns[name] = infer.merge_types(current.columns.get(name), typ)
        current.records += sample.records
        current.sample_bytes += obj["Size"]
        return "parquet"
    data, compression = infer.decompress_head(head)
    text = data.decode("utf-8", errors="replace")
    current = merged.setdefault("json", infer.Sample("json", compression=compression))
    if infer.infer_json(text, current):
        current.sample_bytes += len(data)
        return "json"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.csv"
        path.write_bytes(data)
        sample = infer.infer_csv(path)
    if sample is None:
        return "UNKNOWN"
    current = merged.setdefault("csv", sample)
    if current is not sample:
        for name, typ in sample.columns.items():
            current.columns[name] = infer.merge_types(current.columns.get(name), typ)
    return "csv"


def _partition_keys(objects: list[dict], depth: int) -> list[str]:
    names = None
    for obj in objects:
        folders = obj["Rel"].split("/")[:depth]
        found = [m.group(1).lower() if (m := HIVE_FOLDER.match(f)) else None for f in folders]
        names = found if names is None else [a if a == b else None for a, b in zip(names, found)]
    return [n or f"partition_{i}" for i, n in enumerate(names or [])]


def _storage(sample: infer.Sample, columns: list[dict], location: str) -> tuple[dict, dict]:
    params = {"classification": sample.classification, "typeOfData": "file",
              "CrawlerSchemaSerializerVersion": "1.0", "CrawlerSchemaDeserializerVersion": "1.0"}
    if sample.classification == "parquet":
        serde, in_fmt, out_fmt = hive.PARQUET_SERDE, *hive.PARQUET_IO
        serde_params = {"serialization.format": "1"}
        params["compressionType"] = "none"
    elif sample.classification == "csv":
        serde, (in_fmt, out_fmt) = hive.LAZY_SIMPLE, hive.TEXT_IO
        serde_params = {"field.delim": sample.delimiter}
        params.update(delimiter=sample.delimiter, areColumnsQuoted="false", compressionType="none")
        if sample.header:
            params["skip.header.line.count"] = "1"
    else:
        serde, (in_fmt, out_fmt) = hive.JSON_SERDE, hive.TEXT_IO
        serde_params = {"paths": ",".join(c["Name"] for c in columns)}
        params["compressionType"] = sample.compression
    sd = {"Columns": columns, "Location": location, "InputFormat": in_fmt, "OutputFormat": out_fmt,
          "Compressed": params.get("compressionType", "none") != "none", "NumberOfBuckets": -1,
          "SerdeInfo": {"SerializationLibrary": serde, "Parameters": serde_params},
          "BucketColumns": [], "SortColumns": [], "Parameters": dict(params), "StoredAsSubDirectories": False}
    return sd, params


def crawl_target(cat: GlueStore, lock, account: str, crawler: dict, s3, path: str, exclusions: list[str],
                 stopping: Callable[[], bool]) -> TargetResult:
    """Crawls one S3 target; the catalog is only touched under `lock`."""
    bucket, prefix = split_uri(path)
    objects = list_objects(s3, bucket, prefix, exclusions)
    if not objects:
        return TargetResult()
    merged: dict[str, infer.Sample] = {}
    kinds = Counter()
    for obj in objects:
        if stopping():
            raise Cancelled()
        kinds[sample_object(s3, bucket, obj, merged)] += 1
    classification = kinds.most_common(1)[0][0]
    sample = merged.get(classification) or infer.Sample("UNKNOWN")
    if classification == "json":
        infer.finish_json(sample)
    depth = min(len(o["Rel"].split("/")) - 1 for o in objects)
    keys = _partition_keys(objects, depth)
    with lock:
        name = table_name(bucket, prefix, crawler.get("TablePrefix", ""))
        db = crawler["DatabaseName"].lower()
        tables = cat.tables.setdefault(db, {})
        previous = tables.get(name)
        columns = _merged_columns(previous, sample)
        sd, params = _storage(sample, columns, f"s3://{bucket}/{prefix}")
        params.update(objectCount=str(len(objects)), sizeKey=str(sum(o["Size"] for o in objects)),
                      recordCount=str(sample.records),
                      averageRecordSize=str(sample.sample_bytes // max(sample.records, 1)),
                      UPDATED_BY_CRAWLER=crawler["Name"])
        table_input = {"Name": name, "TableType": "EXTERNAL_TABLE", "Parameters": params, "StorageDescriptor": sd,
                       "PartitionKeys": [{"Name": k, "Type": "string"} for k in keys],
                       "Owner": "owner", "Retention": 0}
        record = shapes.table_record(table_input, db, account, previous=previous)
        record["CreatedBy"] = f"arn:aws:sts::{account}:assumed-role/{crawler['Role'].rsplit('/', 1)[-1]}/AWS-Crawler"
        changed = previous is None or previous["StorageDescriptor"]["Columns"] != columns or \
            previous.get("PartitionKeys") != record["PartitionKeys"]
        if changed:
            cat.put_table(record)
        added = _add_partitions(cat.table_partitions(db, name), record, objects, depth, bucket) if keys else 0
        return TargetResult(name, previous is None, previous is not None and (changed or added > 0), added)


def _merged_columns(previous: dict | None, sample: infer.Sample) -> list[dict]:
    """The sample's columns; on a re-crawl the table's columns first (types widened), new ones after."""
    columns = [{"Name": n, "Type": t} for n, t in sample.columns.items()]
    if not previous:
        return columns
    old = previous["StorageDescriptor"]["Columns"]
    known = {c["Name"] for c in old}
    widened = [dict(c, Type=infer.merge_types(c["Type"], sample.columns.get(c["Name"])) or c["Type"]) for c in old]
    return widened + [c for c in columns if c["Name"] not in known]


def _add_partitions(parts: dict[str, dict], table: dict, objects: list[dict], depth: int, bucket: str) -> int:
    """Partitions for the objects' folders that the table does not have yet; how many were added."""
    sd, now, added = table["StorageDescriptor"], time.time(), 0
    params = {k: v for k, v in table["Parameters"].items() if k != "UPDATED_BY_CRAWLER"}
    for obj in objects:
        folders = obj["Rel"].split("/")[:depth]
        values = [m.group(2) if (m := HIVE_FOLDER.match(v)) else v for v in folders]
        key = values_key(values)
        if key in parts:
            continue
        parts[key] = {"Values": values, "DatabaseName": table["DatabaseName"], "TableName": table["Name"],
                      "CatalogId": table["CatalogId"], "CreationTime": now, "LastAccessTime": now,
                      "StorageDescriptor": dict(sd, Location=f"s3://{bucket}/{obj['Base']}{'/'.join(folders)}/"),
                      "Parameters": params}
        added += 1
    return added
