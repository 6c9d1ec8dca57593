"""LocalStack 4.14's Kinesis forwards CreateStream to kinesis-mock, which ignores the
request's `Tags` (a member AWS added to CreateStream in 2024): the stream is created
untagged, ListTagsForStream answers `[]`, and Terraform's AWS provider, which passes a
stream's tags at create time, plans to add them again on every run.

The lab's provider is LocalStack's own (every other operation unchanged) with a
CreateStream that forwards the request as it is, waits for the stream to be ACTIVE
(kinesis-mock takes 0.5 s; AddTagsToStream needs ACTIVE) and adds the tags through
kinesis-mock's AddTagsToStream, 10 a call as that operation allows. AWS caps the tags
of CreateStream at 50 (InvalidArgumentException past that).
"""
from __future__ import annotations

import logging
import time

from localstack.aws.api import RequestContext, handler
from localstack.aws.forwarder import AwsRequestProxy, create_aws_request_context
from localstack.services.kinesis.provider import KinesisProvider

from lab_localstack.aws_api import KINESIS
from lab_localstack.kinesis.persistence import LabKinesisServerManager

LOG = logging.getLogger(__name__)
MAX_CREATE_TAGS = 50
TAGS_PER_CALL = 10          # AddTagsToStream's limit
ACTIVE_TIMEOUT = 10.0       # seconds to wait for the new stream to be ACTIVE


class LabKinesisProvider(KinesisProvider):
    def __init__(self):
        super().__init__()
        # kinesis-mock's state file under the lab's volume, not the wiped tmp (persistence.py)
        self.server_manager = LabKinesisServerManager()

    def _backend(self, context: RequestContext, operation: str, params: dict) -> dict:
        request = create_aws_request_context("kinesis", operation, parameters=params, region=context.region)
        return AwsRequestProxy(self.get_forward_url(context.account_id, context.region)).forward(request)

    @handler("CreateStream", expand=False)
    def create_stream(self, context: RequestContext, request: dict) -> dict:
        tags = request.get("Tags") or {}
        if len(tags) > MAX_CREATE_TAGS:
            raise KINESIS.error(
                "InvalidArgumentException", f"Failed to create stream {request.get('StreamName')}: a stream "
                f"can have at most {MAX_CREATE_TAGS} tags, {len(tags)} given")
        result = AwsRequestProxy(self.get_forward_url(context.account_id, context.region)).forward(context)
        if tags:
            self._tag_when_active(context, request["StreamName"], tags)
        return result

    def _tag_when_active(self, context: RequestContext, name: str, tags: dict[str, str]) -> None:
        deadline = time.monotonic() + ACTIVE_TIMEOUT
        while time.monotonic() < deadline:
            summary = self._backend(context, "DescribeStreamSummary", {"StreamName": name})
            if summary["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE":
                break
            time.sleep(0.1)
        else:
            LOG.warning("Kinesis stream %s not ACTIVE after %.0f s: its tags were not added", name, ACTIVE_TIMEOUT)
            return
        items = sorted(tags.items())
        for start in range(0, len(items), TAGS_PER_CALL):
            self._backend(context, "AddTagsToStream",
                          {"StreamName": name, "Tags": dict(items[start:start + TAGS_PER_CALL])})
