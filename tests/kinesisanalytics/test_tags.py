"""Kinesis Analytics (v1, the API the lab serves) tags: Tags at CreateApplication,
TagResource/UntagResource/ListTagsForResource, ResourceNotFoundException for an unknown ARN."""
from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.localstack


def test_application_tags(localstack):
    kda = localstack.client("kinesisanalytics")
    name = f"tags-{uuid.uuid4().hex[:8]}"
    detail = kda.create_application(ApplicationName=name, Tags=[{"Key": "team", "Value": "lab"}])
    arn = detail["ApplicationSummary"]["ApplicationARN"]
    assert kda.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "lab"}]
    kda.tag_resource(ResourceARN=arn, Tags=[{"Key": "stage", "Value": "two"}])
    kda.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert kda.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "stage", "Value": "two"}]
    unknown = arn.rsplit("/", 1)[0] + "/nope"
    for call in (lambda: kda.list_tags_for_resource(ResourceARN=unknown),
                 lambda: kda.tag_resource(ResourceARN=unknown, Tags=[{"Key": "k", "Value": "v"}]),
                 lambda: kda.untag_resource(ResourceARN=unknown, TagKeys=["k"])):
        with pytest.raises(ClientError) as err:
            call()
        assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
    created = kda.describe_application(ApplicationName=name)["ApplicationDetail"]["CreateTimestamp"]
    kda.delete_application(ApplicationName=name, CreateTimestamp=created)
