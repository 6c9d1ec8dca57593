"""Where visitors come from: real public ranges of a weighted mix of countries."""

from __future__ import annotations

import ipaddress
import json
import random
from collections import Counter

import pytest

from generator import country_ranges
from generator.visitors import NamePool, VisitorModel

pytestmark = [pytest.mark.unit]

TABLE = country_ranges.load()


def _country_of(address: str) -> str | None:
    ip = ipaddress.ip_address(address)
    for entry in TABLE:
        if any(ip in network for network in (entry.ipv4 if ip.version == 4 else entry.ipv6)):
            return entry.country
    return None


def _clients(seed: int, sessions: int) -> list[str]:
    """The address of each human visitor (returning visitors counted once), in order."""
    model = VisitorModel(random.Random(seed), "http://www.unicornshop.com", NamePool(seed))
    visitors = {}
    for _ in range(sessions):
        session = model.new_session()
        if not session.is_bot:
            visitors.setdefault(session.visitor.visitor_id, session.visitor.client)
    return list(visitors.values())


def test_the_shipped_table_is_public_ranges_with_attribution() -> None:
    data = json.loads(country_ranges.RANGES_FILE.read_text())
    assert "DB-IP" in data["attribution"] and data["licence"].startswith("CC BY 4.0")
    assert len(TABLE) >= 15
    for entry in TABLE:
        assert entry.ipv4 and entry.ipv6, entry.country
        for network in (*entry.ipv4, *entry.ipv6):
            assert network.is_global and not network.is_multicast, (entry.country, network)


def test_every_human_visitor_is_inside_a_range_of_the_mix_in_its_proportions() -> None:
    clients = _clients(seed=21, sessions=20_000)
    countries = Counter(_country_of(client) for client in clients)
    assert None not in countries
    total = sum(countries.values())
    weights = {entry.country: entry.weight for entry in TABLE}
    weight_total = sum(weights.values())
    for country, weight in weights.items():
        expected = total * weight / weight_total
        # binomial: 5 standard deviations, so the test fails only if the mix is wrong
        tolerance = 5 * (expected * (1 - weight / weight_total)) ** 0.5 + 1
        assert abs(countries[country] - expected) <= tolerance, (country, countries[country], expected)
    assert any(":" in client for client in clients)  # IPv6 visitors too


def test_same_seed_same_visitors() -> None:
    assert _clients(seed=5, sessions=500) == _clients(seed=5, sessions=500)
    assert _clients(seed=5, sessions=500) != _clients(seed=6, sessions=500)


def test_addresses_avoid_the_network_and_broadcast_address() -> None:
    network = ipaddress.ip_network("81.2.69.0/30")
    rng = random.Random(3)
    assert {country_ranges.random_address(network, rng) for _ in range(100)} == {"81.2.69.1", "81.2.69.2"}
