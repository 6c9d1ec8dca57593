"""The lab's Kinesis Data Streams API (LocalStack's generated `KinesisApi`), in LocalStack's
process: streams, shards, tags, encryption, retention, resharding and consumers here; the
records in records.py; every change of a stream's metadata written (persistence.save) before
the call answers. Operations not implemented here answer InvalidArgumentException (plugin.py).
"""
from __future__ import annotations

import logging
import re
import threading
import time

from localstack.aws.api import RequestContext, handler
from localstack.aws.api.kinesis import KinesisApi
from localstack.services.plugins import ServiceLifecycleHook

from lab_localstack.kinesis import errors, listing, persistence, records
from lab_localstack.kinesis.data_api import DataApi
from lab_localstack.kinesis.meta_api import MetaApi
from lab_localstack.kinesis.models import all_streams, store_of
from lab_localstack.kinesis.stream import Consumer, Stream

LOG = logging.getLogger(__name__)
NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,128}$")
STREAM_ARN = re.compile(r"^arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream/([a-zA-Z0-9_.-]+)$")
CONSUMER_ARN = re.compile(r"^arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream/([a-zA-Z0-9_.-]+)"
                          r"/consumer/([a-zA-Z0-9_.-]+):\d+$")
ON_DEMAND_SHARDS = 4
MAX_TAGS = 50
MIN_RETENTION, MAX_RETENTION = 24, 8760
ALL_METRICS = ["IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
               "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds"]
TRIM_INTERVAL = 60.0
_create_lock = threading.Lock()


def _arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:kinesis:{region}:{account}:stream/{name}"


class LabKinesisProvider(DataApi, MetaApi, KinesisApi, ServiceLifecycleHook):
    def __init__(self) -> None:
        loaded = persistence.load_all()
        LOG.info("lab Kinesis: %d stream(s) loaded from %s", loaded, persistence.root())
        self._stop = threading.Event()
        threading.Thread(target=self._trim_loop, name="lab-kinesis-retention", daemon=True).start()

    def _trim_loop(self) -> None:
        while not self._stop.wait(TRIM_INTERVAL):
            for stream in all_streams():
                try:
                    stream.trim()
                except OSError as err:
                    LOG.warning("Kinesis retention trim of %s failed: %s", stream.name, err)

    def on_before_stop(self) -> None:
        self._stop.set()
        for stream in all_streams():
            for shard in stream.shards.values():
                shard.log.close()

    # --- lookups ---------------------------------------------------------------------------
    def _find(self, context: RequestContext, request: dict, active: bool = False) -> Stream:
        arn, name = request.get("StreamARN"), request.get("StreamName")
        account, region = context.account_id, context.region
        if arn:
            match = STREAM_ARN.match(arn)
            if not match:
                raise errors.invalid(f"Invalid StreamARN: {arn}")
            region, account, name = match.groups()
        elif not name:
            raise errors.invalid("Either StreamName or StreamARN should be provided.")
        stream = store_of(account, region).streams.get(name)
        if stream is None:
            raise errors.stream_not_found(name, account)
        if active and stream.status() == "CREATING":
            raise errors.stream_not_found(name, account)
        return stream

    def _consumer(self, context: RequestContext, request: dict) -> tuple[Stream, Consumer]:
        consumer_arn = request.get("ConsumerARN")
        if consumer_arn:
            match = CONSUMER_ARN.match(consumer_arn)
            if not match:
                raise errors.invalid(f"Invalid ConsumerARN: {consumer_arn}")
            region, account, name, _ = match.groups()
            stream = store_of(account, region).streams.get(name)
            for consumer in (stream.consumers.values() if stream else ()):
                if consumer.arn == consumer_arn:
                    return stream, consumer
            raise errors.consumer_not_found(consumer_arn)
        stream = self._find(context, {"StreamARN": request.get("StreamARN")})
        consumer = stream.consumers.get(request.get("ConsumerName") or "")
        if consumer is None:
            raise errors.consumer_not_found(f"{request.get('ConsumerName')} under stream {stream.arn}")
        return stream, consumer

    def _updatable(self, stream: Stream) -> None:
        status = stream.status()
        if status != "ACTIVE":
            raise errors.stream_not_active(stream.name, stream.account, status)

    # --- streams ---------------------------------------------------------------------------
    @handler("CreateStream", expand=False)
    def create_stream(self, context: RequestContext, request: dict) -> None:
        name = request.get("StreamName")
        if not name:
            raise errors.validation("Value null at 'streamName' failed to satisfy constraint: Member must not be null")
        if not NAME.match(name):
            raise errors.validation(f"Value '{name}' at 'streamName' failed to satisfy constraint: Member must "
                                    "satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
        count = request.get("ShardCount")
        mode = (request.get("StreamModeDetails") or {}).get("StreamMode") or (
            "PROVISIONED" if count is not None else "ON_DEMAND")
        if mode == "ON_DEMAND":
            count = ON_DEMAND_SHARDS
        if count is None or count < 1:
            raise errors.validation(f"Value '{count}' at 'shardCount' failed to satisfy constraint: Member must "
                                    "have value greater than or equal to 1")
        tags = request.get("Tags") or {}
        if len(tags) > MAX_TAGS:
            raise errors.invalid(f"Failed to create stream {name}: a stream can have at most {MAX_TAGS} tags, "
                                 f"{len(tags)} given")
        account, region = context.account_id, context.region
        with _create_lock:
            store = store_of(account, region)
            if name in store.streams:
                raise errors.stream_exists(name, account)
            folder = persistence.stream_folder(account, region, name)
            stream = Stream(account, region, name, _arn(region, account, name), folder, time.time(), mode,
                            tags=dict(tags))
            stream.add_initial_shards(count)
            persistence.save(stream)
            store.streams[name] = stream

    @handler("DeleteStream", expand=False)
    def delete_stream(self, context: RequestContext, request: dict) -> None:
        stream = self._find(context, request)
        if stream.consumers and not request.get("EnforceConsumerDeletion"):
            raise errors.ResourceInUseException(
                f"Stream {stream.name} under account {stream.account} has registered consumers: set "
                "EnforceConsumerDeletion to delete it with them")
        with _create_lock:
            store_of(stream.account, stream.region).streams.pop(stream.name, None)
            persistence.remove(stream)
        for shard in stream.shards.values():
            with shard.arrived:
                shard.arrived.notify_all()

    @handler("DescribeStream", expand=False)
    def describe_stream(self, context: RequestContext, request: dict) -> dict:
        stream = self._find(context, request)
        shards, more = listing.describe_shards(stream, request.get("Limit"), request.get("ExclusiveStartShardId"))
        summary = stream.summary()
        for key in ("OpenShardCount", "ConsumerCount"):
            summary.pop(key)
        return {"StreamDescription": {**summary, "Shards": shards, "HasMoreShards": more}}

    @handler("DescribeStreamSummary", expand=False)
    def describe_stream_summary(self, context: RequestContext, request: dict) -> dict:
        return {"StreamDescriptionSummary": self._find(context, request).summary()}

    @handler("ListStreams", expand=False)
    def list_streams(self, context: RequestContext, request: dict) -> dict:
        streams = list(store_of(context.account_id, context.region).streams.values())
        return listing.list_streams(streams, request)

    @handler("ListShards", expand=False)
    def list_shards(self, context: RequestContext, request: dict) -> dict:
        if request.get("NextToken"):
            if request.get("StreamName") or request.get("StreamARN"):
                raise errors.invalid("NextToken and StreamName cannot be provided together.")
            account, region, name, _ = listing.untoken(request["NextToken"], 4)
            stream = store_of(account, region).streams.get(name)
            if stream is None:
                raise errors.stream_not_found(name, account)
        else:
            stream = self._find(context, request)
        return listing.list_shards(stream, request)

    @handler("DescribeLimits", expand=False)
    def describe_limits(self, context: RequestContext, request: dict) -> dict:
        streams = store_of(context.account_id, context.region).streams.values()
        return {"ShardLimit": 500, "OpenShardCount": sum(len(s.open_shards()) for s in streams),
                "OnDemandStreamCount": sum(1 for s in streams if s.mode == "ON_DEMAND"),
                "OnDemandStreamCountLimit": 50}

    def _change(self, stream: Stream, updating: bool = False) -> None:
        if updating:
            stream.mark_updating()
        persistence.save(stream)

    @handler("IncreaseStreamRetentionPeriod", expand=False)
    def increase_stream_retention_period(self, context: RequestContext, request: dict) -> None:
        stream, hours = self._find(context, request), request.get("RetentionPeriodHours")
        if hours > MAX_RETENTION:
            raise errors.invalid(f"Maximum allowed retention period is {MAX_RETENTION} hours. Requested retention "
                                 f"period ({hours} hours) is too long.")
        if hours < stream.retention_hours:
            raise errors.invalid(f"Requested retention period ({hours} hours) for stream {stream.name} can not be "
                                 f"shorter than existing retention period ({stream.retention_hours} hours). Use "
                                 "DecreaseRetentionPeriod API.")
        with stream.lock:
            stream.retention_hours = hours
            self._change(stream)

    @handler("DecreaseStreamRetentionPeriod", expand=False)
    def decrease_stream_retention_period(self, context: RequestContext, request: dict) -> None:
        stream, hours = self._find(context, request), request.get("RetentionPeriodHours")
        if hours < MIN_RETENTION:
            raise errors.invalid(f"Minimum allowed retention period is {MIN_RETENTION} hours. Requested retention "
                                 f"period ({hours} hours) is too short.")
        if hours > stream.retention_hours:
            raise errors.invalid(f"Requested retention period ({hours} hours) for stream {stream.name} can not be "
                                 f"longer than existing retention period ({stream.retention_hours} hours). Use "
                                 "IncreaseRetentionPeriod API.")
        with stream.lock:
            stream.retention_hours = hours
            self._change(stream)
        stream.trim()

    # --- resharding ------------------------------------------------------------------------
    @handler("UpdateShardCount", expand=False)
    def update_shard_count(self, context: RequestContext, request: dict) -> dict:
        stream, target = self._find(context, request), request.get("TargetShardCount")
        with stream.lock:
            self._updatable(stream)
            current = len(stream.open_shards())
            if target is None or target < 1:
                raise errors.validation(f"Value '{target}' at 'targetShardCount' failed to satisfy constraint: "
                                        "Member must have value greater than or equal to 1")
            if target > 2 * current or target * 2 < current:
                raise errors.invalid(f"UpdateShardCount target {target} for stream {stream.name} must be between "
                                     f"half ({(current + 1) // 2}) and double ({2 * current}) the current open shard "
                                     f"count ({current})")
            if target != current:
                stream.rescale(target)
            self._change(stream, updating=True)
        return {"StreamName": stream.name, "CurrentShardCount": current, "TargetShardCount": target,
                "StreamARN": stream.arn}

    @handler("SplitShard", expand=False)
    def split_shard(self, context: RequestContext, request: dict) -> None:
        stream = self._find(context, request)
        with stream.lock:
            self._updatable(stream)
            shard = records.find_shard(stream, request.get("ShardToSplit") or "")
            if not shard.is_open:
                raise errors.ResourceInUseException(f"Shard {shard.id} in stream {stream.name} under account "
                                                    f"{stream.account} has already been merged or split, and thus "
                                                    "is not eligible for merging or splitting.")
            raw = request.get("NewStartingHashKey") or ""
            new_start = int(raw) if raw.isdigit() else -1
            if not shard.start_hash < new_start <= shard.end_hash:
                raise errors.invalid(f"NewStartingHashKey {raw} used in SplitShard() on shard {shard.id} in stream "
                                     f"{stream.name} under account {stream.account} is not both greater than one "
                                     f"plus the shard's StartingHashKey {shard.start_hash} and less than the "
                                     f"shard's EndingHashKey {shard.end_hash}.")
            stream.split(shard, new_start)
            self._change(stream, updating=True)

    @handler("MergeShards", expand=False)
    def merge_shards(self, context: RequestContext, request: dict) -> None:
        stream = self._find(context, request)
        with stream.lock:
            self._updatable(stream)
            shard = records.find_shard(stream, request.get("ShardToMerge") or "")
            adjacent = records.find_shard(stream, request.get("AdjacentShardToMerge") or "")
            for s in (shard, adjacent):
                if not s.is_open:
                    raise errors.ResourceInUseException(
                        f"Shard {s.id} in stream {stream.name} under account {stream.account} has already been "
                        "merged or split, and thus is not eligible for merging or splitting.")
            if shard.end_hash + 1 != adjacent.start_hash and adjacent.end_hash + 1 != shard.start_hash:
                raise errors.invalid(f"Shards {shard.id} and {adjacent.id} in stream {stream.name} under account "
                                     f"{stream.account} are not an adjacent pair of shards eligible for merging")
            stream.merge(shard, adjacent)
            self._change(stream, updating=True)

    @handler("UpdateStreamMode", expand=False)
    def update_stream_mode(self, context: RequestContext, request: dict) -> None:
        stream = self._find(context, request)
        with stream.lock:
            self._updatable(stream)
            stream.mode = (request.get("StreamModeDetails") or {}).get("StreamMode") or stream.mode
            self._change(stream, updating=True)

    # --- encryption, monitoring ------------------------------------------------------------
    @handler("StartStreamEncryption", expand=False)
    def start_stream_encryption(self, context: RequestContext, request: dict) -> None:
        stream = self._find(context, request)
        if request.get("EncryptionType") != "KMS":
            raise errors.invalid(f"Invalid EncryptionType {request.get('EncryptionType')}: only KMS can be started")
        if not request.get("KeyId"):
            raise errors.invalid("KeyId is required to start stream encryption")
        with stream.lock:
            self._updatable(stream)
            stream.encryption, stream.key_id = "KMS", request["KeyId"]
            self._change(stream, updating=True)

    @handler("StopStreamEncryption", expand=False)
    def stop_stream_encryption(self, context: RequestContext, request: dict) -> None:
        stream = self._find(context, request)
        with stream.lock:
            self._updatable(stream)
            stream.encryption, stream.key_id = "NONE", None
            self._change(stream, updating=True)

    def _monitoring(self, context: RequestContext, request: dict, enable: bool) -> dict:
        stream = self._find(context, request)
        asked = request.get("ShardLevelMetrics") or []
        asked = ALL_METRICS if "ALL" in asked else asked
        with stream.lock:
            current = list(stream.shard_metrics)
            wanted = set(current) | set(asked) if enable else set(current) - set(asked)
            stream.shard_metrics = [m for m in ALL_METRICS if m in wanted]
            self._change(stream)
        return {"StreamName": stream.name, "StreamARN": stream.arn, "CurrentShardLevelMetrics": current,
                "DesiredShardLevelMetrics": list(stream.shard_metrics)}

    @handler("EnableEnhancedMonitoring", expand=False)
    def enable_enhanced_monitoring(self, context: RequestContext, request: dict) -> dict:
        return self._monitoring(context, request, True)

    @handler("DisableEnhancedMonitoring", expand=False)
    def disable_enhanced_monitoring(self, context: RequestContext, request: dict) -> dict:
        return self._monitoring(context, request, False)
