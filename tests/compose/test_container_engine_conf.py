"""services/lab/container-engine.sh writes podman's two settings into
containers.conf only where the machine has not set them itself."""
from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.compose import compose_checks as cc

pytestmark = pytest.mark.unit

SCRIPT = cc.REPO / "services" / "lab" / "container-engine.sh"


def _configure(conf: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), "configure"], env={"PATH": "/usr/bin:/bin",
                          "LAB_CONTAINERS_CONF": str(conf)}, capture_output=True, text=True,
                          timeout=30, check=True)


def test_an_empty_file_gets_both_settings_in_their_tables(tmp_path):
    conf = tmp_path / "containers.conf"
    _configure(conf)
    parsed = tomllib.loads(conf.read_text())
    assert parsed == {"engine": {"runtime": "runc"},
                      "containers": {"default_ulimits": ["nofile=1024:1024", "nproc=4096:4096"]}}
    before = conf.read_text()
    _configure(conf)
    assert conf.read_text() == before  # a second run changes nothing


def test_the_machine_s_own_settings_win_and_tables_are_reused(tmp_path):
    conf = tmp_path / "containers.conf"
    conf.write_text('[containers]\nlog_driver = "k8s-file"\n\n[engine]\nruntime = "crun"\n')
    run = _configure(conf)
    parsed = tomllib.loads(conf.read_text())
    assert parsed["engine"] == {"runtime": "crun"}
    assert parsed["containers"] == {"log_driver": "k8s-file",
                                    "default_ulimits": ["nofile=1024:1024", "nproc=4096:4096"]}
    assert "runtime" not in run.stderr and "default_ulimits" in run.stderr
