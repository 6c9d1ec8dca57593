"""Terraform's AWS provider (5.100, from this machine's provider mirror) against the lab:
the small lake of tests/terraform/lake/ (S3, IAM, Kinesis, Glue database/table/crawler,
Athena work group and named query, a Firehose with Parquet conversion from the Glue table,
and the workshop's Lambda + OpenSearch stream) is applied, checked through boto3 with its
tags, planned again with no changes, re-tagged, and destroyed.

Nothing is installed from the internet: `terraform` comes from PATH (or $TERRAFORM), the
provider from a filesystem mirror ($TF_PROVIDER_MIRROR, else found under /opt, /usr/share, ...;
on this machine kind /opt/tf-plugins) named in a CLI configuration the test writes
(TF_CLI_CONFIG_FILE), with direct installation excluded. A machine without either fails
here, saying which; nothing is skipped."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

pytestmark = [pytest.mark.localstack, pytest.mark.opensearch, pytest.mark.slow, pytest.mark.timeout(1500)]

CONFIG = Path(__file__).parent / "lake"
PROVIDER = "registry.terraform.io/hashicorp/aws"
PROVIDER_VERSION = "5.100.0"
# where a filesystem mirror (a folder holding `registry.terraform.io/`) is looked for, in order
MIRROR_ROOTS = ["/opt", "/usr/local/share", "/usr/share", str(Path.home() / ".terraform.d"),
                str(Path.home() / ".local/share")]
ACCOUNT, REGION = "000000000000", "us-east-1"
TAGS = {"project": "clickstream-lab", "owner": "terraform-test"}
RETAGGED = {"project": "clickstream-lab", "stage": "two"}     # one changed set: owner removed, stage added
TIMEOUTS = {"init": 180, "apply": 600, "plan": 300, "destroy": 600, "output": 60}


def terraform_binary() -> str:
    found = os.environ.get("TERRAFORM") or shutil.which("terraform")
    if not found:
        pytest.fail("no terraform binary: put Terraform 1.5+ on PATH or set TERRAFORM "
                    "(services/localstack/extension/README.md, 'Terraform')")
    return found


def provider_mirror() -> Path:
    """$TF_PROVIDER_MIRROR, else the first folder up to two levels under MIRROR_ROOTS that
    holds the provider in the unpacked mirror layout (this machine kind: /opt/tf-plugins)."""
    wanted = f"{PROVIDER}/{PROVIDER_VERSION}"
    if os.environ.get("TF_PROVIDER_MIRROR"):
        candidates = [Path(os.environ["TF_PROVIDER_MIRROR"])]
    else:
        candidates = [found.parents[3] for root in MIRROR_ROOTS for pattern in (wanted, f"*/{wanted}", f"*/*/{wanted}")
                      for found in sorted(Path(root).glob(pattern))]
    for candidate in candidates:
        if any((candidate / wanted).glob("linux_amd64/terraform-provider-aws_*")):
            return candidate
    pytest.fail(f"no filesystem mirror with {PROVIDER} {PROVIDER_VERSION} for linux_amd64 (looked under "
                f"{os.environ.get('TF_PROVIDER_MIRROR') or ', '.join(MIRROR_ROOTS)}); set TF_PROVIDER_MIRROR to the "
                "folder holding registry.terraform.io/ (services/localstack/extension/README.md, 'Terraform')")


class Terraform:
    """terraform in a work directory holding a copy of the configuration."""

    def __init__(self, binary: str, work: Path, cli_config: Path, variables: dict) -> None:
        self.binary, self.work, self.name = binary, work, variables["name"]
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))},
                    "TF_CLI_CONFIG_FILE": str(cli_config), "CHECKPOINT_DISABLE": "1",
                    "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
        (work / "terraform.tfvars.json").write_text(json.dumps(variables))

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = args[0]
        started = time.monotonic()
        proc = subprocess.run([self.binary, f"-chdir={self.work}", *args, "-no-color"], env=self.env,
                              capture_output=True, text=True, timeout=TIMEOUTS[command], check=False)
        with (self.work / f"{command}.log").open("a") as log:
            log.write(proc.stdout + proc.stderr + f"\n[{' '.join(args)}: {time.monotonic() - started:.1f} s]\n")
        if check and proc.returncode != 0:
            pytest.fail(f"terraform {' '.join(args)} exited {proc.returncode}:\n{proc.stdout[-4000:]}\n"
                        f"{proc.stderr[-4000:]}")
        return proc

    def apply(self, **variables) -> None:
        self.run("apply", "-auto-approve", *[f"-var={k}={json.dumps(v)}" for k, v in variables.items()])

    def plan_exit_code(self, **variables) -> tuple[int, str]:
        proc = self.run("plan", "-detailed-exitcode", *[f"-var={k}={json.dumps(v)}" for k, v in variables.items()],
                        check=False)
        return proc.returncode, proc.stdout + proc.stderr

    def outputs(self) -> dict:
        proc = self.run("output", "-json")
        return {k: v["value"] for k, v in json.loads(proc.stdout).items()}


@pytest.fixture(scope="module")
def opensearch_node(opensearch_server):
    """The session's real OpenSearch node (the stack's delivery stream points at it)."""
    return opensearch_server


@pytest.fixture(scope="module")
def etl_zip(tmp_path_factory) -> Path:
    """The lab's ETL Lambda, built as `make lambda` builds build/apache_ETL.zip."""
    output = tmp_path_factory.mktemp("etl") / "apache_ETL.zip"
    subprocess.run([sys.executable, "-m", "etl.package", "--output", str(output)], check=True, timeout=120)
    return output


@pytest.fixture()
def terraform(tmp_path, localstack, opensearch_node, etl_zip) -> Terraform:
    binary, mirror = terraform_binary(), provider_mirror()
    cli_config = tmp_path / "terraform.rc"
    cli_config.write_text(f"""provider_installation {{
  filesystem_mirror {{
    path    = "{mirror}"
    include = ["{PROVIDER}"]
  }}
  direct {{
    exclude = ["registry.terraform.io/*/*"]
  }}
}}
""")
    work = tmp_path / "lake"
    shutil.copytree(CONFIG, work, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "*.tfvars*"))
    name = f"tf{uuid.uuid4().hex[:8]}"
    tf = Terraform(binary, work, cli_config, {"endpoint": localstack.url, "name": name,
                                              "lambda_zip": str(etl_zip), "opensearch_endpoint": opensearch_node.url})
    tf.run("init", "-input=false")
    return tf


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def as_dict(tags: list[dict]) -> dict:
    return {t["Key"]: t["Value"] for t in tags}


def resources(name: str) -> dict[str, str]:
    return {"bucket": f"{name}-lake", "role": f"{name}-role", "stream": f"{name}-clicks",
            "database": f"{name}_db", "crawler": f"{name}-crawler", "workgroup": f"{name}-wg",
            "parquet": f"{name}-parquet", "search": f"{name}-webserver", "function": f"{name}-apache_ETL"}


def tags_of(localstack, r: dict[str, str]) -> dict[str, dict]:
    """Every taggable resource's tags, as the lab answers them."""
    c = localstack.client
    firehose = c("firehose")
    return {
        "bucket": as_dict(c("s3").get_bucket_tagging(Bucket=r["bucket"])["TagSet"]),
        "role": as_dict(c("iam").list_role_tags(RoleName=r["role"])["Tags"]),
        "stream": as_dict(c("kinesis").list_tags_for_stream(StreamName=r["stream"])["Tags"]),
        "database": c("glue").get_tags(ResourceArn=arn("glue", f"database/{r['database']}"))["Tags"],
        "crawler": c("glue").get_tags(ResourceArn=arn("glue", f"crawler/{r['crawler']}"))["Tags"],
        "workgroup": as_dict(c("athena").list_tags_for_resource(
            ResourceARN=arn("athena", f"workgroup/{r['workgroup']}"))["Tags"]),
        "parquet": as_dict(firehose.list_tags_for_delivery_stream(DeliveryStreamName=r["parquet"])["Tags"]),
        "search": as_dict(firehose.list_tags_for_delivery_stream(DeliveryStreamName=r["search"])["Tags"]),
        "function": c("lambda").list_tags(Resource=arn("lambda", f"function:{r['function']}"))["Tags"],
    }


def check_lake(localstack, r: dict[str, str], named_query_id: str, opensearch_url: str) -> None:
    """What was applied, read back through boto3."""
    c = localstack.client
    glue, athena, firehose = c("glue"), c("athena"), c("firehose")
    assert c("kinesis").describe_stream_summary(StreamName=r["stream"])[
        "StreamDescriptionSummary"]["OpenShardCount"] == 1
    assert glue.get_database(Name=r["database"])["Database"]["Description"] == "clickstream lake"
    table = glue.get_table(DatabaseName=r["database"], Name="clicks")["Table"]
    sd = table["StorageDescriptor"]
    assert [(col["Name"], col["Type"]) for col in sd["Columns"]] == [
        ("host", "string"), ("request", "string"), ("response", "int"), ("bytes", "bigint")]
    assert sd["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    assert sd["Location"] == f"s3://{r['bucket']}/clicks/"
    crawler = glue.get_crawler(Name=r["crawler"])["Crawler"]
    assert crawler["DatabaseName"] == r["database"]
    assert crawler["Targets"]["S3Targets"][0]["Path"] == f"s3://{r['bucket']}/raw/"
    wg = athena.get_work_group(WorkGroup=r["workgroup"])["WorkGroup"]
    assert wg["Configuration"]["ResultConfiguration"]["OutputLocation"] == f"s3://{r['bucket']}/athena/"
    query = athena.get_named_query(NamedQueryId=named_query_id)["NamedQuery"]
    assert (query["WorkGroup"], query["Database"]) == (r["workgroup"], r["database"])
    parquet = firehose.describe_delivery_stream(DeliveryStreamName=r["parquet"])["DeliveryStreamDescription"]
    assert parquet["DeliveryStreamType"] == "KinesisStreamAsSource"
    conversion = parquet["Destinations"][0]["ExtendedS3DestinationDescription"]["DataFormatConversionConfiguration"]
    assert conversion["Enabled"] is True
    assert (conversion["SchemaConfiguration"]["DatabaseName"], conversion["SchemaConfiguration"]["TableName"]) == (
        r["database"], "clicks")
    assert "ParquetSerDe" in conversion["OutputFormatConfiguration"]["Serializer"]
    search = firehose.describe_delivery_stream(DeliveryStreamName=r["search"])["DeliveryStreamDescription"]
    destination = search["Destinations"][0]["AmazonopensearchserviceDestinationDescription"]
    assert destination["ClusterEndpoint"] == opensearch_url and destination["IndexName"] == "apache"
    processor = destination["ProcessingConfiguration"]["Processors"][0]
    assert processor["Type"] == "Lambda"
    assert processor["Parameters"][0]["ParameterValue"] == arn("lambda", f"function:{r['function']}") + ":$LATEST"


def gone(call, *codes: str) -> bool:
    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"] in codes
    return False


def test_lake_apply_plan_retag_destroy(terraform, localstack, opensearch_node):
    r = resources(terraform.name)
    terraform.apply()
    out = terraform.outputs()
    check_lake(localstack, r, out["named_query_id"], opensearch_node.url)
    assert tags_of(localstack, r) == {key: TAGS for key in r}

    code, plan = terraform.plan_exit_code()
    assert code == 0, f"the lab describes what Terraform set, so no changes are planned:\n{plan[-6000:]}"

    # a changed tag set goes through each service's Tag/Untag operations (an added, a changed
    # and a removed key), read back as Terraform's next refresh would read them
    terraform.apply(tags=RETAGGED)
    assert tags_of(localstack, r) == {key: RETAGGED for key in r}

    terraform.run("destroy", "-auto-approve", f"-var=tags={json.dumps(RETAGGED)}")
    c = localstack.client
    glue, athena, firehose = c("glue"), c("athena"), c("firehose")
    assert gone(lambda: c("s3").head_bucket(Bucket=r["bucket"]), "404", "NoSuchBucket")
    assert gone(lambda: c("iam").get_role(RoleName=r["role"]), "NoSuchEntity")
    assert gone(lambda: c("kinesis").describe_stream_summary(StreamName=r["stream"]), "ResourceNotFoundException")
    assert gone(lambda: glue.get_database(Name=r["database"]), "EntityNotFoundException")
    assert gone(lambda: glue.get_crawler(Name=r["crawler"]), "EntityNotFoundException")
    assert gone(lambda: glue.get_tags(ResourceArn=arn("glue", f"database/{r['database']}")),
                "EntityNotFoundException")
    assert gone(lambda: athena.get_work_group(WorkGroup=r["workgroup"]), "InvalidRequestException")
    assert gone(lambda: athena.get_named_query(NamedQueryId=out["named_query_id"]), "InvalidRequestException")
    for stream in (r["parquet"], r["search"]):
        assert gone(lambda s=stream: firehose.describe_delivery_stream(DeliveryStreamName=s),
                    "ResourceNotFoundException")
    assert gone(lambda: c("lambda").get_function(FunctionName=r["function"]), "ResourceNotFoundException")
    assert glue.get_database(Name="default")["Database"]["Name"] == "default"   # AWS's, not Terraform's
