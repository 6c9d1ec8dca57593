"""Imports the extension's pure modules into the test process (they run in LocalStack's venv
too; these tests exercise them directly where a unit answer is the point)."""
from __future__ import annotations

import sys
from pathlib import Path

EXTENSION = Path(__file__).resolve().parents[2] / "services" / "localstack" / "extension"
if str(EXTENSION) not in sys.path:
    sys.path.insert(0, str(EXTENSION))

from lab_localstack.kinesisanalytics.sql_types import parse_type


def coerce(sql_type: str, value):
    return parse_type(sql_type).coerce(value)
