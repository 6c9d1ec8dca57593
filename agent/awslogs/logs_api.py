"""PutLogEvents through boto3's `logs` client, with the log group and stream
created when missing, as the CloudWatch Logs agent does.

Every failure of a call becomes agent.api.ApiError, which the shared sender
retries with backoff for as long as it takes (botocore's standard retry mode
also retries throttling and 5xx a few times inside each attempt). Events are
never dropped by the agent: DataAlreadyAcceptedException counts as delivered,
InvalidSequenceTokenException is retried with the token the service expects,
ResourceNotFoundException re-creates the group and stream.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from agent.api import ApiError

LOG = logging.getLogger(__name__)


@dataclass(slots=True)
class LogEvent:
    """One event: its time (epoch ms), its message, and its size as PutLogEvents
    counts it (UTF-8 bytes + 26)."""

    timestamp: int
    message: str
    size: int

    def __len__(self) -> int:          # the shared sender counts bytes_sent with len()
        return self.size


def make_client(endpoint_url: str, region: str, credentials: Any) -> Any:
    return boto3.client(
        "logs", endpoint_url=endpoint_url, region_name=region,
        aws_access_key_id=credentials.access_key, aws_secret_access_key=credentials.secret_key,
        aws_session_token=credentials.token,
        config=Config(retries={"mode": "standard", "max_attempts": 3},
                      connect_timeout=2, read_timeout=15, tcp_keepalive=True))


class LogStreamClient:
    """Puts events to one log stream."""

    def __init__(self, client: Any, group: str, stream: str):
        self.client = client
        self.group = group
        self.stream = stream
        self.ready = False              # group and stream known to exist
        self.token: str | None = None   # only if the service still asks for one
        self.rejected = 0               # events the service refused (too old / new / expired)

    def _ensure(self) -> None:
        for call, kwargs in ((self.client.create_log_group, {"logGroupName": self.group}),
                             (self.client.create_log_stream, {"logGroupName": self.group,
                                                               "logStreamName": self.stream})):
            try:
                call(**kwargs)
                LOG.info("created %s", "/".join(kwargs.values()))
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ResourceAlreadyExistsException":
                    raise
        self.ready = True

    def put(self, events: list[LogEvent]) -> None:
        """One PutLogEvents call with the events in time order; ApiError if it failed."""
        ordered = sorted(events, key=lambda e: e.timestamp)     # stable: file order on ties
        request: dict[str, Any] = {
            "logGroupName": self.group, "logStreamName": self.stream,
            "logEvents": [{"timestamp": e.timestamp, "message": e.message} for e in ordered]}
        try:
            if not self.ready:
                self._ensure()
            if self.token:
                request["sequenceToken"] = self.token
            resp = self.client.put_log_events(**request)
        except ClientError as exc:
            err = exc.response.get("Error", {})
            code = err.get("Code", "ClientError")
            if code == "DataAlreadyAcceptedException":
                LOG.info("%s/%s: batch already accepted", self.group, self.stream)
                self.token = exc.response.get("expectedSequenceToken") or self.token
                return
            if code == "InvalidSequenceTokenException":
                self.token = exc.response.get("expectedSequenceToken")
            elif code == "ResourceNotFoundException":
                self.ready = False
            raise ApiError(code, err.get("Message", str(exc))) from None
        except BotoCoreError as exc:
            raise ApiError(type(exc).__name__, str(exc)) from None
        self.token = resp.get("nextSequenceToken")
        rejected = resp.get("rejectedLogEventsInfo")
        if rejected:
            self._log_rejected(rejected, len(ordered))

    def _log_rejected(self, info: dict, total: int) -> None:
        # Indexes per AWS: events before tooNewLogEventStartIndex... are fine, etc.
        too_new = total - info["tooNewLogEventStartIndex"] if "tooNewLogEventStartIndex" in info else 0
        too_old = info.get("tooOldLogEventEndIndex", -1) + 1
        expired = info.get("expiredLogEventEndIndex", -1) + 1
        count = too_new + max(too_old, expired)
        self.rejected += count
        LOG.warning("%s/%s: the service rejected %d event(s) of %d (%s)", self.group,
                    self.stream, count, total, info)
