"""GeoIP: a client address -> the document's `geo` object, read from MaxMind DB (.mmdb) files.

Read with MaxMind's own reader (`maxminddb`, pure-Python mode: the zip carries no compiled
extension, so it runs on any Lambda Python runtime). Two record schemas exist, told apart by
the database's metadata `database_type`:

- MaxMind's nested GeoIP2/GeoLite2 schema ("GeoLite2-City", "GeoIP2-City", DB-IP's own
  "DBIP-City-Lite" downloads): `country.iso_code`, `country.names.en`, `continent.code`,
  `subdivisions[0]`, `city.names.en`, `location.{latitude,longitude,time_zone}`;
- the flat schema of the ip-location-db project's DB-IP files (type "city ipv4", "city ipv6"):
  `country_code, state1, state2, city, postcode, latitude, longitude, timezone`. It has no
  country or continent names: those come from `countries.json` (ISO 3166 code -> English
  name and continent, from the MIT-licensed countries-list package, COUNTRIES-LICENSE).
  It ships IPv4 and IPv6 as two files, hence a list of databases: the first that knows an
  address answers.

The `geo` object uses the field names of OpenSearch's ingest `geoip` processor
(`continent_name`, `country_iso_code`, `country_name`, `region_iso_code`, `region_name`,
`city_name`, `location` as {lat, lon}, `timezone`), each only when the database has it;
coordinates are rounded to 5 decimals (about 1 m; DB-IP stores 32-bit floats).
Addresses that are not global (private, loopback, link-local, shared, reserved, multicast,
documentation) and addresses no database knows get no `geo` at all.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import maxminddb

logger = logging.getLogger(__name__)

COUNTRIES_FILE = Path(__file__).with_name("countries.json")
_NESTED_TYPE = re.compile(r"^(GeoLite2|GeoIP2|DBIP)-(City|Country|Enterprise|Precision)", re.IGNORECASE)
_FLAT_TYPE = re.compile(r"^(city|country)\b")  # ip-location-db: "city ipv4", "city ipv6", ...
_DECIMALS = 5  # about 1 m: removes the noise of 32-bit floats (DB-IP), keeps MaxMind's values


class GeoIPDatabaseError(ValueError):
    """A file is not a MaxMind DB the ETL can read city or country data from."""


@cache
def _countries() -> tuple[dict[str, list[str]], dict[str, str]]:
    data = json.loads(COUNTRIES_FILE.read_text(encoding="utf-8"))
    return data["countries"], data["continents"]


def _coordinates(latitude: object, longitude: object) -> dict | None:
    if not isinstance(latitude, (int, float)) or not isinstance(longitude, (int, float)):
        return None
    return {"lat": round(float(latitude), _DECIMALS), "lon": round(float(longitude), _DECIMALS)}


def _english(entry: object) -> str | None:
    names = entry.get("names") if isinstance(entry, dict) else None
    return names.get("en") if isinstance(names, dict) else None


def geo_from_nested(record: dict) -> dict:
    """`geo` fields of a record in MaxMind's GeoIP2/GeoLite2 schema."""
    country = record.get("country") or {}
    continent = record.get("continent") or {}
    subdivisions = record.get("subdivisions") or [{}]
    location = record.get("location") or {}
    return {
        "continent_name": _english(continent),
        "country_iso_code": country.get("iso_code"),
        "country_name": _english(country),
        "region_iso_code": subdivisions[0].get("iso_code"),
        "region_name": _english(subdivisions[0]),
        "city_name": _english(record.get("city")),
        "location": _coordinates(location.get("latitude"), location.get("longitude")),
        "timezone": location.get("time_zone"),
    }


def geo_from_flat(record: dict) -> dict:
    """`geo` fields of a record in ip-location-db's flat DB-IP schema."""
    countries, continents = _countries()
    code = record.get("country_code") or None
    name, continent = countries.get(code, (None, None)) if code else (None, None)
    return {
        "continent_name": continents.get(continent) if continent else None,
        "country_iso_code": code,
        "country_name": name,
        "region_name": record.get("state1") or None,
        "city_name": record.get("city") or None,
        "location": _coordinates(record.get("latitude"), record.get("longitude")),
        "timezone": record.get("timezone") or None,
    }


@dataclass
class GeoDatabase:
    """One open .mmdb file and how to read its records."""

    path: Path
    reader: maxminddb.Reader
    flat: bool
    ip_version: int

    @classmethod
    def open(cls, path: Path) -> GeoDatabase:
        try:
            reader = maxminddb.open_database(str(path), maxminddb.MODE_MMAP)
        except (OSError, ValueError, maxminddb.InvalidDatabaseError) as error:
            raise GeoIPDatabaseError(f"{path} is not a readable MaxMind DB file: {error}") from None
        kind = reader.metadata().database_type
        if _FLAT_TYPE.match(kind):
            flat = True
        elif _NESTED_TYPE.match(kind):
            flat = False
        else:
            reader.close()
            raise GeoIPDatabaseError(f"{path} is a {kind!r} database, not a city or country database")
        return cls(path, reader, flat, reader.metadata().ip_version)

    def describe(self) -> str:
        meta = self.reader.metadata()
        return f"{self.path.name} ({meta.database_type}, IPv{meta.ip_version}, built {meta.build_epoch})"


class GeoIP:
    """Looks addresses up in a list of databases; the first one that knows an address answers."""

    def __init__(self, databases: list[GeoDatabase]) -> None:
        self.databases = databases

    @classmethod
    def open(cls, paths: list[Path]) -> GeoIP:
        databases = [GeoDatabase.open(Path(path)) for path in paths]
        for database in databases:
            logger.info("GeoIP database %s", database.describe())
        return cls(databases)

    def close(self) -> None:
        for database in self.databases:
            database.reader.close()

    def lookup(self, ip: str) -> dict | None:
        """The `geo` object for an address as logged, or None (not global, or unknown)."""
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return None
        if address.version == 6 and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            return None
        for database in self.databases:
            if address.version == 6 and database.ip_version == 4:
                continue
            record = database.reader.get(address)
            if not isinstance(record, dict):
                continue
            fields = geo_from_flat(record) if database.flat else geo_from_nested(record)
            geo = {key: value for key, value in fields.items() if value is not None}
            if "country_iso_code" in geo or "location" in geo:
                return geo
        return None

    def geo_json(self, ip: str) -> str:
        """`,"geo":{...}` for the document, or "" when the address gets no geo."""
        geo = self.lookup(ip)
        if geo is None:
            return ""
        return ',"geo":' + json.dumps(geo, ensure_ascii=False, separators=(",", ":"))
