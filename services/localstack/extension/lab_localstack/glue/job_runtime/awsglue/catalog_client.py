"""The Data Catalog as a job sees it (boto3 Glue against the lab): a table's location and
format, Kinesis tables' stream, and the sink's catalog update (enableUpdateCatalog)."""
from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import types as T

from awsglue.aws_clients import client


def glue():
    return client("glue")


@dataclass
class TableSource:
    database: str
    table: str
    kind: str                       # "s3" or "kinesis"
    location: str = ""
    classification: str = "json"
    format_options: dict = field(default_factory=dict)
    stream: dict = field(default_factory=dict)        # streamName / streamARN / startingPosition ...
    columns: list[dict] = field(default_factory=list)
    partition_keys: list[str] = field(default_factory=list)


def table_source(database: str, table: str) -> TableSource:
    t = glue().get_table(DatabaseName=database, Name=table)["Table"]
    sd = t.get("StorageDescriptor") or {}
    params = {**(sd.get("Parameters") or {}), **(t.get("Parameters") or {})}
    classification = (params.get("classification") or "").lower()
    serde = ((sd.get("SerdeInfo") or {}).get("SerializationLibrary") or "").lower()
    if not classification:
        classification = "parquet" if "parquet" in serde else "csv" if "lazysimple" in serde or "opencsv" in serde \
            else "json"
    partition_keys = [k["Name"] for k in t.get("PartitionKeys") or []]
    if params.get("typeOfData") == "kinesis" or params.get("streamName") or params.get("streamARN"):
        stream = {k: params[k] for k in ("streamName", "streamARN", "startingPosition") if k in params}
        if not stream.get("streamName") and not stream.get("streamARN") and sd.get("Location"):
            stream["streamName"] = sd["Location"]   # the console puts the stream's name there too
        return TableSource(database, table, "kinesis", classification=classification, stream=stream,
                           columns=sd.get("Columns") or [])
    format_options = {}
    if classification == "csv":
        serde_params = (sd.get("SerdeInfo") or {}).get("Parameters") or {}
        format_options["separator"] = serde_params.get("field.delim", serde_params.get("separatorChar", ","))
        format_options["withHeader"] = params.get("skip.header.line.count", "0") != "0"
    return TableSource(database, table, "s3", location=sd.get("Location") or "", classification=classification,
                       format_options=format_options, columns=sd.get("Columns") or [], partition_keys=partition_keys)


def glue_type(dtype: T.DataType) -> str:
    """A Spark type as the catalog writes it (Hive DDL)."""
    if isinstance(dtype, T.StructType):
        return "struct<" + ",".join(f"{f.name}:{glue_type(f.dataType)}" for f in dtype.fields) + ">"
    if isinstance(dtype, T.ArrayType):
        return f"array<{glue_type(dtype.elementType)}>"
    if isinstance(dtype, T.MapType):
        return f"map<{glue_type(dtype.keyType)},{glue_type(dtype.valueType)}>"
    return {"integer": "int", "long": "bigint", "short": "smallint", "byte": "tinyint"}.get(
        dtype.typeName(), dtype.simpleString())


_SERDE = {
    "parquet": ("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"),
    "json": ("org.openx.data.jsonserde.JsonSerDe", "org.apache.hadoop.mapred.TextInputFormat",
             "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"),
    "csv": ("org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", "org.apache.hadoop.mapred.TextInputFormat",
            "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"),
}


def update_catalog(database: str, table: str, location: str, fmt: str, schema: T.StructType,
                   partition_keys: list[str], partition_values: list[list[str]]) -> None:
    """Create or update the table with the frame's schema, and add its new partitions."""
    serde, input_format, output_format = _SERDE.get(fmt, _SERDE["parquet"])
    columns = [{"Name": f.name, "Type": glue_type(f.dataType)} for f in schema.fields if f.name not in partition_keys]
    sd = {"Columns": columns, "Location": location, "InputFormat": input_format, "OutputFormat": output_format,
          "SerdeInfo": {"SerializationLibrary": serde}}
    table_input = {"Name": table, "StorageDescriptor": sd, "TableType": "EXTERNAL_TABLE",
                   "PartitionKeys": [{"Name": k, "Type": "string"} for k in partition_keys],
                   "Parameters": {"classification": fmt}}
    try:
        glue().create_table(DatabaseName=database, TableInput=table_input)
    except glue().exceptions.AlreadyExistsException:
        glue().update_table(DatabaseName=database, TableInput=table_input)
    inputs = []
    for values in partition_values:
        where = location.rstrip("/") + "/" + "/".join(f"{k}={v}" for k, v in zip(partition_keys, values)) + "/"
        inputs.append({"Values": list(values), "StorageDescriptor": {**sd, "Location": where}})
    for i in range(0, len(inputs), 100):
        glue().batch_create_partition(DatabaseName=database, TableName=table,
                                      PartitionInputList=inputs[i:i + 100])   # existing ones come back as Errors
