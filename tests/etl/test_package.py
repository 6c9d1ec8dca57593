"""The deployable zip: reproducible, and self-sufficient (no hidden dependency)."""

import base64
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.data_files import GEOIP_TEST_DB

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
LINE = ('81.2.69.142 - - [03/Nov/2018:04:29:26 +0100] "GET /categories/smallUnicorns HTTP/1.1" 200 20494 '
        '"-" "ELB-HealthChecker/2.0" "user = anonymous; PHPSESSID=abc"\n')


def _build(output: Path) -> bytes:
    subprocess.run([sys.executable, "-m", "etl.package", "--output", str(output)], cwd=REPO, check=True,
                   capture_output=True)
    return output.read_bytes()


@pytest.fixture(scope="module")
def built_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("zip") / "apache_ETL.zip"


def test_two_builds_are_byte_identical(built_zip: Path, tmp_path: Path) -> None:
    first = _build(built_zip)
    (REPO / "etl" / "__pycache__").mkdir(exist_ok=True)  # must not leak into the zip
    second = _build(tmp_path / "again.zip")
    assert first == second


def test_zip_contents(built_zip: Path) -> None:
    if not built_zip.exists():
        _build(built_zip)
    with zipfile.ZipFile(built_zip) as archive:
        names = archive.namelist()
        infos = archive.infolist()
    assert names == sorted(names)
    assert "etl/handler.py" in names and "six.py" in names and "dateutil/__init__.py" in names
    assert "etl/package.py" not in names
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}
    top_level = {name.split("/")[0] for name in names}
    assert {name for name in top_level if not name.endswith(".dist-info")} == {"etl", "dateutil", "six.py", "maxminddb"}
    # the reader runs as pure Python: a compiled extension would fit one Python version only
    assert "maxminddb/reader.py" in names and not any(name.endswith((".so", ".pyd")) for name in names)
    assert {"etl/countries.json", "etl/COUNTRIES-LICENSE"} <= set(names)
    assert not any(name.startswith(("boto3", "botocore")) for name in names)  # the runtime provides boto3


def test_handler_runs_from_the_unzipped_dir_alone(built_zip: Path, tmp_path: Path) -> None:
    """`python -S` (no site-packages) with only the unzipped dir on sys.path."""
    if not built_zip.exists():
        _build(built_zip)
    unpacked = tmp_path / "lambda"
    with zipfile.ZipFile(built_zip) as archive:
        archive.extractall(unpacked)
    event = {"records": [{"recordId": "1", "data": base64.b64encode(LINE.encode()).decode()}]}
    script = (
        "import sys, json; sys.path[:0] = [sys.argv[1]];"
        "import etl.handler, dateutil.tz, six;"
        "assert etl.handler.__file__.startswith(sys.argv[1]), etl.handler.__file__;"
        "assert dateutil.tz.__file__.startswith(sys.argv[1]);"
        "assert not any('site-packages' in p for p in sys.path), sys.path;"
        "print(json.dumps(etl.handler.lambda_handler(json.loads(sys.argv[2]), None)))"
    )
    completed = subprocess.run(
        [sys.executable, "-S", "-c", script, str(unpacked), json.dumps(event)],
        cwd=tmp_path, capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin", "ETL_DROP_PATH_REGEX": "^/nothing$",
             "ETL_GEOIP_DATABASES": str(GEOIP_TEST_DB)},
    )
    (record,) = json.loads(completed.stdout)["records"]
    assert record["result"] == "Ok"
    document = json.loads(base64.b64decode(record["data"]))
    assert (document["page"], document["category"], document["is_bot"]) == ("category", "smallUnicorns", True)
    assert document["@timestamp_utc"] == "2018-11-03T03:29:26Z"
    # 81.2.69.142 is London in MaxMind's test database, read by the zip's pure-Python reader
    assert document["geo"]["city_name"] == "London"


def test_builds_at_once_into_one_file_all_succeed(built_zip: Path, tmp_path: Path) -> None:
    """Two `make up`s at once both build build/apache_ETL.zip: each writes a file of its own and
    renames it (with one shared temporary name, one rename found the file gone)."""
    expected = _build(built_zip)
    output = tmp_path / "apache_ETL.zip"
    builds = [subprocess.Popen([sys.executable, "-m", "etl.package", "--output", str(output)], cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(6)]
    errors = [b.communicate(timeout=120)[1].decode() for b in builds]
    assert [b.returncode for b in builds] == [0] * 6, errors
    assert output.read_bytes() == expected
    assert oct(output.stat().st_mode & 0o777) == "0o644"
    assert [p.name for p in tmp_path.iterdir()] == ["apache_ETL.zip"]
