"""One module in the extension says where provider state lives and how it is written
(lab_localstack/state_files.py): no other module picks a folder from LocalStack's volume
setting or renames a file into place, except the named few, each for its reason."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parents[1] / "services/localstack/extension/lab_localstack"
EXCEPTIONS = {
    "kinesis/persistence.py": "kinesis-mock's own persistence folder (the Kinesis provider is LocalStack's)",
    "s3/journal.py": "the S3 journal rewrites itself frame by frame, streamed, then fsync_dir",
    "glue/job_runtime/awsglue/job.py": "runs inside the Glue job's Spark process, not in LocalStack",
}
PICKS_OR_WRITES = re.compile(r"config\.VOLUME_DIR|os\.replace\(")


def offenders(package: Path) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        if name == "state_files.py" or name in EXCEPTIONS:
            continue
        found += [f"{name}:{n}" for n, line in enumerate(path.read_text().splitlines(), 1)
                  if PICKS_OR_WRITES.search(line) and not line.lstrip().startswith("#")]
    return found


def test_providers_keep_state_through_state_files():
    assert offenders(PACKAGE) == []


def test_a_provider_with_its_own_writer_is_found(tmp_path):
    (tmp_path / "glue").mkdir()
    (tmp_path / "glue" / "json_file.py").write_text("import os\n\ndef save(p, t):\n    os.replace(t, p)\n")
    (tmp_path / "state_files.py").write_text("os.replace(a, b)\n")
    assert offenders(tmp_path) == ["glue/json_file.py:4"]
