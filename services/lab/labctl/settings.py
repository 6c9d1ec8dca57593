"""The lab's settings in one place: ports, bind address, state directory, names.

Read from the environment (LAB_* variables, the same names as in the compose
`.env`), validated at start-up; a bad value stops with a message naming it.
"""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from labctl.errors import LabError

REPO_ROOT = Path(__file__).resolve().parents[3]

# Workshop names (services/localstack/extension/README.md, Facts 1): keep them, attendees follow the workshop guide.
DELIVERY_STREAM = "webserver_stream"
LAMBDA_NAME = "apache_ETL"
INDEX_NAME = "apache"
BACKUP_PREFIX = "apache_"
BACKUP_BUCKET = "clickstream-lab-backup"
# Sibling labs' path: Kinesis Data Stream as the Firehose source.
KINESIS_STREAM = "web-access-log"
KINESIS_DELIVERY_STREAM = "web_access_log_archive"
KINESIS_ARCHIVE_PREFIX = "web-access-log/"
# Sibling lab: Apache's JSON log (LAB_ACCESS_LOG_FORMAT=kinesis) -> web-access-log -> a
# Kinesis Analytics (SQL) application counting requests per client per 10 s.
ACCESS_LOG_FORMATS = ("clickstream", "kinesis")
ANALYTICS_APPLICATION = "web-access-log-counts"
ANALYTICS_OUTPUT_STREAM = "web-access-counts"
ANALYTICS_ARCHIVE_STREAM = "web_access_counts_archive"
ANALYTICS_ARCHIVE_PREFIX = "web-access-counts/"
ANALYTICS_INDEX_STREAM = "web_access_counts_index"
ANALYTICS_INDEX = "web-access-counts"
REGION = "us-east-1"
# Ports the compose lab's services listen on inside their containers.
CONTAINER_PORTS = {"apache": 80, "localstack": 4566, "opensearch": 9200, "dashboards": 5601,
                   "kafka": 9092}  # Kafka: its listener for the compose network (docker-compose.yml)
ACCOUNT_ID = "000000000000"
# The data lake (Glue Data Catalog, crawler, Athena) over the backup.
GLUE_DATABASE = "clickstream"
CRAWLER_NAME = "apache_backup_crawler"
CRAWLER_ROLE = "glue_crawler_role"
BACKUP_TABLE = "apache_"   # a crawler names the table after its path's last component
ATHENA_OUTPUT = f"s3://{BACKUP_BUCKET}/athena-results/"
DEFAULT_LAMBDA_HANDLER = "etl.handler.lambda_handler"
BACKUP_MODES = ("AllDocuments", "FailedDocumentsOnly")
# LAB_PROVISION: `workshop`, the lab's own resources and agent (the one-command path); `none`, an
# empty lab (the services answer, nothing is made in them and the lab's agent does not run: an
# attendee builds every resource by hand, as in the console)
PROVISION_MODES = ("workshop", "none")
EXAMPLE_QUERIES = REPO_ROOT / "services" / "lab" / "athena" / "example_queries.sql"


def cache_root() -> Path:
    """The lab's download cache, kept by `make reset` (Maven artefacts, Trino, the GeoIP database
    for labs the API starts): LAB_CACHE_DIR, else ~/.cache/clickstream-lab."""
    configured = os.environ.get("LAB_CACHE_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "clickstream-lab"


class SettingsError(LabError, ValueError):
    """A LAB_* variable has an invalid value; the message names it."""

    exit_code = 2


def _port(env: dict[str, str], key: str, default: int) -> int:
    raw = env.get(key, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{key}={raw!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise SettingsError(f"{key}={value} is outside 1-65535")
    return value


def _int_range(env: dict[str, str], key: str, default: int, low: int, high: int) -> int:
    raw = env.get(key, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{key}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise SettingsError(f"{key}={value} is outside {low}-{high}")
    return value


@dataclass(frozen=True)
class LabSettings:
    state_dir: Path
    bind_address: str
    apache_port: int
    localstack_port: int
    opensearch_port: int
    dashboards_port: int
    buffer_interval: int  # seconds, the Firehose buffering hint (workshop: 60)
    buffer_size_mb: int   # MB (workshop: 1)
    retry_duration: int   # seconds Firehose retries OpenSearch before *-failed/ (AWS default 300)
    runtime: str          # auto | compose | native
    localstack_venv: Path
    geoip_database: Path | None = None  # the user's GeoLite2-City .mmdb (None: DB-IP's, installed)
    geoip_enabled: bool = True           # LAB_GEOIP_DATABASE=off switches GeoIP off
    # LAB_IN_COMPOSE_NETWORK=1: labctl runs inside the compose lab's network (a host
    # without Python, services/lab/container-lab.sh): services by name and port.
    in_compose_network: bool = False
    access_log_format: str = "clickstream"  # clickstream (the workshop's line) | kinesis (JSON, sibling lab)
    kafka_port: int = 9092                  # the CloudWatch lab's Kafka broker (make cloudwatch-lab)
    kafka_controller_port: int = 9093       # the broker's KRaft controller listener (loopback)
    # OpenSearch's node-to-node port or range (native, loopback only); OpenSearch's own default
    # range lets several labs (the tests' in parallel) share a machine
    opensearch_transport_port: str = "9300-9400"
    opensearch_heap: str = "512m"           # OPENSEARCH_HEAP: the JVM heap of the native OpenSearch
    # A team's own parts (clickstream_lab's API, examples/): their ETL zip and handler, their
    # agent.json (pointed at the lab by labctl.native.agent_config), the backup mode of the stream
    lambda_zip_override: Path | None = None  # LAB_LAMBDA_ZIP (None: the lab's build/apache_ETL.zip)
    lambda_handler: str = DEFAULT_LAMBDA_HANDLER  # LAB_LAMBDA_HANDLER
    agent_config_file: Path | None = None    # LAB_AGENT_CONFIG (None: the workshop's agent.json)
    backup_mode: str = "AllDocuments"        # LAB_BACKUP_MODE: AllDocuments | FailedDocumentsOnly
    provision: str = "workshop"              # LAB_PROVISION: workshop | none (an empty lab, PROVISION_MODES)

    @property
    def empty(self) -> bool:
        """An empty lab: services only, every resource made by hand (LAB_PROVISION=none)."""
        return self.provision == "none"

    def _url(self, service: str, host_port: int) -> str:
        if self.in_compose_network:
            return f"http://{service}:{CONTAINER_PORTS[service]}"
        return f"http://{self.host}:{host_port}"

    @property
    def apache_address(self) -> tuple[str, int]:
        """Where Apache accepts connections (status connects only: no log line)."""
        if self.in_compose_network:
            return "apache", CONTAINER_PORTS["apache"]
        return self.host, self.apache_port

    @property
    def host(self) -> str:
        """Where clients on this machine reach the services."""
        return "127.0.0.1" if self.bind_address in ("0.0.0.0", "::") else self.bind_address

    @property
    def apache_url(self) -> str:
        return self._url("apache", self.apache_port)

    @property
    def localstack_url(self) -> str:
        return self._url("localstack", self.localstack_port)

    @property
    def opensearch_url(self) -> str:
        return self._url("opensearch", self.opensearch_port)

    @property
    def dashboards_url(self) -> str:
        return self._url("dashboards", self.dashboards_port)

    @property
    def kafka_bootstrap(self) -> str:
        """Kafka's bootstrap address (host:port) as clients reach it."""
        if self.in_compose_network:
            return f"kafka:{CONTAINER_PORTS['kafka']}"
        return f"{self.host}:{self.kafka_port}"

    @property
    def lambda_zip(self) -> Path:
        return self.lambda_zip_override or REPO_ROOT / "build" / "apache_ETL.zip"


def _geoip_database(env: dict[str, str]) -> tuple[Path | None, bool]:
    """LAB_GEOIP_DATABASE: unset (DB-IP's city database), `off`, or a MaxMind city .mmdb file."""
    raw = env.get("LAB_GEOIP_DATABASE", "").strip()
    if not raw:
        return None, True
    if raw.lower() == "off":
        return None, False
    path = Path(raw).expanduser().resolve()
    if not path.is_file():
        raise SettingsError(f"LAB_GEOIP_DATABASE={raw!r} is not a file (a GeoLite2-City .mmdb, or `off`)")
    from etl.geoip import GeoDatabase, GeoIPDatabaseError

    try:
        GeoDatabase.open(path).reader.close()
    except GeoIPDatabaseError as error:
        raise SettingsError(f"LAB_GEOIP_DATABASE: {error}") from None
    return path, True


def _port_or_range(env: dict[str, str], key: str, default: str) -> str:
    """A port (9300) or a range OpenSearch picks the first free port of (9300-9400)."""
    raw = env.get(key, default).strip()
    low, _, high = raw.partition("-")
    bounds = [_port({key: part}, key, 0) for part in ((low, high) if high else (low,))]
    if len(bounds) == 2 and bounds[0] > bounds[1]:
        raise SettingsError(f"{key}={raw!r}: the range must go upwards")
    return raw


def _heap(env: dict[str, str]) -> str:
    """OPENSEARCH_HEAP as the JVM takes it (-Xmx): a number with m or g, e.g. 512m, 2g."""
    raw = env.get("OPENSEARCH_HEAP", "512m").strip().lower()
    number, unit = raw[:-1], raw[-1:]
    if unit not in ("m", "g") or not number.isdigit() or (int(number) < 256 if unit == "m" else int(number) < 1):
        raise SettingsError(f"OPENSEARCH_HEAP={raw!r} must be a size such as 512m or 2g (at least 256m)")
    return raw


def _choice(env: dict[str, str], key: str, default: str, allowed: tuple[str, ...]) -> str:
    raw = env.get(key, "").strip() or default
    if raw not in allowed:
        raise SettingsError(f"{key}={raw!r} must be one of {', '.join(allowed)}")
    return raw


def _existing_file(env: dict[str, str], key: str) -> Path | None:
    raw = env.get(key, "").strip()
    if not raw:
        return None
    path = Path(raw).expanduser().resolve()
    if not path.is_file():
        raise SettingsError(f"{key}={raw!r}: no such file")
    return path


def _handler(env: dict[str, str]) -> str:
    """LAB_LAMBDA_HANDLER as Lambda's Python runtime takes it: module.path.function."""
    raw = env.get("LAB_LAMBDA_HANDLER", "").strip() or DEFAULT_LAMBDA_HANDLER
    parts = raw.split(".")
    if len(parts) < 2 or not all(part.isidentifier() for part in parts):
        raise SettingsError(f"LAB_LAMBDA_HANDLER={raw!r} must be module.function, e.g. {DEFAULT_LAMBDA_HANDLER}")
    return raw


def load(env: dict[str, str] | None = None) -> LabSettings:
    """Build and validate the settings from the environment."""
    env = dict(os.environ if env is None else env)
    bind = env.get("LAB_BIND_ADDRESS", "127.0.0.1")
    try:
        ipaddress.ip_address(bind)
    except ValueError:
        raise SettingsError(f"LAB_BIND_ADDRESS={bind!r} is not an IP address") from None
    runtime = env.get("LAB_RUNTIME", "auto")
    if runtime not in ("auto", "compose", "native"):
        raise SettingsError(f"LAB_RUNTIME={runtime!r} must be auto, compose or native")
    geoip_database, geoip_enabled = _geoip_database(env)
    log_format = env.get("LAB_ACCESS_LOG_FORMAT", "clickstream")
    if log_format not in ACCESS_LOG_FORMATS:
        raise SettingsError(f"LAB_ACCESS_LOG_FORMAT={log_format!r} must be one of {', '.join(ACCESS_LOG_FORMATS)}")
    return LabSettings(
        state_dir=Path(env.get("LAB_STATE_DIR", REPO_ROOT / ".lab")).resolve(),
        bind_address=bind,
        apache_port=_port(env, "LAB_APACHE_PORT", 8080),
        localstack_port=_port(env, "LAB_LOCALSTACK_PORT", 4566),
        opensearch_port=_port(env, "LAB_OPENSEARCH_PORT", 9200),
        dashboards_port=_port(env, "LAB_DASHBOARDS_PORT", 5601),
        buffer_interval=_int_range(env, "LAB_BUFFER_INTERVAL", 60, 0, 900),
        buffer_size_mb=_int_range(env, "LAB_BUFFER_SIZE_MB", 1, 1, 100),
        retry_duration=_int_range(env, "LAB_RETRY_DURATION", 300, 0, 7200),
        runtime=runtime,
        localstack_venv=Path(env.get("LAB_LOCALSTACK_VENV", REPO_ROOT / ".venv-localstack")).resolve(),
        geoip_database=geoip_database,
        geoip_enabled=geoip_enabled,
        in_compose_network=env.get("LAB_IN_COMPOSE_NETWORK", "0") == "1",
        access_log_format=log_format,
        kafka_port=_port(env, "LAB_KAFKA_PORT", 9092),
        kafka_controller_port=_port(env, "LAB_KAFKA_CONTROLLER_PORT", 9093),
        opensearch_transport_port=_port_or_range(env, "LAB_OPENSEARCH_TRANSPORT_PORT", "9300-9400"),
        opensearch_heap=_heap(env),
        lambda_zip_override=_existing_file(env, "LAB_LAMBDA_ZIP"),
        lambda_handler=_handler(env),
        agent_config_file=_existing_file(env, "LAB_AGENT_CONFIG"),
        backup_mode=_choice(env, "LAB_BACKUP_MODE", "AllDocuments", BACKUP_MODES),
        provision=_choice(env, "LAB_PROVISION", "workshop", PROVISION_MODES),
    )
