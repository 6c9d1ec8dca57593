"""A Kinesis data stream as the source of a delivery stream, without KCL or Java.

One thread per delivery stream polls GetRecords on every shard of the Kinesis
stream (about once a second, as Firehose reads each shard). Records read are
journaled together with the shard's last sequence number in one transaction, so
after a restart reading continues exactly where it stopped. Like AWS, reading
starts at the position the delivery stream was created at: records that arrived
in Kinesis before DeliveryStartTimestamp are skipped.
"""
from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from botocore.config import Config
from localstack.aws.connect import connect_to

from lab_localstack.firehose.journal import NewRecord

LOG = logging.getLogger(__name__)

POLL_INTERVAL_S = 1.0
GET_RECORDS_LIMIT = 10000


def kinesis_metadata(shard_id: str, record: dict) -> dict:
    """AWS's `kinesisRecordMetadata`: the arrival time in epoch milliseconds (an integer, as
    in AWS's sample event) and subsequenceNumber 0 for a record that is not KPL-aggregated."""
    arrival: datetime = record["ApproximateArrivalTimestamp"]
    return {
        "shardId": shard_id,
        "partitionKey": record["PartitionKey"],
        "approximateArrivalTimestamp": int(arrival.astimezone(UTC).timestamp() * 1000),
        "sequenceNumber": record["SequenceNumber"],
        "subsequenceNumber": 0,
    }


class KinesisPoller:
    """Reads a Kinesis stream into a delivery stream (see module docstring)."""

    def __init__(self, delivery_stream, journal, stream_arn: str, start_ms: int):
        self._target = delivery_stream
        self._journal = journal
        self._stream_arn = stream_arn
        self._start_ms = start_ms
        region = stream_arn.split(":")[3]
        account = stream_arn.split(":")[4]
        self._client = connect_to(aws_access_key_id=account, region_name=region,
                                  config=Config(retries={"max_attempts": 2}, read_timeout=30)).kinesis
        self._stop = threading.Event()
        self._iterators: dict[str, str | None] = {}
        self._thread = threading.Thread(target=self._run, name=f"firehose-kinesis-{delivery_stream.name}",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        LOG.info("reading Kinesis %s into %s", self._stream_arn, self._target.name)
        while not self._stop.is_set():
            try:
                self._poll_all_shards()
            except Exception as error:  # noqa: BLE001 - any failure is retried
                self._target.last_error = f"Kinesis source: {error}"
                LOG.warning("Kinesis source %s: %s", self._stream_arn, error)
                self._iterators.clear()
            self._stop.wait(POLL_INTERVAL_S)

    def _poll_all_shards(self) -> None:
        if self._target.over_capacity():
            return
        shards = self._client.list_shards(StreamARN=self._stream_arn)["Shards"]
        checkpoints = self._journal.checkpoints(self._target.key)
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self._iterator(shard_id, checkpoints.get(shard_id))
            iterator = self._iterators[shard_id]
            if iterator is None:
                continue  # a closed shard read to its end
            response = self._client.get_records(ShardIterator=iterator, Limit=GET_RECORDS_LIMIT,
                                                StreamARN=self._stream_arn)
            self._iterators[shard_id] = response.get("NextShardIterator")
            records = response.get("Records", [])
            if not records:
                continue
            accepted = [
                NewRecord(
                    record_id=r["SequenceNumber"],
                    arrival_ms=int(r["ApproximateArrivalTimestamp"].timestamp() * 1000),
                    data=r["Data"],
                    kinesis_meta=kinesis_metadata(shard_id, r),
                )
                for r in records
                if r["ApproximateArrivalTimestamp"].timestamp() * 1000 >= self._start_ms
            ]
            # The checkpoint moves even when every record predates the stream.
            self._target.accept(accepted, {shard_id: records[-1]["SequenceNumber"]})

    def _iterator(self, shard_id: str, checkpoint: str | None) -> str | None:
        if checkpoint:
            kwargs = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": checkpoint}
        else:
            kwargs = {"ShardIteratorType": "TRIM_HORIZON"}
        return self._client.get_shard_iterator(StreamARN=self._stream_arn, ShardId=shard_id,
                                               **kwargs)["ShardIterator"]
