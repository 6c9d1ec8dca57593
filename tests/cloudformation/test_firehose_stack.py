"""A Firehose converting JSON to Parquet with a Glue table declared in the same stack
(`DatabaseName: !Ref GlueDatabase`, `TableName: !Ref GlueTable`): the records put come
back as Parquet rows under the stack's bucket, read with pyarrow (an independent reader)."""
from __future__ import annotations

import io
import json
import uuid

import pyarrow.parquet as pq
import pytest

from tests.cloudformation.conftest import outputs, parameters, settled, template
from tests.support.firehose_calls import objects
from tests.support.waiting import wait_for

pytestmark = pytest.mark.localstack


def test_firehose_converts_with_the_stacks_own_glue_table(cfn_localstack):
    cfn, firehose = cfn_localstack.client("cloudformation"), cfn_localstack.client("firehose")
    suffix = uuid.uuid4().hex[:6]
    stack, bucket, database, name = f"fh-{suffix}", f"lake-{suffix}", f"lake_{suffix}", f"parquet-{suffix}"
    cfn.create_stack(StackName=stack, TemplateBody=template("firehose_parquet.yaml"), Capabilities=["CAPABILITY_IAM"],
                     Parameters=parameters(BucketName=bucket, DatabaseName=database, DeliveryStreamName=name))
    created = settled(cfn, stack)
    assert created["StackStatus"] == "CREATE_COMPLETE", created.get("StackStatusReason")
    assert outputs(created)["DeliveryStreamArn"].endswith(f":deliverystream/{name}")
    schema = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"][
        "Destinations"][0]["ExtendedS3DestinationDescription"]["DataFormatConversionConfiguration"][
        "SchemaConfiguration"]
    assert (schema["DatabaseName"], schema["TableName"]) == (database, "access_log_parquet")

    docs = [{"host": f"10.0.0.{i % 5}", "request": f"GET /products/{i} HTTP/1.1", "response": [200, 404][i % 2],
             "bytes": 1000 + i, "agent": "not in the table"} for i in range(50)]
    put = firehose.put_record_batch(DeliveryStreamName=name,
                                    Records=[{"Data": json.dumps(d).encode() + b"\n"} for d in docs])
    assert put["FailedPutCount"] == 0

    delivered = wait_for(lambda: objects(cfn_localstack, bucket, "parquet/"), timeout=60, what="Parquet objects")
    rows = [row for body in delivered.values() for row in pq.read_table(io.BytesIO(body)).to_pylist()]
    assert rows == [{k: d[k] for k in ("host", "request", "response", "bytes")} for d in docs]
    assert objects(cfn_localstack, bucket, "errors/") == {}, "no record failed"
