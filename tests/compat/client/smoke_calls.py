"""A smoke of each other service the lab serves, through the SDK under test: a few calls that
create, read back (checking the answer) and delete, in each service's protocol (Glue, Firehose,
Kinesis, Kinesis Analytics and CloudWatch Logs `json`; S3 `rest-xml`; Lambda `rest-json`; IAM,
STS and CloudFormation `query`)."""
from __future__ import annotations

import io
import json
import time
import uuid
import zipfile

from record import Record

ROLE = "arn:aws:iam::000000000000:role/compat-role"
HANDLER = "def handler(event, context):\n    return {'echo': event}\n"


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def _until(rec: Record, service: str, operation: str, fn, done, timeout: float = 90) -> object:
    deadline = time.monotonic() + timeout
    while True:
        result = rec.call(service, operation, fn)
        if done(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.5)


def s3(rec: Record, client) -> None:
    bucket = _unique("compat-s3-")
    rec.call("s3", "CreateBucket", lambda: client.create_bucket(Bucket=bucket))
    rec.call("s3", "PutObject", lambda: client.put_object(Bucket=bucket, Key="a/b.txt", Body=b"hello"))
    rec.call("s3", "GetObject", lambda: client.get_object(Bucket=bucket, Key="a/b.txt")["Body"].read(),
             lambda body: body == b"hello", "b'hello'")
    rec.call("s3", "ListObjectsV2", lambda: client.list_objects_v2(Bucket=bucket, Prefix="a/"),
             lambda r: [o["Key"] for o in r["Contents"]] == ["a/b.txt"], "a/b.txt")
    rec.call("s3", "DeleteObject", lambda: client.delete_object(Bucket=bucket, Key="a/b.txt"))
    rec.call("s3", "DeleteBucket", lambda: client.delete_bucket(Bucket=bucket))


def glue(rec: Record, client) -> None:
    database = _unique("compat_glue_")
    rec.call("glue", "CreateDatabase", lambda: client.create_database(DatabaseInput={"Name": database}))
    rec.call("glue", "CreateTable", lambda: client.create_table(DatabaseName=database, TableInput={
        "Name": "t", "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "int"}],
                                           "Location": "s3://nowhere/t/"}}))
    rec.call("glue", "GetTables", lambda: client.get_tables(DatabaseName=database),
             lambda r: [(t["Name"], t["StorageDescriptor"]["Columns"]) for t in r["TableList"]]
             == [("t", [{"Name": "id", "Type": "int"}])], "table t with column id int")
    rec.call("glue", "DeleteDatabase", lambda: client.delete_database(Name=database))


def firehose(rec: Record, client, s3_client) -> None:
    bucket, name = _unique("compat-fh-"), _unique("compat-fh-")
    rec.call("s3", "CreateBucket", lambda: s3_client.create_bucket(Bucket=bucket))
    rec.call("firehose", "CreateDeliveryStream", lambda: client.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
                                            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}}))
    _until(rec, "firehose", "DescribeDeliveryStream",
           lambda: client.describe_delivery_stream(DeliveryStreamName=name),
           lambda r: r["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "ACTIVE")
    rec.call("firehose", "PutRecord", lambda: client.put_record(
        DeliveryStreamName=name, Record={"Data": b"one\n"}), lambda r: r["RecordId"], "a RecordId")
    rec.call("firehose", "PutRecordBatch", lambda: client.put_record_batch(
        DeliveryStreamName=name, Records=[{"Data": b"two\n"}, {"Data": b"three\n"}]),
        lambda r: r["FailedPutCount"] == 0 and len(r["RequestResponses"]) == 2, "2 records, none failed")
    rec.call("firehose", "ListDeliveryStreams", lambda: client.list_delivery_streams(),
             lambda r: name in r["DeliveryStreamNames"], name)
    rec.call("firehose", "DeleteDeliveryStream", lambda: client.delete_delivery_stream(DeliveryStreamName=name))


def kinesis(rec: Record, client) -> None:
    name = _unique("compat-ks-")
    rec.call("kinesis", "CreateStream", lambda: client.create_stream(StreamName=name, ShardCount=1))
    _until(rec, "kinesis", "DescribeStreamSummary",
                     lambda: client.describe_stream_summary(StreamName=name),
                     lambda r: r["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE")
    put = rec.call("kinesis", "PutRecord", lambda: client.put_record(
        StreamName=name, Data=b"hello", PartitionKey="k"))
    shards = rec.call("kinesis", "ListShards", lambda: client.list_shards(StreamName=name))["Shards"]
    iterator = rec.call("kinesis", "GetShardIterator", lambda: client.get_shard_iterator(
        StreamName=name, ShardId=shards[0]["ShardId"], ShardIteratorType="TRIM_HORIZON"))["ShardIterator"]
    rec.call("kinesis", "GetRecords", lambda: client.get_records(ShardIterator=iterator),
             lambda r: [(x["Data"], x["SequenceNumber"]) for x in r["Records"]] == [(b"hello", put["SequenceNumber"])],
             "the one record put")
    rec.call("kinesis", "DeleteStream", lambda: client.delete_stream(StreamName=name))


def kinesisanalytics(rec: Record, client) -> None:
    name = _unique("compat-kda-")
    rec.call("kinesisanalytics", "CreateApplication", lambda: client.create_application(
        ApplicationName=name, Tags=[{"Key": "team", "Value": "lab"}]))
    detail = rec.call("kinesisanalytics", "DescribeApplication",
                      lambda: client.describe_application(ApplicationName=name),
                      lambda r: r["ApplicationDetail"]["ApplicationStatus"] == "READY", "READY")
    rec.call("kinesisanalytics", "ListApplications", lambda: client.list_applications(),
             lambda r: name in {a["ApplicationName"] for a in r["ApplicationSummaries"]}, name)
    created = detail["ApplicationDetail"]["CreateTimestamp"]
    rec.call("kinesisanalytics", "DeleteApplication", lambda: client.delete_application(
        ApplicationName=name, CreateTimestamp=created))


def lambda_(rec: Record, client) -> None:
    name = _unique("compat-fn-")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("handler.py", HANDLER)
    rec.call("lambda", "CreateFunction", lambda: client.create_function(
        FunctionName=name, Runtime="python3.13", Role=ROLE, Handler="handler.handler",
        Code={"ZipFile": buf.getvalue()}, Timeout=30))
    _until(rec, "lambda", "GetFunction", lambda: client.get_function(FunctionName=name),
           lambda r: r["Configuration"]["State"] == "Active")
    rec.call("lambda", "Invoke", lambda: json.loads(client.invoke(
        FunctionName=name, Payload=json.dumps({"n": 1}).encode())["Payload"].read()),
        lambda r: r == {"echo": {"n": 1}}, "{'echo': {'n': 1}}")
    rec.call("lambda", "ListFunctions", lambda: client.list_functions(),
             lambda r: name in {f["FunctionName"] for f in r["Functions"]}, name)
    rec.call("lambda", "DeleteFunction", lambda: client.delete_function(FunctionName=name))


def logs(rec: Record, client) -> None:
    group = _unique("/compat/")
    rec.call("logs", "CreateLogGroup", lambda: client.create_log_group(logGroupName=group))
    rec.call("logs", "CreateLogStream", lambda: client.create_log_stream(logGroupName=group, logStreamName="s"))
    now = int(time.time() * 1000)
    rec.call("logs", "PutLogEvents", lambda: client.put_log_events(
        logGroupName=group, logStreamName="s",
        logEvents=[{"timestamp": now, "message": "one"}, {"timestamp": now + 1, "message": "two"}]))
    rec.call("logs", "GetLogEvents", lambda: client.get_log_events(
        logGroupName=group, logStreamName="s", startFromHead=True),
        lambda r: [e["message"] for e in r["events"]] == ["one", "two"], "one, two")
    rec.call("logs", "FilterLogEvents", lambda: client.filter_log_events(logGroupName=group),
             lambda r: sorted(e["message"] for e in r["events"]) == ["one", "two"], "one, two")
    rec.call("logs", "DeleteLogGroup", lambda: client.delete_log_group(logGroupName=group))


def iam_and_sts(rec: Record, iam, sts) -> None:
    name = _unique("compat-role-")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    arn = rec.call("iam", "CreateRole", lambda: iam.create_role(
        RoleName=name, AssumeRolePolicyDocument=trust))["Role"]["Arn"]
    rec.call("iam", "GetRole", lambda: iam.get_role(RoleName=name),
             lambda r: r["Role"]["Arn"] == arn, arn)
    rec.call("sts", "GetCallerIdentity", lambda: sts.get_caller_identity(),
             lambda r: r["Account"].isdigit() and len(r["Account"]) == 12, "a 12-digit account")
    rec.call("sts", "AssumeRole", lambda: sts.assume_role(RoleArn=arn, RoleSessionName="compat"),
             lambda r: r["Credentials"]["AccessKeyId"] and r["AssumedRoleUser"]["Arn"].endswith("/compat"),
             "credentials for the session")
    rec.call("iam", "DeleteRole", lambda: iam.delete_role(RoleName=name))


def cloudformation(rec: Record, client, glue_client) -> None:
    stack, database = _unique("compat-stack-"), _unique("compat_cfn_")
    template = {"Resources": {"Db": {"Type": "AWS::Glue::Database", "Properties": {
        "CatalogId": {"Ref": "AWS::AccountId"}, "DatabaseInput": {"Name": database}}}}}
    rec.call("cloudformation", "CreateStack", lambda: client.create_stack(
        StackName=stack, TemplateBody=json.dumps(template)))
    _until(rec, "cloudformation", "DescribeStacks", lambda: client.describe_stacks(StackName=stack),
           lambda r: r["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE")
    rec.call("glue", "GetDatabase", lambda: glue_client.get_database(Name=database),
             lambda r: r["Database"]["Name"] == database, f"the stack's database {database}")
    rec.call("cloudformation", "DeleteStack", lambda: client.delete_stack(StackName=stack))


def run_all(rec: Record, clients) -> None:
    scenarios = {
        "s3": lambda: s3(rec, clients("s3")),
        "glue": lambda: glue(rec, clients("glue")),
        "firehose": lambda: firehose(rec, clients("firehose"), clients("s3")),
        "kinesis": lambda: kinesis(rec, clients("kinesis")),
        "kinesisanalytics": lambda: kinesisanalytics(rec, clients("kinesisanalytics")),
        "lambda": lambda: lambda_(rec, clients("lambda")),
        "logs": lambda: logs(rec, clients("logs")),
        "iam+sts": lambda: iam_and_sts(rec, clients("iam"), clients("sts")),
        "cloudformation": lambda: cloudformation(rec, clients("cloudformation"), clients("glue")),
    }
    for name, scenario in scenarios.items():
        with rec.scenario(name):
            scenario()

