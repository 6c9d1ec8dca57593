"""`python -m labctl`: every command reaches its module in labctl/commands/, and a failure the
user can act on (LabError, TimeoutError) ends in one `error:` line and a non-zero exit, not a
traceback."""
from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from labctl import __main__ as cli
from labctl import settings
from labctl.commands import status as status_command
from labctl.errors import LabError
from labctl.waiting import wait_until

from tests.conftest import free_port

pytestmark = pytest.mark.unit

COMMANDS_DIR = Path(cli.__file__).parent / "commands"
# The arguments each command needs to parse (the rest have none that are required).
REQUIRED_ARGS = {"localstack": ["start"]}


def command_names() -> list[str]:
    parser = cli.build_parser()
    (subparsers,) = [action for action in parser._actions if action.dest == "command"]
    return sorted(subparsers.choices)


def test_every_command_has_its_module_and_every_module_a_command():
    modules = sorted(path.stem for path in COMMANDS_DIR.glob("*.py") if path.stem != "__init__")
    assert sorted(name.replace("-", "_") for name in command_names()) == modules


@pytest.mark.parametrize("name", command_names())
def test_main_dispatches_to_the_commands_module(name, monkeypatch, tmp_path):
    module = importlib.import_module(f"labctl.commands.{name.replace('-', '_')}")
    calls = []
    monkeypatch.setattr(module, "run", lambda lab_settings, args: calls.append((lab_settings, args)) or 7)
    monkeypatch.setenv("LAB_STATE_DIR", str(tmp_path))
    assert cli.main([name, *REQUIRED_ARGS.get(name, [])]) == 7
    ((lab_settings, args),) = calls
    assert isinstance(lab_settings, settings.LabSettings) and lab_settings.state_dir == tmp_path
    assert args.command == name


def failing_with(error: BaseException):
    def run(_lab_settings, _args):
        raise error
    return run


@pytest.mark.parametrize("error, code", [
    (LabError("the shop is closed: run `make up`"), 1),
    (TimeoutError("crawler apache_backup_crawler still running after 600s"), 1),
    (settings.SettingsError("LAB_APACHE_PORT=0 is outside 1-65535"), 2),
])
def test_a_lab_error_is_one_line_and_an_exit_code(error, code, monkeypatch, capsys):
    monkeypatch.setattr(status_command, "run", failing_with(error))
    assert cli.main(["status"]) == code
    captured = capsys.readouterr()
    assert captured.err == f"error: {error}\n"
    assert "Traceback" not in captured.out + captured.err


def test_a_wait_that_times_out_says_what_it_waited_for(monkeypatch, capsys):
    def run(_lab_settings, _args):
        return wait_until(lambda: None, timeout=0.2, interval=0.05, what="the delivery stream to be ACTIVE")

    monkeypatch.setattr(status_command, "run", run)
    assert cli.main(["status"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: timed out after 0.2s waiting for the delivery stream to be ACTIVE")
    assert err.count("\n") == 1


def test_an_unexpected_error_still_shows_its_traceback(monkeypatch):
    # Only what the user can act on is shortened: a bug keeps its traceback.
    monkeypatch.setattr(status_command, "run", failing_with(KeyError("bug")))
    with pytest.raises(KeyError):
        cli.main(["status"])


def test_a_missing_prerequisite_through_the_real_cli(tmp_path):
    """`make native-localstack` without its venv: the message says which target to run."""
    env = {**os.environ, "LAB_STATE_DIR": str(tmp_path), "LAB_LOCALSTACK_PORT": str(free_port()),
           "LAB_LOCALSTACK_VENV": str(tmp_path / "no-venv")}
    done = subprocess.run([sys.executable, "-m", "labctl", "localstack", "start"], check=False, env=env,
                          capture_output=True, text=True, timeout=60, cwd=settings.REPO_ROOT)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        f"error: no LocalStack venv at {tmp_path / 'no-venv'}: run `make localstack-venv` first")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", [["athena"], ["lake-lab"]])
def test_a_command_needing_the_lab_says_to_start_it(command, tmp_path):
    """Before `make up`: the one line every command needing the lab says (labctl/lab_running.py)."""
    port = free_port()
    env = {**os.environ, "LAB_STATE_DIR": str(tmp_path), "LAB_LOCALSTACK_PORT": str(port)}
    done = subprocess.run([sys.executable, "-m", "labctl", *command], check=False, env=env,
                          capture_output=True, text=True, timeout=60, cwd=settings.REPO_ROOT)
    assert done.returncode == 1
    assert done.stderr == "error: the lab is not running: make up\n"
