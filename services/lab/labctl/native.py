"""Native runtime: the lab's processes on this host, supervised by supervisord.

Processes: OpenSearch (the real one, assembled from Maven Central by labctl.opensearch_native,
its index on disk in the state dir), the Dashboards API (labctl.dashboards_native), native
LocalStack with the
lab's extension, a host Apache serving the unicorn shop, and the agent tailing
Apache's access log; and, not started by `up`, the programs a sibling lab adds when it
starts (`add_programs`: programs.d/<lab>.conf, e.g. labctl.labs.cloudwatch.native_side).
Everything (configs, logs, state) lives under the state directory (.lab/ by default);
`down` stops exactly the supervisord started here, which takes its process groups with it.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import xmlrpc.client
from pathlib import Path

import psutil

from labctl import agent_config as agent_json
from labctl import (
    agent_flow_start,
    dashboards_native,
    localstack_native,
    opensearch_native,
    provision_hook,
)
from labctl import settings as lab
from labctl.errors import LabStartError, LabTimeout
from labctl.settings import LabSettings
from labctl.supervisord_blocks import program_block
from labctl.waiting import wait_until

LOG = logging.getLogger(__name__)

PROGRAMS = ("opensearch", "dashboards", "localstack", "apache", "agent")
LOG_TAIL_LINES = 20


# A Unix socket's path has room for 107 bytes (sun_path); a state folder deep in a CI runner's
# temporary tree has more, so the socket then lives in /tmp under a name its folder's hash gives.
UNIX_SOCKET_PATH_MAX = 100


def _socket_path(root: Path) -> Path:
    path = root / "supervisor.sock"
    if len(os.fsencode(path)) <= UNIX_SOCKET_PATH_MAX:
        return path
    import hashlib

    return Path("/tmp") / f"clickstream-lab-{hashlib.sha256(os.fsencode(root)).hexdigest()[:16]}.sock"


def _paths(settings: LabSettings) -> dict[str, Path]:
    root = settings.state_dir
    return {
        "root": root,
        "conf": root / "supervisord.conf",
        "programs.d": root / "programs.d",
        "sock": _socket_path(root),
        "pid": root / "supervisord.pid",
        "logs": root / "logs",
        "localstack": root / "localstack",
        "apache": root / "apache",
        "agent": root / "agent",
        "opensearch": root / "opensearch",
    }


def opensearch_node(settings: LabSettings, home: Path | None = None) -> opensearch_native.NodeConfig:
    """The lab's OpenSearch node: its config, index and logs under <state dir>/opensearch."""
    return opensearch_native.NodeConfig(
        home=home or opensearch_native.install(), node_dir=_paths(settings)["opensearch"],
        http_port=settings.opensearch_port, transport_port=settings.opensearch_transport_port,
        host=settings.bind_address, heap=settings.opensearch_heap)


def agent_config(settings: LabSettings) -> dict:
    """The agent.json the native lab runs (labctl.agent_config), its flow starting where
    labctl.agent_flow_start recorded."""
    paths = _paths(settings)
    return agent_json.for_lab(settings, agent_dir=paths["agent"], log_dir=paths["apache"] / "logs",
                              initial_position=agent_flow_start.read(settings).initial_position)


def render_supervisord_conf(settings: LabSettings) -> str:
    """The whole supervisord configuration for the native lab."""
    from labctl import apache_host

    paths = _paths(settings)
    ls_cfg = localstack_native.NativeLocalStackConfig(
        venv=settings.localstack_venv, state_dir=paths["localstack"], port=settings.localstack_port,
        bind_address=settings.bind_address, opensearch_url=settings.opensearch_url,
    )
    apache_cfg = apache_host.ApacheHostConfig(
        port=settings.apache_port, state_dir=paths["apache"], listen=settings.bind_address,
        json_log=settings.access_log_format == "kinesis")
    apache_argv = apache_host.command(apache_cfg)
    # Only what differs from our own environment (supervisord passes that on).
    ls_env = {k: v for k, v in localstack_native.environment(ls_cfg).items() if os.environ.get(k) != v}
    blocks = [
        "[unix_http_server]", f"file={paths['sock']}", "chmod=0700", "",
        "[supervisord]", f"logfile={paths['logs'] / 'supervisord.log'}", f"pidfile={paths['pid']}",
        f"childlogdir={paths['logs']}", "nodaemon=false", "silent=true", "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface", "",
        "[supervisorctl]", f"serverurl=unix://{paths['sock']}", "",
        _opensearch_program(settings, paths["logs"]),
        dashboards_native.program(settings, paths["logs"]),
        program_block("localstack", localstack_native.command(ls_cfg), paths["localstack"], ls_env, True,
                      paths["logs"]),
        program_block("apache", apache_argv, paths["apache"], {}, True, paths["logs"]),
        program_block("agent", [sys.executable, "-m", "agent", "--config", str(paths["agent"] / "agent.json"),
                                "--stats-file", str(paths["agent"] / "stats.json")],
                      lab.REPO_ROOT, {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                                      "AWS_DEFAULT_REGION": lab.REGION}, False, paths["logs"]),
        # the sibling labs' programs, added when one starts (add_programs)
        "[include]", f"files={paths['programs.d'] / '*.conf'}", "",
    ]
    return "\n".join(blocks)


def _opensearch_program(settings: LabSettings, logs: Path) -> str:
    node = opensearch_node(settings)
    opensearch_native.write_node_config(node)
    # the JVM flushes its translog and closes its shards on SIGTERM: give it time to
    return program_block("opensearch", opensearch_native.command(node), node.node_dir,
                         opensearch_native.environment(node), True, logs, stop_wait_s=60)


def _supervisorctl(settings: LabSettings, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("supervisorctl")
    return subprocess.run([str(exe), "-c", str(_paths(settings)["conf"]), *args],
                          capture_output=True, text=True, check=check)


def supervisord_pid(settings: LabSettings) -> int | None:
    """The pid of the lab's supervisord, if it is running."""
    pid_file = _paths(settings)["pid"]
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


def log_tail(settings: LabSettings, program: str, lines: int = LOG_TAIL_LINES) -> str:
    path = _paths(settings)["logs"] / f"{program}.log"
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait(settings: LabSettings, program: str, what: str, check, timeout: float) -> None:
    """Wait until `check()` holds; fail at once, with the program's last log lines, when
    supervisord reports that the program died (EXITED, BACKOFF, FATAL)."""
    def ready() -> bool:
        if check():
            return True
        state = program_states(settings).get(program)
        if state in ("EXITED", "BACKOFF", "FATAL"):
            raise LabStartError(f"{what} could not start ({state}); last lines of "
                                f"{_paths(settings)['logs'] / (program + '.log')}:\n{log_tail(settings, program)}")
        return False

    try:
        wait_until(ready, timeout, what=f"{what} to be ready")
    except LabTimeout:
        raise LabStartError(f"{what} not ready after {timeout:.0f}s; last lines of its log:\n"
                            f"{log_tail(settings, program)}") from None
    LOG.info("%s is ready", what)


def reload_config(settings: LabSettings) -> None:
    """Render supervisord.conf again and have the running supervisord apply it."""
    _paths(settings)["conf"].write_text(render_supervisord_conf(settings))
    _supervisorctl(settings, "reread", check=False)
    _supervisorctl(settings, "update", check=False)


def add_programs(settings: LabSettings, lab_name: str, programs: list) -> None:
    """A sibling lab's programs (name, argv, cwd, env; autostart=false: the lab starts them,
    services/lab/README.md says why) in programs.d/<lab_name>.conf, applied to the running
    supervisord."""
    folder = _paths(settings)["programs.d"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{lab_name}.conf").write_text(render_programs(settings, programs))
    reload_config(settings)


def render_programs(settings: LabSettings, programs: list) -> str:
    """[program:...] blocks (autostart=false) for a sibling lab's programs."""
    return "\n".join(program_block(p.name, p.argv, p.cwd, p.env, False, _paths(settings)["logs"]) for p in programs)


def sibling_programs(settings: LabSettings) -> list[str]:
    """The sibling labs' programs added so far, in the order they were declared."""
    names = []
    for conf in sorted(_paths(settings)["programs.d"].glob("*.conf")):
        names += [line[len("[program:"):-1] for line in conf.read_text().splitlines()
                  if line.startswith("[program:")]
    return names


def stop_programs(settings: LabSettings, *programs: str) -> None:
    """Stop supervisord's `programs`, one after the other."""
    _supervisorctl(settings, "stop", *programs, check=False)


def start_program(settings: LabSettings, program: str, what: str, check, timeout: float) -> None:
    """Start one of supervisord's programs and wait until `check()` holds (see _wait)."""
    _supervisorctl(settings, "start", program, check=False)
    _wait(settings, program, what, check, timeout)


def ensure_installed(settings: LabSettings) -> None:
    """Install what the native runtime needs and is missing (first run only):
    the system packages (Apache), LocalStack's Python 3.13 venv and OpenSearch from Maven Central."""
    from labctl import apache_host

    try:
        apache_host.find_binary()
    except apache_host.ApacheError:
        LOG.info("installing system packages (Apache)")
        subprocess.run(["bash", str(lab.REPO_ROOT / "services/lab/install-system-packages.sh")], check=True)
    marker = settings.localstack_venv / ".installed"
    if not marker.exists():
        LOG.info("installing native LocalStack 4.14.0 into %s (about 3 minutes, once)", settings.localstack_venv)
        subprocess.run(["bash", str(lab.REPO_ROOT / "services/localstack/native/install.sh"),
                        str(settings.localstack_venv)], check=True)
        marker.touch()
    try:
        opensearch_native.install(fetch_if_missing=True)
    except opensearch_native.OpenSearchInstallError as error:
        raise LabStartError(str(error)) from error


def up(settings: LabSettings) -> None:
    """Start (or complete) the native lab and provision it; idempotent."""
    from labctl import provision

    ensure_installed(settings)
    paths = _paths(settings)
    for key in ("logs", "localstack", "apache", "agent"):
        paths[key].mkdir(parents=True, exist_ok=True)
    (paths["apache"] / "logs").mkdir(parents=True, exist_ok=True)
    agent_flow_start.begin(settings, lambda: access_log_lines(settings), checkpoint_file=paths["agent"] / "checkpoints.db")
    (paths["agent"] / "agent.json").write_text(json.dumps(agent_config(settings), indent=2) + "\n")
    from labctl import apache_host

    try:
        paths["conf"].write_text(render_supervisord_conf(settings))
    except apache_host.ApacheError as error:  # no Apache binary or modules: say so, as a start error
        raise LabStartError(str(error)) from error
    if settings.empty:
        provision_hook.remove(_paths(settings)["localstack"])
    else:
        provision_hook.write(settings, _paths(settings)["localstack"])
    if supervisord_pid(settings) is None:
        from labctl import preflight

        taken = preflight.ports_in_use(settings)
        if taken:
            raise LabStartError("\n".join(str(t) for t in taken))
        exe = Path(sys.executable).with_name("supervisord")
        subprocess.run([str(exe), "-c", str(paths["conf"])], check=True)
        LOG.info("supervisord started (config %s)", paths["conf"])
    else:
        _supervisorctl(settings, "reread", check=False)
        _supervisorctl(settings, "update", check=False)
        _supervisorctl(settings, "start", "opensearch", "dashboards", "localstack", "apache", check=False)
    _wait(settings, "opensearch", "OpenSearch", lambda: opensearch_native.ready(settings.opensearch_url), 300)
    _wait(settings, "dashboards", "Dashboards", lambda: dashboards_native.ready(settings), 60)
    _wait(settings, "localstack", "LocalStack", lambda: localstack_native.is_ready(settings.localstack_url), 180)
    apache_cfg = apache_host.ApacheHostConfig(port=settings.apache_port, state_dir=_paths(settings)["apache"],
                                              listen=settings.bind_address)
    # A TCP probe, not a request: a request would add a line to the access log.
    _wait(settings, "apache", "Apache", lambda: apache_host.is_ready(apache_cfg), 60)
    if settings.empty:
        LOG.info("an empty lab (LAB_PROVISION=none): nothing provisioned, the lab's agent not started")
        return
    _wait(settings, "localstack", "LocalStack's provisioning hook",
          lambda: provision_hook.state(settings) in ("SUCCESSFUL", "ERROR"), 300)
    if provision_hook.state(settings) == "ERROR":
        LOG.warning("the provisioning hook failed (see .lab/logs/localstack.log); provisioning again")
    # Idempotent: after the hook this only checks, and it applies changed settings
    # (e.g. LAB_BUFFER_INTERVAL) to a LocalStack that was already running.
    provision.provision(provision.ProvisionTarget.from_settings(settings))
    LOG.info("%d saved objects loaded into Dashboards", dashboards_native.load_saved_objects(settings))
    _supervisorctl(settings, "start", "agent", check=False)
    _wait(settings, "agent", "agent", lambda: program_states(settings).get("agent") == "RUNNING", 30)


def down(settings: LabSettings, timeout: float = 60.0) -> bool:
    """Stop the native lab's supervisord and every process it started. True if one ran."""
    pid = supervisord_pid(settings)
    if pid is None:
        return False
    proc = psutil.Process(pid)
    children = proc.children(recursive=True)
    # No new records first (the lab's Kinesis has written every record it acknowledged, issue 34)
    # (the sibling labs' programs too, last declared first, while LocalStack still answers)
    _supervisorctl(settings, "stop", "agent", *reversed(sibling_programs(settings)), check=False)
    _supervisorctl(settings, "shutdown", check=False)
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
        port=settings.apache_port, state_dir=_paths(settings)["apache"], listen=settings.bind_address))
    return True


def supervisor_rpc(settings: LabSettings):
    """supervisord's XML-RPC interface (over its private unix socket)."""
    from supervisor.xmlrpc import SupervisorTransport

    transport = SupervisorTransport(None, None, serverurl=f"unix://{_paths(settings)['sock']}")
    return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)


def program_states(settings: LabSettings) -> dict[str, str]:
    """supervisord's view: program name -> RUNNING / STOPPED / FATAL ..."""
    if supervisord_pid(settings) is None:
        return {}
    try:
        return {info["name"]: info["statename"] for info in supervisor_rpc(settings).supervisor.getAllProcessInfo()}
    except (OSError, xmlrpc.client.Error):
        return {}


def access_log_lines(settings: LabSettings) -> int:
    """Lines Apache wrote, over the access log and its rotations."""
    total = 0
    for path in sorted((_paths(settings)["apache"] / "logs").glob("access_log*")):
        with open(path, "rb") as f:
            total += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    return total


def log_files(settings: LabSettings) -> list[Path]:
    return sorted(_paths(settings)["logs"].glob("*.log"))


def follow_logs(settings: LabSettings) -> int:
    files = [str(path) for path in log_files(settings)]
    if not files:
        print("no logs yet: is the lab up?")
        return 1
    return subprocess.run(["tail", "-n", "50", "-F", *files], check=False).returncode


def access_log(settings: LabSettings) -> Path:
    return _paths(settings)["apache"] / "logs" / "access_log"


def append_to_access_log(settings: LabSettings, data: bytes) -> None:
    """Append whole lines to Apache's access log as Apache writes them: O_APPEND, every byte
    written, so a line never interleaves with Apache's own (the generator's file mode, the
    tests' traffic, a team's own lines through clickstream_lab)."""
    fd = os.open(access_log(settings), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def agent_stats_file(settings: LabSettings) -> Path:
    return _paths(settings)["agent"] / "stats.json"


def run_generator(settings: LabSettings, extra_args: list[str]) -> int:
    argv = [sys.executable, "-m", "generator", "--url", settings.apache_url, *extra_args]
    return subprocess.run(argv, check=False).returncode
