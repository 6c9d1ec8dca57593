"""The API's record operations (a mixin of the provider, provider.py): PutRecord(s),
GetShardIterator, GetRecords and SubscribeToShard, with records.py doing the work."""
from __future__ import annotations

from localstack.aws.api import RequestContext, handler

from lab_localstack.kinesis import errors, iterators, json_responses, records
from lab_localstack.kinesis.models import store_of


class DataApi:
    @handler("PutRecord", expand=False)
    def put_record(self, context: RequestContext, request: dict) -> dict:
        stream = self._find(context, request, active=True)
        return records.put_record(stream, request.get("Data") or b"", request.get("PartitionKey"),
                                  request.get("ExplicitHashKey"))

    @handler("PutRecords", expand=False)
    def put_records(self, context: RequestContext, request: dict) -> dict:
        stream = self._find(context, request, active=True)
        result = records.put_records(stream, request.get("Records") or [])
        if json_responses.wants_json(context):
            return json_responses.response(context, json_responses.put_records(result),
                                           {"FailedRecordCount": result["FailedRecordCount"], "Records": []})
        return result

    @handler("GetShardIterator", expand=False)
    def get_shard_iterator(self, context: RequestContext, request: dict) -> dict:
        stream = self._find(context, request, active=True)
        return {"ShardIterator": records.shard_iterator(
            stream, request.get("ShardId") or "", request.get("ShardIteratorType"),
            request.get("StartingSequenceNumber"), request.get("Timestamp"))}

    @handler("GetRecords", expand=False)
    def get_records(self, context: RequestContext, request: dict) -> dict:
        it = iterators.decode(request.get("ShardIterator"))
        stream = store_of(it.account, it.region).streams.get(it.stream)
        if stream is None or int(stream.created * 1000) != it.created_ms:
            raise errors.stream_not_found(it.stream, it.account)
        as_json = json_responses.wants_json(context)
        result = records.get_records(stream, it, request.get("Limit"), as_json)
        if isinstance(result, bytes):
            return json_responses.response(context, result, {"Records": [], "MillisBehindLatest": 0})
        return result

    @handler("SubscribeToShard", expand=False)
    def subscribe_to_shard(self, context: RequestContext, request: dict) -> dict:
        stream, consumer = self._consumer(context, request)
        if consumer.status() != "ACTIVE":
            raise errors.ResourceInUseException(f"Consumer {consumer.arn} is not ACTIVE, instead in state "
                                                f"{consumer.status()}")
        shard = records.find_shard(stream, request.get("ShardId") or "")
        start = request.get("StartingPosition") or {}
        position = records.start_position(shard, start.get("Type"), start.get("SequenceNumber"),
                                          start.get("Timestamp"))
        store = store_of(stream.account, stream.region)

        def alive() -> bool:
            return store.streams.get(stream.name) is stream and stream.consumers.get(consumer.name) is consumer

        return {"EventStream": records.subscription(stream, consumer, shard, position, alive)}
