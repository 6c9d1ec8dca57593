"""The lab's awsglue.utils.getResolvedOptions on argument lists as a Glue run passes them
(the rules are those of AWS's published awsglue/utils.py): bookmark options and their
ranges, the old continuation option, TempDir's alias, argparse's choices and abbreviations."""
from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

RUNTIME = Path(__file__).resolve().parents[2] / "services/localstack/extension/lab_localstack/glue/job_runtime"


@pytest.fixture(scope="module")
def utils():
    """awsglue.utils and the modules it imports (job, missing), without the package's
    __init__, which imports PySpark (not in the test venv)."""
    saved = {name: mod for name, mod in sys.modules.items() if name == "awsglue" or name.startswith("awsglue.")}
    package = types.ModuleType("awsglue")
    package.__path__ = [str(RUNTIME / "awsglue")]
    sys.modules["awsglue"] = package
    try:
        yield importlib.import_module("awsglue.utils")
    finally:
        for name in [n for n in sys.modules if n == "awsglue" or n.startswith("awsglue.")]:
            del sys.modules[name]
        sys.modules.update(saved)


def test_bookmark_option_from_the_old_continuation_option(utils):
    resolved = utils.getResolvedOptions(["script.py", "--continuation-option", "continuation-readonly"], [])
    assert resolved["job_bookmark_option"] == "job-bookmark-pause"
    assert "continuation_option" not in resolved
    both = ["script.py", "--job-bookmark-option", "job-bookmark-enable", "--continuation-option", "continuation-ignore"]
    assert utils.getResolvedOptions(both, [])["job_bookmark_option"] == "job-bookmark-enable"


def test_bookmark_ranges(utils):
    paused = ["script.py", "--job-bookmark-option", "job-bookmark-pause"]
    ranged = utils.getResolvedOptions(paused + ["--job-bookmark-from", "r1", "--job-bookmark-to", "r2"], [])
    assert (ranged["job_bookmark_from"], ranged["job_bookmark_to"]) == ("r1", "r2")
    with pytest.raises(RuntimeError, match="^Missing option or value for --job-bookmark-to$"):
        utils.getResolvedOptions(paused + ["--job-bookmark-from", "r1"], [])
    with pytest.raises(RuntimeError, match="^Invalid option\\(s\\)--job-bookmark-from --job-bookmark-to$"):
        utils.getResolvedOptions(["script.py", "--job-bookmark-from", "r1", "--job-bookmark-to", "r2"], [])


def test_choices_and_temp_dir_alias(utils):
    with pytest.raises(utils.GlueArgumentError, match="argument --job-bookmark-option: invalid choice: 'on'"):
        utils.getResolvedOptions(["script.py", "--job-bookmark-option", "on"], [])
    resolved = utils.getResolvedOptions(["script.py", "--RedshiftTempDir", "s3://b/t/"], ["TempDir"])
    assert resolved["TempDir"] == resolved["RedshiftTempDir"] == "s3://b/t/"
    assert utils.getResolvedOptions(["script.py"], ["TempDir"])["TempDir"] is None   # asked for, still optional


def test_equals_form_and_unasked_arguments(utils):
    resolved = utils.getResolvedOptions(["script.py", "--day=07", "--extra", "x", "--JOB_NAME", "j"], ["day", "JOB_NAME"])
    assert (resolved["day"], resolved["JOB_NAME"]) == ("07", "j")
    assert "extra" not in resolved
