"""Notebooks as users have them besides Databricks' source format: the plain export (`%sql`,
`%python`, `%md`, `%pip` blocks), `.ipynb` from Databricks, and `%pip install` cells answered
from the environment (units: the runner's modules are plain Python)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services" / "notebooks"))

from notebook_runner.notebook_files import notebooks_in, read
from notebook_runner.pip_cells import requirements, satisfy
from notebook_runner.source_format import NotebookFormatError

pytestmark = pytest.mark.unit

# A plain export as the CloudWatch lab's published notebooks are: a bare `pip install` line
# first, then a cell per magic, a magic with its statement on the same line.
PLAIN = """pip install geoip2

%python
import geoip2.database
reader = None

%sql
DROP TABLE IF EXISTS bronze;
CREATE TABLE bronze USING delta AS SELECT 1 AS n

%md
# Gold tables

%sql SELECT count(*) FROM bronze
"""

IPYNB = {
    "metadata": {"application/vnd.databricks.v1+notebook": {"language": "sql", "notebookName": "gold"}},
    "nbformat": 4, "nbformat_minor": 0,
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Gold\n", "tables"]},
        {"cell_type": "code", "metadata": {}, "source": ["CREATE OR REPLACE TABLE g AS SELECT 1 AS n"]},
        {"cell_type": "code", "metadata": {}, "source": ["%python\n", "print(spark.table('g').count())"]},
        {"cell_type": "code", "metadata": {}, "source": ["%pip install geoip2==4.8.0 -q"]},
        {"cell_type": "code", "metadata": {}, "source": []},
    ],
}


def test_plain_export_cells(tmp_path):
    path = tmp_path / "01_bronze.py"
    path.write_text(PLAIN)
    cells = read(path).cells
    assert [(c.number, c.language) for c in cells] == [(1, "pip"), (2, "python"), (3, "sql"), (4, "md"), (5, "sql")]
    assert cells[0].source == "install geoip2\n"
    assert cells[2].source == "DROP TABLE IF EXISTS bronze;\nCREATE TABLE bronze USING delta AS SELECT 1 AS n\n"
    assert cells[4].source == "SELECT count(*) FROM bronze\n"


def test_ipynb_cells_in_the_notebooks_language(tmp_path):
    path = tmp_path / "02_gold.ipynb"
    path.write_text(json.dumps(IPYNB))
    notebook = read(path)
    assert notebook.language == "sql"
    assert [(c.language, c.source) for c in notebook.cells] == [
        ("md", "# Gold\ntables\n"), ("sql", "CREATE OR REPLACE TABLE g AS SELECT 1 AS n\n"),
        ("python", "print(spark.table('g').count())\n"), ("pip", "install geoip2==4.8.0 -q\n")]


def test_a_folder_in_name_order_whatever_the_format(tmp_path):
    (tmp_path / "03_source.sql").write_text("-- Databricks notebook source\nSELECT 1\n")
    (tmp_path / "01_plain.py").write_text(PLAIN)
    (tmp_path / "02_gold.ipynb").write_text(json.dumps(IPYNB))
    (tmp_path / "helper.py").write_text("print('not a notebook')\n")
    (tmp_path / "notes.txt").write_text("%sql\nSELECT 1\n")
    assert [p.name for p in notebooks_in(tmp_path)] == ["01_plain.py", "02_gold.ipynb", "03_source.sql"]
    (tmp_path / "bad.ipynb").write_text("{not json")
    with pytest.raises(NotebookFormatError, match="bad.ipynb: not a Jupyter notebook"):
        read(tmp_path / "bad.ipynb")


def test_pip_cells_are_answered_from_the_environment():
    assert requirements("install geoip2==4.8.0 -q --index-url http://x boto3[crt]>=1") == ["geoip2", "boto3"]
    assert satisfy("install pytest").startswith("%pip install satisfied by the lab's Spark environment (pytest ")
    with pytest.raises(ModuleNotFoundError, match="no-such-package-xyz: not in the lab's Spark environment"):
        satisfy("install pytest no-such-package-xyz")
    with pytest.raises(ValueError, match="only `%pip install`"):
        requirements("uninstall pytest")
