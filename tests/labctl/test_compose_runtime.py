"""labctl's compose path without an engine: what counts as ready (the `up --wait` of
Compose v1), engine records read, and the service addresses labctl uses inside the
compose network (a host without Python). The same code runs against a real engine
in tests/compose/test_compose_e2e.py."""
from __future__ import annotations

import pytest
from labctl import compose, settings

pytestmark = pytest.mark.unit


def inspected(service: str, status: str, exit_code: int = 0, health: str | None = None,
              one_shot: bool = False) -> dict:
    """A container as the engine inspects it (the part the readiness rule reads)."""
    labels = {compose.SERVICE_LABEL: service}
    if one_shot:
        labels[compose.ONE_SHOT_LABEL] = "true"
    state = {"Status": status, "ExitCode": exit_code}
    if health:
        state["Health"] = {"Status": health}
    return {"Name": f"/lab-{service}-1", "Config": {"Labels": labels}, "State": state}


def test_ready_means_healthy_services_and_one_shots_that_exited_0():
    ready = [inspected("apache", "running", health="healthy"),
             inspected("web", "running"),
             inspected("setup", "exited", 0, one_shot=True)]
    assert compose.not_ready(ready) == {}


def test_not_ready_names_each_service_and_its_state():
    waiting = [inspected("localstack", "running", health="starting"),
               inspected("agent", "running", health="unhealthy"),
               inspected("setup", "running", one_shot=True),
               inspected("opensearch", "exited", 137, health="healthy"),
               inspected("migrate", "exited", 1, one_shot=True)]
    assert compose.not_ready(waiting) == {"localstack": "starting", "agent": "unhealthy",
                                          "setup": "running", "opensearch": "exited 137",
                                          "migrate": "exited 1"}


def test_podman_records_health_under_healthcheck_too():
    attrs = {"State": {"Status": "running", "Healthcheck": {"Status": "healthy"}}}
    assert compose.container_health(attrs) == "healthy"


def test_inside_the_compose_network_services_are_reached_by_name():
    s = settings.load({"LAB_IN_COMPOSE_NETWORK": "1", "LAB_APACHE_PORT": "18080"})
    assert (s.apache_url, s.localstack_url, s.opensearch_url, s.dashboards_url) == (
        "http://apache:80", "http://localstack:4566", "http://opensearch:9200", "http://dashboards:5601")
    assert s.apache_address == ("apache", 80)
    host = settings.load({"LAB_APACHE_PORT": "18080"})
    assert host.apache_url == "http://127.0.0.1:18080" and host.apache_address == ("127.0.0.1", 18080)


def test_project_name_comes_from_the_environment_then_env_file(monkeypatch):
    monkeypatch.setenv("COMPOSE_PROJECT_NAME", "my-class")
    assert compose.project_name() == "my-class"
    monkeypatch.delenv("COMPOSE_PROJECT_NAME")
    assert compose.project_name() == "clickstream-lab"
