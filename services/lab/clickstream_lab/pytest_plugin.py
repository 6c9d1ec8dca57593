"""The lab as pytest fixtures for a team's suite (a `pytest11` entry point: installed with the
package, on in every pytest run; it does nothing until a test asks for a fixture).

Fixtures:
    clickstream_lab          the session's lab (started once, stopped at the end)
    empty_clickstream_lab    the same lab, emptied before the test (index and S3 outputs)
    clickstream_lab_options  the LabOptions the lab starts with; from the ini options below by
                             default, or override the fixture in a conftest.py

Options (command line):
    --lab-attach             use the lab `make up` runs here instead of starting one
    --lab-attach-urls A,L,O  use a lab reached by URL: Apache, LocalStack, OpenSearch
    --lab-keep               leave the lab running (and its state) after a failed session
    --lab-runtime R          native (default) or compose
    --lab-logs-dir DIR       on a failure, copy the lab's logs and status there (CI artefacts)

ini options (pytest.ini / pyproject's [tool.pytest.ini_options]), paths relative to the ini file:
    clickstream_lab_etl, clickstream_lab_handler, clickstream_lab_agent_config,
    clickstream_lab_dashboards, clickstream_lab_buffer_interval, clickstream_lab_backup_mode

A failing test's report gets three sections: the lab's status, its accounting and the last
lines of each service's log.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from clickstream_lab.lab import Lab
from clickstream_lab.options import FirehoseSettings, LabOptions

LOG = logging.getLogger(__name__)
INI_PATHS = ("etl", "agent_config", "dashboards")
_LAB_KEY = pytest.StashKey[Lab]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("clickstream-lab", "Clickstream Lab (clickstream_lab fixtures)")
    group.addoption("--lab-attach", action="store_true", help="use the lab `make up` runs on this machine")
    group.addoption("--lab-attach-urls", metavar="APACHE,LOCALSTACK,OPENSEARCH",
                    help="use a running lab reached at these three URLs")
    group.addoption("--lab-keep", action="store_true", help="keep the lab running after a failed session")
    group.addoption("--lab-runtime", choices=("native", "compose"), help="runtime of the lab to start")
    group.addoption("--lab-logs-dir", metavar="DIR", help="copy the lab's logs and status here on a failure")
    for name in INI_PATHS:
        parser.addini(f"clickstream_lab_{name}", f"the team's {name} (a path relative to the ini file)")
    parser.addini("clickstream_lab_handler", "the ETL's handler, module.function")
    parser.addini("clickstream_lab_buffer_interval", "Firehose buffer interval in seconds (default 1)")
    parser.addini("clickstream_lab_backup_mode", "Firehose S3 backup mode (AllDocuments, FailedDocumentsOnly)")


def options_from_config(config: pytest.Config) -> LabOptions:
    """LabOptions from the ini options and --lab-runtime."""
    base = config.inipath.parent if config.inipath else Path.cwd()
    fields: dict = {}
    for name in INI_PATHS:
        value = config.getini(f"clickstream_lab_{name}")
        if value:
            fields[name] = base / value
    if config.getini("clickstream_lab_handler"):
        fields["handler"] = config.getini("clickstream_lab_handler")
    firehose: dict = {}
    if config.getini("clickstream_lab_buffer_interval"):
        firehose["buffer_interval"] = int(config.getini("clickstream_lab_buffer_interval"))
    if config.getini("clickstream_lab_backup_mode"):
        firehose["backup_mode"] = config.getini("clickstream_lab_backup_mode")
    return LabOptions(runtime=config.getoption("lab_runtime") or "native",
                      firehose=FirehoseSettings(**firehose), **fields)


@pytest.fixture(scope="session")
def clickstream_lab_options(pytestconfig: pytest.Config) -> LabOptions:
    return options_from_config(pytestconfig)


@pytest.fixture(scope="session")
def clickstream_lab(request: pytest.FixtureRequest, clickstream_lab_options: LabOptions):
    config = request.config
    urls = config.getoption("lab_attach_urls")
    if urls:
        apache, localstack, opensearch = (urls.split(",") + ["", "", ""])[:3]
        lab = Lab.attach(apache or None, localstack or None, opensearch or None)
        lab.options = clickstream_lab_options
    elif config.getoption("lab_attach"):
        lab = Lab.attach()
        lab.options = clickstream_lab_options
    else:
        lab = Lab.start(clickstream_lab_options)
    config.stash[_LAB_KEY] = lab
    yield lab
    failed = request.session.testsfailed > 0
    if failed and config.getoption("lab_keep"):
        LOG.warning("--lab-keep: the lab keeps running, state in %s, endpoints %s",
                    lab.settings.state_dir, lab.endpoints)
        return
    lab.stop()


@pytest.fixture
def empty_clickstream_lab(clickstream_lab: Lab) -> Lab:
    clickstream_lab.empty()
    return clickstream_lab


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    lab = item.config.stash.get(_LAB_KEY, None)
    if lab is None or not report.failed:
        return
    for title, read in (("status", lab.status_text), ("accounting", lambda: repr(lab.accounting())),
                        ("log tails", lab.log_tails)):
        try:
            text = read()
        except Exception as error:  # noqa: BLE001 - a broken lab must not hide the test's own failure
            text = f"(could not read: {type(error).__name__}: {error})"
        report.sections.append((f"clickstream lab: {title}", text))
    logs_dir = item.config.getoption("lab_logs_dir")
    if logs_dir:
        try:
            lab.copy_logs(Path(logs_dir))
        except OSError as error:
            report.sections.append(("clickstream lab: logs", f"could not copy the logs to {logs_dir}: {error}"))
