"""The AWS SDK for pandas pointed at the lab (only its endpoints changed) with a DataFrame
written as a Glue Parquet dataset, as its users write one: shared by the awswrangler tests."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import awswrangler as wr
import boto3
import pandas as pd

from tests.athena.conftest import unique

SERVICES = ("athena", "s3", "glue", "sts")


@contextmanager
def dataset_on_the_lab(localstack, lake: dict, frame: pd.DataFrame) -> Iterator[dict]:
    """Yields the lake with `session` and `table` (the dataset's Glue table)."""
    for service in SERVICES:
        setattr(wr.config, f"{service}_endpoint_url", localstack.url)
    try:
        session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
        table = unique("hits_")
        wr.s3.to_parquet(frame, f"s3://{lake['bucket']}/data/{table}/", dataset=True, database=lake["database"],
                         table=table, boto3_session=session)
        yield {"session": session, "table": table, **lake}
    finally:
        for service in SERVICES:
            wr.config.reset(f"{service}_endpoint_url")
