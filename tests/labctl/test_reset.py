"""`make down` keeps the lab's state; `make reset` wipes it (issue 21)."""
from __future__ import annotations

import pytest
from labctl import __main__ as labctl_main

pytestmark = pytest.mark.unit


def _lab(tmp_path, monkeypatch):
    state = tmp_path / "lab"
    (state / "localstack" / "lab-s3" / "objects" / "b").mkdir(parents=True)
    (state / "localstack" / "lab-s3" / "objects" / "b" / "data").write_bytes(b"x")
    monkeypatch.setenv("LAB_STATE_DIR", str(state))
    monkeypatch.setattr("labctl.compose.engine_answers", lambda: False)
    return state


def test_down_keeps_the_state_dir(tmp_path, monkeypatch):
    state = _lab(tmp_path, monkeypatch)
    assert labctl_main.main(["down"]) == 0
    assert (state / "localstack" / "lab-s3" / "objects" / "b" / "data").read_bytes() == b"x"


def test_reset_wipes_it(tmp_path, monkeypatch, capsys):
    state = _lab(tmp_path, monkeypatch)
    assert labctl_main.main(["reset"]) == 0
    assert not state.exists()
    assert str(state) in capsys.readouterr().out
