"""The public API's parts that need no server: options validated with the field named, the
team's ETL zip (run here as Lambda's Python runtime would import it), the team's agent.json
pointed at the lab, and the settings a team's parts become."""
from __future__ import annotations

import base64
import json
import subprocess
import sys
import zipfile

import pytest
from clickstream_lab import FirehoseSettings, LabOptions, LabOptionsError, etl_zip
from labctl import agent_config
from labctl import settings as lab
from labctl.errors import LabStartError

from tests.examples.recipes import SUITE

pytestmark = pytest.mark.unit

GOOD_LINE = ('203.0.113.9 - - [07/Dec/2026:03:00:00 +0000] "GET /products/unicorn-plush HTTP/1.1" 200 5120 '
             '"-" "Mozilla/5.0 (X11; Linux x86_64)"\n')


@pytest.mark.parametrize(("fields", "named"), [
    ({"runtime": "docker"}, "runtime='docker'"),
    ({"etl": "/nonexistent/etl"}, "etl='/nonexistent/etl'"),
    ({"handler": "handler"}, "handler='handler'"),
    ({"handler": "my-module.run"}, "handler='my-module.run'"),
    ({"agent_config": "/nonexistent/agent.json"}, "agent_config="),
    ({"runtime": "compose", "handler": "team.handler"}, "runtime='compose'"),
])
def test_a_bad_option_names_its_field(fields, named):
    with pytest.raises(LabOptionsError, match=named.replace("(", r"\(")):
        LabOptions(**fields)


@pytest.mark.parametrize(("fields", "named"), [
    ({"buffer_interval": 901}, "firehose.buffer_interval=901"),
    ({"buffer_size_mb": 0}, "firehose.buffer_size_mb=0"),
    ({"retry_duration": -1}, "firehose.retry_duration=-1"),
    ({"backup_mode": "Everything"}, "firehose.backup_mode='Everything'"),
])
def test_a_bad_firehose_setting_names_its_field(fields, named):
    with pytest.raises(LabOptionsError, match=named):
        FirehoseSettings(**fields)


def test_an_etl_file_that_is_not_a_zip_is_refused(tmp_path):
    (tmp_path / "etl.txt").write_text("not a zip")
    with pytest.raises(LabOptionsError, match="neither a folder nor a zip"):
        LabOptions(etl=tmp_path / "etl.txt")


def test_the_environment_has_free_distinct_loopback_ports_and_the_teams_parts(tmp_path):
    options = LabOptions(etl=SUITE / "team_etl", handler="team_handler.lambda_handler",
                         agent_config=SUITE / "agent.json",
                         firehose=FirehoseSettings(buffer_interval=5, backup_mode="FailedDocumentsOnly"))
    env = options.environment(tmp_path, tmp_path / "team.zip")
    ports = [env[key] for key in env if key.endswith("_PORT")]
    assert len(ports) == 6 and len(set(ports)) == 6
    settings = lab.load({**env, "LAB_LAMBDA_ZIP": str(SUITE / "agent.json")})  # any existing file
    assert settings.bind_address == "127.0.0.1" and settings.state_dir == tmp_path.resolve()
    assert settings.lambda_handler == "team_handler.lambda_handler"
    assert settings.backup_mode == "FailedDocumentsOnly" and settings.buffer_interval == 5
    assert settings.agent_config_file == (SUITE / "agent.json").resolve()
    assert not settings.geoip_enabled


@pytest.mark.parametrize(("key", "value", "named"), [
    ("LAB_LAMBDA_HANDLER", "lambda_handler", "LAB_LAMBDA_HANDLER='lambda_handler'"),
    ("LAB_BACKUP_MODE", "Some", "LAB_BACKUP_MODE='Some'"),
    ("LAB_AGENT_CONFIG", "/nonexistent/agent.json", "LAB_AGENT_CONFIG='/nonexistent/agent.json': no such file"),
    ("LAB_LAMBDA_ZIP", "/nonexistent/etl.zip", "LAB_LAMBDA_ZIP='/nonexistent/etl.zip': no such file"),
])
def test_a_bad_lab_setting_for_a_teams_part_names_the_key(key, value, named):
    with pytest.raises(lab.SettingsError, match=named.replace("(", r"\(")):
        lab.load({key: value})


def _invoke_from_zip(zip_path, handler: str, lines: list[str]) -> dict:
    """Import the handler from the zip alone (no checkout on sys.path), as Lambda would, and
    send it a Firehose event of `lines`."""
    event = {"records": [{"recordId": str(n), "approximateArrivalTimestamp": 1765076400000,
                          "data": base64.b64encode(line.encode()).decode()} for n, line in enumerate(lines)]}
    module, function = handler.rsplit(".", 1)
    code = (f"import json, sys; sys.path.insert(0, {str(zip_path)!r}); import {module} as m; "
            f"print(json.dumps(m.{function}(json.loads(sys.stdin.read()))))")
    result = subprocess.run([sys.executable, "-I", "-c", code], input=json.dumps(event), capture_output=True,
                            text=True, check=True)
    return json.loads(result.stdout)


def test_a_team_folder_is_laid_over_the_labs_etl_and_runs_from_the_zip(tmp_path):
    zip_path = etl_zip.build(SUITE / "team_etl", tmp_path)
    with zipfile.ZipFile(zip_path) as archive:
        names = set(archive.namelist())
    assert {"team_handler.py", "etl/handler.py", "dateutil/parser/_parser.py"} <= names
    response = _invoke_from_zip(zip_path, "team_handler.lambda_handler", [GOOD_LINE, "not a log line\n"])
    ok, failed = response["records"]
    assert ok["result"] == "Ok" and failed["result"] == "ProcessingFailed"
    document = json.loads(base64.b64decode(ok["data"]))
    assert document["pipeline"] == "team-etl-v2" and document["response"] == 200


def test_a_team_zip_is_deployed_as_it_is(tmp_path):
    given = tmp_path / "given.zip"
    with zipfile.ZipFile(given, "w") as archive:
        archive.writestr("handler.py", "def run(event, context):\n    return {'records': []}\n")
    assert etl_zip.build(given, tmp_path / "out") == given


def test_a_teams_agent_json_keeps_its_flows_but_points_at_the_lab(tmp_path):
    settings = lab.load({"LAB_STATE_DIR": str(tmp_path), "LAB_LOCALSTACK_PORT": "4999",
                         "LAB_AGENT_CONFIG": str(SUITE / "agent.json")})
    config = agent_config.for_lab(settings, agent_dir=tmp_path / "agent", log_dir=tmp_path / "logs")
    team = json.loads((SUITE / "agent.json").read_text())
    assert config["firehose.endpoint"] == "http://127.0.0.1:4999"
    assert config["checkpointFile"] == str(tmp_path / "agent" / "checkpoints.db")
    [flow] = config["flows"]
    assert flow["filePattern"] == str(tmp_path / "logs" / "access_log*")
    assert {k: v for k, v in flow.items() if k != "filePattern"} == \
        {k: v for k, v in team["flows"][0].items() if k != "filePattern"}
    assert config["cloudwatch.emitMetrics"] is team["cloudwatch.emitMetrics"]


@pytest.mark.parametrize(("text", "named"), [
    ("{not json", "not JSON"),
    ('{"flows": []}', "`flows` must be a non-empty list"),
    ('{"flows": [{"deliveryStream": "webserver_stream"}]}', r"flows\[0\].filePattern"),
])
def test_a_bad_team_agent_json_is_refused_naming_the_key(tmp_path, text, named):
    path = tmp_path / "agent.json"
    path.write_text(text)
    settings = lab.load({"LAB_STATE_DIR": str(tmp_path), "LAB_AGENT_CONFIG": str(path)})
    with pytest.raises(LabStartError, match=named):
        agent_config.for_lab(settings, agent_dir=tmp_path, log_dir=tmp_path)
