"""The indices the dashboards read, each one an index pattern in Dashboards.

- ``APACHE``: the ETL's documents (``apache*``, time field ``@timestamp``, fields from the
  index template);
- ``WEB_ACCESS_COUNTS``: the rows of the sibling lab's Kinesis Analytics application
  (``DASHBOARD_STREAM`` -> Firehose ``web_access_counts_index`` -> index
  ``web-access-counts``): ``{"WINDOW_END": "2026-11-25 14:00:10.000", "CLIENT_IP": "...",
  "REQUEST_COUNT": 3}``, one row per client and 10 s window. Its mapping is defined here
  once; provisioning (``labctl.streaming_sql``) creates the index with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import INDEX_PATTERN_ID, INDEX_PATTERN_TITLE, TIME_FIELD
from .template import field_types

# A KDA TIMESTAMP in a JSON output record (sql_types.TIMESTAMP_FORMAT, milliseconds, UTC).
KDA_TIMESTAMP_FORMAT = "yyyy-MM-dd HH:mm:ss.SSS"
WEB_ACCESS_COUNTS_MAPPING: dict[str, Any] = {"mappings": {"properties": {
    "WINDOW_END": {"type": "date", "format": KDA_TIMESTAMP_FORMAT},
    "CLIENT_IP": {"type": "keyword"}, "REQUEST_COUNT": {"type": "integer"}}}}


@dataclass(frozen=True)
class Source:
    """An index (or pattern) and its Dashboards index pattern."""

    id: str
    title: str
    time_field: str
    # Explicit mapping of the index; None = the ``apache*`` index template.
    mapping: dict[str, Any] | None = field(default=None, compare=False, hash=False)
    field_formats: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def field_types(self, template: dict[str, Any] | None = None) -> dict[str, str]:
        """Field name -> OpenSearch type."""
        if self.mapping is None:
            return field_types(template)
        return {name: spec["type"] for name, spec in self.mapping["mappings"]["properties"].items()}


APACHE = Source(INDEX_PATTERN_ID, INDEX_PATTERN_TITLE, TIME_FIELD,
                field_formats={"bytes": {"id": "bytes"}})
WEB_ACCESS_COUNTS = Source("web-access-counts", "web-access-counts", "WINDOW_END",
                           mapping=WEB_ACCESS_COUNTS_MAPPING)
