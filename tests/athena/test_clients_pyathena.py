"""PyAthena (DB-API 2.0 client for Athena) against the lab, connected as its users connect:
`pyathena.connect(s3_staging_dir=..., region_name=..., endpoint_url=...)` for Athena and
botocore's `AWS_ENDPOINT_URL_S3` for the result files its PandasCursor reads. The rows are
compared with answers computed in the test from the rows it wrote to S3 with pyarrow."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyathena
import pytest
from pyathena.error import OperationalError
from pyathena.pandas.cursor import PandasCursor

from tests.athena.conftest import ON_BOTH_ENGINES

pytestmark = [pytest.mark.localstack, ON_BOTH_ENGINES]

HITS = [
    {"id": 1, "page": "/", "ms": 12.5, "bot": False, "ts": dt.datetime(2026, 1, 1, 10, 0, 0)},
    {"id": 2, "page": "/cart", "ms": 40.0, "bot": False, "ts": dt.datetime(2026, 1, 1, 10, 5, 30)},
    {"id": 3, "page": "/", "ms": 7.25, "bot": True, "ts": dt.datetime(2026, 1, 1, 11, 0, 0)},
    {"id": 4, "page": "/checkout", "ms": 120.0, "bot": False, "ts": dt.datetime(2026, 1, 2, 9, 15, 0)},
    {"id": 5, "page": "/cart", "ms": 33.0, "bot": False, "ts": dt.datetime(2026, 1, 2, 23, 59, 59)},
]
PER_PAGE = "SELECT page, count(*) AS hits, sum(ms) AS total_ms FROM hits WHERE NOT bot GROUP BY page"


@pytest.fixture()
def connection(localstack, lake, s3, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", localstack.url)
    buf = io.BytesIO()
    schema = pa.schema([("id", pa.int64()), ("page", pa.string()), ("ms", pa.float64()), ("bot", pa.bool_()),
                        ("ts", pa.timestamp("ms"))])
    pq.write_table(pa.Table.from_pylist(HITS, schema=schema), buf)
    s3.put_object(Bucket=lake["bucket"], Key="data/hits/part-0.parquet", Body=buf.getvalue())
    conn = pyathena.connect(s3_staging_dir=lake["output"], region_name="us-east-1", schema_name=lake["database"],
                            work_group=lake["work_group"], endpoint_url=localstack.url, aws_access_key_id="test", aws_secret_access_key="test")
    conn.cursor().execute("CREATE EXTERNAL TABLE hits (id bigint, page string, ms double, bot boolean, "
                          f"ts timestamp) STORED AS PARQUET LOCATION 's3://{lake['bucket']}/data/hits/'")
    yield conn
    conn.close()


def expected_per_page() -> list[tuple]:
    out: dict[str, list[float]] = {}
    for h in HITS:
        if not h["bot"]:
            out.setdefault(h["page"], []).append(h["ms"])
    return [(page, len(ms), sum(ms)) for page, ms in sorted(out.items())]


def test_dbapi_cursor(connection):
    cursor = connection.cursor()
    cursor.execute(PER_PAGE + " ORDER BY page")
    assert [d[0] for d in cursor.description] == ["page", "hits", "total_ms"]
    assert [d[1] for d in cursor.description] == ["varchar", "bigint", "double"]
    assert cursor.fetchall() == expected_per_page()
    assert cursor.state == "SUCCEEDED" and cursor.output_location.endswith(f"{cursor.query_id}.csv")

    cursor.execute("SELECT id, ts, bot FROM hits WHERE page = %(page)s ORDER BY id", {"page": "/cart"})
    assert cursor.fetchall() == [(h["id"], h["ts"], h["bot"]) for h in HITS if h["page"] == "/cart"]
    cursor.execute("SELECT id FROM hits ORDER BY id")
    assert cursor.fetchone() == (1,)
    assert cursor.fetchmany(2) == [(2,), (3,)]
    assert [r[0] for r in cursor] == [4, 5]

    with pytest.raises(OperationalError, match="COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved"):
        cursor.execute("SELECT nope FROM hits")


def test_pandas_cursor(connection):
    hits = pd.DataFrame(HITS)
    humans = hits[~hits["bot"]]
    want = (humans.groupby("page", as_index=False).agg(hits=("id", "count"), total_ms=("ms", "sum"))
            .sort_values("page").reset_index(drop=True))
    cursor = connection.cursor(PandasCursor)
    got = cursor.execute(PER_PAGE + " ORDER BY page").as_pandas()
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    frame = cursor.execute("SELECT id, ts FROM hits ORDER BY id").as_pandas()
    assert list(frame["id"]) == list(hits["id"])
    assert list(frame["ts"]) == list(hits["ts"])


def test_pandas_cursor_unload(connection, localstack, lake):
    """PandasCursor(unload=True) wraps the query in UNLOAD ... WITH (format = 'PARQUET') and
    reads the Parquet files its data manifest lists."""
    cursor = connection.cursor(PandasCursor, unload=True)
    got = cursor.execute(PER_PAGE).as_pandas().sort_values("page").reset_index(drop=True)
    assert [tuple(r) for r in got.itertuples(index=False)] == expected_per_page()
    athena = localstack.client("athena")
    execution = athena.get_query_execution(QueryExecutionId=cursor.query_id)["QueryExecution"]
    assert execution["Query"].lstrip().upper().startswith("UNLOAD")
    assert execution["Statistics"]["DataManifestLocation"].endswith(f"{cursor.query_id}-manifest.csv")
