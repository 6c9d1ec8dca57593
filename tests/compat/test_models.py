"""Which of the lab's services changed protocol since LocalStack's models, and whether the
extension answers each: for every service the lab serves, the newest pinned botocore's model is
compared with the one LocalStack 4.14.0 parses with (its venv's botocore 1.42.54). A service whose
protocols, target prefix, signing name or operations' methods and paths changed must have a
newer model shipped in lab_localstack/protocols/models/ speaking the newest protocols; and a
shipped model must keep every member name of LocalStack's model (the provider answers both
protocols with the same dictionaries)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.compat import sdk_venvs
from tests.conftest import LOCALSTACK_VENV

pytestmark = pytest.mark.localstack

FACTS = Path(__file__).resolve().parent / "model_facts.py"
MODELS = sdk_venvs.REPO / "services/localstack/extension/lab_localstack/protocols/models"
# The AWS APIs the lab serves (labctl's SERVICES) plus the OpenSearch/Elasticsearch control
# planes, whose models the lab's clients load (the lab's OpenSearch is the engine's own REST API).
LAB_SERVICES = ["athena", "glue", "firehose", "kinesis", "kinesisanalytics", "s3", "lambda", "logs",
                "iam", "sts", "cloudformation", "opensearch", "es"]
ROUTING = ("protocols", "targetPrefix", "signingName", "endpointPrefix")


def model_facts(python: Path, services: list[str], models: Path | None = None) -> dict:
    args = [str(python), str(FACTS), *services] + (["--models", str(models)] if models else [])
    return json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)


@pytest.fixture(scope="module")
def localstack_models() -> dict:
    return model_facts(LOCALSTACK_VENV / "bin" / "python", LAB_SERVICES)


@pytest.fixture(scope="module")
def newest_models() -> dict:
    python = sdk_venvs.ensure_venv(f"boto3-{sdk_venvs.NEWEST_PINNED}", sdk_venvs.pinned(sdk_venvs.NEWEST_PINNED))
    return model_facts(python, LAB_SERVICES)


def shipped() -> list[str]:
    return sorted(p.name for p in MODELS.iterdir() if p.is_dir())


def changed(old: dict, new: dict) -> list[str]:
    """What of a service's routing differs between two models' facts."""
    diffs = [f"{key}: {old[key]} -> {new[key]}" for key in ROUTING if old[key] != new[key]]
    moved = [name for name in old["http"] if name in new["http"] and old["http"][name] != new["http"][name]]
    if moved:
        diffs.append(f"{len(moved)} operations moved, e.g. {moved[0]}: {old['http'][moved[0]]} -> {new['http'][moved[0]]}")
    return diffs


def test_every_service_whose_protocol_changed_has_a_newer_model(localstack_models, newest_models):
    assert localstack_models["botocore"] != newest_models["botocore"]
    report, missing = [], []
    for service in LAB_SERVICES:
        diffs = changed(localstack_models["services"][service], newest_models["services"][service])
        if diffs:
            report.append(f"{service}: " + "; ".join(diffs))
            if service not in shipped():
                missing.append(service)
    print(f"botocore {localstack_models['botocore']} -> {newest_models['botocore']}:\n" + "\n".join(report))
    assert not missing, (f"changed since LocalStack's models, no newer model shipped: {missing}\n"
                         + "\n".join(report))
    assert [line.split(":")[0] for line in report] == shipped(), "a shipped model for a service that did not change"


def test_each_shipped_model_speaks_the_newest_protocols(newest_models):
    ours = model_facts(LOCALSTACK_VENV / "bin" / "python", shipped(), MODELS)
    for service in shipped():
        for key in ROUTING:
            assert ours["services"][service][key] == newest_models["services"][service][key], (service, key)


def test_each_shipped_model_keeps_localstacks_member_names(localstack_models):
    ours = model_facts(LOCALSTACK_VENV / "bin" / "python", shipped(), MODELS)
    for service in shipped():
        old, new = localstack_models["services"][service], ours["services"][service]
        assert set(old["http"]) <= set(new["http"]), f"{service}: operations dropped"
        lost = {shape: sorted(set(members) - set(new["members"].get(shape, [])))
                for shape, members in old["members"].items()
                if set(members) - set(new["members"].get(shape, []))}
        assert not lost, f"{service}: members LocalStack's model has and the newer lacks: {lost}"
