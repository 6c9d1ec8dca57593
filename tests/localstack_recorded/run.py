"""Run LocalStack's own Firehose or Kinesis tests (v4.14.0, snapshots recorded against real AWS)
against an external native LocalStack: once with the lab's provider, once with LocalStack's
own, and print the counts side by side.

LocalStack's test code is not copied into this repository (the lab commits no other
project's code): it is read at run time from a LocalStack source repository given by
LOCALSTACK_SRC (a git directory or a clone; `git archive v4.14.0` extracts the tests).
The PyPI artefacts of localstack-core 4.14.0 do not carry the tests. LocalStack's pytest
plugins ship in localstack-core; the few test tools they need are pinned in
requirements.txt beside this file and installed into LocalStack's own venv.

Usage: LOCALSTACK_SRC=/path/to/localstack(.git) python -m tests.localstack_recorded.run [--service kinesis]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from tests.conftest import LOCALSTACK_VENV, LocalStackInstance

HERE = Path(__file__).resolve().parent
TAG = "v4.14.0"
COMMON_PATHS = ["tests/__init__.py", "tests/conftest.py", "tests/aws/__init__.py", "tests/aws/conftest.py",
                "tests/aws/services/__init__.py"]
# per service: the extra source paths its tests import, and the folder of tests to run
SUITES = {
    "firehose": (["tests/aws/services/firehose"], "tests/aws/services/firehose"),
    # test_kinesis.py imports THIS_FOLDER from the Lambda tests (for a Java function)
    "kinesis": (["tests/aws/services/kinesis", "tests/aws/services/lambda_/__init__.py",
                 "tests/aws/services/lambda_/test_lambda.py", "tests/aws/services/lambda_/utils.py"],
                "tests/aws/services/kinesis"),
}
# LocalStack's own provider reads a Kinesis source through KCL, which it downloads (with Java
# and DynamoDB Local) at first use: offline that hangs, so each test has a time limit.
TEST_TIMEOUT_S = 120


@dataclass
class SuiteResult:
    provider: str
    outcomes: dict[str, str] = field(default_factory=dict)   # test id -> passed|failed|skipped|error
    messages: dict[str, str] = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes.values() if o == outcome)


def extract_tests(source: Path, target: Path, service: str = "firehose") -> None:
    """The tests of TAG from a git directory or clone, via `git archive` (no checkout needed)."""
    git_dir = source / ".git" if (source / ".git").exists() else source
    paths = COMMON_PATHS + SUITES[service][0]
    archive = subprocess.run(["git", f"--git-dir={git_dir}", "archive", "--format=tar", TAG, *paths],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    (target / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")  # rootdir marker


# LocalStack's tests/aws/conftest.py pins GATEWAY_LISTEN to port 4566, and helpers that post raw
# requests (the Kinesis tests' CBOR client) build their URL from it: this plugin, written next
# to the extracted tests, points it at the instance under test (run last, after that conftest).
PORT_PLUGIN = '''"""GATEWAY_LISTEN of LocalStack's test config = the external instance under test."""
import os

import pytest
from localstack import config as ls_config


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    port = int(os.environ["LAB_GATEWAY_PORT"])
    ls_config.GATEWAY_LISTEN = ls_config.UniqueHostAndPortList(
        [ls_config.HostAndPort(host="127.0.0.1", port=port)])
'''


def install_test_tools() -> None:
    python = LOCALSTACK_VENV / "bin" / "python"
    lock = HERE.parents[1] / "services" / "localstack" / "requirements-runtime-4.14.0.txt"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "-c", str(lock), "-r", str(HERE / "requirements.txt")], check=True)


def run_suite(tests_root: Path, provider: str, work: Path, service: str = "firehose") -> SuiteResult:
    if service == "firehose":
        overrides = {"firehose_provider": provider}
    else:   # the lab's settings, with LocalStack's own provider of the service for "default"
        overrides = {"extra_env": {f"PROVIDER_OVERRIDE_{service.upper()}": provider}}
    instance = LocalStackInstance(work / provider / "volume", work / f"{provider}.log", **overrides)
    instance.start()
    report = work / f"{provider}.xml"
    host = instance.url.removeprefix("http://")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_", "PYTEST"))}
    # LocalStack's tests/aws/conftest.py pins GATEWAY_LISTEN to 4566; its client factory
    # honours TEST_AWS_ENDPOINT_URL.
    env.update(TEST_SKIP_LOCALSTACK_START="1", LOCALSTACK_HOST=host, TEST_AWS_ENDPOINT_URL=instance.url,
               TEST_AWS_REGION_NAME="us-east-1", AWS_DEFAULT_REGION="us-east-1",
               PYTHONPATH=str(tests_root), LAB_GATEWAY_PORT=str(instance.cfg.port))
    (tests_root / "lab_gateway_port.py").write_text(PORT_PLUGIN)
    try:
        subprocess.run([str(LOCALSTACK_VENV / "bin" / "python"), "-m", "pytest", SUITES[service][1], "-q",
                        "-p", "lab_gateway_port", "-p", "no:cacheprovider", f"--junitxml={report}", "-o", "junit_family=xunit2",
                        f"--timeout={TEST_TIMEOUT_S}"],
                       cwd=tests_root, env=env, check=False, timeout=1800)
    finally:
        instance.stop()
    return parse_junit(report, provider)


def parse_junit(report: Path, provider: str) -> SuiteResult:
    result = SuiteResult(provider)
    if not report.exists():
        result.outcomes["(collection)"] = "error"
        return result
    for case in ET.parse(report).getroot().iter("testcase"):
        test_id = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}"
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed"}.get(child.tag, child.tag)
                message = (child.get("message") or child.text or "").strip().splitlines()[0:1]
                message = message[0][:160] if message else ""
        result.outcomes[test_id] = outcome
        result.messages[test_id] = message
    return result


def render(results: list[SuiteResult], service: str = "firehose") -> str:
    lines = [f"LocalStack {TAG} recorded {service} tests ({SUITES[service][1]})", ""]
    header = f"{'':<14}" + "".join(f"{r.provider + ' provider':>22}" for r in results)
    lines.append(header)
    for outcome in ("passed", "failed", "error", "skipped"):
        lines.append(f"{outcome:<14}" + "".join(f"{r.count(outcome):>22}" for r in results))
    lines.append(f"{'run':<14}" + "".join(f"{len(r.outcomes) - r.count('skipped'):>22}" for r in results))
    lines += ["", "Per test:"]
    for test_id in sorted({t for r in results for t in r.outcomes}):
        cells = "  ".join(f"{r.provider}={r.outcomes.get(test_id, '-')}" for r in results)
        lines.append(f"  {test_id}: {cells}")
        for r in results:
            if r.outcomes.get(test_id) in ("failed", "error", "skipped") and r.messages.get(test_id):
                lines.append(f"      {r.provider}: {r.messages[test_id]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=os.environ.get("LOCALSTACK_SRC"),
                        help="LocalStack source repository (git dir or clone); default $LOCALSTACK_SRC")
    parser.add_argument("--service", choices=sorted(SUITES), default="firehose")
    args = parser.parse_args(argv)
    if not args.source:
        print("set LOCALSTACK_SRC to a LocalStack source repository (git directory or clone) "
              f"that has the tag {TAG}", file=sys.stderr)
        return 2
    install_test_tools()
    with tempfile.TemporaryDirectory(prefix="localstack-recorded-") as tmp:
        work = Path(tmp)
        tests_root = work / "localstack"
        extract_tests(Path(args.source), tests_root, args.service)
        results = [run_suite(tests_root, provider, work, args.service) for provider in ("lab", "default")]
    print(render(results, args.service))
    return 0


if __name__ == "__main__":
    sys.exit(main())
