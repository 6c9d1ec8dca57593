"""Delta Lake as notebook cells run it (the notebook runner, Spark SQL as written, the table's
source read in place from the lab's S3 through a DBFS mount): CREATE OR REPLACE TABLE ... USING
delta AS SELECT input_file_name(), value FROM <text table>; DELETE with IN (subquery) and LIKE;
DELETE with a correlated EXISTS; UPDATE with IN (subquery); MERGE; INSERT ... WHERE NOT EXISTS;
DESCRIBE HISTORY; time travel; on a local (managed) table and on one at an s3a location. Every
result is checked against a computation in plain Python over the same lines."""
from __future__ import annotations

import json
import uuid
from collections import Counter

import pytest

from tests.notebooks.conftest import run_runner, runner_command

pytestmark = [pytest.mark.localstack, pytest.mark.slow, pytest.mark.timeout(1500)]

# topics/t/<file>: the S3 sink's value objects and a key object (its lines start with Struct{)
FILES = {
    "topics/t/t+0+0000000000.json": ['"GET /a 200"', '"GET /b 404"', '"GET /c 200"', '"GET /b 404"'],
    "topics/t/t+0+0000000000.keys.json": ["Struct{logGroupName=g,logStreamName=s}"] * 3,
    "topics/t/t+0+0000000004.json": ['"GET /b 404"', '"GET /d 500"', '"GET /e 200"'],
}
STAGING = {"staging/s+0.json": ['"GET /d 500"', '"GET /f 200"', '"GET /g 301"']}
BLOCKED = ['"GET /e 200"']

NOTEBOOK = """-- Databricks notebook source
-- MAGIC %python
-- MAGIC dbutils.widgets.text("bucket", "")
-- MAGIC dbutils.fs.mount(f"s3a://{dbutils.widgets.get('bucket')}", "/mnt/lab")

-- COMMAND ----------

DROP TABLE IF EXISTS raw;
CREATE TABLE raw USING text OPTIONS (recursiveFileLookup 'true') LOCATION '/mnt/lab/topics/';
DROP TABLE IF EXISTS staging;
CREATE TABLE staging USING text LOCATION '/mnt/lab/staging/';
CREATE OR REPLACE TEMPORARY VIEW blocked AS SELECT * FROM VALUES ('"GET /e 200"') AS b(value)

-- COMMAND ----------

CREATE OR REPLACE TABLE bronze USING delta AS SELECT input_file_name() AS filename, value FROM raw;
CREATE OR REPLACE TABLE bronze_s3 USING delta LOCATION '/mnt/lab/delta/bronze' AS SELECT * FROM bronze

-- COMMAND ----------

-- DBTITLE 1,The published de-duplication: values seen in two files leave the first file; key lines go
DELETE FROM bronze a
WHERE (a.value IN (SELECT value FROM bronze GROUP BY value HAVING count(DISTINCT filename) > 1)
       AND a.filename IN (SELECT min(filename) FROM bronze))
   OR (a.value LIKE 'Struct%');
DELETE FROM delta.`/mnt/lab/delta/bronze` a
WHERE (a.value IN (SELECT value FROM bronze_s3 GROUP BY value HAVING count(DISTINCT filename) > 1)
       AND a.filename IN (SELECT min(filename) FROM bronze_s3))
   OR (a.value LIKE 'Struct%')

-- COMMAND ----------

DELETE FROM bronze a WHERE EXISTS (SELECT 1 FROM blocked b WHERE b.value = a.value);
UPDATE bronze_s3 SET value = upper(value) WHERE value IN (SELECT value FROM blocked)

-- COMMAND ----------

MERGE INTO bronze t
USING (SELECT * FROM VALUES ('merged', '"GET /a 200"'), ('merged', '"GET /z 418"') AS s(filename, value)) s
ON t.value = s.value
WHEN MATCHED THEN UPDATE SET filename = s.filename
WHEN NOT MATCHED THEN INSERT (filename, value) VALUES (s.filename, s.value)

-- COMMAND ----------

INSERT INTO bronze
SELECT input_file_name(), value FROM staging
WHERE NOT EXISTS (SELECT 1 FROM bronze b WHERE b.value = staging.value)

-- COMMAND ----------

-- MAGIC %python
-- MAGIC import json
-- MAGIC rows = lambda q: [list(r) for r in spark.sql(q).collect()]
-- MAGIC result = {
-- MAGIC     "bronze": rows("SELECT filename, value FROM bronze"),
-- MAGIC     "bronze_s3": rows("SELECT filename, value FROM delta.`/mnt/lab/delta/bronze`"),
-- MAGIC     "history": [r.operation for r in spark.sql("DESCRIBE HISTORY bronze").orderBy("version").collect()],
-- MAGIC     "history_s3": [r.operation for r in spark.sql("DESCRIBE HISTORY bronze_s3").orderBy("version").collect()],
-- MAGIC     "version_0": rows("SELECT filename, value FROM bronze VERSION AS OF 0"),
-- MAGIC     "location_s3": spark.sql("DESCRIBE DETAIL bronze_s3").first()["location"],
-- MAGIC }
-- MAGIC open(dbutils.widgets.get("result"), "w").write(json.dumps(result))
"""


def expected(bucket: str) -> dict:
    """The same statements, computed over the lines in plain Python."""
    url = lambda key: f"s3a://{bucket}/{key}"
    rows = [(url(key), line) for key, lines in FILES.items() for line in lines]
    first_file = min(f for f, _ in rows)
    files_of = {}
    for f, v in rows:
        files_of.setdefault(v, set()).add(f)
    dedup = [(f, v) for f, v in rows
             if not ((len(files_of[v]) > 1 and f == first_file) or v.startswith("Struct"))]
    bronze_s3 = [(f, v.upper() if v in BLOCKED else v) for f, v in dedup]
    bronze = [(f, v) for f, v in dedup if v not in BLOCKED]
    merge = {'"GET /a 200"': "merged", '"GET /z 418"': "merged"}
    bronze = [(merge.get(v, f), v) for f, v in bronze]
    bronze += [(f, v) for v, f in merge.items() if v not in {v for _, v in bronze}]
    present = {v for _, v in bronze}
    bronze += [(url(key), line) for key, lines in STAGING.items() for line in lines if line not in present]
    return {"bronze": Counter(bronze), "bronze_s3": Counter(bronze_s3), "version_0": Counter(rows)}


def test_delta_statements_as_notebook_cells_run_them(localstack, spark_python, tmp_path):
    bucket = f"delta-{uuid.uuid4().hex[:8]}"
    s3 = localstack.client("s3")
    s3.create_bucket(Bucket=bucket)
    for key, lines in {**FILES, **STAGING}.items():
        s3.put_object(Bucket=bucket, Key=key, Body=("\n".join(lines) + "\n").encode())
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "01_delta.sql").write_text(NOTEBOOK)
    result_file = tmp_path / "result.json"
    cmd = runner_command(folder, tmp_path / "report", localstack.url, {})
    cmd += ["--widget", f"bucket={bucket}", "--widget", f"result={result_file}", "--work-dir", str(tmp_path / "work")]
    run = run_runner(cmd, timeout=1400)
    assert run.returncode == 0, run.stderr[-4000:]
    got = json.loads(result_file.read_text())
    want = expected(bucket)
    for table in ("bronze", "bronze_s3", "version_0"):
        assert Counter(map(tuple, got[table])) == want[table], table
    assert got["history"] == ["CREATE OR REPLACE TABLE AS SELECT", "DELETE", "DELETE", "MERGE", "WRITE"]
    assert got["history_s3"] == ["CREATE OR REPLACE TABLE AS SELECT", "DELETE", "UPDATE"]
    assert got["location_s3"] == f"s3a://{bucket}/delta/bronze"
    # the mount read the bucket in place: nothing of it was copied under the DBFS root
    assert not list((tmp_path / "work" / "dbfs").rglob("*.json"))
