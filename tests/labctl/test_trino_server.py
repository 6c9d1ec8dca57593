"""labctl.trino_server without starting Trino: which Java it picks (24+, or a clear error),
and the configuration it writes (loopback only, the Hive connector over the lab's endpoint)."""
from __future__ import annotations

from pathlib import Path

import pytest
from labctl import trino_server
from labctl.errors import MissingPrerequisite

pytestmark = pytest.mark.unit


def jdk(root: Path, name: str, version: str) -> Path:
    home = root / name
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("")
    (home / "release").write_text(f'IMPLEMENTOR="x"\nJAVA_VERSION="{version}"\n')
    return home


def test_the_newest_java_24_or_later_is_chosen(tmp_path, monkeypatch):
    monkeypatch.delenv("LAB_TRINO_JAVA_HOME", raising=False)
    jdk(tmp_path, "java-17-openjdk-amd64", "17.0.12")
    newest = jdk(tmp_path, "temurin-25-jdk-amd64", "25.0.3")
    jdk(tmp_path, "temurin-24-jdk-amd64", "24.0.1")
    assert trino_server.find_java(tmp_path) == newest / "bin" / "java"


def test_no_java_24_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("LAB_TRINO_JAVA_HOME", raising=False)
    jdk(tmp_path, "java-17-openjdk-amd64", "17.0.12")
    with pytest.raises(MissingPrerequisite, match="needs Java 24 or newer.*LAB_TRINO_JAVA_HOME"):
        trino_server.find_java(tmp_path)
    monkeypatch.setenv("LAB_TRINO_JAVA_HOME", str(tmp_path / "java-17-openjdk-amd64"))
    with pytest.raises(MissingPrerequisite, match="LAB_TRINO_JAVA_HOME="):
        trino_server.find_java(tmp_path)


def read_properties(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_configuration_binds_loopback_and_reads_the_labs_glue_and_s3(tmp_path):
    cfg = trino_server.TrinoConfig(base_dir=tmp_path, port=18123, aws_endpoint="http://127.0.0.1:4566")
    etc = trino_server.write_config(cfg, tmp_path / "server")
    node = read_properties(etc / "node.properties")
    assert node["node.bind-ip"] == "127.0.0.1" and node["node.internal-address"] == "127.0.0.1"
    config = read_properties(etc / "config.properties")
    assert config["http-server.http.port"] == "18123" and config["discovery.uri"] == "http://127.0.0.1:18123"
    catalog = read_properties(etc / "catalog" / "awsdatacatalog.properties")
    assert catalog["hive.metastore"] == "glue" and catalog["fs.native-s3.enabled"] == "true"
    assert catalog["hive.metastore.glue.endpoint-url"] == catalog["s3.endpoint"] == "http://127.0.0.1:4566"
    assert catalog["s3.path-style-access"] == "true"
    command = trino_server.command(cfg, tmp_path / "server", Path("/jdk/bin/java"))
    assert "-Dnode.bind-ip=127.0.0.1" in command and command[-1] == "io.trino.server.TrinoServer"
