"""labctl settings: defaults, validation messages naming the variable,
and the native supervisor's configuration (loopback binding, programs)."""
from pathlib import Path

import pytest
from labctl import native, provision_hook, settings

pytestmark = pytest.mark.unit


def test_defaults_are_the_workshop_and_loopback():
    s = settings.load({})
    assert (s.apache_port, s.localstack_port, s.opensearch_port, s.dashboards_port) == (8080, 4566, 9200, 5601)
    assert s.bind_address == "127.0.0.1"
    assert (s.buffer_interval, s.buffer_size_mb, s.retry_duration) == (60, 1, 300)


@pytest.mark.parametrize("env, key", [
    ({"LAB_APACHE_PORT": "eighty"}, "LAB_APACHE_PORT"),
    ({"LAB_LOCALSTACK_PORT": "70000"}, "LAB_LOCALSTACK_PORT"),
    ({"LAB_BIND_ADDRESS": "classroom"}, "LAB_BIND_ADDRESS"),
    ({"LAB_BUFFER_INTERVAL": "901"}, "LAB_BUFFER_INTERVAL"),
    ({"LAB_RUNTIME": "kubernetes"}, "LAB_RUNTIME"),
    ({"LAB_RETRY_DURATION": "-1"}, "LAB_RETRY_DURATION"),
    ({"LAB_GEOIP_DATABASE": "/nowhere/GeoLite2-City.mmdb"}, "LAB_GEOIP_DATABASE"),
    ({"LAB_GEOIP_DATABASE": __file__}, "LAB_GEOIP_DATABASE"),  # a file, but not a MaxMind DB
    ({"OPENSEARCH_HEAP": "lots"}, "OPENSEARCH_HEAP"),
    ({"OPENSEARCH_HEAP": "64m"}, "OPENSEARCH_HEAP"),
    ({"LAB_OPENSEARCH_TRANSPORT_PORT": "9400-9300"}, "LAB_OPENSEARCH_TRANSPORT_PORT"),
    ({"LAB_OPENSEARCH_TRANSPORT_PORT": "0"}, "LAB_OPENSEARCH_TRANSPORT_PORT"),
    ({"LAB_KAFKA_CONTROLLER_PORT": "x"}, "LAB_KAFKA_CONTROLLER_PORT"),
])
def test_bad_values_name_the_variable(env, key):
    with pytest.raises(settings.SettingsError, match=key):
        settings.load(env)


def test_geoip_database_default_own_file_or_off():
    from tests.support.data_files import GEOIP_TEST_DB

    default = settings.load({})
    assert (default.geoip_database, default.geoip_enabled) == (None, True)  # DB-IP's, installed
    own = settings.load({"LAB_GEOIP_DATABASE": str(GEOIP_TEST_DB)})
    assert (own.geoip_database, own.geoip_enabled) == (GEOIP_TEST_DB, True)
    assert settings.load({"LAB_GEOIP_DATABASE": "off"}).geoip_enabled is False


def test_cli_exits_2_naming_the_variable(capsys, monkeypatch):
    from labctl.__main__ import main

    monkeypatch.setenv("LAB_OPENSEARCH_PORT", "0")
    assert main(["status"]) == 2
    assert "LAB_OPENSEARCH_PORT" in capsys.readouterr().err


def test_supervisord_conf_binds_every_service_to_loopback(tmp_path):
    s = settings.load({"LAB_STATE_DIR": str(tmp_path), "LAB_APACHE_PORT": "18080",
                       "LAB_LOCALSTACK_PORT": "14566", "LAB_OPENSEARCH_PORT": "19200",
                       "LAB_DASHBOARDS_PORT": "15601"})
    conf = native.render_supervisord_conf(s)
    assert "--port 15601 --opensearch-url http://127.0.0.1:19200 --bind 127.0.0.1" in conf
    for program in native.PROGRAMS:
        assert f"[program:{program}]" in conf
    node = (tmp_path / "opensearch" / "config" / "opensearch.yml").read_text().splitlines()
    assert {"network.host: 127.0.0.1", "http.port: 19200", "transport.port: 9300-9400",
            f"path.data: {tmp_path / 'opensearch' / 'data'}"} <= set(node)
    assert (tmp_path / "opensearch" / "config" / "jvm.options.d" / "heap.options").read_text() == \
        "-Xms512m\n-Xmx512m\n"
    assert 'GATEWAY_LISTEN="127.0.0.1:14566"' in conf
    assert (tmp_path / "apache" / "httpd-lab.conf").read_text().count("18080") >= 1
    assert "0.0.0.0" not in conf


def test_agent_config_is_the_workshops(tmp_path):
    s = settings.load({"LAB_STATE_DIR": str(tmp_path)})
    flow = native.agent_config(s)["flows"][0]
    assert flow["deliveryStream"] == "webserver_stream"
    assert flow["initialPosition"] == "START_OF_FILE"
    assert flow["partitionKeyOption"] == "RANDOM"
    assert Path(flow["filePattern"]).name == "access_log*"


def test_provision_hook_runs_the_provisioning_program(tmp_path):
    s = settings.load({"LAB_STATE_DIR": str(tmp_path), "LAB_LOCALSTACK_PORT": "14566"})
    hook = provision_hook.write(s, s.state_dir / "localstack")
    text = hook.read_text()
    assert hook.stat().st_mode & 0o111
    assert "-m labctl provision" in text and "http://127.0.0.1:14566" in text


def test_an_empty_lab_is_asked_for_by_name_and_runs_natively(tmp_path):
    from labctl import runtimes, started_settings

    with pytest.raises(settings.SettingsError, match="LAB_PROVISION='empty' must be one of workshop, none"):
        settings.load({"LAB_PROVISION": "empty"})
    s = settings.load({"LAB_STATE_DIR": str(tmp_path), "LAB_PROVISION": "none"})
    assert s.empty and not settings.load({"LAB_STATE_DIR": str(tmp_path)}).empty
    runtime, why = runtimes.choose(s)
    assert runtime.name == "native" and "empty lab" in why
    # a running empty lab is refused a provisioned `make up` (the lab would have to be provisioned)
    started_settings.record(s)
    assert started_settings.changes(settings.load({"LAB_STATE_DIR": str(tmp_path)})) == [
        "LAB_PROVISION: workshop (the lab runs with none)"]
    assert started_settings.empty_lab(settings.load({"LAB_STATE_DIR": str(tmp_path)}))
