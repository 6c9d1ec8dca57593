"""Choosing and recording the lab's runtime (labctl.runtimes), without starting anything."""
import pytest
from labctl import runtimes, settings

pytestmark = pytest.mark.unit


def lab_settings(tmp_path, **env) -> settings.LabSettings:
    return settings.load({"LAB_STATE_DIR": str(tmp_path / "lab"), **env})


@pytest.mark.parametrize("name, cls", [("native", runtimes.NativeRuntime), ("compose", runtimes.ComposeRuntime)])
def test_lab_runtime_setting_decides(tmp_path, name, cls):
    runtime, why = runtimes.choose(lab_settings(tmp_path, LAB_RUNTIME=name))
    assert isinstance(runtime, cls) and runtime.name == name
    assert why == f"LAB_RUNTIME={name}"


def test_auto_without_an_engine_is_native(tmp_path, monkeypatch):
    monkeypatch.setattr(runtimes.compose, "engine_answers", lambda: False)
    runtime, why = runtimes.choose(lab_settings(tmp_path))
    assert runtime.name == "native" and why == "no Docker engine answers"


def test_recorded_runtime_is_the_running_one(tmp_path):
    s = lab_settings(tmp_path)
    assert runtimes.running(s) is None
    runtimes.record(s, runtimes.ComposeRuntime(s))
    assert isinstance(runtimes.running(s), runtimes.ComposeRuntime)
    runtimes.record(s, None)
    assert runtimes.running(s) is None


def test_an_unknown_record_is_not_a_runtime(tmp_path):
    s = lab_settings(tmp_path)
    s.state_dir.mkdir(parents=True)
    (s.state_dir / "runtime").write_text("kubernetes\n")
    assert runtimes.running(s) is None


def test_only_compose_serves_dashboards_pages():
    assert runtimes.NativeRuntime.dashboards_ui is False
    assert runtimes.ComposeRuntime.dashboards_ui is True
