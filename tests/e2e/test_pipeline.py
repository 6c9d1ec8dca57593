"""End to end on the native lab: every line written is accounted for, exactly once.

Traffic comes two ways: real requests through Apache (generator URL mode) and
lines appended to the access log by the generator's file mode, a tenth of them
malformed. The agent ships them, Firehose runs the real ETL Lambda, OpenSearch
indexes, S3 keeps the backup and the failures. Then, per line
(tests/support/line_accounting.py): documents in the index + processing-failed records +
dropped == lines written, no line twice, every indexed document backed up under
`apache_`, and the fields of a sample of documents agree with an independent
reading of their lines. GeoIP is on (DB-IP's database, from S3 at the Lambda's cold
start): the generator's visitors are placed in the countries it drew them from, and
the report's country panel has data.
"""
from __future__ import annotations

import ipaddress
import random
import re
from datetime import UTC, datetime

import boto3
import pytest
from labctl import data_lake, runtimes, settings, status
from opensearchpy import OpenSearch

from generator import country_ranges
from tests.support import example_answers
from tests.support import line_accounting as acc
from tests.support.native_lab import NativeLab, generated_lines, report

pytestmark = [pytest.mark.e2e]

HTTP_REQUESTS = 300
FILE_LINES = 2000
BAD_FRACTION = 0.1

# The workshop's format, read independently of the ETL (good lines only).
LINE = re.compile(r'^(?P<host>\S+) (?P<ident>\S+) (?P<authuser>\S+) \[(?P<time>[^\]]+)\] '
                  r'"(?P<request>[^"]*)" (?P<status>\d{3}) (?P<bytes>\d+|-) "(?P<referer>[^"]*)" '
                  r'"(?P<agent>[^"]*)" "user = (?P<user>[^;]*); PHPSESSID=(?P<session>[^"]*)"\n$')


@pytest.fixture(scope="module")
def delivered(lab: NativeLab):
    """Write both kinds of traffic, then wait until every line is accounted for."""
    http = lab.begin_case("http through Apache")
    lab.http_traffic(http, HTTP_REQUESTS, seed=8101)
    file_case = lab.begin_case(f"file mode, {BAD_FRACTION:.0%} malformed")
    lab.append_lines(file_case, generated_lines(FILE_LINES, seed=8102, bad_fraction=BAD_FRACTION))
    whole = lab.account_all(timeout=180)
    report("e2e", "end-to-end accounting per traffic kind", lab.case_rows(whole))
    return whole


def test_every_line_is_accounted_for_exactly_once(lab: NativeLab, delivered: acc.Accounting):
    expected = acc.expected_outcomes(lab.ledger)
    assert delivered.written == HTTP_REQUESTS + FILE_LINES
    assert delivered.lost == 0, f"lost lines, e.g. {delivered.lost_samples}"
    assert delivered.duplicated == 0
    assert delivered.unmatched == 0
    assert delivered.conserved, delivered.row()
    # Each line where the ETL puts it: good lines indexed, malformed ones in processing-failed/.
    assert delivered.indexed == sum(e.result == acc.OK for e in expected)
    assert delivered.processing_failed == sum(e.result == acc.FAILED for e in expected)
    assert delivered.processing_failed > 0, "the malformed share should reach processing-failed/"
    assert delivered.delivery_failed == 0 and delivered.dropped == 0


def test_every_indexed_document_is_backed_up_once(lab: NativeLab, delivered: acc.Accounting):
    observation = lab.observer.observation()
    assert delivered.backup_missing == 0
    assert sum(observation.backup.values()) == delivered.indexed


def test_counters_agree_with_the_lines(lab: NativeLab, delivered: acc.Accounting):
    """Firehose received each line once; `make status` says everything is accounted for."""
    counters = lab.firehose()
    assert counters["received"] == delivered.written
    assert counters["delivered"] == delivered.indexed
    assert counters["processing_failed"] == delivered.processing_failed
    assert counters["buffered_records"] == 0
    lab_status = status.collect(lab.settings, runtimes.NativeRuntime(lab.settings))
    assert lab_status.log_lines == delivered.written
    assert lab_status.accounted == delivered.written


def test_apache_wrote_the_http_traffic(lab: NativeLab, delivered: acc.Accounting):
    http_lines = lab.cases[0].lines
    assert len(http_lines) == HTTP_REQUESTS
    assert all(LINE.match(line.decode("latin-1")) for line in http_lines)
    assert delivered.subset(lab.cases[0].positions).indexed == HTTP_REQUESTS


def test_document_fields_match_their_lines(lab: NativeLab, delivered: acc.Accounting):
    documents = {acc.document_key(doc): doc for doc in lab.observer.documents.values()}
    expected = acc.expected_outcomes(lab.ledger)
    good = [(line, e) for line, e in zip(lab.ledger, expected)
            if e.result == acc.OK and LINE.match(line.decode("latin-1"))]
    sample = random.Random(8103).sample(good, 100)
    for line, e in sample:
        fields = LINE.match(line.decode("latin-1")).groupdict()
        doc = documents[e.document_key]       # the indexed document of this very line
        when = datetime.strptime(fields["time"], "%d/%b/%Y:%H:%M:%S %z")
        assert doc["host"] == fields["host"]
        assert doc["request"] == fields["request"]
        assert doc["verb"] == fields["request"].split(" ")[0]
        assert doc["response"] == int(fields["status"])
        assert doc["bytes"] == (None if fields["bytes"] == "-" else int(fields["bytes"]))
        assert doc["referer"] == (fields["referer"] if fields["referer"] not in ("", "-") else None)
        assert doc["user-agent"] == (fields["agent"] if fields["agent"] not in ("", "-") else None)
        assert doc["username"] == (fields["user"] if fields["user"] not in ("", "-") else None)
        assert doc["session_id"] == (fields["session"] if fields["session"] not in ("", "-") else None)
        assert doc["@timestamp_utc"] == when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_backup_of_the_run_is_a_data_lake(lab: NativeLab, delivered: acc.Accounting):
    """The provisioned crawler over this run's backup: columns and types as the ETL's README
    documents them, partitions as the S3 keys' hour folders; then the example Athena
    queries answer what Python computes from the same objects."""
    s = lab.settings

    def client(service: str):
        return boto3.client(service, endpoint_url=s.localstack_url, region_name=settings.REGION,
                            aws_access_key_id="test", aws_secret_access_key="test")

    glue, athena = client("glue"), client("athena")
    crawler = data_lake.crawl(glue, timeout=120)
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"
    objects = example_answers.backup_objects(client("s3"), settings.BACKUP_BUCKET, settings.BACKUP_PREFIX)
    docs = [d for ds in objects.values() for d in ds]
    assert len(docs) == delivered.indexed

    table = glue.get_table(DatabaseName=settings.GLUE_DATABASE, Name=settings.BACKUP_TABLE)["Table"]
    columns = {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]}
    geo = columns.pop("geo", None)
    assert columns == {k: t for k, t in example_answers.ETL_DOCUMENT.items() if k in {f for d in docs for f in d}}
    seen_geo = {f for d in docs for f in d.get("geo", {})}
    if seen_geo:
        assert example_answers.struct_fields(geo) == {
            k: t for k, t in example_answers.GEO_FIELDS.items() if k in seen_geo}
    assert [k["Name"] for k in table["PartitionKeys"]] == [f"partition_{i}" for i in range(4)]
    parts = glue.get_partitions(DatabaseName=settings.GLUE_DATABASE, TableName=settings.BACKUP_TABLE)["Partitions"]
    folders = {tuple(key[len(settings.BACKUP_PREFIX):].split("/")[:4]) for key in objects}
    assert {tuple(p["Values"]) for p in parts} == folders

    for name, sql in data_lake.example_queries().items():
        execution, rows = data_lake.run_query(athena, sql)
        assert execution["Status"]["State"] == "SUCCEEDED", (name, execution["Status"])
        assert rows == example_answers.ANSWERS[name](docs), name


def test_generated_visitors_are_placed_in_their_countries(lab: NativeLab, delivered: acc.Accounting):
    ranges = [(network, entry.country) for entry in country_ranges.load()
              for network in (*entry.ipv4, *entry.ipv6)]
    documents = list(lab.observer.documents.values())
    with_geo = [doc for doc in documents if "geo" in doc]
    assert len(with_geo) >= 0.9 * len(documents), f"{len(with_geo)} of {len(documents)} have geo"
    checked = 0
    for doc in with_geo:
        address = ipaddress.ip_address(doc["client_ip"])
        meant = next((country for network, country in ranges if address in network), None)
        if meant is None:
            continue  # a crawler's address: placed by the database, not drawn by the generator
        assert doc["geo"]["country_iso_code"] == meant, doc
        assert {"country_name", "continent_name", "location"} <= set(doc["geo"]), doc["geo"]
        checked += 1
    assert checked >= 0.8 * len(documents)
    assert len({doc["geo"]["country_iso_code"] for doc in with_geo}) >= 10


def test_the_geo_fields_are_indexed_and_the_report_has_countries(lab: NativeLab, delivered, tmp_path):
    from kibana_dashboards.report import build

    client = OpenSearch(hosts=[lab.settings.opensearch_url], timeout=60)
    props = client.indices.get_mapping(index="apache")["apache"]["mappings"]["properties"]
    assert props["geo"]["properties"]["location"]["type"] == "geo_point"
    us = client.count(index="apache", body={"query": {"term": {"geo.country_iso_code": "US"}}})["count"]
    assert us > 0
    report = build(client, tmp_path, range_spec="all")
    by_country = report.results["shop-visitors-by-country"]
    assert by_country.points > 0 and "United States" in by_country.categories
    assert report.results["shop-top-cities"].points > 0
