"""Drop rules (`Dropped`) and the validation of the ETL's environment variables."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl.config import ConfigError, load_config
from etl.handler import transform_records
from tests.etl.firehose_contract import check_contract, make_event

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
HEALTH_CHECK = '10.0.0.5 - - [03/Nov/2018:04:29:26 +0000] "GET /wordpress/ HTTP/1.1" 200 55172 "-" "ELB-HealthChecker/2.0"\n'
SHOP = ('162.250.88.82 - - [03/Nov/2018:04:29:27 +0000] "GET /products/Armawoo HTTP/1.1" 200 20494 '
        '"-" "Mozilla/5.0 (X11)" "user = anonymous; PHPSESSID=abc"\n')
COMMON = '10.0.0.6 - - [03/Nov/2018:04:29:28 +0000] "GET /health HTTP/1.1" 200 2\n'


def _results(config, lines: list[str]) -> list[str]:
    event = make_event(lines)
    response = {"records": transform_records(event["records"], config)}
    return [record["result"] for record in check_contract(event, response)]


def test_default_drops_nothing() -> None:
    config = load_config({})
    assert not config.drops_anything
    assert _results(config, [HEALTH_CHECK, SHOP, COMMON]) == ["Ok", "Ok", "Ok"]


def test_drop_by_user_agent() -> None:
    config = load_config({"ETL_DROP_USER_AGENT_REGEX": "^ELB-HealthChecker/"})
    assert _results(config, [HEALTH_CHECK, SHOP, COMMON]) == ["Dropped", "Ok", "Ok"]


def test_drop_by_path() -> None:
    config = load_config({"ETL_DROP_PATH_REGEX": r"^/(wordpress|health)\b"})
    assert _results(config, [HEALTH_CHECK, SHOP, COMMON]) == ["Dropped", "Ok", "Dropped"]


def test_dropped_record_keeps_its_data() -> None:
    config = load_config({"ETL_DROP_USER_AGENT_REGEX": "HealthChecker"})
    event = make_event([HEALTH_CHECK])
    (record,) = transform_records(event["records"], config)
    assert record["result"] == "Dropped"
    assert base64.b64decode(record["data"]).decode() == HEALTH_CHECK


def test_blank_values_mean_unset() -> None:
    assert not load_config({"ETL_DROP_USER_AGENT_REGEX": " ", "ETL_DROP_PATH_REGEX": ""}).drops_anything


@pytest.mark.parametrize("name, value", [
    ("ETL_DROP_USER_AGENT_REGEX", "(unclosed"),
    ("ETL_DROP_PATH_REGEX", "*bad"),
    ("ETL_LOG_LEVEL", "LOUD"),
])
def test_invalid_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_config({name: value})


def test_cold_start_fails_with_a_message_naming_the_variable() -> None:
    env = {**os.environ, "ETL_DROP_USER_AGENT_REGEX": "[ELB"}
    completed = subprocess.run([sys.executable, "-c", "import etl.handler"], cwd=REPO, env=env,
                               capture_output=True, text=True, check=False)
    assert completed.returncode != 0
    assert "ConfigError: ETL_DROP_USER_AGENT_REGEX is not a valid regular expression" in completed.stderr
