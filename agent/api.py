"""A minimal client for the two calls the agent makes: Firehose PutRecordBatch
and Kinesis PutRecords, over the AWS JSON protocol, signed with SigV4.

Why not boto3's client: its generic serializer and parser cost ~10 ms of CPU
per 500-record call, which alone would cap the agent below 50,000 lines/s.
Building the JSON body directly costs a fraction of that. botocore still
provides credentials (the usual chain) and the SigV4 signature, and urllib3
(botocore's own HTTP layer) the connection pool.
"""
from __future__ import annotations

import base64
import json
from typing import Any

import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

_TARGETS = {"firehose": "Firehose_20150804.PutRecordBatch", "kinesis": "Kinesis_20131202.PutRecords"}


class ApiError(Exception):
    """A call that failed as a whole (endpoint unreachable, HTTP error, AWS error)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code


class StreamClient:
    """Puts batches of records to one service (firehose or kinesis) at one URL."""

    def __init__(self, service: str, url: str, region: str, credentials: Any,
                 connect_timeout_s: float, read_timeout_s: float):
        self.service = service
        self.url = url.rstrip("/") + "/"
        self.region = region
        self.credentials = credentials          # botocore Credentials (refreshes itself)
        self.pool = urllib3.PoolManager(
            num_pools=1, maxsize=2, retries=False,
            timeout=urllib3.Timeout(connect=connect_timeout_s, read=read_timeout_s))

    def put_record_batch(self, stream: str, datas: list[bytes]) -> list[str | None]:
        """Firehose: the error code of each record, None where it was accepted."""
        records = ",".join(f'{{"Data":"{base64.b64encode(d).decode()}"}}' for d in datas)
        body = f'{{"DeliveryStreamName":{json.dumps(stream)},"Records":[{records}]}}'
        resp = self._call(body.encode())
        if not resp.get("FailedPutCount"):
            return [None] * len(datas)
        return [r.get("ErrorCode") for r in resp["RequestResponses"]]

    def put_records(self, stream: str, datas: list[bytes], keys: list[str]) -> list[str | None]:
        """Kinesis: the error code of each record, None where it was accepted."""
        records = ",".join(f'{{"Data":"{base64.b64encode(d).decode()}","PartitionKey":"{k}"}}'
                           for d, k in zip(datas, keys))
        body = f'{{"StreamName":{json.dumps(stream)},"Records":[{records}]}}'
        resp = self._call(body.encode())
        if not resp.get("FailedRecordCount"):
            return [None] * len(datas)
        return [r.get("ErrorCode") for r in resp["Records"]]

    def _call(self, body: bytes) -> dict:
        headers = {"Content-Type": "application/x-amz-json-1.1",
                   "X-Amz-Target": _TARGETS[self.service]}
        request = AWSRequest(method="POST", url=self.url, data=body, headers=headers)
        SigV4Auth(self.credentials.get_frozen_credentials(), self.service, self.region).add_auth(request)
        try:
            resp = self.pool.request("POST", self.url, body=body, headers=dict(request.headers.items()))
        except urllib3.exceptions.HTTPError as exc:
            raise ApiError("EndpointUnavailable", f"{self.url}: {exc}") from None
        try:
            doc = json.loads(resp.data) if resp.data else {}
        except ValueError:
            doc = {}
        if resp.status != 200:
            code = str(doc.get("__type", f"HTTP{resp.status}")).rsplit("#", 1)[-1]
            message = doc.get("message") or doc.get("Message") or resp.data[:200].decode("utf-8", "replace")
            raise ApiError(code, message)
        return doc
