"""Databricks' source format, SQL statement splitting and the DBFS path mapping (units: the
runner's modules are plain Python, imported here from services/notebooks)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services" / "notebooks"))

from notebook_runner import sql_statements
from notebook_runner.dbfs import DBFS, MountError, parse_s3_source
from notebook_runner.delta_dml import _DELETE, _UPDATE, _split_top_level, _split_where
from notebook_runner.notebook_files import notebooks_in
from notebook_runner.source_format import NotebookFormatError, parse

pytestmark = pytest.mark.unit

# The shape of notebooks as Databricks exports them (Repos, `databricks workspace export --format
# SOURCE`): header, `-- MAGIC` lines with a trailing space or none on empty lines, `%md-sandbox`,
# `%run` with a quoted path, DBTITLE, several statements in one cell, the separators.
SQL_NOTEBOOK = """-- Databricks notebook source
-- MAGIC %md-sandbox
-- MAGIC 
-- MAGIC <div style="text-align: center; line-height: 0; padding-top: 9px;">
-- MAGIC </div>

-- COMMAND ----------

-- MAGIC %run "../includes/configuration"

-- COMMAND ----------

DROP TABLE IF EXISTS stage.circuits;

CREATE TABLE stage.circuits(circuit_id INT, name STRING)
using csv
location '/mnt/stage/circuits'

-- COMMAND ----------

-- DBTITLE 1,Count; per name
SELECT name, count(*) FROM stage.circuits GROUP BY name

-- COMMAND ----------

-- MAGIC %python
-- MAGIC df = spark.table("stage.circuits")
-- MAGIC
-- MAGIC display(df)
"""

PYTHON_NOTEBOOK = """# Databricks notebook source
# MAGIC %md
# MAGIC # Title

# COMMAND ----------

x = 1

# COMMAND ----------

# MAGIC %sql SELECT 1

# COMMAND ----------


# COMMAND ----------

# DBTITLE 1,Plot
# MAGIC %sql
# MAGIC SELECT 'a;b' AS v -- a comment; with a semicolon
"""


def test_sql_notebook_cells():
    notebook = parse(SQL_NOTEBOOK)
    assert notebook.language == "sql"
    kinds = [(c.number, c.language) for c in notebook.cells]
    assert kinds == [(1, "md"), (2, "run"), (3, "sql"), (4, "sql"), (5, "python")]
    md, run, create, count, python = notebook.cells
    assert md.source.startswith("<div style=") and "-- MAGIC" not in md.source
    assert run.source.strip() == '"../includes/configuration"'
    assert create.source.startswith("DROP TABLE") and "location '/mnt/stage/circuits'" in create.source
    assert count.title == "Count; per name" and count.source.startswith("SELECT name")
    assert python.source == 'df = spark.table("stage.circuits")\n\ndisplay(df)\n'


def test_python_notebook_cells_magic_on_one_line_and_empty_cells():
    notebook = parse(PYTHON_NOTEBOOK)
    assert notebook.language == "python"
    assert [(c.language, c.source) for c in notebook.cells] == [
        ("md", "# Title\n"), ("python", "x = 1\n"), ("sql", "SELECT 1\n"),
        ("sql", "SELECT 'a;b' AS v -- a comment; with a semicolon\n")]
    assert notebook.cells[-1].title == "Plot"


def test_not_a_notebook_and_unknown_magic_are_refused(tmp_path):
    with pytest.raises(NotebookFormatError, match="first line is not a Databricks source header"):
        parse("SELECT 1\n")
    with pytest.raises(NotebookFormatError, match="cell 1: unknown magic '%bogus'"):
        parse("# Databricks notebook source\n# MAGIC %bogus\n# MAGIC x\n")
    (tmp_path / "b.py").write_text("print('not a notebook')\n")
    (tmp_path / "a.sql").write_text("-- Databricks notebook source\nSELECT 1\n")
    assert [p.name for p in notebooks_in(tmp_path)] == ["a.sql"]


def test_sql_statements_split_outside_quotes_and_comments():
    cell = ("DROP TABLE IF EXISTS t;\n-- comment; only\nCREATE TABLE t AS SELECT 'x;y' AS a, \"q;\" AS b, `c;d`,\n"
            "'it\\'s;' AS e /* block; */ FROM s;\n-- trailing comment\n")
    assert sql_statements.split(cell) == [
        "DROP TABLE IF EXISTS t",
        "-- comment; only\nCREATE TABLE t AS SELECT 'x;y' AS a, \"q;\" AS b, `c;d`,\n'it\\'s;' AS e /* block; */ FROM s"]


def test_delete_and_update_with_subqueries_are_read_into_target_alias_and_condition():
    published = ("DELETE FROM cloudwatch_logs_bronze a WHERE (a.value IN (SELECT value FROM cloudwatch_logs_bronze b "
                 "WHERE b.filename = a.filename)) OR (a.value LIKE 'Struct%')")
    found = _DELETE.match(published)
    assert (found["table"], found["alias"]) == ("cloudwatch_logs_bronze", "a")
    assert found["cond"].startswith("(a.value IN (SELECT") and found["cond"].endswith("LIKE 'Struct%')")
    bare = _DELETE.match("delete from delta.`s3://b/t` where x in (select y from z)")
    assert (bare["table"], bare["alias"], bare["cond"]) == ("delta.`s3://b/t`", None, "x in (select y from z)")
    update = _UPDATE.match("UPDATE db.t AS u SET v = 'a, WHERE b', w = f(1, 2) WHERE u.k IN (SELECT k FROM s WHERE 1=1)")
    assert (update["table"], update["alias"]) == ("db.t", "u")
    sets, cond = _split_where(update["rest"])
    assert _split_top_level(sets, ",") == ["v = 'a, WHERE b'", " w = f(1, 2) "]
    assert cond == " u.k IN (SELECT k FROM s WHERE 1=1)"


def test_dbfs_paths_map_to_the_local_root_or_the_mount_in_one_place(tmp_path):
    dbfs = DBFS(tmp_path, s3_client_factory=None)
    code = """spark.read.text("dbfs:/mnt/logs/a") ; open('/dbfs/FileStore/x.mmdb'); LOCATION '/mnt/logs/'; '/tmp/x'"""
    assert dbfs.localize(code) == (f'spark.read.text("{tmp_path}/mnt/logs/a") ; open(\'{tmp_path}/FileStore/x.mmdb\'); '
                                   f"LOCATION '{tmp_path}/mnt/logs/'; '/tmp/x'")
    dbfs.mounted["/mnt/logs"] = "s3a://bucket/topics/"   # what mount() records
    assert dbfs.localize(code) == (f'spark.read.text("s3a://bucket/topics/a") ; open(\'{tmp_path}/FileStore/x.mmdb\'); '
                                   "LOCATION 's3a://bucket/topics/'; '/tmp/x'")
    assert dbfs.spark_path("/mnt/logs") == "s3a://bucket/topics/"
    assert dbfs.spark_path("/mnt/logsx/y") == f"{tmp_path}/mnt/logsx/y"
    dbfs.mounted.clear()
    for spelling in ("/mnt/logs", "dbfs:/mnt/logs", "/dbfs/mnt/logs", f"{tmp_path}/mnt/logs"):
        assert dbfs.dbfs_path(spelling) == "/mnt/logs"
        assert dbfs.local_path(spelling) == tmp_path / "mnt" / "logs"


def test_mount_sources():
    assert parse_s3_source("s3a://AKIA:se%2Fcret@cloudwatch-kafka-lab") == ("cloudwatch-kafka-lab", "")
    assert parse_s3_source("s3://bucket/topics") == ("bucket", "topics/")
    with pytest.raises(MountError, match="s3://, s3a:// or s3n://"):
        parse_s3_source("wasbs://container@account.blob.core.windows.net/")
