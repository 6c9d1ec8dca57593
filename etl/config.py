"""Configuration of the ETL Lambda, read from environment variables once at cold start.

Variables (all optional; by default nothing is dropped):
  ETL_DROP_USER_AGENT_REGEX  records whose user agent matches (re.search) are `Dropped`,
                             e.g. `^ELB-HealthChecker/` for load-balancer health checks.
  ETL_DROP_PATH_REGEX        records whose request path matches (re.search) are `Dropped`.
  ETL_LOG_LEVEL              logging level of the function (default INFO).
  ETL_GEOIP_DATABASES        GeoIP: comma-separated MaxMind DB (.mmdb) files, each an
                             `s3://bucket/key` (downloaded into /tmp at cold start) or an
                             absolute path; the first that knows an address answers (DB-IP's
                             files come as one IPv4 and one IPv6 database). Unset: no GeoIP.

A bad value raises `ConfigError` naming the variable, so the function fails its
initialisation with a message that says what to fix instead of misbehaving later.
"""

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

DROP_USER_AGENT_VAR = "ETL_DROP_USER_AGENT_REGEX"
DROP_PATH_VAR = "ETL_DROP_PATH_REGEX"
LOG_LEVEL_VAR = "ETL_LOG_LEVEL"
GEOIP_DATABASES_VAR = "ETL_GEOIP_DATABASES"

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# S3 bucket naming rules (3-63 characters: lower case, digits, dots, hyphens), then a key.
_S3_LOCATION = re.compile(r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(.+)")


class ConfigError(ValueError):
    """An environment variable of the ETL has an invalid value."""


@dataclass(frozen=True)
class EtlConfig:
    drop_user_agent: re.Pattern[str] | None = None
    drop_path: re.Pattern[str] | None = None
    log_level: int = logging.INFO
    geoip_databases: tuple[str, ...] = ()  # s3://bucket/key or absolute paths

    @property
    def drops_anything(self) -> bool:
        return self.drop_user_agent is not None or self.drop_path is not None


def _compile(environ: Mapping[str, str], name: str) -> re.Pattern[str] | None:
    value = environ.get(name, "")
    if not value.strip():
        return None
    try:
        return re.compile(value)
    except re.error as exc:
        raise ConfigError(f"{name} is not a valid regular expression ({exc}): {value!r}") from None


def _geoip_databases(environ: Mapping[str, str]) -> tuple[str, ...]:
    value = environ.get(GEOIP_DATABASES_VAR, "")
    locations = tuple(item.strip() for item in value.split(",") if item.strip())
    for location in locations:
        if location.startswith("s3://"):
            if not _S3_LOCATION.fullmatch(location):
                raise ConfigError(f"{GEOIP_DATABASES_VAR} has {location!r}, not an s3://bucket/key location")
        elif not os.path.isabs(location):
            raise ConfigError(f"{GEOIP_DATABASES_VAR} has {location!r}: give s3://bucket/key or an absolute path")
    return locations


def s3_location(location: str) -> tuple[str, str] | None:
    """(bucket, key) of an s3:// location from ETL_GEOIP_DATABASES, else None (a path)."""
    match = _S3_LOCATION.fullmatch(location)
    return (match[1], match[2]) if match else None


def load_config(environ: Mapping[str, str] | None = None) -> EtlConfig:
    """Read and validate the configuration from `environ` (default: os.environ)."""
    env = os.environ if environ is None else environ
    level_name = env.get(LOG_LEVEL_VAR, "INFO").strip().upper() or "INFO"
    if level_name not in _LOG_LEVELS:
        raise ConfigError(f"{LOG_LEVEL_VAR} must be one of {', '.join(_LOG_LEVELS)}, got {level_name!r}")
    return EtlConfig(
        drop_user_agent=_compile(env, DROP_USER_AGENT_VAR),
        drop_path=_compile(env, DROP_PATH_VAR),
        log_level=getattr(logging, level_name),
        geoip_databases=_geoip_databases(env),
    )
