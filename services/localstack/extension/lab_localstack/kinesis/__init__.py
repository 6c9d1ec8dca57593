"""The lab's Kinesis Data Streams, served from LocalStack's own process (provider `kinesis:lab`,
PROVIDER_OVERRIDE_KINESIS=lab): no kinesis-mock, no npm download, no second process.

- models.py: the store (LocalStack's BaseStore per account and region) of `Stream`s;
- stream.py / shard.py: a stream's shards, hash-key routing and resharding; a shard's
  records indexed in memory (bisect on sequence numbers), appended to its log;
- shard_log.py: the append-only, checksummed log of one shard, fsync'd before a put answers;
- persistence.py: stream metadata (shards, tags, consumers, encryption) written atomically,
  and everything loaded back at start;
- keys.py: hash keys, sequence numbers, shard ids; iterators.py: shard iterators;
- records.py: PutRecord(s), GetShardIterator, GetRecords, SubscribeToShard;
- provider.py: the API (control plane), errors.py: AWS's errors and messages;
- throttle.py: AWS's per-shard limits, off unless LAB_KINESIS_THROTTLING=1.
"""
