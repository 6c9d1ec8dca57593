"""A failing cell stops the run: exit status 1, the notebook, the cell and Spark's message on
stderr and in the report; no later cell runs. The same run checks `%run` (the included notebook's
cells run first, `USING delta` in it makes a Delta table)."""
from __future__ import annotations

import pytest

from tests.notebooks.conftest import run_runner, runner_command

pytestmark = pytest.mark.localstack

INCLUDED = """# Databricks notebook source
# MAGIC %sql
# MAGIC CREATE TABLE gold_before USING delta AS SELECT 'a' AS k, 1 AS n
"""

NOTEBOOK = """-- Databricks notebook source
-- MAGIC %run ./includes/setup

-- COMMAND ----------

-- MAGIC %md
-- MAGIC text

-- COMMAND ----------

-- DBTITLE 1,Broken
SELECT 1;
SELECT count(*) FROM no_such_table

-- COMMAND ----------

CREATE TABLE gold_after USING delta AS SELECT 'b' AS k, 2 AS n
"""


def test_failing_sql_cell_fails_the_run_naming_the_cell(localstack, spark_python, tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "01_broken.sql").write_text(NOTEBOOK)
    (folder / "includes").mkdir()
    (folder / "includes" / "setup.py").write_text(INCLUDED)
    out = tmp_path / "report"
    result = run_runner(runner_command(folder, out, localstack.url, {}))
    assert result.returncode == 1, result.stderr[-2000:]
    message = next(line for line in result.stderr.splitlines() if line.startswith("notebook_runner: "))
    assert message.startswith("notebook_runner: 01_broken.sql cell 3 (Broken) [sql] failed: AnalysisException:")
    assert "TABLE_OR_VIEW_NOT_FOUND" in result.stderr and "no_such_table" in result.stderr
    assert sorted(p.name for p in (out / "gold").iterdir()) == ["gold_before.json"]
    assert (out / "gold" / "gold_before.json").read_text().split() == ["[", "{", '"k":', '"a",', '"n":', "1", "}", "]"]
    report = (out / "report.html").read_text()
    assert "Run failed" in report and "01_broken.sql cell 3" in report


# The same failure in a plain export (as the published notebooks are), run with --continue:
# the later cells still run, as clicking each cell would.
PLAIN_EXPORT = """pip install pyspark

%sql
SELECT count(*) FROM no_such_table

%sql
CREATE TABLE gold_after USING delta AS SELECT 'b' AS k, 2 AS n

%python
assert spark.table("gold_after").count() == 1
"""


def test_continue_runs_past_a_failing_cell_and_counts_them(localstack, spark_python, tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "01_plain.py").write_text(PLAIN_EXPORT)
    out = tmp_path / "report"
    result = run_runner(runner_command(folder, out, localstack.url, {}) + ["--continue"])
    assert result.returncode == 1, result.stderr[-2000:]
    assert "notebook_runner: 01_plain.py cell 2 [sql] failed: AnalysisException:" in result.stderr
    assert result.stdout.strip().splitlines()[-1] == "cells: 4 ran, 1 failed"
    assert "satisfied by the lab's Spark environment (pyspark " in result.stderr
    assert sorted(p.name for p in (out / "gold").iterdir()) == ["gold_after.json"]
