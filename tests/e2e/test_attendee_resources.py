"""An attendee's own resources beside the lab's, named like the lab's (issue 35, acceptance 2).

The workshop asks attendees to make their own delivery stream; they pick names that start like
the lab's: a Firehose `webserver_stream_me` into the index `apache_me`, backing every document up
in the lab's bucket under `apache_me_` (whose keys start with the lab's `apache_`), failed records
in the bucket's shared `processing-failed/`. The lab's accounting (`make status`'s `Accounted:`)
must count only the lab's own stream, index and exact prefixes; the attendee's things are listed
under their own heading and never counted; after `make down` / `make up` they are unchanged
(same index, same documents, same objects, the same stream version) and the lab's accounting is
exact again. The lab's Glue crawler over `s3://<bucket>/apache_` catalogues only the lab's
backup: Athena counts the lab's documents in the lab's table, not the attendee's.
"""
from __future__ import annotations

import json

import boto3
import pytest
import requests
from labctl import data_lake, native, runtimes, status
from labctl import settings as lab

from tests.support.native_lab import NativeLab, generated_lines
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.apache, pytest.mark.localstack, pytest.mark.opensearch]

STREAM, INDEX, PREFIX = "webserver_stream_me", "apache_me", "apache_me_"


def client(s: lab.LabSettings, service: str):
    return boto3.client(service, endpoint_url=s.localstack_url, region_name=lab.REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")


def counters(s: lab.LabSettings, stream: str) -> dict:
    response = requests.get(f"{s.localstack_url}/_lab/firehose/streams/{stream}", timeout=5)
    return response.json().get("counters", {}) if response.ok else {}


def count(s: lab.LabSettings, index: str) -> int:
    requests.post(f"{s.opensearch_url}/{index}/_refresh", timeout=30)
    return int(requests.get(f"{s.opensearch_url}/{index}/_count", timeout=30).json()["count"])


def settled(s: lab.LabSettings, stream: str, index: str, received: int) -> bool:
    """Everything the stream received is delivered or failed, and the index holds what it delivered."""
    c = counters(s, stream)
    done = c.get("received") == received and c.get("buffered_records", 1) == 0
    return done and count(s, index) == c.get("delivered")


def create_attendee_stream(s: lab.LabSettings) -> None:
    """As an attendee makes it in the console: the lab's Lambda as processor, all documents backed up."""
    hints = {"IntervalInSeconds": 1, "SizeInMBs": 1}
    role = f"arn:aws:iam::{lab.ACCOUNT_ID}:role/firehose_delivery_role"
    lambda_arn = client(s, "lambda").get_function(FunctionName=lab.LAMBDA_NAME)["Configuration"]["FunctionArn"]
    firehose = client(s, "firehose")
    firehose.create_delivery_stream(
        DeliveryStreamName=STREAM, DeliveryStreamType="DirectPut",
        AmazonopensearchserviceDestinationConfiguration={
            "RoleARN": role, "ClusterEndpoint": s.opensearch_url, "IndexName": INDEX,
            "IndexRotationPeriod": "NoRotation", "BufferingHints": hints, "S3BackupMode": "AllDocuments",
            "S3Configuration": {"RoleARN": role, "BucketARN": f"arn:aws:s3:::{lab.BACKUP_BUCKET}",
                                "Prefix": PREFIX, "BufferingHints": hints},
            "ProcessingConfiguration": {"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
                {"ParameterName": "LambdaArn", "ParameterValue": lambda_arn}]}]}})
    wait_for(lambda: firehose.describe_delivery_stream(DeliveryStreamName=STREAM)["DeliveryStreamDescription"]
             ["DeliveryStreamStatus"] == "ACTIVE", 60, what=f"{STREAM} ACTIVE")


def attendee_things(s: lab.LabSettings) -> dict:
    """What the attendee owns, as it stands: the index (its uuid: never recreated or renamed) and
    its documents, their objects in the bucket, their stream's description."""
    index = requests.get(f"{s.opensearch_url}/{INDEX}", timeout=30).json()[INDEX]
    hits = requests.get(f"{s.opensearch_url}/{INDEX}/_search", json={"size": 1000, "query": {"match_all": {}}},
                        timeout=30).json()["hits"]["hits"]
    s3 = client(s, "s3")
    objects = {o["Key"]: o["ETag"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=lab.BACKUP_BUCKET)
               for o in page.get("Contents", []) if STREAM + "-" in o["Key"]}
    description = client(s, "firehose").describe_delivery_stream(DeliveryStreamName=STREAM)["DeliveryStreamDescription"]
    destination = description["Destinations"][0]["AmazonopensearchserviceDestinationDescription"]
    return {"uuid": index["settings"]["index"]["uuid"],
            "documents": {h["_id"]: json.dumps(h["_source"], sort_keys=True) for h in hits},
            "objects": objects, "version": description["VersionId"],
            "destination": (destination["IndexName"], destination["S3DestinationDescription"]["Prefix"])}


def lab_status(s: lab.LabSettings) -> status.LabStatus:
    return status.collect(s, runtimes.NativeRuntime(s))


@pytest.mark.timeout(1200)   # two starts of the whole lab on a loaded 2-core machine
def test_attendee_resources_named_like_the_labs_are_listed_never_counted_and_kept(tmp_path):
    lab_lines = generated_lines(300, seed=3501, bad_fraction=0.05)
    attendee_records = generated_lines(120, seed=3502, bad_fraction=0.1)
    with NativeLab.running(tmp_path / "lab") as nl:
        s = nl.settings
        create_attendee_stream(s)
        nl.append_lines(nl.begin_case("the lab's own traffic"), lab_lines)
        firehose = client(s, "firehose")
        firehose.put_record_batch(DeliveryStreamName=STREAM, Records=[{"Data": r} for r in attendee_records])
        wait_for(lambda: settled(s, lab.DELIVERY_STREAM, lab.INDEX_NAME, len(lab_lines)), 180,
                 what="the lab's stream delivered every line")
        wait_for(lambda: settled(s, STREAM, INDEX, len(attendee_records)), 180,
                 what="the attendee's stream delivered every record")
        mine = counters(s, STREAM)
        assert mine["delivered"] > 0 and mine["processing_failed"] > 0, mine   # both kinds of object exist
        before = attendee_things(s)
        assert len(before["documents"]) == mine["delivered"]
        assert any(k.startswith(PREFIX) for k in before["objects"])
        assert any(k.startswith("processing-failed/") for k in before["objects"])

        def exact_and_listed(st: status.LabStatus) -> None:
            text = status.render_text(st)
            assert st.log_lines == len(lab_lines)
            assert st.accounted == len(lab_lines), text
            assert st.index_documents == count(s, lab.INDEX_NAME), text
            assert f"Accounted: {len(lab_lines)} of {len(lab_lines)} lines (all accounted for)" in text
            # the attendee's stream and index are under their own heading, with their own figures
            others = text[text.index("Not the lab's"):]
            assert STREAM in others and INDEX in others, text
            assert st.others["indices"] == {INDEX: mine["delivered"]}
            assert st.others["delivery_streams"][STREAM]["delivered"] == mine["delivered"]
            assert STREAM not in st.firehose
            assert st.others["s3_objects"][STREAM] == len(before["objects"])

        exact_and_listed(st := lab_status(s))

        native.down(s)
        native.up(s)

        assert attendee_things(s) == before
        wait_for(lambda: settled(s, lab.DELIVERY_STREAM, lab.INDEX_NAME, len(lab_lines)), 120,
                 what="the lab's stream settled after the restart")
        exact_and_listed(lab_status(s))

        glue, athena = client(s, "glue"), client(s, "athena")
        data_lake.crawl(glue)
        rows = data_lake.run_query(athena, f'SELECT count(*) FROM "{lab.BACKUP_TABLE}"')[1]
        assert int(rows[1][0]) == st.s3_records["backup"] == counters(s, lab.DELIVERY_STREAM)["backed_up"]
        partitions = glue.get_partitions(DatabaseName=lab.GLUE_DATABASE, TableName=lab.BACKUP_TABLE)["Partitions"]
        assert partitions and all(p["Values"][0].isdigit() for p in partitions), [p["Values"] for p in partitions]
