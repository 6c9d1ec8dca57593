"""`make geoip`: install the GeoIP city database and print the files the ETL reads."""
from __future__ import annotations

import argparse

from labctl import geoip
from labctl import settings as lab


def run(settings: lab.LabSettings, _args: argparse.Namespace) -> int:
    for path in geoip.database_files(settings):
        print(path)
    if settings.geoip_database is None:
        print(geoip.ATTRIBUTION)
    return 0
