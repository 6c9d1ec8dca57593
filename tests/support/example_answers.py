"""The answers of services/lab/athena/example_queries.sql computed in plain Python from
the backup's documents, independently of the lab's Glue and Athena (the tests compare
the two), plus the ETL document's fields as Glue types."""
from __future__ import annotations

import gzip
import json
from collections import Counter, defaultdict
from datetime import datetime

# etl/README.md, "Output document": the field types the ETL writes, as Glue types
ETL_DOCUMENT = {
    "host": "string", "client_ip": "string", "ident": "string", "authuser": "string",
    "@timestamp": "string", "@timestamp_utc": "string", "timezone": "string", "request": "string",
    "verb": "string", "path": "string", "http_version": "string", "page": "string", "category": "string",
    "product": "string", "response": "int", "bytes": "int", "referer": "string", "user-agent": "string",
    "is_bot": "boolean", "username": "string", "session_id": "string",
}
# etl/README.md, "GeoIP": the fields of `geo` (a struct), each present only when the database has it
GEO_FIELDS = {
    "continent_name": "string", "country_iso_code": "string", "country_name": "string",
    "region_iso_code": "string", "region_name": "string", "city_name": "string",
    "location": "struct<lat:double,lon:double>", "timezone": "string",
}


def struct_fields(glue_type: str) -> dict[str, str]:
    """`struct<a:int,b:struct<c:string>>` -> {"a": "int", "b": "struct<c:string>"}."""
    assert glue_type.startswith("struct<") and glue_type.endswith(">"), glue_type
    fields, depth, start, body = {}, 0, 0, glue_type[7:-1]
    for i, ch in enumerate(body + ","):
        depth += (ch == "<") - (ch == ">")
        if ch == "," and depth == 0:
            name, _, typ = body[start:i].partition(":")
            fields[name] = typ
            start = i + 1
    return fields


def backup_objects(s3, bucket: str, prefix: str) -> dict[str, list[dict]]:
    """Key -> documents of every backup object under the prefix (Firehose's *-failed/ left out)."""
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            if "-failed/" in item["Key"]:
                continue
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            if body[:2] == b"\x1f\x8b":
                body = gzip.decompress(body)
            out[item["Key"]] = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
    return out


def top_pages(docs: list[dict]) -> list[list]:
    hits = Counter(d["path"] for d in docs if d["path"] is not None)
    ranked = sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    return [["path", "hits"]] + [[p, str(n)] for p, n in ranked]


def status_per_hour(docs: list[dict]) -> list[list]:
    counts = Counter()
    for d in docs:
        if d["response"] is not None:
            hour = datetime.fromisoformat(d["@timestamp_utc"]).strftime("%Y-%m-%d %H:00:00.000 UTC")
            counts[(hour, f"{d['response'] // 100}xx")] += 1
    return [["hour_utc", "status_class", "requests"]] + [[h, c, str(n)] for (h, c), n in sorted(counts.items())]


def sessions_per_user(docs: list[dict]) -> list[list]:
    sessions, requests = defaultdict(set), Counter()
    for d in docs:
        if d["username"] is not None:
            requests[d["username"]] += 1
            if d["session_id"] is not None:
                sessions[d["username"]].add(d["session_id"])
    ranked = sorted(requests, key=lambda u: (-len(sessions[u]), -requests[u], u))[:20]
    return [["username", "sessions", "requests"]] + [[u, str(len(sessions[u])), str(requests[u])] for u in ranked]


def failing_urls(docs: list[dict]) -> list[list]:
    errors, server, hosts = Counter(), Counter(), defaultdict(set)
    for d in docs:
        if d["response"] is not None and d["response"] >= 400:
            errors[d["path"]] += 1
            server[d["path"]] += d["response"] >= 500
            hosts[d["path"]].add(d["host"])
    ranked = sorted(errors, key=lambda p: (-errors[p], p is None, p or ""))[:10]
    return [["path", "errors", "server_errors", "clients"]] + [
        [p, str(errors[p]), str(server[p]), str(len(hosts[p]))] for p in ranked]


ANSWERS = {"top_pages": top_pages, "status_per_hour": status_per_hour, "sessions_per_user": sessions_per_user,
           "failing_urls": failing_urls}
