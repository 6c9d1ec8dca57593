"""Real OpenSearch on this host: assembled from the Maven Central artefacts, configured per node.

`install()` builds an OpenSearch installation from what services/jvm/fetch.py fetched and
verified for the `opensearch` component (services/jvm/opensearch/pom.xml): the distribution
OpenSearch publishes to Maven Central (integ-test-zip) unpacked with its files' modes (Python's
zipfile drops exec bits, so they are set from the zip's own entries), plus each module jar as a
`modules/<name>/` folder with the `plugin-descriptor.properties` OpenSearch's plugin loader
reads. The installation is kept in the lab's cache, keyed by the lock's fingerprint, and is
never written to afterwards: each node gets its own config folder (`write_node_config`), with
data and logs in its own directory (the lab's state dir, or a test's tmp dir).

`python -m labctl.opensearch_native` fetches and assembles (make opensearch) and prints where.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import stat
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

LOG = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[3]
FETCH_SCRIPT = REPO_ROOT / "services" / "jvm" / "fetch.py"
COMPONENT = "opensearch"
DISTRIBUTION_PREFIX = "opensearch-"      # opensearch-<version>.zip, the integ-test-zip
DEFAULT_HEAP = "512m"


@dataclass(frozen=True)
class Module:
    """A module published as a jar only: its folder name and the class the loader starts."""

    name: str
    jar_prefix: str
    classname: str
    description: str


# The module jars services/jvm/opensearch/pom.xml lists; the descriptor follows the format of the
# distribution's own modules/transport-netty4/plugin-descriptor.properties.
MODULES = (
    Module("mapper-extras", "mapper-extras-client-", "org.opensearch.index.mapper.MapperExtrasPlugin",
           "Adds advanced field mappers"),
)


class OpenSearchInstallError(RuntimeError):
    """The artefacts are missing or do not make an installation; the message says what to run."""


def _fetch_module():
    spec = importlib.util.spec_from_file_location("lab_jvm_fetch", FETCH_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def artefacts_dir(fetch_if_missing: bool = False) -> Path:
    """The verified folder of OpenSearch's Maven artefacts (fetching them first if asked)."""
    fetch = _fetch_module()
    folder = fetch.verified_dir(COMPONENT)
    if folder is None and fetch_if_missing:
        folder = fetch.fetch(COMPONENT)
    if folder is None:
        raise OpenSearchInstallError("OpenSearch's artefacts are not fetched: run `make opensearch` "
                                     f"(python3 {FETCH_SCRIPT.relative_to(REPO_ROOT)} {COMPONENT})")
    return folder


def _distribution(artefacts: Path) -> tuple[Path, str]:
    zips = sorted(artefacts.glob(f"{DISTRIBUTION_PREFIX}*.zip"))
    if len(zips) != 1:
        raise OpenSearchInstallError(f"expected one {DISTRIBUTION_PREFIX}<version>.zip in {artefacts}, found {len(zips)}")
    return zips[0], zips[0].name[len(DISTRIBUTION_PREFIX):-len(".zip")]


def _unzip_with_modes(archive: Path, target: Path) -> None:
    """Extract keeping each entry's Unix mode (bin/opensearch must stay executable)."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            path = Path(zf.extract(info, target))
            mode = info.external_attr >> 16
            if mode and not info.is_dir():
                path.chmod(stat.S_IMODE(mode))


def descriptor(module: Module, version: str) -> str:
    """plugin-descriptor.properties for a module (OpenSearch's documented keys)."""
    return "".join(f"{key}={value}\n" for key, value in (
        ("description", module.description), ("version", version), ("name", module.name),
        ("classname", module.classname), ("java.version", "11"), ("opensearch.version", version),
        ("custom.foldername", ""), ("extended.plugins", ""), ("has.native.controller", "false")))


def install_root() -> Path:
    return _fetch_module().cache_root() / COMPONENT


def install(fetch_if_missing: bool = False) -> Path:
    """The OpenSearch home assembled from the verified artefacts (built once per lock)."""
    fetch = _fetch_module()
    artefacts = artefacts_dir(fetch_if_missing)
    fingerprint = fetch.lock_fingerprint(fetch.component_dir(COMPONENT))[:12]
    archive, version = _distribution(artefacts)
    home = install_root() / f"opensearch-{version}-{fingerprint}"
    if (home / "bin" / "opensearch").is_file():
        return home
    home.parent.mkdir(parents=True, exist_ok=True)
    LOG.info("assembling OpenSearch %s into %s", version, home)
    with tempfile.TemporaryDirectory(dir=home.parent, prefix=".assembling-") as work:
        _unzip_with_modes(archive, Path(work))
        unpacked = Path(work) / f"opensearch-{version}"
        if not (unpacked / "bin" / "opensearch").is_file():
            raise OpenSearchInstallError(f"{archive.name} holds no opensearch-{version}/bin/opensearch")
        for module in MODULES:
            jars = sorted(artefacts.glob(f"{module.jar_prefix}*.jar"))
            if len(jars) != 1:
                raise OpenSearchInstallError(f"module {module.name}: expected one {module.jar_prefix}*.jar "
                                             f"in {artefacts}, found {len(jars)}")
            folder = unpacked / "modules" / module.name
            folder.mkdir()
            shutil.copy2(jars[0], folder / jars[0].name)
            (folder / "plugin-descriptor.properties").write_text(descriptor(module, version))
        unpacked.rename(home)   # atomic: a half-assembled home is never seen
    return home


def java_home() -> Path:
    """The JVM OpenSearch runs on: $OPENSEARCH_JAVA_HOME, $JAVA_HOME, or the `java` on PATH."""
    for key in ("OPENSEARCH_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(key):
            return Path(os.environ[key])
    java = shutil.which("java")
    if not java:
        raise OpenSearchInstallError("no Java found: OpenSearch 2.19 needs Java 11, 17 or 21 "
                                     "(apt-get install openjdk-17-jre-headless)")
    return Path(java).resolve().parents[1]


@dataclass(frozen=True)
class NodeConfig:
    """One OpenSearch node: where its files live and where it listens."""

    home: Path          # the assembled installation (read only)
    node_dir: Path      # config/, data/, logs/, tmp/ of this node
    http_port: int
    transport_port: int | str   # a port, or a range such as 9300-9400 (OpenSearch takes the first free)
    host: str = "127.0.0.1"
    heap: str = DEFAULT_HEAP

    @property
    def config_dir(self) -> Path:
        return self.node_dir / "config"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.http_port}"


def opensearch_yml(node: NodeConfig) -> str:
    return "\n".join([
        "# Written by labctl.opensearch_native for this node; edits are overwritten at each start.",
        "cluster.name: clickstream-lab",
        "node.name: opensearch",
        f"network.host: {node.host}",
        f"http.port: {node.http_port}",
        f"transport.port: {node.transport_port}",
        "discovery.type: single-node",
        f"path.data: {node.node_dir / 'data'}",
        f"path.logs: {node.node_dir / 'logs'}",
        # as services/opensearch/opensearch.yml (compose): a nearly full laptop disk must not
        # turn the index read-only, and Firehose's rotation creates indices through the bulk API
        "cluster.routing.allocation.disk.threshold_enabled: false",
        "action.auto_create_index: true",
        "",
    ])


def _jvm_options(home: Path, node: NodeConfig) -> str:
    """The distribution's jvm.options with the heap left to jvm.options.d and its relative
    paths (gc log, heap dumps, error files) moved into the node's folder."""
    logs, data = node.node_dir / "logs", node.node_dir / "data"
    lines = []
    for line in (home / "config" / "jvm.options").read_text().splitlines():
        if line.strip().startswith(("-Xms", "-Xmx")):
            continue
        lines.append(line.replace("file=logs/", f"file={logs}/").replace("HeapDumpPath=data", f"HeapDumpPath={data}")
                     .replace("ErrorFile=logs/", f"ErrorFile={logs}/").replace("-Xloggc:logs/", f"-Xloggc:{logs}/"))
    return "\n".join(lines) + "\n"


def write_node_config(node: NodeConfig) -> None:
    """config/ (opensearch.yml, jvm.options + heap, log4j2.properties), data/, logs/, tmp/."""
    for name in ("config", "data", "logs", "tmp"):
        (node.node_dir / name).mkdir(parents=True, exist_ok=True)
    config = node.config_dir
    (config / "opensearch.yml").write_text(opensearch_yml(node))
    (config / "jvm.options").write_text(_jvm_options(node.home, node))
    shutil.copy2(node.home / "config" / "log4j2.properties", config / "log4j2.properties")
    (config / "jvm.options.d").mkdir(exist_ok=True)
    (config / "jvm.options.d" / "heap.options").write_text(f"-Xms{node.heap}\n-Xmx{node.heap}\n")


def command(node: NodeConfig) -> list[str]:
    return [str(node.home / "bin" / "opensearch")]


def environment(node: NodeConfig) -> dict[str, str]:
    """What bin/opensearch reads: the config folder, the JVM, a private tmp dir."""
    env = {"OPENSEARCH_PATH_CONF": str(node.config_dir), "OPENSEARCH_JAVA_HOME": str(java_home()),
           "OPENSEARCH_TMPDIR": str(node.node_dir / "tmp")}
    if os.geteuid() == 0:
        # OpenSearch refuses to start as root when it can ask the OS (through JNA). Under
        # root (CI containers, this project's build machines) JNA's native part is not
        # loaded, so the check cannot run; OpenSearch logs a warning and runs without
        # mlockall and the seccomp filter, which a single loopback node does not need.
        env["OPENSEARCH_JAVA_OPTS"] = "-Djna.nosys=true -Djna.nounpack=true"
    return env


def ready(url: str) -> bool:
    """OpenSearch answers and its cluster is at least yellow (the kept shards recovered)."""
    import requests

    try:
        answer = requests.get(f"{url}/_cluster/health", params={"wait_for_status": "yellow", "timeout": "1s"},
                              timeout=5)
        return answer.ok and answer.json().get("status") in ("yellow", "green")
    except (requests.RequestException, ValueError):
        return False


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="opensearch: %(message)s")
    try:
        home = install(fetch_if_missing=True)
    except OpenSearchInstallError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"OpenSearch installation: {home}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
