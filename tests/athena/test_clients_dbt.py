"""dbt-athena-community 1.9 (with dbt-core 1.10, in their own venv `.venv-dbt`, built here
when missing, as `make dbt-venv` does) against the lab: a project (tests/athena/dbt) with a
table, an incremental (append) and a view model over a source table the test writes with
pyarrow; `dbt run`, `dbt test`, new source rows, `dbt run` again, and a data test that must
fail (dbt reports the failing rows). The lab is reached through
botocore's AWS_ENDPOINT_URL, dbt's profile is the one its users write. The expected rows
are computed in the test from the rows it wrote."""
from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.athena.conftest import ON_BOTH_ENGINES, query, run
from tests.support.waiting import scaled

pytestmark = [pytest.mark.localstack, ON_BOTH_ENGINES]

REPO = Path(__file__).resolve().parents[2]
PROJECT = Path(__file__).resolve().parent / "dbt"
DBT_VENV = Path(os.environ.get("LAB_DBT_VENV", REPO / ".venv-dbt"))
DBT_COMMAND_S = 240    # one dbt command; the whole file takes about 105 s beside another run
FIRST = [
    {"id": 1, "page": "/", "ms": 12.5, "bot": False},
    {"id": 2, "page": "/cart", "ms": 40.0, "bot": False},
    {"id": 3, "page": "/", "ms": 7.25, "bot": True},
    {"id": 4, "page": "/", "ms": 20.0, "bot": False},
]
SECOND = [
    {"id": 5, "page": "/cart", "ms": 33.0, "bot": False},
    {"id": 6, "page": "/checkout", "ms": 120.0, "bot": False},
]


def ensure_dbt_venv() -> Path:
    """.venv-dbt/bin/dbt, (re)built from the pinned requirements when it is missing or older
    than them (the rule of `make dbt-venv`, whose stamp is `.installed`): once per clone,
    about 80 s."""
    requirements, stamp = PROJECT / "requirements.txt", DBT_VENV / ".installed"
    if not stamp.exists() or stamp.stat().st_mtime < requirements.stat().st_mtime:
        shutil.rmtree(DBT_VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(DBT_VENV)], check=True)
        subprocess.run([str(DBT_VENV / "bin" / "pip"), "install", "-q", "-r", str(requirements)],
                       check=True, timeout=900)
        stamp.touch()
    return DBT_VENV / "bin" / "dbt"


@pytest.fixture()
def dbt_project(localstack, lake, s3, athena, tmp_path):
    dbt = ensure_dbt_venv()
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("requirements.txt", "target", "logs"))
    (tmp_path / "profiles.yml").write_text(
        "lab:\n  target: dev\n  outputs:\n    dev:\n      type: athena\n"
        f"      s3_staging_dir: s3://{lake['bucket']}/dbt-staging/\n"
        f"      s3_data_dir: s3://{lake['bucket']}/dbt-data/\n"
        "      region_name: us-east-1\n      database: awsdatacatalog\n"
        f"      schema: {lake['database']}\n      threads: 1\n      num_retries: 0\n      poll_interval: 0.2\n"
        "      aws_access_key_id: test\n      aws_secret_access_key: test\n"
        + (f"      work_group: {lake['work_group']}\n" if lake["work_group"] else ""))
    write_hits(s3, lake, "part-0.parquet", FIRST)
    query(athena, "CREATE EXTERNAL TABLE hits (id bigint, page string, ms double, bot boolean) "
                  f"STORED AS PARQUET LOCATION 's3://{lake['bucket']}/source/hits/'", lake)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_", "VIRTUAL_ENV"))}
    env.update(AWS_ENDPOINT_URL=localstack.url, AWS_DEFAULT_REGION="us-east-1", LAB_DBT_SCHEMA=lake["database"],
               DBT_PROFILES_DIR=str(tmp_path), DBT_SEND_ANONYMOUS_USAGE_STATS="false", DBT_VERSION_CHECK="false",
               PATH=f"{dbt.parent}:{env.get('PATH', '')}")

    def dbt_cmd(*args: str, exit_code: int = 0) -> subprocess.CompletedProcess:
        """dbt as typed, its output to files: the test waits for dbt itself to exit, not for
        every process that inherited its output (its multiprocessing resource tracker) to
        close it; and well inside the test's own limit, so that a stall says where it stopped."""
        out_file, err_file = tmp_path / "dbt.out", tmp_path / "dbt.err"
        with out_file.open("w") as out, err_file.open("w") as err:
            proc = subprocess.Popen([str(dbt), *args, "--no-use-colors"], cwd=project, env=env,
                                    stdout=out, stderr=err, text=True, start_new_session=True)
            try:
                proc.wait(timeout=scaled(DBT_COMMAND_S))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                pytest.fail(f"dbt {' '.join(args)} still running after {scaled(DBT_COMMAND_S):.0f} s\n"
                            + stall_report(project / "logs" / "dbt.log", athena, lake))
        done = subprocess.CompletedProcess(proc.args, proc.returncode, out_file.read_text(), err_file.read_text())
        assert done.returncode == exit_code, \
            f"dbt {' '.join(args)} exited {done.returncode}:\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
        return done

    return {"dbt": dbt_cmd, **lake}


def stall_report(dbt_log: Path, athena, lake: dict) -> str:
    """The end of dbt's log and every Athena execution of the lake's work group not yet finished."""
    log = dbt_log.read_text(errors="replace")[-4000:] if dbt_log.exists() else "(no dbt.log)"
    ids = athena.list_query_executions(**({"WorkGroup": lake["work_group"]} if lake["work_group"] else {}))
    unfinished = [
        f"{e['QueryExecutionId']} {e['Status']['State']} {e['Query'][:120]!r}"
        for e in athena.batch_get_query_execution(QueryExecutionIds=ids["QueryExecutionIds"][:50])["QueryExecutions"]
        if e["Status"]["State"] in ("QUEUED", "RUNNING")] if ids["QueryExecutionIds"] else []
    return f"dbt.log ends:\n{log}\nAthena executions not finished: {unfinished or 'none'}"


def write_hits(s3, lake: dict, name: str, rows: list[dict]) -> None:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buf)
    s3.put_object(Bucket=lake["bucket"], Key=f"source/hits/{name}", Body=buf.getvalue())


def page_stats(rows: list[dict]) -> list[list[str]]:
    out: dict[str, list[float]] = {}
    for r in rows:
        if not r["bot"]:
            out.setdefault(r["page"], []).append(r["ms"])
    return [[page, str(len(ms)), repr(sum(ms))] for page, ms in sorted(out.items())]


def test_dbt_run_and_test(dbt_project, athena, s3, localstack):
    lake = dbt_project
    dbt_project["dbt"]("run")
    assert query(athena, "SELECT page, hits, total_ms FROM page_stats ORDER BY page", lake)[1:] == page_stats(FIRST)
    assert query(athena, "SELECT id FROM hits_log ORDER BY id", lake)[1:] == [[str(r["id"])] for r in FIRST]
    busy = [row[:2] for row in page_stats(FIRST) if int(row[1]) > 1]
    assert query(athena, "SELECT page, hits FROM busy_pages ORDER BY page", lake)[1:] == busy
    glue = localstack.client("glue")
    assert glue.get_table(DatabaseName=lake["database"], Name="busy_pages")["Table"]["TableType"] == "VIRTUAL_VIEW"
    dbt_project["dbt"]("test", "--exclude", "tag:must_fail")

    write_hits(s3, lake, "part-1.parquet", SECOND)
    dbt_project["dbt"]("run")
    everything = FIRST + SECOND
    assert query(athena, "SELECT page, hits, total_ms FROM page_stats ORDER BY page", lake)[1:] == \
        page_stats(everything)
    assert query(athena, "SELECT id FROM hits_log ORDER BY id", lake)[1:] == [[str(r["id"])] for r in everything]
    # a data test that must fail reports exactly the rows the lab's answer holds
    failed = dbt_project["dbt"]("test", "--select", "tag:must_fail", exit_code=1).stdout
    repeats = sum(int(row[1]) > 1 for row in page_stats(everything))
    assert f"FAIL {repeats} pages_with_repeat_hits" in failed, failed[-3000:]
    tables = {t["Name"] for t in glue.get_tables(DatabaseName=lake["database"])["TableList"]}
    assert tables == {"hits", "page_stats", "hits_log", "busy_pages"}, tables      # no __dbt_tmp left
    assert run(athena, "SELECT count(*) FROM hits_log", lake)["Status"]["State"] == "SUCCEEDED"
