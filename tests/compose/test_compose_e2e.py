"""End to end through the compose lab on a container engine, through the Makefile.

`make test` starts an engine first (services/lab/container-engine.sh: a Docker
engine if one answers, else podman serving the Docker API), so this suite runs in
CI. It builds the lab's images from the repository, brings the stack up with
`make up` (labctl's compose path: `docker compose up --wait`, or docker-compose
v1 plus labctl's own wait on the services' health), sends 1,000 visits through
the shop container with `make generate`, and accounts for every line Apache wrote
in the index and in the S3 backup (tests/support/line_accounting.py). It also
checks `make status`, `make logs`, that `depends_on` was honoured, that every
published port is on 127.0.0.1 only, and `make down`.

Then the CloudWatch lab on the same running lab (issue 24): `make cloudwatch-lab` starts
the profile `cloudwatch` (Kafka, the awslogs agent, the two connectors); every access-log
line (the 1,000 above, read from the start of the file, and 200 more) is accounted for as
a multiset in CloudWatch Logs, the Kafka topic and the S3 sink's objects
(tests/support/cloudwatch_accounting.py, shared with the native test); `make status`
shows the profile's processes, topic and counts; its port is on 127.0.0.1 only.

It runs under its own Compose project name and free ports, so it does not touch a
lab you are running. On podman (no image registry reachable) it builds from the
lab's debootstrapped Debian base, builds OpenSearch and Apache Kafka from the native
runtime's verified Maven artefacts and replaces Dashboards by a placeholder
(tests/compose/standins.override.yml); it says so in its output.
"""
from __future__ import annotations

import inspect
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

import pytest
import requests
from labctl import compose, engine
from labctl import settings as lab
from labctl.labs.cloudwatch import compose_side
from labctl.labs.cloudwatch import lab as cloudwatch_lab

from tests.compose import compose_checks as cc
from tests.compose import engine_support as es
from tests.conftest import free_port
from tests.support import cloudwatch_accounting as ca
from tests.support import kafka_records
from tests.support import line_accounting as acc
from tests.support.waiting import wait_for

# The first test's setup waits for its turn on the engine (up to es.ENGINE_TURN_WAIT_S),
# builds every image (cold: debootstrap and pip inside, up to es.UP_TIMEOUT_S) and starts
# the lab (up to es.UP_TIMEOUT_S): the suite-wide 600 s pytest-timeout would end that
# before its own stated limits do.
pytestmark = [pytest.mark.docker, pytest.mark.slow,
              pytest.mark.timeout(es.ENGINE_TURN_WAIT_S + 2 * es.UP_TIMEOUT_S + 300)]

VISITS = 1000
PROJECT = "clickstream-lab-e2e"
SERVICES = ("apache", "localstack", "opensearch", "dashboards", "setup", "agent")


def _make(env: dict[str, str], *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    run = subprocess.run(["make", "--no-print-directory", *args], cwd=cc.REPO, env=env,
                         capture_output=True, text=True, timeout=timeout, check=False)
    print(f"$ make {' '.join(args)}  (exit {run.returncode})\n{run.stdout[-3000:]}{run.stderr[-3000:]}")
    return run


@pytest.fixture(scope="module")
def compose_lab(tmp_path_factory):
    ports = {name: free_port() for name in ("apache", "localstack", "opensearch", "dashboards", "kafka")}
    env = es.compose_environment(PROJECT, ports, tmp_path_factory.mktemp("lab-state"))
    print(es.note(es.describe(env)))
    seconds = es.build_images(env)
    print(es.note(f"compose e2e: images built (or found in the engine's cache) in {seconds:.0f}s"))
    settings = lab.load(env)
    try:
        run = _make(env, "up", timeout=es.UP_TIMEOUT_S)
        assert run.returncode == 0, "make up failed:\n" + es.service_logs(env)
        yield {"env": env, "settings": settings, "up": run}
    finally:
        es.save_logs(env)
        _make(env, "down", timeout=300)
        es.remove_volumes(env)


def _containers(env) -> dict[str, dict]:
    with es.project_env(env):
        return {compose.service_of(attrs): attrs for attrs in compose.containers(include_stopped=True)}


def test_up_used_the_compose_runtime_and_every_service_is_ready(compose_lab):
    assert "using the compose runtime" in compose_lab["up"].stdout
    attrs = _containers(compose_lab["env"])
    assert set(SERVICES) <= set(attrs)
    states = {name: compose.container_health(a) for name, a in attrs.items()}
    assert states["setup"] == "exited 0", states
    for name in ("apache", "localstack", "opensearch", "dashboards", "agent"):
        assert states[name] == "healthy", states


def test_depends_on_was_honoured(compose_lab):
    """setup started once LocalStack was ready (its "Ready." line, the engine's
    timestamp), the agent once setup had completed: the order Compose must keep."""
    attrs = _containers(compose_lab["env"])
    setup_started = es.timestamp(attrs["setup"]["State"]["StartedAt"])
    localstack_ready = es.log_line_time(attrs["localstack"], "Ready.")
    assert localstack_ready is not None and localstack_ready <= setup_started
    assert es.timestamp(attrs["setup"]["State"]["FinishedAt"]) <= es.timestamp(attrs["agent"]["State"]["StartedAt"])


def _published_on_loopback_only(compose_lab) -> set[str]:
    """Every port the project's containers publish is bound to 127.0.0.1 and does not answer on
    another address of the machine; the services that publish one."""
    attrs = _containers(compose_lab["env"])
    published = [(name, binding) for name, a in attrs.items()
                 for bindings in (a["NetworkSettings"].get("Ports") or {}).values() if bindings
                 for binding in bindings]
    assert all(b["HostIp"] == "127.0.0.1" for _, b in published), published
    other = es.non_loopback_address()
    for _, binding in published if other else ():
        with socket.socket() as sock:
            sock.settimeout(2)
            assert sock.connect_ex((other, int(binding["HostPort"]))) != 0, (other, binding)
    return {name for name, _ in published}


def test_published_ports_are_on_loopback_only(compose_lab):
    assert _published_on_loopback_only(compose_lab) == {"apache", "localstack", "opensearch", "dashboards"}
    s = compose_lab["settings"]
    assert requests.get(s.localstack_url + "/_localstack/health", timeout=10).ok
    if es.non_loopback_address() is None:
        pytest.skip("this machine has no non-loopback IPv4 address to try")


def _access_log(env: dict[str, str]) -> bytes:
    """Apache's access log files in its container, concatenated as `cat access_log*` would."""
    with es.project_env(env):
        files = compose.read_files("apache", "/var/log/httpd")
    assert files is not None, "reading Apache's log folder failed:\n" + es.service_logs(env)
    return b"".join(files[name] for name in sorted(files) if name.split("/")[-1].startswith("access_log"))


def test_1000_visits_are_all_accounted_for_in_the_index_and_the_backup(compose_lab):
    env, s = compose_lab["env"], compose_lab["settings"]
    run = _make(env, "generate", f"COUNT={VISITS}", timeout=600)
    assert run.returncode == 0
    lines = acc.split_lines(_access_log(env))
    assert len(lines) == VISITS, "the shop logs one line per visit (its health check is TCP only)"
    started = time.monotonic()
    result = acc.wait_until_accounted(acc.LabObserver(s), acc.expected_outcomes(lines), timeout=300)
    print(f"accounted in {time.monotonic() - started:.0f}s: {result.row()}")
    assert result.conserved, result.row()
    assert result.indexed == VISITS and result.backup_missing == 0 and result.unmatched == 0, result.row()

    status = _make(env, "status", "FORMAT=json", timeout=120)
    assert status.returncode == 0
    report = json.loads(status.stdout)
    assert report["runtime"] == "compose"
    assert report["log_lines"] == VISITS
    assert report["index_documents"] == VISITS
    assert json.loads(status.stdout)["agent"].get("state") not in (None, "stopped")
    assert _make(env, "status", timeout=120).returncode == 0


def test_the_image_builds_the_same_lambda_zip_as_make_lambda(compose_lab):
    """The tools image runs `make lambda`'s program (Python 3.13 there, the host's here):
    reproducible, so the zip a host without Python deploys is the native one, byte for byte."""
    import hashlib

    host_zip = cc.REPO / "build" / "apache_ETL.zip"   # `make up` ran `make lambda`
    image = es.read_env_image("clickstream-lab/python", compose_lab["env"])
    result = engine.run(image, ["sha256sum", "build/apache_ETL.zip"], timeout=120)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.decode().split()[0] == hashlib.sha256(host_zip.read_bytes()).hexdigest()


def test_make_logs_follows_the_services(compose_lab):
    env = compose_lab["env"]
    # Stopped once the logs show what is awaited, not after a fixed time: on a loaded machine
    # 8 s passed before labctl printed anything, and the SIGTERM then reached make while it
    # waited for labctl (`make[1]: *** wait: No child processes`) instead of the logs.
    lines: list[str] = []

    with subprocess.Popen(["make", "--no-print-directory", "logs"], cwd=cc.REPO, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          start_new_session=True) as proc:
        reader = threading.Thread(target=lines.extend, args=(proc.stdout,), daemon=True)  # line by line
        reader.start()
        try:
            wait_for(lambda: any("setup: done" in line for line in lines) or proc.poll() is not None,
                     timeout=300, what="`make logs` to show the setup service's output")
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)  # make, labctl and compose: `logs -f` runs until stopped
            proc.wait(timeout=30)
            reader.join(timeout=30)
    out = "".join(lines)
    assert "setup: done" in out, out[-2000:]


# --- The CloudWatch lab (profile cloudwatch) on the running compose lab ----------------------
CLOUDWATCH_STATES = {"kafka": "healthy", "cloudwatch-setup": "exited 0", "awslogs-agent": "healthy",
                     "cloudwatch-source": "healthy", "s3-sink": "healthy"}
LIVE_VISITS = 200
MARKER = "/marker-compose-e2e"


def _topic(env: dict[str, str]) -> str:
    """`${log-group}.${log-stream}`: the stream is the agent container's {instance_id}."""
    return f"{cloudwatch_lab.LOG_GROUP}.{cloudwatch_lab.instance_id(env, hostname=compose_side.AWSLOGS_HOSTNAME)}"


def _kafka_values(env: dict[str, str], topic: str) -> list[str]:
    """The topic's records, read inside the lab's network (the broker advertises `kafka`): the
    source of tests/support/kafka_records.py run by the Python of a container of the profile."""
    bootstrap = f"kafka:{lab.CONTAINER_PORTS['kafka']}"
    code = inspect.getsource(kafka_records) + f"\nprint(json.dumps(topic_values({bootstrap!r}, {topic!r})))\n"
    with es.project_env(env):
        out = compose.exec_output("cloudwatch-source", "python", "-c", code, timeout=120)
    assert out is not None, "reading the topic inside the network failed:\n" + es.service_logs(env)
    return json.loads(out)


@pytest.fixture(scope="module")
def cloudwatch_profile(compose_lab):
    """`make cloudwatch-lab` on the running compose lab; its time in the suite's notes. With the
    lab's one-shot `setup` container's start time before and after (it must not run again)."""
    setup_started = _containers(compose_lab["env"])["setup"]["State"]["StartedAt"]
    started = time.monotonic()
    run = _make(compose_lab["env"], "cloudwatch-lab", timeout=es.UP_TIMEOUT_S)
    print(es.note(f"compose e2e: make cloudwatch-lab ready in {time.monotonic() - started:.0f}s"))
    assert run.returncode == 0, "make cloudwatch-lab failed:\n" + es.service_logs(compose_lab["env"])
    return {"run": run, "setup_started": (setup_started, _containers(compose_lab["env"])["setup"]["State"]["StartedAt"])}


def test_make_cloudwatch_lab_starts_the_profile_on_loopback_ports(compose_lab, cloudwatch_profile):
    env, out = compose_lab["env"], cloudwatch_profile["run"].stdout
    assert "The CloudWatch lab is running (compose runtime)" in out
    assert f"(topic {_topic(env)})" in out
    before, after = cloudwatch_profile["setup_started"]
    assert before == after, "make cloudwatch-lab started the lab's one-shot setup again"
    attrs = _containers(env)
    assert {name: compose.container_health(attrs[name]) for name in CLOUDWATCH_STATES if name in attrs} \
        == CLOUDWATCH_STATES
    # Kafka's one published port (LAB_KAFKA_PORT) joins the lab's, on 127.0.0.1 only
    assert _published_on_loopback_only(compose_lab) == {"apache", "localstack", "opensearch", "dashboards", "kafka"}


def test_every_access_log_line_reaches_cloudwatch_kafka_and_the_s3_sink(compose_lab, cloudwatch_profile):
    """The 1,000 visits logged before the profile started (the agent reads from start_of_file)
    and LIVE_VISITS more while it runs, as multisets at each stage: none lost, none doubled.
    11 s after the traffic one marker request closes the sink's open object (rotate.interval.ms
    10 s, record time); the marker itself is not counted."""
    env, url = compose_lab["env"], compose_lab["settings"].localstack_url
    assert _make(env, "generate", f"COUNT={LIVE_VISITS}", timeout=300).returncode == 0
    time.sleep(11)
    requests.get(compose_lab["settings"].apache_url + MARKER, timeout=10)
    written = [line.decode().rstrip("\n") for line in acc.split_lines(_access_log(env))]
    written = [line for line in written if MARKER not in line]
    assert len(written) == VISITS + LIVE_VISITS

    def all_in_sink():
        missing, _ = ca.missing_and_extra(written, ca.sink_lines(url)[0])
        return not missing or None
    started = time.monotonic()
    wait_for(all_in_sink, 180, 1, "every access-log line in the S3 sink's objects")
    print(f"in the sink {time.monotonic() - started:.0f}s after the marker")

    topic = _topic(env)
    for stage, seen in (("CloudWatch Logs", ca.cloudwatch_messages(url)), ("Kafka", _kafka_values(env, topic)),
                        ("S3 sink", ca.sink_lines(url)[0])):
        missing, extra = ca.missing_and_extra(written, [line for line in seen if MARKER not in line])
        assert not missing, f"{stage}: {sum(missing.values())} lines lost, e.g. {next(iter(missing))}"
        assert not extra, f"{stage}: {sum(extra.values())} lines duplicated in a run without faults"
    names = ca.sink_lines(url)[1]
    folder = f"topics/{topic}/year={time.gmtime().tm_year}/"
    assert names and all(re.fullmatch(re.escape(f"{folder}{topic}+0+") + r"\d{10}\.json", n) for n in names), names
    assert f"{folder}{topic}+0+0000000000.json" in names


def test_make_status_shows_the_cloudwatch_labs_processes_topic_and_counts(compose_lab, cloudwatch_profile):
    """As a user reads it (one call: `make status` asks Kafka from inside the network, ~15 s).
    After the accounting test (no faults, no duplicates) every line and the marker went through
    the agent, the source and Kafka once; the sink wrote all but the marker, whose object is open."""
    run = _make(compose_lab["env"], "status", timeout=120)
    assert run.returncode == 0
    text = run.stdout[run.stdout.index("CloudWatch lab (make cloudwatch-lab):"):]

    def number(label: str, after: str) -> int:
        match = re.search(rf"^  {re.escape(label)}\s+{after}", text, re.MULTILINE)
        assert match, f"no {label!r} line in make status:\n{text}"
        return int(match.group(1))
    for name, state in CLOUDWATCH_STATES.items():
        assert re.search(rf"^  {re.escape(name)}\s+{state}$", text, re.MULTILINE), text
    assert re.search(r"^  kafka kafka:9092\s+up$", text, re.MULTILINE), text
    lines = VISITS + LIVE_VISITS
    assert number(f"topic {_topic(compose_lab['env'])}", r"(\d+) records in 1 partitions") == lines + 1
    assert number("awslogs-agent moved", r"(\d+) ") == lines + 1
    assert number("cloudwatch-source moved", r"(\d+) ") == lines + 1
    assert number("s3-sink moved", r"(\d+) ") == lines
    assert re.search(r"^  group \S+\s+lag \d+ \(committed: ", text, re.MULTILINE), text


def test_the_python_api_attaches_to_the_compose_lab_by_url(compose_lab):
    """A CI job whose lab runs beside it as services (clickstream_lab.Lab.attach with the three
    URLs): its traffic reaches the index, the accounting counts what it sent, and leaving it
    (`stop`) leaves the lab running."""
    from clickstream_lab import Lab
    from labctl import readiness, runtimes

    s = compose_lab["settings"]
    with es.project_env(compose_lab["env"]):   # the earlier tests' lines (their marker too) all in first
        owner = runtimes.ComposeRuntime(s)
        readiness.wait_accounted(lambda: readiness.accounting(s, owner), timeout=180)
    attached = Lab.attach(s.apache_url, s.localstack_url, s.opensearch_url)
    before = attached.accounting()
    assert before.written == 0 and before.indexed >= VISITS
    attached.generate(20, seed=21)
    done = attached.wait_accounted(before.accounted + 20, timeout=180)
    assert done.written == 20 and done.indexed == before.indexed + 20, done
    assert attached.wait_indexed(before.indexed + 20, timeout=30) == before.indexed + 20
    attached.stop()
    assert "localstack   up" in attached.status_text()


def test_make_down_stops_the_project(compose_lab):
    """Every container of the project, the CloudWatch profile's included, is gone."""
    env = compose_lab["env"]
    assert _make(env, "down", timeout=300).returncode == 0
    assert _containers(env) == {}
