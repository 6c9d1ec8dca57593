"""Static checks of how the compose lab's services are wired (LocalStack's extension,
OpenSearch, the agent and Apache's shared log, the setup service, the lab's Python image):
no Docker engine needed, run in CI. Each rule is checked on the real files.
"""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from tests.compose import compose_checks as cc

pytestmark = pytest.mark.unit

REPO = cc.REPO


# --- the wiring between services -----------------------------------------------------------------

def test_localstack_runs_the_lab_extension_without_docker(services):
    env = services["localstack"]["environment"]
    assert env["PROVIDER_OVERRIDE_FIREHOSE"] == "lab"
    assert env["LAMBDA_RUNTIME_EXECUTOR"] == "host"
    assert set(env["SERVICES"].split(",")) >= {"s3", "lambda", "firehose", "iam", "sts", "logs"}
    assert str(env["DISABLE_EVENTS"]) == "1" and str(env["SKIP_SSL_CERT_DOWNLOAD"]) == "1"


def test_opensearch_runs_single_node_without_security(services):
    env = services["opensearch"]["environment"]
    assert env["DISABLE_SECURITY_PLUGIN"] == "true"
    assert env["DISABLE_INSTALL_DEMO_CONFIG"] == "true"
    assert "-Xmx512m" in env["OPENSEARCH_JAVA_OPTS"]
    import yaml

    settings = yaml.safe_load((REPO / "services/opensearch/opensearch.yml").read_text())
    assert settings["discovery.type"] == "single-node"
    dash = yaml.safe_load((REPO / "services/dashboards/opensearch_dashboards.yml").read_text())
    assert dash["opensearch.hosts"] == ["http://opensearch:9200"]


def test_agent_reads_what_apache_writes(services):
    apache_logs = cc.volume_target(services["apache"], "apache-logs")
    agent_logs = cc.volume_target(services["agent"], "apache-logs")
    assert apache_logs and agent_logs == "/var/log/httpd"
    assert any(str(v).startswith("apache-logs:/var/log/httpd:ro") or
               (isinstance(v, dict) and v.get("read_only")) for v in services["agent"]["volumes"])
    agent_cfg = json.loads((REPO / "services/agent/agent.json").read_text())
    assert agent_cfg["firehose.endpoint"] == "http://localstack:4566"
    (flow,) = agent_cfg["flows"]
    assert flow["filePattern"] == "/var/log/httpd/access_log*"
    assert flow["deliveryStream"] == "webserver_stream"
    assert flow["initialPosition"] == "START_OF_FILE"
    assert cc.volume_target(services["agent"], "agent-state") == str(Path(agent_cfg["checkpointFile"]).parent)


def test_apache_log_volume_is_where_the_apache_image_logs(services):
    """The apache-logs volume must cover the directory services/apache/Dockerfile
    logs to (its LAB_APACHE_LOG_DIR), or the agent tails an empty volume."""
    dockerfile = REPO / "services/apache/Dockerfile"
    assert dockerfile.is_file(), "services/apache/Dockerfile is missing (docker-compose.yml builds it)"
    text = dockerfile.read_text().replace("\\\n", " ")
    match = re.search(r"LAB_APACHE_LOG_DIR[= ]\"?([^\s\"]+)", text)
    log_dir = match.group(1) if match else "/usr/local/apache2/logs"
    env = services["apache"].get("environment") or {}
    log_dir = env.get("LAB_APACHE_LOG_DIR", log_dir)
    assert cc.volume_target(services["apache"], "apache-logs") == log_dir


def test_setup_runs_the_shared_provisioning_program():
    script = (REPO / "services/setup/setup.sh").read_text()
    assert "python -m labctl provision" in script
    assert "--lambda-zip" in script
    assert "python -m kibana_dashboards load" in script


def test_setup_gets_the_buffer_interval(services):
    env = services["setup"]["environment"]
    assert env["LAB_BUFFER_INTERVAL"] == cc.read_env_file()["LAB_BUFFER_INTERVAL"]
    assert env["LAB_OPENSEARCH_URL"] == "http://opensearch:9200"
    parsed, _ = cc.compose_config(env={"LAB_BUFFER_INTERVAL": "5"})
    assert str(parsed["services"]["setup"]["environment"]["LAB_BUFFER_INTERVAL"]) == "5"


def test_python_image_installs_pyproject_minus_native_only():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "container_requirements", REPO / "services/setup/container_requirements.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    reqs = mod.container_requirements(pyproject)
    names = {mod.requirement_name(r) for r in reqs}
    assert "osmem-server" not in names
    all_names = {mod.requirement_name(r) for r in pyproject["project"]["dependencies"]}
    assert all_names - names <= mod.NATIVE_ONLY
    assert {"boto3", "opensearch-py", "python-dateutil", "requests"} <= names
    assert mod.requirement_name("Osmem_Server[x]>=1 ; python_version>'3'") == "osmem-server"


def test_python_image_contains_the_lab_packages():
    text = (REPO / "services/setup/Dockerfile").read_text()
    for package in ("etl", "agent", "generator", "kibana_dashboards", "services/lab/labctl"):
        assert re.search(rf"^COPY {re.escape(package)}/ ", text, re.MULTILINE), package
        assert (REPO / package).is_dir(), package
    # The Lambda zip is built in the image by `make lambda`'s program: no host Python needed.
    assert "python -m etl.package --output build/apache_ETL.zip" in text


def test_dockerignore_keeps_the_context_small():
    """The tools image builds the Lambda zip itself: nothing of build/ goes in."""
    lines = [l.strip() for l in (REPO / ".dockerignore").read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    for pattern in (".venv*", ".lab", "build", "**/__pycache__"):
        assert pattern in lines, pattern
    assert not [l for l in lines if l.startswith("!")], "nothing is re-included"


def _python_in_healthcheck(test: list) -> str | None:
    """The program of a `python -c PROGRAM` health check, in its CMD or CMD-SHELL form."""
    import shlex

    if len(test) >= 4 and test[0] == "CMD" and test[1].endswith("python") and test[2] == "-c":
        return test[3]
    if len(test) == 2 and test[0] == "CMD-SHELL":
        words = shlex.split(test[1])
        if len(words) >= 3 and words[0].endswith("python") and words[1] == "-c":
            return words[2]
    return None


def test_python_healthchecks_compile(services):
    """The health checks written as `python -c` one-liners (folded YAML) are valid
    Python once Compose has joined their lines."""
    found = 0
    for name, svc in services.items():
        program = _python_in_healthcheck((svc.get("healthcheck") or {}).get("test") or [])
        if program is not None:
            compile(program, f"{name} healthcheck", "exec")
            found += 1
    assert found >= 2  # localstack and agent
    with pytest.raises(SyntaxError):
        compile("import json\n  sys.exit(0)", "bad sample", "exec")  # a `|` block kept its indent


def cmd_argument_problems(services: dict) -> list[str]:
    """A CMD health check whose arguments contain spaces: podman 4.3's Docker API splits
    them at spaces (measured: `python -c "import json, sys"` ran `python -c import`),
    so the check fails or, worse, passes whatever it tests. CMD-SHELL keeps its string."""
    return [f"service {name}: CMD health check argument {arg!r} contains spaces; use CMD-SHELL"
            for name, svc in services.items()
            for test in [(svc.get("healthcheck") or {}).get("test") or []]
            if test and test[0] == "CMD" for arg in test[1:] if " " in str(arg)]


def test_health_checks_survive_podman(services):
    assert cmd_argument_problems(services) == []
    bad = {"web": {"healthcheck": {"test": ["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/80"]}}}
    assert cmd_argument_problems(bad) == [
        "service web: CMD health check argument 'exec 3<>/dev/tcp/127.0.0.1/80' contains spaces; use CMD-SHELL"]
