"""Runs notebooks' cells in order in one SparkSession, as a Databricks job on one cluster does.

Each notebook gets a fresh Python namespace holding `spark`, `sc`, `sqlContext`, `dbutils`,
`display`, `displayHTML`; `%run ./other` runs the other notebook's cells in the caller's
namespace (as Databricks inlines it). A `%sql` cell's statements run one by one; the result of
the last one is displayed, as the notebook shows it. `%md` cells are text. `%pip install` is
satisfied from the Spark environment when the packages are there, and says so (the lab runs
offline: nothing is installed), else it fails naming them. A cell that raises (an SQL error, a
failed `assert`) stops the run with a CellError naming the notebook, the cell and Spark's (or
Python's) message, as Databricks' "Run all" stops; with `keep_going` the run goes on, as
clicking each cell would, and every failure is in the log.

SQL statements run as written on Delta Lake (the session's extension and catalog): the one
addition is delta_dml, which runs the DELETE/UPDATE-with-subquery forms open-source Delta refuses
as Databricks runs them.
"""
from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from notebook_runner import delta_dml, sql_statements
from notebook_runner.dbfs import DBFS
from notebook_runner.dbutils import DBUtils
from notebook_runner.display import Displays
from notebook_runner.notebook_files import read
from notebook_runner.pip_cells import satisfy
from notebook_runner.source_format import Cell, Notebook

LOG = logging.getLogger(__name__)


class CellError(RuntimeError):
    def __init__(self, notebook: str, cell: Cell, message: str) -> None:
        self.notebook, self.cell, self.message = notebook, cell, message
        title = f" ({cell.title})" if cell.title else ""
        super().__init__(f"{notebook} cell {cell.number}{title} [{cell.language}] failed: {message}")


@dataclass
class CellRun:
    notebook: str
    number: int
    language: str
    title: str
    seconds: float
    status: str  # ok, text, failed


@dataclass
class RunLog:
    cells: list[CellRun] = field(default_factory=list)
    error: str = ""
    failures: list[str] = field(default_factory=list)    # each failed cell's CellError text

    def summary(self) -> str:
        ran = sum(1 for c in self.cells if c.status != "text")
        failed = sum(1 for c in self.cells if c.status == "failed")
        return f"cells: {ran} ran, {failed} failed"


def _spark_message(error: BaseException) -> str:
    """Spark's own message for its errors (first lines, without the JVM stack); Python's otherwise."""
    if isinstance(error, AssertionError):
        return "AssertionError" + (f": {error}" if str(error) else "")
    text = str(error).strip() or type(error).__name__
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(("at ", "JVM stacktrace"))]
    return f"{type(error).__name__}: " + "\n".join(lines[:12])


class Runner:
    def __init__(self, spark, dbfs: DBFS, dbutils: DBUtils, displays: Displays, keep_going: bool = False) -> None:
        self.spark, self.dbfs, self.dbutils, self.displays = spark, dbfs, dbutils, displays
        self.keep_going = keep_going
        self.log = RunLog()

    def namespace(self) -> dict:
        return {"__name__": "__main__", "spark": self.spark, "sc": self.spark.sparkContext,
                "sqlContext": self.spark, "dbutils": self.dbutils, "display": self.displays.display,
                "displayHTML": self.displays.display_html}

    def run_notebook(self, notebook: Notebook, namespace: dict | None = None, depth: int = 0) -> None:
        namespace = self.namespace() if namespace is None else namespace
        caller = self.displays.current
        for cell in notebook.cells:
            started = time.monotonic()
            name = notebook.path.name
            self.displays.current = (notebook.path.stem, cell.number)
            try:
                status = self._run_cell(notebook, cell, namespace, depth)
            except CellError:
                raise
            except Exception as error:  # any failure of a cell stops the run (or is logged), named
                self.log.cells.append(CellRun(name, cell.number, cell.language, cell.title,
                                              time.monotonic() - started, "failed"))
                LOG.debug("cell failed:\n%s", traceback.format_exc())
                failure = CellError(name, cell, _spark_message(error))
                if not self.keep_going:
                    raise failure from error
                self.log.failures.append(str(failure))
                LOG.error("%s", failure)
                continue
            self.log.cells.append(CellRun(name, cell.number, cell.language, cell.title,
                                          time.monotonic() - started, status))
            LOG.info("%s cell %d [%s] %s in %.1f s", name, cell.number, cell.language, status,
                     time.monotonic() - started)
        self.displays.current = caller  # back to the caller's cell after a %run

    def _run_cell(self, notebook: Notebook, cell: Cell, namespace: dict, depth: int) -> str:
        if cell.language == "md":
            return "text"
        if cell.language == "python":
            code = compile(self.dbfs.localize(cell.source), f"{notebook.path.name} cell {cell.number}", "exec")
            exec(code, namespace)  # noqa: S102 (running the notebook's own code is the point)
            return "ok"
        if cell.language == "sql":
            result = None
            for statement in sql_statements.split(cell.source):
                result = delta_dml.sql(self.spark, self.dbfs.localize(statement))
            if result is not None and result.columns:
                self.displays.display(result)
            return "ok"
        if cell.language == "pip":
            LOG.info("%s cell %d: %s", notebook.path.name, cell.number, satisfy(cell.source))
            return "ok"
        if cell.language == "run":
            if depth > 8:
                raise RecursionError("%run nested more than 8 deep")
            self.run_notebook(read(_run_target(notebook.path, cell.source)), namespace, depth + 1)
            return "ok"
        raise NotImplementedError(f"%{cell.language} cells are not supported by the lab's runner "
                                  "(Python, SQL, %md, %pip and %run are)")


def _run_target(caller: Path, argument: str) -> Path:
    """`%run ./other` or `%run "../includes/x"`: the file beside the caller (.py, .sql, .ipynb)."""
    target = argument.split()[0].strip("\"'") if argument.strip() else ""
    if not target:
        raise ValueError("%run needs a notebook path")
    base = (caller.parent / target).resolve()
    for candidate in (base, base.with_suffix(".py"), base.with_suffix(".sql"), base.with_suffix(".ipynb")):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"%run {target}: no notebook {base}(.py|.sql|.ipynb)")
