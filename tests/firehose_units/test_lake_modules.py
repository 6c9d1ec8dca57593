"""Unit tests of the lab Firehose's data-lake modules: dynamic partitioning (de-aggregation,
jq keys, prefixes) and format conversion (Glue types, JSON SerDes, Parquet/ORC written with
pyarrow and read back with pyarrow's readers). Expectations come from AWS's developer guide
examples and from independent computation (datetime, json)."""
import base64
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.orc as pa_orc
import pyarrow.parquet as pq
import pytest
from lab_localstack.firehose import error_records, partitioning, s3_keys
from lab_localstack.firehose.error_records import CatalogTable, ProcessingFailure
from lab_localstack.firehose.format_conversion import RowBuilder, conversion_settings, write_rows
from lab_localstack.firehose.glue_types import ConversionError, arrow_type

pytestmark = pytest.mark.unit

# AWS's sample record from "Understand partitioning keys" and its jq query (CDK's jq16 example).
AWS_RECORD = {"type": {"device": "mobile", "event": "user_clicked_submit_button"},
              "customer_id": "1234567890", "event_timestamp": 1565382027, "region": "sample_region"}
AWS_QUERY = '{customer_id: .customer_id, device: .type.device, year: .event_timestamp|strftime("%Y")}'


def test_jq_query_extracts_aws_example_keys():
    program = partitioning.compile_query(AWS_QUERY)
    keys = partitioning.keys_from_query(program, json.dumps(AWS_RECORD).encode())
    expected_year = datetime.fromtimestamp(1565382027, tz=UTC).strftime("%Y")
    assert keys == {"customer_id": "1234567890", "device": "mobile", "year": expected_year}


def test_prefix_evaluates_partition_keys_without_default_time_folders():
    keys = partitioning.record_keys({"year": "2019", "device": "mobile"}, {"customer": 42})
    when = datetime(2019, 8, 9, 20, 20, tzinfo=UTC)
    prefix = "data/!{partitionKeyFromQuery:year}/!{partitionKeyFromQuery:device}/!{partitionKeyFromLambda:customer}/"
    assert s3_keys.expand_prefix(prefix, when, partition_keys=keys) == "data/2019/mobile/42/"
    assert s3_keys.partition_expressions(prefix) == [
        ("partitionKeyFromQuery", "year"), ("partitionKeyFromQuery", "device"), ("partitionKeyFromLambda", "customer")]
    with pytest.raises(partitioning.PartitionKeyError):
        s3_keys.expand_prefix("!{partitionKeyFromQuery:missing}/", when, partition_keys=keys)


@pytest.mark.parametrize("data, message", [
    (b"not json", "Non JSON record provided"),
    (b'{"customer_id": null}', "partitionKeys values must not be null or empty"),
    (b'{"customer_id": ""}', "partitionKeys values must not be null or empty"),
])
def test_records_whose_keys_cannot_be_extracted(data, message):
    program = partitioning.compile_query("{customer_id: .customer_id}")
    with pytest.raises(partitioning.PartitionKeyError, match=message):
        partitioning.record_keys(partitioning.keys_from_query(program, data), {})


def test_json_deaggregation_splits_consecutive_and_newline_objects():
    assert partitioning.deaggregate(b'{"a":1}{"a":2}\n{"a":3}\n', "JSON") == [b'{"a":1}', b'{"a":2}', b'{"a":3}']
    # an array is not valid input (AWS): the record stays whole
    assert partitioning.deaggregate(b'[{"a":1},{"a":2}]', "JSON") == [b'[{"a":1},{"a":2}]']
    many = b"".join(b'{"i":%d}' % i for i in range(501))
    assert partitioning.deaggregate(many, "JSON") == [many], "more than 500 sub-records: passed whole"


def test_delimited_deaggregation_uses_base64_delimiter():
    delimiter = partitioning.decode_delimiter("IyMjIw==", "Delimiter")   # AWS's example: ####
    assert delimiter == b"####"
    assert partitioning.deaggregate(b"a####b####c", "DELIMITED", delimiter) == [b"a", b"b", b"c"]


def test_processor_params_read_the_processors():
    params = partitioning.processor_params({"Enabled": True, "Processors": [
        {"Type": "MetadataExtraction", "Parameters": [
            {"ParameterName": "MetadataExtractionQuery", "ParameterValue": AWS_QUERY},
            {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]},
        {"Type": "RecordDeAggregation", "Parameters": [{"ParameterName": "SubRecordType", "ParameterValue": "JSON"}]},
        {"Type": "AppendDelimiterToRecord", "Parameters": []},
    ]})
    assert (params.metadata_query, params.deaggregation, params.append_delimiter) == (AWS_QUERY, "JSON", b"\n")


# --- format conversion --------------------------------------------------------------------
COLUMNS = [{"Name": "host", "Type": "string"}, {"Name": "bytes", "Type": "bigint"},
           {"Name": "ok", "Type": "boolean"}, {"Name": "at", "Type": "timestamp"},
           {"Name": "day", "Type": "date"}, {"Name": "price", "Type": "decimal(10,2)"},
           {"Name": "tags", "Type": "array<string>"}, {"Name": "attrs", "Type": "map<string,int>"},
           {"Name": "geo", "Type": "struct<lat:double,lon:double>"}]


@pytest.mark.parametrize("glue, arrow", [
    ("string", pa.string()), ("varchar(20)", pa.string()), ("int", pa.int32()), ("bigint", pa.int64()),
    ("double", pa.float64()), ("boolean", pa.bool_()), ("timestamp", pa.timestamp("ms")),
    ("date", pa.date32()), ("decimal(10,2)", pa.decimal128(10, 2)), ("array<int>", pa.list_(pa.int32())),
    ("map<string,bigint>", pa.map_(pa.string(), pa.int64())),
    ("struct<a:int,b:array<string>>", pa.struct([("a", pa.int32()), ("b", pa.list_(pa.string()))])),
])
def test_glue_types_map_to_arrow(glue, arrow):
    assert arrow_type(glue) == arrow


def openx(**options) -> RowBuilder:
    settings = conversion_settings({
        "SchemaConfiguration": {"DatabaseName": "db", "TableName": "t"},
        "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": options}},
        "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}}})
    return RowBuilder(COLUMNS, settings.deserializer)


def test_openx_drops_unknown_attributes_and_coerces_types():
    record = {"HOST": "a.example", "bytes": "1234", "ok": "true", "at": "2017-02-07T15:13:01.39256Z",
              "day": "2017-02-07", "price": 12.5, "tags": ["x"], "attrs": {"k": 1},
              "geo": {"Lat": 1.5, "lon": 2}, "extra": "dropped"}
    row = openx().rows(json.dumps(record).encode())[0]
    assert row == {"host": "a.example", "bytes": 1234, "ok": True,
                   "at": datetime(2017, 2, 7, 15, 13, 1, 392560, tzinfo=UTC), "day": date(2017, 2, 7),
                   "price": Decimal("12.50"), "tags": ["x"], "attrs": [("k", 1)], "geo": {"lat": 1.5, "lon": 2.0}}


def test_openx_options_dots_case_and_mappings():
    row = openx(ConvertDotsInJsonKeysToUnderscores=True, ColumnToJsonKeyMappings={"bytes": "size.in.bytes"}) \
        .rows(b'{"size.in.bytes": 7, "host": "h"}')[0]
    assert (row["host"], row["bytes"]) == ("h", 7)
    assert openx(CaseInsensitive=False).rows(b'{"HOST": "h"}')[0]["host"] is None


@pytest.mark.parametrize("value", [1486480381, 1486480381000, "2017-02-07 15:13:01"])
def test_openx_timestamps_epoch_seconds_millis_and_hive_format(value):
    row = openx().rows(json.dumps({"at": value}).encode())[0]
    assert row["at"] == datetime(2017, 2, 7, 15, 13, 1, tzinfo=UTC)


def test_hive_timestamp_formats():
    settings = conversion_settings({
        "SchemaConfiguration": {"DatabaseName": "db", "TableName": "t"},
        "InputFormatConfiguration": {"Deserializer": {"HiveJsonSerDe": {
            "TimestampFormats": ["dd/MM/yyyy HH:mm:ss", "millis"]}}},
        "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}}})
    builder = RowBuilder(COLUMNS, settings.deserializer)
    assert builder.rows(b'{"at": "07/02/2017 15:13:01"}')[0]["at"] == datetime(2017, 2, 7, 15, 13, 1, tzinfo=UTC)
    assert builder.rows(b'{"at": 1486480381000}')[0]["at"] == datetime(2017, 2, 7, 15, 13, 1, tzinfo=UTC)


@pytest.mark.parametrize("data", [b"not json", b"[1, 2]", b'{"bytes": "many"}', b'{"bytes": 1.5}',
                                  b'{"at": "yesterday"}', b'{"price": 123456789012}'])
def test_records_that_do_not_fit_fail(data):
    with pytest.raises(ConversionError):
        openx().rows(data)


def test_a_record_may_hold_several_json_objects_but_not_an_array():
    assert [r["host"] for r in openx().rows(b'{"host": "a"}{"host": "b"}\n{"host": "c"}\n')] == ["a", "b", "c"]
    with pytest.raises(ConversionError):
        openx().rows(b'[{"host": "a"}, {"host": "b"}]')


@pytest.mark.parametrize("serializer", [{"ParquetSerDe": {"Compression": "GZIP", "WriterVersion": "V2"}},
                                        {"ParquetSerDe": {"Compression": "UNCOMPRESSED"}},
                                        {"OrcSerDe": {"Compression": "ZLIB"}}])
def test_written_files_read_back_with_pyarrow(serializer):
    settings = conversion_settings({
        "SchemaConfiguration": {"DatabaseName": "db", "TableName": "t"},
        "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
        "OutputFormatConfiguration": {"Serializer": serializer}})
    builder = RowBuilder(COLUMNS[:4], settings.deserializer)
    records = [{"host": f"h{i}", "bytes": i * 1000, "ok": i % 2 == 0, "at": 1486480381 + i} for i in range(50)]
    body = write_rows([builder.rows(json.dumps(r).encode())[0] for r in records], builder.schema, settings.serializer)
    reader = pa_orc.read_table if "OrcSerDe" in serializer else pq.read_table
    table = reader(io.BytesIO(body))
    assert table.column_names == ["host", "bytes", "ok", "at"]
    for record, row in zip(records, table.to_pylist()):
        assert row["host"] == record["host"] and row["bytes"] == record["bytes"] and row["ok"] == record["ok"]
        assert row["at"].replace(tzinfo=UTC) == datetime.fromtimestamp(record["at"], tz=UTC)
    if "ParquetSerDe" in serializer:
        codec = pq.ParquetFile(io.BytesIO(body)).metadata.row_group(0).column(0).compression
        assert codec == serializer["ParquetSerDe"]["Compression"]


def test_format_conversion_failed_record_has_aws_fields():
    table = CatalogTable("123456789012", "db", "t", "us-east-1", "0")
    line = error_records.format_conversion_failed_line(
        1000, b'{"bytes": "x"}', ProcessingFailure("DataFormatConversion.MalformedData", "bad", 1, 2000), table,
        {"sequenceNumber": "495", "subsequenceNumber": 0})
    doc = json.loads(line)
    assert list(doc) == ["attemptsMade", "arrivalTimestamp", "lastErrorCode", "lastErrorMessage",
                         "attemptEndingTimestamp", "rawData", "sequenceNumber", "subSequenceNumber",
                         "dataCatalogTable"]
    assert base64.b64decode(doc["rawData"]) == b'{"bytes": "x"}'
    assert doc["dataCatalogTable"] == {"catalogId": "123456789012", "databaseName": "db", "tableName": "t",
                                       "region": "us-east-1", "versionId": "0",
                                       "catalogArn": "arn:aws:glue:us-east-1:123456789012:catalog"}


@pytest.mark.parametrize("query", ["pick(.a)", ".a|abs", ".a|trim", ".a|@base32d", '.a|scan("x"; "g")'])
def test_jq_17_builtins_are_refused_as_aws_runs_jq_16(query):
    with pytest.raises(ValueError, match="not available in jq 1.6"):
        partitioning.compile_query(query)


def test_jq_16_numbers_print_without_a_fraction():
    program = partitioning.compile_query("{n: .n}")
    keys = partitioning.keys_from_query(program, b'{"n": 1.0}')
    assert partitioning.record_keys(keys, {}).lookup("partitionKeyFromQuery", "n") == "1"
    assert partitioning.compile_query('{k: "pick abs"}') is not None, "words inside strings are not builtins"


def test_parquet_block_size_bounds_row_groups():
    from lab_localstack.firehose.format_conversion import Serializer

    schema = pa.schema([("a", pa.string())])
    body = write_rows([{"a": "x" * 1000}] * 1000, schema, Serializer("parquet", (("BlockSizeBytes", 100_000),)))
    groups = pq.ParquetFile(io.BytesIO(body)).metadata.num_row_groups
    assert 9 <= groups <= 12, groups   # ~1,000,000 bytes of values in blocks of 100,000
    assert pq.read_table(io.BytesIO(body)).num_rows == 1000
