"""LocalStack's S3 provider with the lab's disk store and metadata journal.

`LabS3Provider` is LocalStack 4.14's `S3Provider` (every operation unchanged) given a
`DiskS3ObjectStore` for object data, with the metadata restored from the journal when the
provider starts. `dispatch_table` wraps each operation that changes something so that the
journal record is on disk before the response is returned (persistence.py).
"""
from __future__ import annotations

import logging
from pathlib import Path

from localstack.aws.skeleton import DispatchTable, create_dispatch_table
from localstack.services.s3.provider import S3Provider

from lab_localstack.after_change import after_changes
from lab_localstack.s3.persistence import S3Persistence
from lab_localstack.state_files import state_dir

LOG = logging.getLogger(__name__)

# Operations that change nothing the journal keeps: reads, and multipart uploads in progress
# (their parts are not kept across a restart; CompleteMultipartUpload is journaled).
NOT_JOURNALED_PREFIXES = ("Get", "List", "Head", "Select")
NOT_JOURNALED = {"UploadPart", "UploadPartCopy", "CreateMultipartUpload", "AbortMultipartUpload",
                 "WriteGetObjectResponse"}


class LabS3Provider(S3Provider):
    def __init__(self, root: Path | None = None) -> None:
        self.persistence = S3Persistence(root or state_dir("s3"))
        super().__init__(storage_backend=self.persistence.store)
        self.persistence.restore()

    def on_after_state_reset(self):
        self.persistence.reset()
        super().on_after_state_reset()


def journaled(operation: str) -> bool:
    return not operation.startswith(NOT_JOURNALED_PREFIXES) and operation not in NOT_JOURNALED


def dispatch_table(provider: LabS3Provider) -> DispatchTable:
    return after_changes(create_dispatch_table(provider), journaled, provider.persistence.after)
