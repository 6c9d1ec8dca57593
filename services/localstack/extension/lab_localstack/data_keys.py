"""Which S3 objects under a table's location are data, as Hive, Athena and Glue's crawlers
see it: every object below the prefix, except folder markers and hidden files or folders
(a path part starting with `_` or `.`, e.g. `_SUCCESS`, `.part-0.crc`). Shared by the
lab's Glue crawlers and Athena, with the parsing of a location's URI."""
from __future__ import annotations

from urllib.parse import urlparse


def relative_key(key: str, prefix: str) -> str:
    """The key below the prefix, without a leading /."""
    return key[len(prefix):].lstrip("/")


def is_data_key(key: str, prefix: str) -> bool:
    if key.endswith(("/", "_$folder$")):
        return False
    return not any(part.startswith(("_", ".")) for part in relative_key(key, prefix).split("/") if part)


def split_uri(uri: str) -> tuple[str, str]:
    """s3://bucket/prefix/ -> (bucket, "prefix/")."""
    parsed = urlparse(uri)
    if parsed.scheme not in ("s3", "s3a", "s3n") or not parsed.netloc:
        raise ValueError(f"not an S3 location: {uri}")
    return parsed.netloc, parsed.path.lstrip("/")
