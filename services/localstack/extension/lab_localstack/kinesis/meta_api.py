"""The API's tag, consumer and resource-policy operations (a mixin of the provider,
provider.py). Tags: at most 50 a stream (InvalidArgumentException past that); consumers: at
most 20 a stream (LimitExceededException); a consumer's ARN is the stream's ARN +
`/consumer/<name>:<creation epoch seconds>`, as AWS's."""
from __future__ import annotations

import json
import re
import time

from localstack.aws.api import RequestContext, handler

from lab_localstack.kinesis import errors, listing, persistence
from lab_localstack.kinesis.stream import Consumer, Stream

MAX_TAGS = 50
MAX_CONSUMERS = 20
CONSUMER_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,128}$")


class MetaApi:
    # --- tags ------------------------------------------------------------------------------
    def _tag(self, stream: Stream, tags: dict[str, str]) -> None:
        with stream.lock:
            merged = {**stream.tags, **tags}
            if len(merged) > MAX_TAGS:
                raise errors.invalid(f"Failed to add tags to stream {stream.name} under account {stream.account} "
                                     f"because a given stream cannot have more than {MAX_TAGS} tags.")
            stream.tags = merged
            persistence.save(stream)

    def _untag(self, stream: Stream, keys: list[str]) -> None:
        with stream.lock:
            stream.tags = {k: v for k, v in stream.tags.items() if k not in set(keys)}
            persistence.save(stream)

    @handler("AddTagsToStream", expand=False)
    def add_tags_to_stream(self, context: RequestContext, request: dict) -> None:
        self._tag(self._find(context, request), request.get("Tags") or {})

    @handler("RemoveTagsFromStream", expand=False)
    def remove_tags_from_stream(self, context: RequestContext, request: dict) -> None:
        self._untag(self._find(context, request), request.get("TagKeys") or [])

    @handler("ListTagsForStream", expand=False)
    def list_tags_for_stream(self, context: RequestContext, request: dict) -> dict:
        stream = self._find(context, request)
        return listing.list_tags(stream.tags, request.get("ExclusiveStartTagKey"), request.get("Limit"))

    def _resource_stream(self, context: RequestContext, arn: str) -> Stream:
        if "/consumer/" in (arn or ""):
            return self._consumer(context, {"ConsumerARN": arn})[0]
        return self._find(context, {"StreamARN": arn})

    @handler("TagResource", expand=False)
    def tag_resource(self, context: RequestContext, request: dict) -> None:
        self._tag(self._resource_stream(context, request.get("ResourceARN")), request.get("Tags") or {})

    @handler("UntagResource", expand=False)
    def untag_resource(self, context: RequestContext, request: dict) -> None:
        self._untag(self._resource_stream(context, request.get("ResourceARN")), request.get("TagKeys") or [])

    @handler("ListTagsForResource", expand=False)
    def list_tags_for_resource(self, context: RequestContext, request: dict) -> dict:
        stream = self._resource_stream(context, request.get("ResourceARN"))
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(stream.tags.items())]}

    # --- consumers -------------------------------------------------------------------------
    @handler("RegisterStreamConsumer", expand=False)
    def register_stream_consumer(self, context: RequestContext, request: dict) -> dict:
        stream = self._find(context, {"StreamARN": request.get("StreamARN")})
        name = request.get("ConsumerName") or ""
        if not CONSUMER_NAME.match(name):
            raise errors.validation(f"Value '{name}' at 'consumerName' failed to satisfy constraint: Member must "
                                    "satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
        with stream.lock:
            if name in stream.consumers:
                raise errors.ResourceInUseException(f"Consumer {name} under stream {stream.arn} already exists "
                                                    f"for account {stream.account}.")
            if len(stream.consumers) >= MAX_CONSUMERS:
                raise errors.LimitExceededException(f"Stream {stream.arn} already has {MAX_CONSUMERS} "
                                                    "registered consumers.")
            now = time.time()
            consumer = Consumer(name, f"{stream.arn}/consumer/{name}:{int(now)}", now)
            stream.consumers[name] = consumer
            persistence.save(stream)
        return {"Consumer": consumer.description()}

    @handler("DescribeStreamConsumer", expand=False)
    def describe_stream_consumer(self, context: RequestContext, request: dict) -> dict:
        stream, consumer = self._consumer(context, request)
        return {"ConsumerDescription": consumer.description(stream.arn)}

    @handler("ListStreamConsumers", expand=False)
    def list_stream_consumers(self, context: RequestContext, request: dict) -> dict:
        if request.get("NextToken"):
            arn = listing.untoken(request["NextToken"], 2)[0]
            stream = self._find(context, {"StreamARN": arn})
        else:
            stream = self._find(context, {"StreamARN": request.get("StreamARN")})
        return listing.list_consumers(stream, request)

    @handler("DeregisterStreamConsumer", expand=False)
    def deregister_stream_consumer(self, context: RequestContext, request: dict) -> None:
        stream, consumer = self._consumer(context, request)
        with stream.lock:
            stream.consumers.pop(consumer.name, None)
            persistence.save(stream)

    # --- resource policies -----------------------------------------------------------------
    def _policy_owner(self, context: RequestContext, arn: str) -> tuple[Stream, Consumer | None]:
        if not arn or not arn.startswith("arn:") or ":kinesis:" not in arn:
            raise errors.ValidationException(f"invalid kinesis arn {arn}")
        try:
            if "/consumer/" in arn:
                return self._consumer(context, {"ConsumerARN": arn})
            return self._find(context, {"StreamARN": arn}), None
        except errors.InvalidArgumentException:
            raise errors.ValidationException(f"invalid kinesis arn {arn}") from None
        except errors.ResourceNotFoundException:
            raise errors.ResourceNotFoundException(f"Stream with ARN {arn} not found") from None

    @handler("PutResourcePolicy", expand=False)
    def put_resource_policy(self, context: RequestContext, request: dict) -> None:
        stream, consumer = self._policy_owner(context, request.get("ResourceARN"))
        policy = request.get("Policy") or ""
        try:
            json.loads(policy)
        except ValueError:
            raise errors.invalid("Policy is not valid JSON") from None
        with stream.lock:
            if consumer:
                consumer.policy = policy
            else:
                stream.policy = policy
            persistence.save(stream)

    @handler("GetResourcePolicy", expand=False)
    def get_resource_policy(self, context: RequestContext, request: dict) -> dict:
        stream, consumer = self._policy_owner(context, request.get("ResourceARN"))
        return {"Policy": (consumer.policy if consumer else stream.policy) or "{}"}

    @handler("DeleteResourcePolicy", expand=False)
    def delete_resource_policy(self, context: RequestContext, request: dict) -> None:
        arn = request.get("ResourceARN")
        stream, consumer = self._policy_owner(context, arn)
        owner = consumer or stream
        if not owner.policy:
            raise errors.ResourceNotFoundException(f"No resource policy found for resource ARN {arn}")
        with stream.lock:
            owner.policy = None
            persistence.save(stream)
