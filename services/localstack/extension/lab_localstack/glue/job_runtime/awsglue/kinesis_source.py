"""The Kinesis streaming source: a Spark 4 Python data source (`lab_kinesis`) reading a stream
through boto3 against the lab (no Kinesis connector jar can be had offline).

It is a SimpleDataSourceStreamReader: each micro-batch reads, per shard, what arrived after
the previous batch's end (at most maxFetchRecordsPerShard), and the end offset is the last
sequence number read per shard. Spark keeps the offsets in the query's checkpoint, so a
query restarted on the same checkpoint goes on where it stopped, and a batch that was
planned but not committed is read again exactly (readBetweenOffsets), giving the same records.

Offsets per shard: "TRIM_HORIZON", "AT_TIMESTAMP:<epoch s>" (startingPosition LATEST is the
query's start time: deterministic on a re-read, unlike a LATEST iterator) or "AFTER:<seq>".
Shards that appear later (resharding) start at TRIM_HORIZON. Rows are one column, the record's
data as text: `$json$data_infer_schema$_temporary$`, the name AWS Glue gives it before
schema inference; awsglue.streaming parses it per batch.
"""
from __future__ import annotations

import time
from collections.abc import Iterator

from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader
from pyspark.sql.types import StringType, StructField, StructType

RAW_COLUMN = "$json$data_infer_schema$_temporary$"
GET_RECORDS_LIMIT = 10000


def starting_offset(position: str) -> str:
    """Glue's startingPosition (TRIM_HORIZON/earliest, LATEST/latest, or an ISO timestamp)."""
    value = (position or "LATEST").strip()
    if value.upper() in ("TRIM_HORIZON", "EARLIEST"):
        return "TRIM_HORIZON"
    if value.upper() in ("LATEST",):
        return f"AT_TIMESTAMP:{time.time()}"
    import datetime as dt

    try:
        return f"AT_TIMESTAMP:{dt.datetime.fromisoformat(value).timestamp()}"
    except ValueError:
        raise ValueError(f"startingPosition must be TRIM_HORIZON, LATEST, earliest, latest or an ISO "
                         f"timestamp, got '{position}'") from None


class KinesisReader(SimpleDataSourceStreamReader):
    def __init__(self, options: dict):
        self.stream_name = options.get("streamName") or ""
        self.stream_arn = options.get("streamARN") or ""
        if not self.stream_name and not self.stream_arn:
            raise ValueError("a Kinesis source needs streamName or streamARN")
        self.starting = options.get("startingPosition", "LATEST")
        self.max_per_shard = int(options.get("maxFetchRecordsPerShard", "100000"))
        self._client = None

    @property
    def kinesis(self):
        if self._client is None:
            import boto3

            self._client = boto3.client("kinesis")
        return self._client

    def _stream(self) -> dict:
        return {"StreamARN": self.stream_arn} if self.stream_arn else {"StreamName": self.stream_name}

    def _shards(self) -> list[str]:
        shards, token = [], None
        while True:
            page = self.kinesis.list_shards(NextToken=token) if token else self.kinesis.list_shards(**self._stream())
            shards += [s["ShardId"] for s in page["Shards"]]
            token = page.get("NextToken")
            if not token:
                return shards

    def initialOffset(self) -> dict:
        start = starting_offset(self.starting)
        return {shard: start for shard in self._shards()}

    def _iterator(self, shard: str, position: str) -> str:
        args = {**self._stream(), "ShardId": shard}
        if position.startswith("AFTER:"):
            args.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=position[6:])
        elif position.startswith("AT_TIMESTAMP:"):
            args.update(ShardIteratorType="AT_TIMESTAMP", Timestamp=float(position[13:]))
        else:
            args.update(ShardIteratorType="TRIM_HORIZON")
        return self.kinesis.get_shard_iterator(**args)["ShardIterator"]

    def _fetch(self, shard: str, position: str, limit: int, until: int | None = None) -> tuple[list[dict], str]:
        iterator = self._iterator(shard, position)
        records: list[dict] = []
        empty = 0
        while iterator and len(records) < limit:
            page = self.kinesis.get_records(ShardIterator=iterator, Limit=min(GET_RECORDS_LIMIT, limit - len(records)))
            iterator = page.get("NextShardIterator")
            batch = page.get("Records", [])
            if until is not None:
                kept = [r for r in batch if int(r["SequenceNumber"]) <= until]
                records += kept
                if len(kept) < len(batch) or (records and int(records[-1]["SequenceNumber"]) >= until):
                    break
            else:
                records += batch
            if not batch:
                empty += 1
                if page.get("MillisBehindLatest", 0) == 0 or empty >= 3:
                    break
        last = f"AFTER:{records[-1]['SequenceNumber']}" if records else position
        return records, last

    @staticmethod
    def _rows(records: list[dict]) -> list[tuple]:
        return [(r["Data"].decode("utf-8", errors="replace"),) for r in records]

    def read(self, start: dict) -> tuple[Iterator[tuple], dict]:
        end = dict(start)
        rows: list[tuple] = []
        for shard in self._shards():
            records, end[shard] = self._fetch(shard, start.get(shard, "TRIM_HORIZON"), self.max_per_shard)
            rows += self._rows(records)
        return iter(rows), end

    def readBetweenOffsets(self, start: dict, end: dict) -> Iterator[tuple]:
        rows: list[tuple] = []
        for shard, stop in end.items():
            begin = start.get(shard, "TRIM_HORIZON")
            if stop == begin or not stop.startswith("AFTER:"):
                continue
            records, _ = self._fetch(shard, begin, 10 ** 9, until=int(stop[6:]))
            rows += self._rows(records)
        return iter(rows)


class KinesisDataSource(DataSource):
    @classmethod
    def name(cls) -> str:
        return "lab_kinesis"

    def schema(self) -> StructType:
        return StructType([StructField(RAW_COLUMN, StringType())])

    def simpleStreamReader(self, schema: StructType) -> KinesisReader:
        return KinesisReader(self.options)
