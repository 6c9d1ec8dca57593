"""Run the unicorn shop on a host Apache httpd (Debian `apache2`, macOS `httpd`).

The shop's configuration lives in services/apache/httpd-lab.conf and takes its
paths and port as variables. This module finds the Apache binary and its
modules, writes a small configuration of `Define`s that includes the shop's
file, and starts, stops and probes the server. The lab's supervisor uses
`command()` (Apache in the foreground); tests and benchmarks use `start()` and
`stop()` (Apache as a daemon).

State directory layout (everything the server writes):
    <state_dir>/httpd-lab.conf   the rendered configuration
    <state_dir>/logs/access_log  the workshop-format access log (unless log_dir is given)
    <state_dir>/logs/error_log
    <state_dir>/run/httpd.pid    pid file, scoreboard, mutexes
    <state_dir>/published-shop   where the shop's content is published (see below)

Apache started as root serves through worker processes of another account (nobody),
which cannot enter a checkout in a private directory (Debian's 0700 homes, `mktemp -d`):
every page would be a 403 while every request is still logged. So the files the workers
read at request time (the site and the password file) are published at each start to a
fresh world-readable directory under the system's temp directory (/tmp when TMPDIR is a
private one), and served from there.
"""

from __future__ import annotations

import grp
import logging
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

APACHE_SERVICE_DIR = Path(__file__).resolve().parents[2] / "apache"
SHOP_CONFIG = APACHE_SERVICE_DIR / "httpd-lab.conf"
SHOP_SITE = APACHE_SERVICE_DIR / "site"

# Where distributions keep the binary and the mod_*.so files, most likely first.
BINARY_CANDIDATES = ("apache2", "httpd", "/usr/sbin/apache2", "/usr/sbin/httpd",
                     "/opt/homebrew/bin/httpd", "/usr/local/bin/httpd")
MODULE_DIR_CANDIDATES = ("/usr/lib/apache2/modules", "/usr/lib64/httpd/modules",
                         "/usr/lib/httpd/modules", "/usr/libexec/apache2",
                         "/opt/homebrew/lib/httpd/modules", "/usr/local/lib/httpd/modules",
                         "/usr/local/apache2/modules")


class ApacheError(RuntimeError):
    """Apache could not be found, configured, started or stopped."""


@dataclass(frozen=True)
class ApacheHostConfig:
    """Everything that varies between two host Apaches serving the shop."""

    port: int
    state_dir: Path
    listen: str = "127.0.0.1"
    log_dir: Path | None = None          # default: <state_dir>/logs
    site_dir: Path = SHOP_SITE
    binary: str | None = None            # default: found on PATH or in /usr/sbin
    modules_dir: str | None = None       # default: found next to the binary
    # Apache writes %t in its local time zone; None keeps the caller's TZ.
    timezone: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    json_log: bool = False               # the sibling lab's JSON access log (LAB_ACCESS_LOG_FORMAT=kinesis)

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError(f"apache port: {self.port} is not a TCP port (1-65535)")
        if not Path(self.site_dir, "index.html").is_file():
            raise ValueError(f"apache site_dir: {self.site_dir} has no index.html")

    @property
    def logs(self) -> Path:
        return Path(self.log_dir) if self.log_dir else Path(self.state_dir) / "logs"

    @property
    def run_dir(self) -> Path:
        return Path(self.state_dir) / "run"

    @property
    def access_log(self) -> Path:
        return self.logs / "access_log"

    @property
    def error_log(self) -> Path:
        return self.logs / "error_log"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "httpd.pid"

    @property
    def config_file(self) -> Path:
        return Path(self.state_dir) / "httpd-lab.conf"

    @property
    def url(self) -> str:
        host = f"[{self.listen}]" if ":" in self.listen else self.listen
        return f"http://{host}:{self.port}"


def find_binary(preferred: str | None = None) -> str:
    """Path of the Apache httpd binary: `preferred`, $LAB_APACHE_BIN, or a usual place."""
    for candidate in (preferred, os.environ.get("LAB_APACHE_BIN"), *BINARY_CANDIDATES):
        if not candidate:
            continue
        found = shutil.which(candidate)
        if found:
            return found
    raise ApacheError("no Apache httpd found (apache2 or httpd); on Debian: apt-get install apache2")


def find_modules_dir(binary: str, preferred: str | None = None) -> str:
    """Directory holding mod_alias.so and friends for this binary."""
    candidates = [preferred, os.environ.get("LAB_APACHE_MODULES")]
    # Most builds know their own root: `httpd -V` prints -D HTTPD_ROOT="...".
    try:
        info = subprocess.run([binary, "-V"], check=False, capture_output=True, text=True, timeout=10).stdout
        for line in info.splitlines():
            if "HTTPD_ROOT=" in line:
                candidates.append(os.path.join(line.split('"')[1], "modules"))
    except (OSError, subprocess.SubprocessError, IndexError):
        pass
    candidates.extend(MODULE_DIR_CANDIDATES)
    for candidate in candidates:
        if candidate and Path(candidate, "mod_alias.so").is_file():
            return str(Path(candidate).resolve())
    raise ApacheError(f"no Apache modules directory (with mod_alias.so) found for {binary}; "
                      "set LAB_APACHE_MODULES")


def _run_as() -> tuple[str, str]:
    """Account for the worker processes: nobody when started as root, else ourselves."""
    if os.geteuid() == 0:
        account = pwd.getpwnam("nobody")
    else:
        account = pwd.getpwuid(os.geteuid())
    return account.pw_name, grp.getgrgid(account.pw_gid).gr_name


PUBLISHED_PREFIX = "clickstream-lab-shop-"


def _publish_base() -> Path:
    """Where published copies go: a directory every account can enter. The temp directory
    (TMPDIR) unless it is private (a CI runner's or macOS's per-user one), then /tmp."""
    base = Path(tempfile.gettempdir()).resolve()
    if all(os.stat(folder).st_mode & 0o001 for folder in [base, *base.parents]):
        return base
    return Path("/tmp")


def _published_record(cfg: ApacheHostConfig) -> Path:
    return Path(cfg.state_dir) / "published-shop"


def _published_dir(cfg: ApacheHostConfig) -> Path | None:
    """The directory an earlier start published to, if it is one this module made."""
    try:
        previous = Path(_published_record(cfg).read_text().strip())
    except OSError:
        return None
    made_here = previous.name.startswith(PUBLISHED_PREFIX) and previous.parent == _publish_base()
    return previous if made_here and previous.is_dir() and not previous.is_symlink() else None


def remove_published_content(cfg: ApacheHostConfig) -> None:
    """Remove the published copy (when the server stops)."""
    previous = _published_dir(cfg)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)
    _published_record(cfg).unlink(missing_ok=True)


def publish_content(cfg: ApacheHostConfig) -> tuple[Path, Path]:
    """Copy the site and the password file to a world-readable directory; returns (site dir,
    conf dir) to serve from. The directory is kept across restarts (a running server keeps
    serving from it) and refreshed in place; a new one comes from mkdtemp, whose name
    cannot be guessed, so a root Apache never follows a path another user prepared in /tmp.
    """
    root = _published_dir(cfg) or Path(tempfile.mkdtemp(prefix=PUBLISHED_PREFIX, dir=_publish_base()))
    shutil.copytree(cfg.site_dir, root / "site", dirs_exist_ok=True)
    shutil.copy2(SHOP_CONFIG.parent / "admin.htpasswd", root / "admin.htpasswd")
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    _published_record(cfg).write_text(f"{root}\n")
    return root / "site", root


def render_config(cfg: ApacheHostConfig) -> Path:
    """Write <state_dir>/httpd-lab.conf: the Defines, then the shop's configuration."""
    binary = find_binary(cfg.binary)
    user, group = _run_as()
    Path(cfg.state_dir).mkdir(parents=True, exist_ok=True)
    site, conf_dir = publish_content(cfg)
    defines = {
        "LAB_APACHE_LISTEN": cfg.listen,
        "LAB_APACHE_PORT": str(cfg.port),
        "LAB_APACHE_MODULES": find_modules_dir(binary, cfg.modules_dir),
        "LAB_APACHE_SITE": str(site),
        "LAB_APACHE_CONF_DIR": str(conf_dir),
        "LAB_APACHE_LOG_DIR": str(cfg.logs.resolve()),
        "LAB_APACHE_RUN_DIR": str(cfg.run_dir.resolve()),
        "LAB_APACHE_USER": user,
        "LAB_APACHE_GROUP": group,
    }
    for directory in (cfg.logs, cfg.run_dir):
        directory.mkdir(parents=True, exist_ok=True)
    lines = ["# Written by labctl.apache_host; edit services/apache/httpd-lab.conf instead."]
    lines += [f'Define {name} "{value}"' for name, value in defines.items()]
    if cfg.json_log:
        lines.append("Define LAB_ACCESS_LOG_JSON")
    lines.append(f'Include "{SHOP_CONFIG}"')
    cfg.config_file.write_text("\n".join(lines) + "\n")
    return cfg.config_file


def _env(cfg: ApacheHostConfig) -> dict[str, str]:
    env = dict(os.environ, **cfg.extra_env)
    if cfg.timezone:
        env["TZ"] = cfg.timezone
    return env


def command(cfg: ApacheHostConfig) -> list[str]:
    """Command line running Apache in the foreground (for a process supervisor)."""
    conf = render_config(cfg)
    return [find_binary(cfg.binary), "-f", str(conf), "-D", "FOREGROUND"]


def check_config(cfg: ApacheHostConfig) -> None:
    """Raise ApacheError with Apache's own message if the configuration is invalid."""
    conf = render_config(cfg)
    result = subprocess.run([find_binary(cfg.binary), "-f", str(conf), "-t"],
                            check=False, capture_output=True, text=True, env=_env(cfg), timeout=30)
    if result.returncode != 0:
        raise ApacheError(f"apache configuration test failed: {result.stderr.strip()}")


def read_pid(cfg: ApacheHostConfig) -> int | None:
    """Pid of the running parent process, or None."""
    try:
        pid = int(cfg.pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def is_ready(cfg: ApacheHostConfig, timeout: float = 1.0) -> bool:
    """True when the server accepts TCP connections (no request: nothing is logged)."""
    if read_pid(cfg) is None:
        return False
    try:
        with socket.create_connection((cfg.listen, cfg.port), timeout=timeout):
            return True
    except OSError:
        return False


def start(cfg: ApacheHostConfig, wait: float = 30.0) -> None:
    """Start Apache as a daemon and wait until it accepts connections."""
    if read_pid(cfg) is not None:
        raise ApacheError(f"apache already running for {cfg.state_dir} (pid file {cfg.pid_file})")
    conf = render_config(cfg)
    result = subprocess.run([find_binary(cfg.binary), "-f", str(conf), "-k", "start"],
                            check=False, capture_output=True, text=True, env=_env(cfg), timeout=60)
    if result.returncode != 0:
        raise ApacheError(f"apache did not start: {result.stderr.strip()}{_error_log_tail(cfg)}")
    deadline = time.monotonic() + wait
    while not is_ready(cfg):
        if time.monotonic() > deadline:
            raise ApacheError(f"apache not ready on {cfg.url} after {wait:.0f}s"
                              f"{_error_log_tail(cfg)}")
        time.sleep(0.05)
    log.info("apache started on %s (pid %s, log %s)", cfg.url, read_pid(cfg), cfg.access_log)


def stop(cfg: ApacheHostConfig, wait: float = 30.0) -> None:
    """Stop the Apache started for this state directory; no-op when it is not running."""
    pid = read_pid(cfg)
    if pid is None:
        return
    subprocess.run([find_binary(cfg.binary), "-f", str(cfg.config_file), "-k", "stop"],
                   check=False, capture_output=True, text=True, env=_env(cfg), timeout=60)
    deadline = time.monotonic() + wait
    while _alive(pid):
        if time.monotonic() > deadline:
            raise ApacheError(f"apache (pid {pid}) still running {wait:.0f}s after stop")
        time.sleep(0.05)
    remove_published_content(cfg)
    log.info("apache stopped (pid %s)", pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True


def _error_log_tail(cfg: ApacheHostConfig, lines: int = 5) -> str:
    try:
        tail = cfg.error_log.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return "\nerror_log:\n" + "\n".join(tail) if tail else ""
