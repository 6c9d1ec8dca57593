"""Where the ETL's GeoIP databases come from: S3, downloaded into /tmp at cold start.

A Lambda zip is limited to 50 MB zipped (250 MB unzipped) and a layer counts against the
same 250 MB, while a city database is 60-130 MB: AWS users keep it in S3 and copy it to the
function's /tmp (512 MB by default) during initialisation. boto3 is the one the Lambda
Python runtime provides (it is not in the zip); the S3 endpoint and credentials are the
function's own (on LocalStack, AWS_ENDPOINT_URL points at LocalStack).

A download or a file that is not a usable database fails the cold start with a
`ConfigError` naming ETL_GEOIP_DATABASES and the location, so the function says what to fix.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path

from etl.config import GEOIP_DATABASES_VAR, ConfigError, s3_location
from etl.geoip import GeoIP, GeoIPDatabaseError

logger = logging.getLogger(__name__)


def download(bucket: str, key: str, directory: Path) -> Path:
    """The object copied to `directory` (kept across warm invocations of the same sandbox)."""
    import boto3  # the runtime's; imported only when a database is configured
    from botocore.exceptions import BotoCoreError, ClientError

    target = directory / bucket / key
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    started = time.monotonic()
    try:
        boto3.client("s3").download_file(bucket, key, str(partial))
    except (BotoCoreError, ClientError) as error:
        partial.unlink(missing_ok=True)
        raise ConfigError(f"{GEOIP_DATABASES_VAR}: cannot download s3://{bucket}/{key}: {error}") from None
    os.replace(partial, target)
    logger.info("GeoIP: s3://%s/%s -> %s (%d bytes, %.1f s)", bucket, key, target,
                target.stat().st_size, time.monotonic() - started)
    return target


def local_path(location: str, directory: Path) -> Path:
    """A local file for one ETL_GEOIP_DATABASES entry (downloading it if it is in S3)."""
    bucket_key = s3_location(location)
    if bucket_key is not None:
        return download(*bucket_key, directory)
    path = Path(location)
    if not path.is_file():
        raise ConfigError(f"{GEOIP_DATABASES_VAR}: {location} is not a file")
    return path


def open_geoip(locations: tuple[str, ...], directory: Path | None = None) -> GeoIP | None:
    """The configured databases, ready to read; None when GeoIP is not configured."""
    if not locations:
        return None
    directory = directory or Path(tempfile.gettempdir()) / "geoip"
    paths = [local_path(location, directory) for location in locations]
    try:
        return GeoIP.open(paths)
    except GeoIPDatabaseError as error:
        raise ConfigError(f"{GEOIP_DATABASES_VAR}: {error}") from None
