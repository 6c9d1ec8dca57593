"""The backup a Firehose delivery stream writes for the workshop, made without the
whole pipeline: Apache lines from tests/data/logs turned into documents by the lab's
own ETL (etl.access_log + etl.document), written under `apache_YYYY/MM/dd/HH/` with
Firehose's extension-less object names (one object GZIP-compressed, with `.gz`).
The log is Elastic's example Apache log (tests/data/README.md gives its source)."""
from __future__ import annotations

import gzip
import json

from etl.access_log import parse_line
from etl.document import render_document
from tests.support.data_files import ELASTIC_LOG

LOG_FILE = ELASTIC_LOG
HOURS = ["2026/11/03/09", "2026/11/03/10", "2026/11/03/11", "2026/11/04/00"]


def documents(count: int) -> list[str]:
    """ETL documents of the first `count` lines; two lines in three get the workshop's
    cookie field (`"user = u<n>; PHPSESSID=s<m>"`), so users and sessions are known."""
    out = []
    with open(LOG_FILE, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            line = line.rstrip("\n")
            if i % 3:
                line += f' "user = u{i % 11}; PHPSESSID=s{i % 37}"'
            fields = parse_line(line)
            if fields is None:
                continue
            out.append(render_document(fields)[0])
            if len(out) == count:
                break
    return out


def write_backup(s3, bucket: str, count: int = 2000, prefix: str = "apache_") -> dict[str, list[dict]]:
    """Writes the documents in len(HOURS) hour folders; returns key -> documents."""
    docs = documents(count)
    per = len(docs) // len(HOURS) + 1
    written = {}
    for i, hour in enumerate(HOURS):
        chunk = docs[i * per:(i + 1) * per]
        stamp = hour.replace("/", "-")
        key = f"{prefix}{hour}/apache-backup-1-{stamp}-00-00-0000{i}"
        body = "".join(chunk).encode()
        if i == len(HOURS) - 1:
            key, body = key + ".gz", gzip.compress(body)
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        written[key] = [json.loads(d) for d in chunk]
    return written
