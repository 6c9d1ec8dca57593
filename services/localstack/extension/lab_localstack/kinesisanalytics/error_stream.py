"""The in-application error stream `error_stream`: its columns (AWS's) and one error row.

Kinesis Data Analytics reports runtime errors there: records that do not match the input
schema, values that cannot be coerced to a column's type, failures of a pump's query. An
application persists them by naming `error_stream` as an output.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lab_localstack.kinesisanalytics.kda_sql import ERROR_STREAM, Column, StreamDef
from lab_localstack.kinesisanalytics.sql_types import parse_type

ERROR_STREAM_DEF = StreamDef(ERROR_STREAM, tuple(Column(name, parse_type(sql_type)) for name, sql_type in (
    ("ERROR_TIME", "TIMESTAMP"),
    ("ERROR_LEVEL", "VARCHAR(10)"),
    ("ERROR_NAME", "VARCHAR(32)"),
    ("MESSAGE", "VARCHAR(4096)"),
    ("DATA_ROWTIME", "TIMESTAMP"),
    ("DATA_ROW", "VARCHAR(49152)"),
    ("PUMP_NAME", "VARCHAR(128)"),
)))

# ERROR_NAME values the lab reports
PARSE_ERROR = "Tuple_Parsing_Error"
COERCION_ERROR = "Type_Coercion_Error"
PREPROCESSING_ERROR = "Lambda_Processing_Error"
QUERY_ERROR = "Pump_Query_Error"


def utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None)


@dataclass
class ErrorRow:
    name: str
    message: str
    data_row: str = ""
    data_rowtime_ms: int | None = None
    pump_name: str = ""
    level: str = "Error"
    time_ms: int = field(default_factory=lambda: int(time.time() * 1000))

    def values(self) -> tuple:
        return (utc(self.time_ms), self.level, self.name[:32], self.message[:4096],
                utc(self.data_rowtime_ms) if self.data_rowtime_ms is not None else None,
                self.data_row[:49152], self.pump_name[:128])
