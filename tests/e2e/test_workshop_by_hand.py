"""The workshop by hand (issue 35, acceptance 1): an attendee types every console step with the
AWS CLI, in a shell set up by `make env` alone (no ~/.aws, no AWS_* variables of their own).

On an empty native lab (LAB_PROVISION=none: the services answer, the lab made nothing in them
and runs no agent), under names of the attendee's: the roles, the ETL Lambda from `make lambda`'s zip, the OpenSearch domain (waited for until it has
its endpoint), a bucket, the Firehose with the Lambda as transformation, the domain's ARN as
destination and every document backed up to S3; then the agent (`python -m agent`) with a
workshop-style agent.json pointed at that Firehose, and the generator's access-log lines (some
malformed) in the file it tails. Every line is accounted for exactly once: its document in the
attendee's index (with its copy under the backup prefix) or its record in processing-failed/,
as the lab's ETL predicts (tests/support/line_accounting.py).

Then the streaming-SQL lab the same way: the input and output Kinesis streams, the Kinesis
Analytics (SQL) application with the lab's SQL pasted in, its input schema and output, started
from TRIM_HORIZON; the agent's kinesisStream flow ships Apache's JSON lines (the `kinesis`
LogFormat of services/apache/httpd-lab.conf) and the per-client counts on the output stream add
up to the lines each client wrote. One empty native lab for the module; the lab's own resources
(tests/e2e/test_attendee_resources.py runs an attendee's beside them) are never made in it.
"""
from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import boto3
import pytest
import requests
from labctl import runtimes, status, streaming_sql
from labctl import settings as lab

from tests.support import line_accounting as acc
from tests.support.native_lab import REPO, NativeLab
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.apache, pytest.mark.localstack, pytest.mark.opensearch]

FUNCTION, DOMAIN, BUCKET, STREAM, INDEX = "my_apache_ETL", "my-workshop-domain", "my-clickstream-backup", \
    "my_webserver_stream", "my_apache"
LINES = 300
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"Service": "SERVICE.amazonaws.com"}}]}


@pytest.fixture(scope="module")
def running_lab(tmp_path_factory):
    with NativeLab.running(tmp_path_factory.mktemp("by-hand-lab"), extra_env={"LAB_PROVISION": "none"}) as nl:
        yield nl


class Agent:
    """`python -m agent --config agent.json` in the attendee's home, stopped with SIGTERM."""

    def __init__(self, sh: Shell, config: dict):
        name = sh.write("agent.json", config)
        sh.typed.append(f"python -m agent --config {name}")
        self.stats = sh.home / "agent-stats.json"
        self.log = open(sh.home / "agent.log", "wb")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen([sys.executable, "-m", "agent", "--config", str(sh.home / name),
                                         "--stats-file", str(self.stats)],
                                        cwd=REPO, env={**os.environ, "HOME": str(sh.home)},
                                        stdout=subprocess.DEVNULL, stderr=self.log)

    def __enter__(self) -> Agent:  # noqa: PYI034
        return self

    def __exit__(self, *exc) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)
        self.log.close()

    def totals(self) -> dict:
        stats = json.loads(self.stats.read_text())
        return stats.get("totals", stats)


class Shell:
    """An attendee's terminal: `eval "$(make -s env)"`, then each command as typed."""

    def __init__(self, s: lab.LabSettings, home: Path):
        self.home = home
        self.env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LAB_STATE_DIR": str(s.state_dir),
                    "LAB_LOCALSTACK_PORT": str(s.localstack_port), "LAB_OPENSEARCH_PORT": str(s.opensearch_port),
                    "LAB_APACHE_PORT": str(s.apache_port), "LAB_DASHBOARDS_PORT": str(s.dashboards_port)}
        self.typed: list[str] = []

    def run(self, command: str, check: bool = True) -> subprocess.CompletedProcess:
        self.typed.append(command)
        done = subprocess.run(["bash", "-c", f'eval "$(make -s env)" && cd "$HOME" && {command}'], cwd=REPO,
                              env=self.env, capture_output=True, text=True, timeout=180, check=False)
        if check:
            assert done.returncode == 0, f"$ {command}\n{done.stdout}\n{done.stderr}"
        return done

    def json(self, command: str) -> dict:
        return json.loads(self.run(command).stdout)

    def write(self, name: str, data: dict | str) -> str:
        path = self.home / name
        path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2))
        return name


def observation(s: lab.LabSettings) -> acc.Observation:
    """What the attendee's index and bucket hold."""
    obs = acc.Observation()
    requests.post(f"{s.opensearch_url}/{INDEX}/_refresh", timeout=30)
    found = requests.get(f"{s.opensearch_url}/{INDEX}/_search", json={"size": 10000, "query": {"match_all": {}}},
                         timeout=30)
    # 404: no document yet; 503: the index was just made and its shard is not yet started
    if found.status_code not in (404, 503):
        found.raise_for_status()
    for hit in found.json()["hits"]["hits"] if found.ok else []:
        obs.indexed[acc.document_key(hit["_source"])] += 1
    s3 = boto3.client("s3", endpoint_url=s.localstack_url, region_name=lab.REGION,
                      aws_access_key_id="test", aws_secret_access_key="test")
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
            if item["Key"].startswith("processing-failed/"):
                for failed in acc._json_values(body):
                    obs.processing_failed[base64.b64decode(failed["rawData"])] += 1
            elif item["Key"].startswith("my_apache_"):
                for document in acc._json_values(body):
                    obs.backup[acc.document_key(document)] += 1
    return obs


@pytest.fixture
def sh(running_lab, tmp_path) -> Shell:
    """The attendee's shell, in an empty home of its own (no ~/.aws)."""
    home = tmp_path / "home"
    home.mkdir()
    return Shell(running_lab.settings, home)


def test_the_lab_is_empty_and_says_so(running_lab, sh):
    """Nothing of the lab's own is made in an empty lab, whatever the attendee has made so far."""
    s = running_lab.settings
    functions = sh.json("aws lambda list-functions")["Functions"]
    streams = sh.json("aws firehose list-delivery-streams")["DeliveryStreamNames"]
    buckets = [b["Name"] for b in sh.json("aws s3api list-buckets")["Buckets"]]
    assert lab.LAMBDA_NAME not in [f["FunctionName"] for f in functions]
    assert not {lab.DELIVERY_STREAM, lab.KINESIS_DELIVERY_STREAM} & set(streams), streams
    assert lab.BACKUP_BUCKET not in buckets
    assert requests.get(f"{s.opensearch_url}/{lab.INDEX_NAME}", timeout=30).status_code == 404
    assert not (s.state_dir / "localstack" / "fs" / "etc" / "localstack" / "init" / "ready.d" / "10-provision.sh").exists()
    text = status.render_text(status.collect(s, runtimes.NativeRuntime(s)))
    assert "agent" in text and "not run (an empty lab: LAB_PROVISION=none)" in text, text


@pytest.mark.timeout(900)
def test_an_attendee_builds_the_workshop_by_hand_with_the_aws_cli(running_lab, sh):
    home, s = sh.home, running_lab.settings
    version = sh.run("aws --version")
    assert "aws-cli/1." in version.stdout + version.stderr   # the venv's CLI v1 (PyPI has no v2)
    sh.write("lambda-trust.json", json.dumps(TRUST).replace("SERVICE", "lambda"))
    sh.write("firehose-trust.json", json.dumps(TRUST).replace("SERVICE", "firehose"))
    lambda_role = sh.json("aws iam create-role --role-name my_lambda_role "
                          "--assume-role-policy-document file://lambda-trust.json")["Role"]["Arn"]
    firehose_role = sh.json("aws iam create-role --role-name my_firehose_role "
                            "--assume-role-policy-document file://firehose-trust.json")["Role"]["Arn"]

    # "Create the Lambda function" from the zip `make lambda` built
    zip_path = s.lambda_zip
    assert zip_path.is_file(), f"{zip_path}: run `make lambda`"
    function = sh.json(f"aws lambda create-function --function-name {FUNCTION} --runtime python3.13 "
                       f"--handler etl.handler.lambda_handler --role {lambda_role} "
                       f"--zip-file fileb://{zip_path} --timeout 60 --memory-size 256")
    sh.run(f"aws lambda wait function-active-v2 --function-name {FUNCTION}")

    # "Create the Elasticsearch domain", then wait for its endpoint as the console shows it
    sh.json(f"aws es create-elasticsearch-domain --domain-name {DOMAIN} --elasticsearch-version 6.3 "
            "--elasticsearch-cluster-config InstanceType=t2.small.elasticsearch,InstanceCount=1 "
            "--ebs-options EBSEnabled=true,VolumeType=gp2,VolumeSize=10")

    def domain() -> dict | None:
        described = sh.json(f"aws opensearch describe-domain --domain-name {DOMAIN}")["DomainStatus"]
        return described if described.get("Endpoint") and not described["Processing"] else None

    domain_status = wait_for(domain, 90, 1, what="the domain's endpoint")
    assert domain_status["Endpoint"] == f"127.0.0.1:{s.opensearch_port}"

    # "Create the Firehose delivery stream": transformation by the Lambda, every document backed up
    sh.run(f"aws s3 mb s3://{BUCKET}")
    hints = {"IntervalInSeconds": 1, "SizeInMBs": 1}   # the console's 60 s, shortened for the test
    destination = sh.write("destination.json", {
        "RoleARN": firehose_role, "DomainARN": domain_status["ARN"], "IndexName": INDEX,
        "IndexRotationPeriod": "NoRotation", "BufferingHints": hints,
        "RetryOptions": {"DurationInSeconds": 300}, "S3BackupMode": "AllDocuments",
        "S3Configuration": {"RoleARN": firehose_role, "BucketARN": f"arn:aws:s3:::{BUCKET}",
                            "Prefix": "my_apache_", "BufferingHints": hints, "CompressionFormat": "UNCOMPRESSED"},
        "ProcessingConfiguration": {"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
            {"ParameterName": "LambdaArn", "ParameterValue": function["FunctionArn"]}]}]}})
    sh.run(f"aws firehose create-delivery-stream --delivery-stream-name {STREAM} "
           f"--delivery-stream-type DirectPut "
           f"--amazonopensearchservice-destination-configuration file://{destination}")
    wait_for(lambda: sh.json(f"aws firehose describe-delivery-stream --delivery-stream-name {STREAM}")
             ["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "ACTIVE", 60, 1, what=f"{STREAM} ACTIVE")

    # "Configure and start the Kinesis Agent": the workshop's agent.json, pointed at the lab
    log = home / "httpd" / "access_log"
    log.parent.mkdir()
    with Agent(sh, {"cloudwatch.emitMetrics": False, "firehose.endpoint": s.localstack_url,
                    "checkpointFile": str(home / "agent-checkpoints.db"), "log.statusReportingPeriodSeconds": 1,
                    "flows": [{"filePattern": f"{log.parent}/access_log*", "deliveryStream": STREAM,
                               "partitionKeyOption": "RANDOM", "initialPosition": "START_OF_FILE"}]}) as agent:
        # "Generate traffic": the generator's Apache lines, some malformed, into the tailed log
        sh.run(f"python -m generator --file {log} --count {LINES} --seed 3510 --bad-fraction 0.05 --no-progress")
        lines = acc.split_lines(log.read_bytes())
        assert len(lines) == LINES
        expected = acc.expected_outcomes(lines)
        failing = sum(1 for e in expected if e.result == acc.FAILED)
        assert 0 < failing < LINES

        def accounted() -> acc.Accounting | None:
            result = acc.account(expected, observation(s))
            return result if result.lost == 0 and result.backup_missing == 0 else None

        result = wait_for(accounted, 180, 1, what="every line in the index or processing-failed/")
        totals = agent.totals()
    assert result.conserved and result.unmatched == 0, result.row()
    assert result.indexed == LINES - failing and result.processing_failed == failing
    assert totals["records_sent"] == LINES and totals["records_failed"] == 0, totals
    assert not (home / ".aws").exists()
    print("\nTyped:\n" + "\n".join(f"$ {c}" for c in sh.typed))


# Apache's `kinesis` LogFormat (services/apache/httpd-lab.conf), one JSON object per request.
JSON_LINE = ('{{ "request_time":"[07/Dec/2026:00:{m:02d}:{s:02d} +0000]", "client_ip":"{ip}", '
             '"client_hostname":"127.0.0.1", "server_ip":"127.0.0.1", "request":"/products/{n}", '
             '"http_method":"GET", "status":"200", "size":"1310", "userAgent":"Mozilla/5.0", "referer":"-" }}\n')
CLIENTS = {"203.0.113.5": 9, "198.51.100.77": 5, "192.0.2.44": 2}


def output_counts(s: lab.LabSettings, stream: str) -> Counter:
    """Per-client sums of the rows on the application's output stream so far."""
    kinesis = boto3.client("kinesis", endpoint_url=s.localstack_url, region_name=lab.REGION,
                           aws_access_key_id="test", aws_secret_access_key="test")
    shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    counts: Counter = Counter()
    while iterator:
        response = kinesis.get_records(ShardIterator=iterator)
        for record in response["Records"]:
            row = json.loads(record["Data"])
            counts[row["CLIENT_IP"]] += row["REQUEST_COUNT"]
        iterator = response.get("NextShardIterator") if response["Records"] else None
    return counts


@pytest.mark.timeout(600)
def test_an_attendee_builds_the_streaming_sql_lab_by_hand(running_lab, sh):
    home, s = sh.home, running_lab.settings
    source, output, app = "my-web-access-log", "my-web-access-counts", "my-web-access-log-counts"
    for stream in (source, output):
        sh.run(f"aws kinesis create-stream --stream-name {stream} --shard-count 1")
        sh.run(f"aws kinesis wait stream-exists --stream-name {stream}")
    arn = "arn:aws:kinesis:us-east-1:000000000000:stream/"
    role = "arn:aws:iam::000000000000:role/my_kinesis_analytics_role"
    code = sh.write("counts.sql", streaming_sql.LAB_SQL)    # the lab's SQL, pasted into the editor
    inputs = sh.write("inputs.json", [{
        "NamePrefix": "SOURCE_SQL_STREAM", "KinesisStreamsInput": {"ResourceARN": arn + source, "RoleARN": role},
        "InputSchema": {"RecordFormat": {"RecordFormatType": "JSON",
                                         "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
                        "RecordEncoding": "UTF-8",
                        "RecordColumns": [{"Name": name, "Mapping": f"$.{name}", "SqlType": sql_type}
                                          for name, sql_type in streaming_sql.INPUT_COLUMNS]}}])
    outputs = sh.write("outputs.json", [{
        "Name": "DESTINATION_SQL_STREAM", "DestinationSchema": {"RecordFormatType": "JSON"},
        "KinesisStreamsOutput": {"ResourceARN": arn + output, "RoleARN": role}}])
    sh.run(f"aws kinesisanalytics create-application --application-name {app} --application-code file://{code} "
           f"--inputs file://{inputs} --outputs file://{outputs}")
    detail = sh.json(f"aws kinesisanalytics describe-application --application-name {app}")["ApplicationDetail"]
    input_id = detail["InputDescriptions"][0]["InputId"]
    sh.run(f"aws kinesisanalytics start-application --application-name {app} --input-configurations "
           f"Id={input_id},InputStartingPositionConfiguration={{InputStartingPosition=TRIM_HORIZON}}")
    wait_for(lambda: sh.json(f"aws kinesisanalytics describe-application --application-name {app}")
             ["ApplicationDetail"]["ApplicationStatus"] == "RUNNING", 90, 1, what=f"{app} RUNNING")

    log = home / "httpd" / "access_log"
    log.parent.mkdir()
    lines = [JSON_LINE.format(m=n // 60, s=n % 60, ip=ip, n=n)
             for n, ip in enumerate(ip for ip, count in CLIENTS.items() for _ in range(count))]
    with Agent(sh, {"kinesis.endpoint": s.localstack_url, "checkpointFile": str(home / "agent-checkpoints.db"),
                    "log.statusReportingPeriodSeconds": 1,
                    "flows": [{"filePattern": f"{log.parent}/access_log*", "kinesisStream": source,
                               "partitionKeyOption": "RANDOM", "initialPosition": "START_OF_FILE"}]}) as agent:
        log.write_text("".join(lines))   # what Apache writes, one JSON object per request
        counts = wait_for(lambda: (c := output_counts(s, output)) and sum(c.values()) >= len(lines) and c,
                          120, 2, what=f"per-client counts on {output}")
        totals = agent.totals()
    assert counts == Counter(CLIENTS)
    assert totals["records_sent"] == len(lines) and totals["records_failed"] == 0, totals
    print("\nTyped:\n" + "\n".join(f"$ {c}" for c in sh.typed))
