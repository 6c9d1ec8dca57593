"""Static checks that the compose lab keeps its state across `make down`/`make up`
(issue 21): OpenSearch's data and LocalStack's volume on named volumes, LocalStack's S3,
Lambda and Kinesis kept on that volume, and `make down` never removing volumes."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.unit

KEPT = {"opensearch": "/usr/share/opensearch/data", "localstack": "/var/lib/localstack"}


def named_volume_at(service: dict, target: str) -> str | None:
    """The named volume mounted at `target`, None when it is a bind mount or absent."""
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, _, rest = volume.partition(":")
            if rest.split(":")[0] == target and not source.startswith((".", "/")):
                return source
        elif volume.get("target") == target and volume.get("type") == "volume":
            return volume.get("source")
    return None


@pytest.mark.parametrize("service", sorted(KEPT))
def test_state_lives_on_a_named_volume(services, raw, service):
    assert named_volume_at(services[service], KEPT[service]), f"{service}: {KEPT[service]} is not a named volume"
    assert named_volume_at(raw["services"][service], KEPT[service]) in raw["volumes"]


def test_localstack_keeps_s3_lambda_and_kinesis(services):
    env = services["localstack"]["environment"]
    assert env["PROVIDER_OVERRIDE_S3"] == "lab"
    assert env["PROVIDER_OVERRIDE_LAMBDA"] == "lab"
    assert env.get("KINESIS_PERSISTENCE", "1") not in ("0", "false")


def test_a_named_volume_is_caught_missing():
    assert named_volume_at({"volumes": ["./data:/usr/share/opensearch/data"]}, KEPT["opensearch"]) is None
    assert named_volume_at({"volumes": []}, KEPT["opensearch"]) is None


def test_down_never_removes_volumes_and_reset_does(monkeypatch):
    from labctl import compose

    calls = []
    monkeypatch.setattr(compose, "_compose", lambda *args: calls.append(args) or 0)
    compose.down()
    compose.remove_with_volumes()
    down, reset = calls
    assert "down" in down and not {"--volumes", "-v"} & set(down)
    assert "down" in reset and "--volumes" in reset
