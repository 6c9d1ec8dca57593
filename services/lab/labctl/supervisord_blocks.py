"""supervisord's configuration text for one program: a `[program:name]` block with the lab's
rules (its process group stopped and killed together, its output to <logs>/<name>.log, restarted
only on an unexpected exit)."""
from __future__ import annotations

import shlex
from pathlib import Path


def _env_line(env: dict[str, str]) -> str:
    # supervisord's environment= syntax: KEY="value",... with % escaped.
    def quote(v: str) -> str:
        return '"' + v.replace("%", "%%").replace('"', '\\"') + '"'
    return ",".join(f"{k}={quote(v)}" for k, v in env.items())


def program_block(name: str, argv: list[str], cwd: Path, env: dict[str, str], autostart: bool,
                  logs: Path, stop_wait_s: int = 20) -> str:
    """One program's block; `stop_wait_s` is how long a SIGTERM may take before SIGKILL."""
    return "\n".join([
        f"[program:{name}]",
        "command=" + " ".join(shlex.quote(a) for a in argv).replace("%", "%%"),
        f"directory={cwd}",
        f"autostart={'true' if autostart else 'false'}",
        "autorestart=unexpected",
        "startsecs=1",
        "stopasgroup=true",
        "killasgroup=true",
        f"stopwaitsecs={stop_wait_s}",
        "redirect_stderr=true",
        f"stdout_logfile={logs / (name + '.log')}",
        "stdout_logfile_maxbytes=20MB",
        "stdout_logfile_backups=2",
        f"environment={_env_line(env)}" if env else "",
        "",
    ])
