"""Fixtures for the dashboards tests: JSON Schema validation of saved objects,
the shared real OpenSearch node (tests/conftest.py), the real ETL's documents for
the real Apache log, and headless Chromium."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jsonschema import Draft202012Validator, validators
from opensearchpy import OpenSearch, helpers

from tests.support.data_files import ELASTIC_LOG, GEOIP_TEST_DB, WORKSHOP_DASHBOARD_EXPORT

SCHEMAS = Path(__file__).with_name("schemas")
WORKSHOP_EXPORT = WORKSHOP_DASHBOARD_EXPORT


def _content_schema(validator: Any, schema: dict, instance: Any, parent: dict):
    """Enforce Draft 2020-12 contentSchema for JSON held in strings (annotation-only by default)."""
    if not isinstance(instance, str) or parent.get("contentMediaType") != "application/json":
        return
    try:
        decoded = json.loads(instance)
    except ValueError as exc:
        yield jsonschema.ValidationError(f"string is not valid JSON: {exc}")
        return
    yield from validator.descend(decoded, schema)


SavedObjectValidator = validators.extend(Draft202012Validator, {"contentSchema": _content_schema})


@pytest.fixture(scope="session")
def schema_for() -> dict[str, Any]:
    """Saved object type -> a validator for that type's JSON Schema."""
    out = {}
    for path in SCHEMAS.glob("*.schema.json"):
        schema = json.loads(path.read_text())
        Draft202012Validator.check_schema(schema)
        out[path.name.removesuffix(".schema.json")] = SavedObjectValidator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return out


@pytest.fixture(scope="session")
def workshop_export() -> Any:
    return json.loads(WORKSHOP_EXPORT.read_text())


@pytest.fixture
def empty_opensearch(opensearch_server) -> Iterator[str]:
    """The shared real OpenSearch node, emptied for this test (no index, no template)."""
    opensearch_server.wipe()
    opensearch_server.filled = False
    yield opensearch_server.url


# Shop traffic in the workshop's log format (cookie field included): visitors walking
# the funnel, signed-in and anonymous, with a crawler and some errors. Only input
# lines: the documents come from the real ETL.
_SHOP_STEPS = ["/", "/categories/smallUnicorns", "/products/Armawoo", "/cart", "/checkout"]
_BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"
_BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


# Public addresses of MaxMind's test database (tests/data/geoip), so the GeoIP panels
# have countries and cities: London, Linköping, Boxford, Milton (US), Changchun, Bhutan.
SHOP_CLIENTS = ("81.2.69.142", "89.160.20.113", "2.125.160.217", "216.160.83.57", "175.16.199.1",
                "67.43.156.1", "81.2.69.145", "89.160.20.129", "216.160.83.58", "175.16.199.2",
                "81.2.69.161", "2.125.160.218")


def shop_lines() -> list[bytes]:
    lines = []
    for visitor in range(12):
        user = "anonymous" if visitor % 3 == 0 else f"user{visitor}"
        steps = _SHOP_STEPS[: 2 + visitor % 4]  # fewer visitors reach the later steps
        for step, path in enumerate(steps):
            status = 500 if (visitor, step) == (5, 1) else 200
            lines.append(
                f'{SHOP_CLIENTS[visitor]} - - [18/May/2015:{10 + step:02d}:{visitor:02d}:00 +0000] '
                f'"GET {path} HTTP/1.1" {status} {1000 + 37 * visitor} '
                f'"http://www.unicornshop.com/" "{_BROWSER}" '
                f'"user = {user}; PHPSESSID=sess{visitor:04d}"'.encode())
    lines.append(b'66.249.66.1 - - [18/May/2015:11:00:00 +0000] "GET /products/Cuksing HTTP/1.1" '
                 b'200 5000 "-" "' + _BOT.encode() + b'" "user = -; PHPSESSID=-"')
    return lines


def etl_documents(lines: list[bytes]) -> list[dict[str, Any]]:
    """The ETL Lambda's output documents for raw log lines (Firehose event in, Ok records out),
    with GeoIP on (MaxMind's test database)."""
    handler = pytest.importorskip("etl.handler")
    from etl.document import use_geoip
    from etl.geoip_source import open_geoip
    event = {"invocationId": "tests-dashboards", "region": "us-east-1",
             "deliveryStreamArn": "arn:aws:firehose:us-east-1:000000000000:deliverystream/webserver_stream",
             "records": [{"recordId": f"{i:08d}", "approximateArrivalTimestamp": 1431900000000,
                          "data": base64.b64encode(line + b"\n").decode()}
                         for i, line in enumerate(lines)]}
    use_geoip(open_geoip((str(GEOIP_TEST_DB),)))
    try:
        answer = handler.lambda_handler(event, None)
    finally:
        use_geoip(None)
    return [json.loads(base64.b64decode(r["data"])) for r in answer["records"] if r["result"] == "Ok"]


@pytest.fixture(scope="session")
def etl_docs() -> list[dict[str, Any]]:
    lines = ELASTIC_LOG.read_bytes().splitlines() + shop_lines()
    docs = etl_documents(lines)
    assert len(docs) > 9000, "the ETL dropped most of the real log"
    return docs


@pytest.fixture
def filled_opensearch(opensearch_server, etl_docs) -> Iterator[str]:
    """The shared node holding the index template and the ETL's documents in index `apache`
    (filled once, again only after a test emptied it; the tests using it only read)."""
    from kibana_dashboards.template import put_template

    if not getattr(opensearch_server, "filled", False):
        opensearch_server.wipe()
        client = OpenSearch(hosts=[opensearch_server.url], timeout=120)
        put_template(client)
        _ok, errors = helpers.bulk(client, ({"_index": "apache", "_source": d} for d in etl_docs),
                                  chunk_size=2000, refresh=True, raise_on_error=False)
        assert not errors, errors[:3]
        opensearch_server.filled = True
    yield opensearch_server.url


@pytest.fixture(scope="session")
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium not installed (apt-get install -y chromium)")


def run_chromium(binary: str, tmp: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    """Headless Chromium with a fresh profile, no network side traffic."""
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         f"--user-data-dir={tmp / 'chromium-profile'}", *args, url],
        capture_output=True, timeout=120, check=True)
