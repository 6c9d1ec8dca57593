"""Per-stream counters: where every received record ended up.

received + deaggregated = delivered + dropped + processing_failed + delivery_failed
+ partitioning_failed + format_conversion_failed + buffered (buffered records are those
still in the journal; `deaggregated` counts the extra records RecordDeAggregation made).
`backed_up` counts copies written to the backup bucket (AllDocuments / source record
backup) and is not part of that sum.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass
class StreamCounters:
    received: int = 0
    delivered: int = 0
    dropped: int = 0
    processing_failed: int = 0
    delivery_failed: int = 0
    backed_up: int = 0
    lambda_invocations: int = 0
    lambda_errors: int = 0
    delivery_retries: int = 0
    s3_objects: int = 0
    bulk_requests: int = 0
    rejected_puts: int = 0
    deaggregated: int = 0
    partitioning_failed: int = 0
    format_conversion_failed: int = 0

    def add(self, other: StreamCounters) -> None:
        """Add another set of counts (e.g. one batch's outcome) to these."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> StreamCounters:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})
