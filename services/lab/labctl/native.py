"""Native runtime: the lab's processes on this host, supervised by supervisord.

Processes: the OpenSearch-API server (osmem-server), native LocalStack with the
lab's extension, a host Apache serving the unicorn shop, and the agent tailing
Apache's access log. Everything (configs, logs, state) lives under the state
directory (.lab/ by default); `down` stops exactly the supervisord started
here, which takes its process groups with it.
"""
from __future__ import annotations

import json
import logging
import os
import shlex
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

import psutil
import requests

from labctl import index_rebuild, localstack_native
from labctl import settings as lab
from labctl.settings import LabSettings

LOG = logging.getLogger(__name__)

PROGRAMS = ("opensearch", "localstack", "apache", "agent")
LOG_TAIL_LINES = 20
KINESIS_STATE_WRITE_S = 1.5   # 1.5 x KINESIS_MOCK_PERSIST_INTERVAL (localstack_native.py: 1s)


class LabStartError(RuntimeError):
    """A service of the native lab could not start; the message says which and why."""


def _paths(s: LabSettings) -> dict[str, Path]:
    root = s.state_dir
    return {
        "root": root,
        "conf": root / "supervisord.conf",
        "sock": root / "supervisor.sock",
        "pid": root / "supervisord.pid",
        "logs": root / "logs",
        "localstack": root / "localstack",
        "apache": root / "apache",
        "agent": root / "agent",
    }


def agent_config(s: LabSettings) -> dict:
    """The workshop's agent.json, pointed at the lab's LocalStack and log path."""
    p = _paths(s)
    return {
        "cloudwatch.emitMetrics": True,
        "firehose.endpoint": s.localstack_url,
        "kinesis.endpoint": s.localstack_url,
        "checkpointFile": str(p["agent"] / "checkpoints.db"),
        "log.statusReportingPeriodSeconds": 10,
        "flows": [{
            "filePattern": str(p["apache"] / "logs" / "access_log*"),
            # the sibling lab ships the JSON log to the Kinesis stream, as its agent.json does
            **({"kinesisStream": lab.KINESIS_STREAM} if s.access_log_format == "kinesis"
               else {"deliveryStream": lab.DELIVERY_STREAM}),
            "partitionKeyOption": "RANDOM",
            "initialPosition": "START_OF_FILE",
            "maxBufferAgeMillis": 1000,
        }],
    }


def write_provision_hook(s: LabSettings) -> Path:
    """LocalStack's ready.d hook: provision at every LocalStack start.

    Community LocalStack keeps S3 buckets and Lambda functions in memory, so a
    LocalStack restart (a crash, or the fault tests) would leave the lab's
    Firehose delivering to a bucket that no longer exists. The hook runs the
    same provisioning program as `make up` each time LocalStack is ready.
    """
    hook = _paths(s)["localstack"] / "fs" / "etc" / "localstack" / "init" / "ready.d" / "10-provision.sh"
    hook.parent.mkdir(parents=True, exist_ok=True)
    env = {
        "LAB_STATE_DIR": str(s.state_dir), "LAB_BUFFER_INTERVAL": str(s.buffer_interval),
        "LAB_BUFFER_SIZE_MB": str(s.buffer_size_mb), "LAB_RETRY_DURATION": str(s.retry_duration),
        "PYTHONPATH": "",
        "LAB_GEOIP_DATABASE": "off" if not s.geoip_enabled else str(s.geoip_database or ""),
    }
    argv = [sys.executable, "-m", "labctl", "provision", "--localstack-url", s.localstack_url,
            "--opensearch-url", s.opensearch_url, "--lambda-zip", str(s.lambda_zip)]
    hook.write_text("#!/bin/sh\n# Written by labctl (native.py): re-provision the lab at every LocalStack start.\n"
                    f"cd {shlex.quote(str(lab.REPO_ROOT))} || exit 1\n"
                    + "exec env " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()) + " "
                    + " ".join(shlex.quote(a) for a in argv) + "\n")
    hook.chmod(0o755)
    return hook


def provision_hook_state(s: LabSettings) -> str | None:
    """The ready.d hook's state as LocalStack reports it (SUCCESSFUL, ERROR, RUNNING...)."""
    try:
        data = requests.get(f"{s.localstack_url}/_localstack/init/ready", timeout=3).json()
    except (requests.RequestException, ValueError):
        return None
    for script in data.get("scripts", []):
        if script.get("name", "").endswith("10-provision.sh"):
            return script.get("state")
    return None


def _env_line(env: dict[str, str]) -> str:
    # supervisord's environment= syntax: KEY="value",... with % escaped.
    def quote(v: str) -> str:
        return '"' + v.replace("%", "%%").replace('"', '\\"') + '"'
    return ",".join(f"{k}={quote(v)}" for k, v in env.items())


def _program(name: str, argv: list[str], cwd: Path, env: dict[str, str], autostart: bool,
             logs: Path) -> str:
    return "\n".join([
        f"[program:{name}]",
        "command=" + " ".join(shlex.quote(a) for a in argv).replace("%", "%%"),
        f"directory={cwd}",
        f"autostart={'true' if autostart else 'false'}",
        "autorestart=unexpected",
        "startsecs=1",
        "stopasgroup=true",
        "killasgroup=true",
        "stopwaitsecs=20",
        "redirect_stderr=true",
        f"stdout_logfile={logs / (name + '.log')}",
        "stdout_logfile_maxbytes=20MB",
        "stdout_logfile_backups=2",
        f"environment={_env_line(env)}" if env else "",
        "",
    ])


def render_supervisord_conf(s: LabSettings) -> str:
    """The whole supervisord configuration for the native lab."""
    from osmem_server import resolve_binary

    from labctl import apache_host

    p = _paths(s)
    ls_cfg = localstack_native.NativeLocalStackConfig(
        venv=s.localstack_venv, state_dir=p["localstack"], port=s.localstack_port,
        bind_address=s.bind_address,
    )
    apache_cfg = apache_host.ApacheHostConfig(
        port=s.apache_port, state_dir=p["apache"], listen=s.bind_address,
        json_log=s.access_log_format == "kinesis")
    apache_argv = apache_host.command(apache_cfg)
    # Only what differs from our own environment (supervisord passes that on).
    ls_env = {k: v for k, v in localstack_native.environment(ls_cfg).items() if os.environ.get(k) != v}
    blocks = [
        "[unix_http_server]", f"file={p['sock']}", "chmod=0700", "",
        "[supervisord]", f"logfile={p['logs'] / 'supervisord.log'}", f"pidfile={p['pid']}",
        f"childlogdir={p['logs']}", "nodaemon=false", "silent=true", "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface", "",
        "[supervisorctl]", f"serverurl=unix://{p['sock']}", "",
        _program("opensearch", [resolve_binary(), "-addr", f"{s.bind_address}:{s.opensearch_port}",
                                "-no-stdin-watch", "-no-ja"], p["root"], {}, True, p["logs"]),
        _program("localstack", localstack_native.command(ls_cfg), p["localstack"], ls_env, True, p["logs"]),
        _program("apache", apache_argv, p["apache"], {}, True, p["logs"]),
        _program("agent", [sys.executable, "-m", "agent", "--config", str(p["agent"] / "agent.json"),
                           "--stats-file", str(p["agent"] / "stats.json")],
                 lab.REPO_ROOT, {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                                 "AWS_DEFAULT_REGION": lab.REGION}, False, p["logs"]),
        index_rebuild.supervisor_program(_rebuild_target(s), p["logs"]),
    ]
    return "\n".join(blocks)


def _rebuild_target(s: LabSettings) -> index_rebuild.Target:
    return index_rebuild.Target(s.state_dir, s.localstack_url, s.opensearch_url)


def _supervisorctl(s: LabSettings, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("supervisorctl")
    return subprocess.run([str(exe), "-c", str(_paths(s)["conf"]), *args],
                          capture_output=True, text=True, check=check)


def supervisord_pid(s: LabSettings) -> int | None:
    """The pid of the lab's supervisord, if it is running."""
    pid_file = _paths(s)["pid"]
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        proc = psutil.Process(pid)
        if "supervisord" in " ".join(proc.cmdline()):
            return pid
    except psutil.Error:
        pass
    return None


def log_tail(s: LabSettings, program: str, lines: int = LOG_TAIL_LINES) -> str:
    path = _paths(s)["logs"] / f"{program}.log"
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait(s: LabSettings, program: str, what: str, check, timeout: float) -> None:
    """Wait until `check()` holds; fail at once, with the program's last log lines, when
    supervisord reports that the program died (EXITED, BACKOFF, FATAL)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            LOG.info("%s is ready", what)
            return
        state = program_states(s).get(program)
        if state in ("EXITED", "BACKOFF", "FATAL"):
            raise LabStartError(f"{what} could not start ({state}); last lines of "
                                f"{_paths(s)['logs'] / (program + '.log')}:\n{log_tail(s, program)}")
        time.sleep(0.5)
    raise LabStartError(f"{what} not ready after {timeout:.0f}s; last lines of its log:\n"
                        f"{log_tail(s, program)}")


def _http_ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.RequestException:
        return False


def ensure_installed(s: LabSettings) -> None:
    """Install what the native runtime needs and is missing (first run only):
    the system packages (Apache) and LocalStack's Python 3.13 venv."""
    from labctl import apache_host

    try:
        apache_host.find_binary()
    except apache_host.ApacheError:
        LOG.info("installing system packages (Apache)")
        subprocess.run(["bash", str(lab.REPO_ROOT / "services/lab/install-system-packages.sh")], check=True)
    marker = s.localstack_venv / ".installed"
    if not marker.exists():
        LOG.info("installing native LocalStack 4.14.0 into %s (about 3 minutes, once)", s.localstack_venv)
        subprocess.run(["bash", str(lab.REPO_ROOT / "services/localstack/native/install.sh"),
                        str(s.localstack_venv)], check=True)
        marker.touch()


def up(s: LabSettings) -> None:
    """Start (or complete) the native lab and provision it; idempotent."""
    from labctl import geoip, provision

    ensure_installed(s)
    p = _paths(s)
    for key in ("logs", "localstack", "apache", "agent"):
        p[key].mkdir(parents=True, exist_ok=True)
    (p["agent"] / "agent.json").write_text(json.dumps(agent_config(s), indent=2) + "\n")
    p["conf"].write_text(render_supervisord_conf(s))
    write_provision_hook(s)
    if supervisord_pid(s) is None:
        from labctl import preflight

        taken = preflight.ports_in_use(s)
        if taken:
            raise LabStartError("\n".join(str(t) for t in taken))
        exe = Path(sys.executable).with_name("supervisord")
        subprocess.run([str(exe), "-c", str(p["conf"])], check=True)
        LOG.info("supervisord started (config %s)", p["conf"])
    else:
        _supervisorctl(s, "reread", check=False)
        _supervisorctl(s, "update", check=False)
        _supervisorctl(s, "start", "opensearch", "localstack", "apache", check=False)
    _wait(s, "opensearch", "OpenSearch-API server", lambda: _http_ok(s.opensearch_url), 60)
    _wait(s, "localstack", "LocalStack", lambda: localstack_native.is_ready(s.localstack_url), 180)
    from labctl import apache_host

    apache_cfg = apache_host.ApacheHostConfig(port=s.apache_port, state_dir=_paths(s)["apache"],
                                              listen=s.bind_address)
    # A TCP probe, not a request: a request would add a line to the access log.
    _wait(s, "apache", "Apache", lambda: apache_host.is_ready(apache_cfg), 60)
    _wait(s, "localstack", "LocalStack's provisioning hook",
          lambda: provision_hook_state(s) in ("SUCCESSFUL", "ERROR"), 300)
    if provision_hook_state(s) == "ERROR":
        LOG.warning("the provisioning hook failed (see .lab/logs/localstack.log); provisioning again")
    # Idempotent: after the hook this only checks, and it applies changed settings
    # (e.g. LAB_BUFFER_INTERVAL) to a LocalStack that was already running.
    provision.provision(provision.ProvisionTarget(
        localstack_url=s.localstack_url, opensearch_url=s.opensearch_url,
        lambda_zip=s.lambda_zip, buffer_interval=s.buffer_interval, buffer_size_mb=s.buffer_size_mb,
        retry_duration=s.retry_duration, geoip_files=geoip.provision_files(s),
    ))
    # osmem-server keeps no index on disk: a new server process gets it back from S3 (issue 21)
    if index_rebuild.start_if_needed(s.state_dir, supervisor_rpc(s)):
        LOG.info("rebuilding the index from the S3 backup (make status shows the progress)")
    _supervisorctl(s, "start", "agent", check=False)
    _wait(s, "agent", "agent", lambda: program_states(s).get("agent") == "RUNNING", 30)


def down(s: LabSettings, timeout: float = 60.0) -> bool:
    """Stop the native lab's supervisord and every process it started. True if one ran."""
    pid = supervisord_pid(s)
    if pid is None:
        return False
    proc = psutil.Process(pid)
    children = proc.children(recursive=True)
    # No new records, then one more write of kinesis-mock's state (it rewrites it every
    # second and writes nothing when stopped): what was put is kept (issue 21)
    _supervisorctl(s, "stop", "agent", check=False)
    time.sleep(KINESIS_STATE_WRITE_S)
    _supervisorctl(s, "shutdown", check=False)
    try:
        proc.wait(timeout=timeout)
    except psutil.TimeoutExpired:
        proc.kill()
    # Anything that escaped its process group (e.g. a Lambda runtime) goes too.
    _gone, alive = psutil.wait_procs(children, timeout=10)
    for child in alive:
        child.kill()
    from labctl import apache_host

    apache_host.remove_published_content(apache_host.ApacheHostConfig(
        port=s.apache_port, state_dir=_paths(s)["apache"], listen=s.bind_address))
    return True


def supervisor_rpc(s: LabSettings):
    """supervisord's XML-RPC interface (over its private unix socket)."""
    from supervisor.xmlrpc import SupervisorTransport

    transport = SupervisorTransport(None, None, serverurl=f"unix://{_paths(s)['sock']}")
    return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)


def program_states(s: LabSettings) -> dict[str, str]:
    """supervisord's view: program name -> RUNNING / STOPPED / FATAL ..."""
    if supervisord_pid(s) is None:
        return {}
    try:
        return {info["name"]: info["statename"] for info in supervisor_rpc(s).supervisor.getAllProcessInfo()}
    except (OSError, xmlrpc.client.Error):
        return {}


def access_log_lines(s: LabSettings) -> int:
    """Lines Apache wrote, over the access log and its rotations."""
    total = 0
    for path in sorted((_paths(s)["apache"] / "logs").glob("access_log*")):
        with open(path, "rb") as f:
            total += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    return total


def log_files(s: LabSettings) -> list[Path]:
    return sorted(_paths(s)["logs"].glob("*.log"))


def follow_logs(s: LabSettings) -> int:
    files = [str(p) for p in log_files(s)]
    if not files:
        print("no logs yet: is the lab up?")
        return 1
    return subprocess.run(["tail", "-n", "50", "-F", *files], check=False).returncode


def agent_stats_file(s: LabSettings) -> Path:
    return _paths(s)["agent"] / "stats.json"


def run_generator(s: LabSettings, extra_args: list[str]) -> int:
    argv = [sys.executable, "-m", "generator", "--url", s.apache_url, *extra_args]
    return subprocess.run(argv, check=False).returncode
