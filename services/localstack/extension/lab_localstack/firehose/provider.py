"""The lab's faithful Kinesis Data Firehose provider for LocalStack 4.14.0.

It replaces LocalStack's own provider (PROVIDER_OVERRIDE_FIREHOSE=lab) and
implements the Firehose API with AWS's behaviour (extension README.md, Facts 2):
- API calls: validation and limits (validation.py), descriptions with AWS's
  defaults (descriptions.py), tags;
- puts are written to a durable journal (journal.py) before they are
  acknowledged, then delivered in the background per stream
  (delivery_stream.py): buffering, Lambda transformation (lambda_processor.py),
  S3 (s3_writer.py) and OpenSearch/Elasticsearch (search_delivery.py) delivery;
- a Kinesis stream as source is read without KCL (kinesis_source.py);
- counters are served at /_lab/firehose/streams (status_api.py).
Stream definitions live in the journal too, so streams and their buffered
records come back after a LocalStack restart.
"""
from __future__ import annotations

import copy
import logging
import threading
import uuid
from pathlib import Path

from localstack.aws.api import RequestContext
from localstack.aws.api.firehose import (
    ConcurrentModificationException,
    CreateDeliveryStreamOutput,
    DeleteDeliveryStreamOutput,
    DeliveryStreamType,
    DescribeDeliveryStreamOutput,
    FirehoseApi,
    InvalidArgumentException,
    LimitExceededException,
    ListDeliveryStreamsOutput,
    ListTagsForDeliveryStreamOutput,
    PutRecordBatchOutput,
    PutRecordBatchResponseEntry,
    PutRecordOutput,
    ResourceInUseException,
    ResourceNotFoundException,
    ServiceUnavailableException,
    TagDeliveryStreamOutput,
    UntagDeliveryStreamOutput,
    UpdateDestinationOutput,
)
from localstack.services.plugins import ServiceLifecycleHook
from localstack.utils.aws.arns import firehose_stream_arn

from lab_localstack.aws_api import FIREHOSE
from lab_localstack.firehose import descriptions, environment, validation
from lab_localstack.firehose.clock import now_ms
from lab_localstack.firehose.counters import StreamCounters
from lab_localstack.firehose.delivery_stream import DeliveryStream
from lab_localstack.firehose.journal import Journal, NewRecord, StreamKey
from lab_localstack.firehose.models import all_streams, store_of
from lab_localstack.firehose.status_api import FirehoseStatusRoutes
from lab_localstack.state_files import state_dir

LOG = logging.getLogger(__name__)

SLOW_DOWN = "Slow down."


def journal_path() -> Path:
    return state_dir("firehose") / "firehose.db"


class LabFirehoseProvider(FirehoseApi, ServiceLifecycleHook):
    """Firehose API on top of durable, buffered, background delivery."""

    def __init__(self) -> None:
        super().__init__()
        environment.current()   # validates LAB_FIREHOSE_* / LAB_OPENSEARCH_* now, naming a bad key
        self._lock = threading.RLock()
        self._journal: Journal | None = None
        self._routes = FirehoseStatusRoutes(self._all_streams)

    # --- lifecycle -----------------------------------------------------------------
    def on_after_init(self):
        self._routes.register()

    def on_before_start(self):
        self._journal = Journal(journal_path())
        for stored in self._journal.load_streams():
            try:
                stream = DeliveryStream(stored.stream_key, stored.description, stored.tags,
                                        StreamCounters.from_dict(stored.counters), self._journal)
            except Exception:
                LOG.exception("could not restore delivery stream %s", stored.stream_key)
                continue
            self._start(stream)
        LOG.info("lab Firehose started with %d restored delivery streams", len(self._all_streams()))

    def on_before_stop(self):
        with self._lock:
            streams = all_streams()
        for stream in streams:
            stream.stop()
        self._routes.unregister()
        LOG.info("lab Firehose stopped %d delivery streams", len(streams))

    def _start(self, stream: DeliveryStream) -> None:
        stream.start()
        with self._lock:
            store_of(stream.account_id, stream.region).delivery_streams[stream.name] = stream

    def _all_streams(self) -> list[DeliveryStream]:
        with self._lock:
            return all_streams()

    def _get(self, context: RequestContext, name: str) -> DeliveryStream:
        with self._lock:
            stream = store_of(context.account_id, context.region).delivery_streams.get(name)
        if stream is None:
            raise ResourceNotFoundException(f"Firehose {name} under account {context.account_id} not found.")
        return stream

    # --- streams -------------------------------------------------------------------
    def create_delivery_stream(
        self,
        context: RequestContext,
        delivery_stream_name: str,
        delivery_stream_type: str | None = None,
        kinesis_stream_source_configuration: dict | None = None,
        tags: list | None = None,
        **kwargs,
    ) -> CreateDeliveryStreamOutput:
        validation.check_stream_name(delivery_stream_name)
        validation.check_tags(tags)
        stream_type = delivery_stream_type or DeliveryStreamType.DirectPut
        for unsupported in descriptions.UNSUPPORTED_KINDS:
            if kwargs.get(unsupported):
                raise InvalidArgumentException(f"{unsupported} is not supported by the lab's Firehose")
        given = [(descriptions.CONFIGURATION_KINDS[arg], kwargs[arg])
                 for arg in descriptions.CONFIGURATION_KINDS if kwargs.get(arg)]
        if len(given) != 1:
            raise InvalidArgumentException("Exactly one destination configuration must be provided.")
        kind, destination_config = given[0]
        validation.check_destination(kind, destination_config)
        if stream_type == DeliveryStreamType.KinesisStreamAsSource:
            if not kinesis_stream_source_configuration:
                raise InvalidArgumentException(
                    "KinesisSourceStreamConfig is required for KinesisStreamAsSource delivery streams.")
        elif kinesis_stream_source_configuration:
            raise InvalidArgumentException(
                "KinesisSourceStreamConfig is only allowed for KinesisStreamAsSource delivery streams.")
        elif stream_type != DeliveryStreamType.DirectPut:
            raise InvalidArgumentException(f"DeliveryStreamType {stream_type} is not supported by the lab")

        key = StreamKey(context.account_id, context.region, delivery_stream_name)
        arn = firehose_stream_arn(delivery_stream_name, context.account_id, context.region)
        with self._lock:
            if delivery_stream_name in store_of(context.account_id, context.region).delivery_streams:
                raise ResourceInUseException(
                    f"Firehose {delivery_stream_name} under accountId {context.account_id} already exists")
            description = descriptions.new_description(
                delivery_stream_name, arn, stream_type, kind, destination_config,
                kinesis_stream_source_configuration)
            stream = DeliveryStream(key, description, list(tags or []),
                                    StreamCounters(), self._journal)
            stream.save()
            self._start(stream)
        LOG.info("created delivery stream %s (%s -> %s)", delivery_stream_name, stream_type,
                 stream.status()["destination"])
        return CreateDeliveryStreamOutput(DeliveryStreamARN=arn)

    def delete_delivery_stream(self, context: RequestContext, delivery_stream_name: str,
                               allow_force_delete: bool | None = None, **kwargs) -> DeleteDeliveryStreamOutput:
        stream = self._get(context, delivery_stream_name)
        with self._lock:
            store_of(stream.account_id, stream.region).delivery_streams.pop(stream.name, None)
        stream.stop()
        self._journal.delete_stream(stream.key)
        LOG.info("deleted delivery stream %s (%d buffered records discarded)",
                 delivery_stream_name, stream.buffered_records)
        return DeleteDeliveryStreamOutput()

    def describe_delivery_stream(self, context: RequestContext, delivery_stream_name: str,
                                 limit: int | None = None, exclusive_start_destination_id: str | None = None,
                                 **kwargs) -> DescribeDeliveryStreamOutput:
        stream = self._get(context, delivery_stream_name)
        return DescribeDeliveryStreamOutput(DeliveryStreamDescription=copy.deepcopy(stream.description))

    def list_delivery_streams(self, context: RequestContext, limit: int | None = None,
                              delivery_stream_type: str | None = None,
                              exclusive_start_delivery_stream_name: str | None = None,
                              **kwargs) -> ListDeliveryStreamsOutput:
        with self._lock:
            streams = list(store_of(context.account_id, context.region).delivery_streams.values())
        names = sorted(s.name for s in streams
                       if delivery_stream_type is None or s.description["DeliveryStreamType"] == delivery_stream_type)
        page, more = FIREHOSE.page_after("ListDeliveryStreams", names, exclusive_start_delivery_stream_name,
                                         limit, 10)
        return ListDeliveryStreamsOutput(DeliveryStreamNames=page, HasMoreDeliveryStreams=more)

    def update_destination(self, context: RequestContext, delivery_stream_name: str,
                           current_delivery_stream_version_id: str, destination_id: str,
                           **kwargs) -> UpdateDestinationOutput:
        stream = self._get(context, delivery_stream_name)
        if destination_id != descriptions.DESTINATION_ID:
            raise InvalidArgumentException(f"Destination Id {destination_id} not found.")
        updates = [(descriptions.UPDATE_KINDS[arg], kwargs[arg])
                   for arg in descriptions.UPDATE_KINDS if kwargs.get(arg)]
        if len(updates) != 1:
            raise InvalidArgumentException("Exactly one destination update must be provided.")
        kind, update = updates[0]
        validation.check_processing(update.get("ProcessingConfiguration"))
        with self._lock:
            if current_delivery_stream_version_id != stream.description["VersionId"]:
                raise ConcurrentModificationException(
                    f"Cannot update firehose: {delivery_stream_name} since the current version id: "
                    f"{stream.description['VersionId']} and body version id: "
                    f"{current_delivery_stream_version_id} does not match")
            description = copy.deepcopy(stream.description)
            descriptions.apply_update(description, kind, update)
            validation.check_updated_destination(stream.description, description)
            stream.replace_description(description)
        LOG.info("updated delivery stream %s to version %s", delivery_stream_name, description["VersionId"])
        return UpdateDestinationOutput()

    # --- records -------------------------------------------------------------------
    def _check_direct_put(self, stream: DeliveryStream) -> None:
        if stream.description["DeliveryStreamType"] != DeliveryStreamType.DirectPut:
            raise InvalidArgumentException(
                "This operation is not permitted on KinesisStreamAsSource delivery stream type.")

    def put_record(self, context: RequestContext, delivery_stream_name: str, record: dict,
                   **kwargs) -> PutRecordOutput:
        stream = self._get(context, delivery_stream_name)
        self._check_direct_put(stream)
        validation.check_record(record["Data"])
        if stream.over_capacity():
            stream.count_rejected(1)
            raise ServiceUnavailableException(SLOW_DOWN)
        new = NewRecord(record_id=uuid.uuid4().hex, arrival_ms=now_ms(), data=record["Data"])
        stream.accept([new])
        return PutRecordOutput(RecordId=new.record_id, Encrypted=False)

    def put_record_batch(self, context: RequestContext, delivery_stream_name: str, records: list,
                         **kwargs) -> PutRecordBatchOutput:
        stream = self._get(context, delivery_stream_name)
        self._check_direct_put(stream)
        validation.check_batch(records)
        # A stream whose buffer is full (delivery stuck) takes what fits and refuses the
        # rest record by record: AWS's partial failure, to be retried by the producer.
        fitting = stream.room_for([len(r["Data"]) for r in records])
        arrival = now_ms()
        new = [NewRecord(record_id=uuid.uuid4().hex, arrival_ms=arrival, data=r["Data"])
               for r in records[:fitting]]
        stream.accept(new)
        refused = len(records) - fitting
        if refused:
            stream.count_rejected(refused)
            LOG.warning("stream %s is full: %d of %d records refused", delivery_stream_name, refused, len(records))
        responses = [PutRecordBatchResponseEntry(RecordId=n.record_id) for n in new]
        responses += [PutRecordBatchResponseEntry(ErrorCode="ServiceUnavailableException", ErrorMessage=SLOW_DOWN)
                      for _ in range(refused)]
        return PutRecordBatchOutput(FailedPutCount=refused, Encrypted=False, RequestResponses=responses)

    # --- tags ----------------------------------------------------------------------
    def tag_delivery_stream(self, context: RequestContext, delivery_stream_name: str, tags: list,
                            **kwargs) -> TagDeliveryStreamOutput:
        stream = self._get(context, delivery_stream_name)
        merged = {t["Key"]: t for t in stream.tags}
        merged.update({t["Key"]: t for t in tags})
        if len(merged) > validation.MAX_TAGS:
            raise LimitExceededException(
                f"A delivery stream cannot have more than {validation.MAX_TAGS} tags.")
        stream.set_tags(list(merged.values()))
        return TagDeliveryStreamOutput()

    def untag_delivery_stream(self, context: RequestContext, delivery_stream_name: str,
                              tag_keys: list, **kwargs) -> UntagDeliveryStreamOutput:
        stream = self._get(context, delivery_stream_name)
        stream.set_tags([t for t in stream.tags if t["Key"] not in set(tag_keys)])
        return UntagDeliveryStreamOutput()

    def list_tags_for_delivery_stream(self, context: RequestContext, delivery_stream_name: str,
                                      exclusive_start_tag_key: str | None = None, limit: int | None = None,
                                      **kwargs) -> ListTagsForDeliveryStreamOutput:
        stream = self._get(context, delivery_stream_name)
        tags = sorted(stream.tags, key=lambda t: t["Key"])
        page, more = FIREHOSE.page_after("ListTagsForDeliveryStream", tags, exclusive_start_tag_key, limit, 50,
                                         name=lambda t: t["Key"])
        return ListTagsForDeliveryStreamOutput(Tags=page, HasMoreTags=more)
