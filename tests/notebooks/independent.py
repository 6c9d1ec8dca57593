"""The notebooks' gold tables computed again in plain Python from the same access-log lines, with
nothing of the notebooks' code: a regular expression for Apache's combined log format, `datetime`
for the time, MaxMind's `maxminddb` reader for the country (the notebooks use `geoip2` in Spark).
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import maxminddb

# host ident user [time] "request" status size "referrer" "user agent" (a cut-off last quote allowed)
COMBINED = re.compile(r'^(\S+) \S+ \S+ \[([^\]]+)\] "([^"]*)" (\d{3}) (\S+) "([^"]*)" "([^"]*)"?$')


def parse(line: str) -> dict:
    match = COMBINED.match(line)
    assert match, f"not a combined log line: {line!r}"
    ip, when, request, status, size, _referrer, agent = match.groups()
    return {"ip": ip, "time": dt.datetime.strptime(when, "%d/%b/%Y:%H:%M:%S %z").astimezone(dt.UTC),
            "path": request.split(" ")[1] if " " in request else request, "status": int(status),
            "bytes": 0 if size == "-" else int(size), "agent": agent}


def browser(agent: str) -> str:
    """The lab's browser classes, first match wins (services/notebooks/README.md)."""
    low = agent.lower()
    if "bot" in low or "spider" in low or "crawl" in low:
        return "Bot"
    for name, marks in (("Edge", ("Edg",)), ("Opera", ("OPR", "Opera")), ("Chrome", ("Chrome",)),
                        ("Firefox", ("Firefox",)), ("Internet Explorer", ("MSIE", "Trident")),
                        ("Safari", ("Safari",))):
        if any(mark in agent for mark in marks):
            return name
    return "Other"


def country(reader: maxminddb.Reader, ip: str) -> str:
    try:
        record = reader.get(ip)
    except ValueError:
        return "Unknown"
    code = ((record or {}).get("country") or {}).get("iso_code")
    return code or "Unknown"


def gold(lines: list[str], mmdb: str) -> dict[str, dict]:
    """Table name -> {key: value} as the notebooks' gold tables should hold them."""
    rows = [parse(line) for line in lines]
    with maxminddb.open_database(mmdb) as reader:
        countries = Counter(country(reader, r["ip"]) for r in rows)
    per_ip: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        per_ip[r["ip"]][0] += 1
        per_ip[r["ip"]][1] += r["bytes"]
    return {
        "gold_requests_per_browser": dict(Counter(browser(r["agent"]) for r in rows)),
        "gold_requests_per_country": dict(countries),
        "gold_bytes_per_ip": {ip: tuple(v) for ip, v in per_ip.items()},
        "gold_failed_requests": dict(Counter(r["status"] for r in rows if r["status"] >= 400)),
        "gold_requests_per_day_hour": dict(Counter((r["time"].date().isoformat(), r["time"].hour) for r in rows)),
    }
