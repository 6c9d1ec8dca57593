"""labctl.labs.anomaly.parquet_rows reads a Parquet file's row count from its footer; pyarrow
(an independent writer and reader) makes the files and says how many rows they hold."""
from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from labctl.labs.anomaly.parquet_rows import ParquetFooterError, num_rows

pytestmark = pytest.mark.unit


def parquet(table: pa.Table, **options) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out, **options)
    return out.getvalue()


@pytest.mark.parametrize("rows, row_group_size, compression", [
    (0, None, "NONE"), (1, None, "NONE"), (1000, 100, "NONE"), (70_000, 5_000, "SNAPPY")])
def test_the_row_count_is_pyarrows(rows, row_group_size, compression):
    table = pa.table({
        "sourceIp": [f"10.0.{i % 256}.{i % 7}" for i in range(rows)],
        "price": [i * 0.5 for i in range(rows)],
        "ok": [i % 3 == 0 for i in range(rows)],
        "tags": [[str(i), "x"] for i in range(rows)],
        "attrs": [{"k": str(i)} for i in range(rows)],
    })
    data = parquet(table, row_group_size=row_group_size, compression=compression)
    data_with_metadata = parquet(table.replace_schema_metadata({"origin": "glue" * 100}))
    assert num_rows(data) == pq.read_metadata(io.BytesIO(data)).num_rows == rows
    assert num_rows(data_with_metadata) == rows


def test_not_parquet_is_a_clear_error():
    with pytest.raises(ParquetFooterError, match="not a Parquet file"):
        num_rows(b'{"a": 1}\n' * 10)
    with pytest.raises(ParquetFooterError):
        num_rows(b"PAR1" + b"\x00" * 4 + b"\xff\xff\x00\x00" + b"PAR1")
