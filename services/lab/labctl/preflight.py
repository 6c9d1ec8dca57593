"""Checks before the native lab starts: every port it will listen on must be free.

A port already taken used to show up as a 60-second time-out ("Apache not ready after
60s"), or as a LocalStack that hung on start. `make up` now names the port, the service
that wanted it and, where the system tells, the program holding it.
"""
from __future__ import annotations

import errno
import socket
from collections import deque
from dataclasses import dataclass

import psutil

from labctl.settings import LabSettings


@dataclass(frozen=True)
class PortInUse:
    service: str
    address: str
    port: int
    holder: str | None      # "nginx (pid 812)", or None when the system does not say

    def __str__(self) -> str:
        held = f", held by {self.holder}" if self.holder else ""
        return (f"port {self.port} ({self.service}) on {self.address} is already in use{held}; "
                f"stop that program or choose another port (see services/lab/README.md, Settings)")


def lab_ports(settings: LabSettings) -> dict[str, int]:
    """The ports the native lab listens on, by service."""
    return {"Apache (LAB_APACHE_PORT)": settings.apache_port,
            "LocalStack (LAB_LOCALSTACK_PORT)": settings.localstack_port,
            "OpenSearch (LAB_OPENSEARCH_PORT)": settings.opensearch_port,
            "Dashboards (LAB_DASHBOARDS_PORT)": settings.dashboards_port,
            # a range (the default) is OpenSearch's to search; a single port must be free
            **({"OpenSearch transport (LAB_OPENSEARCH_TRANSPORT_PORT)": int(settings.opensearch_transport_port)}
               if settings.opensearch_transport_port.isdigit() else {})}


_RECENT_PORTS_KEPT = 4096
_handed_out: deque[int] = deque(maxlen=_RECENT_PORTS_KEPT)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the OS picks it), never one of the last ports this
    process was given: the OS may pick a port again as soon as its probe socket closes, and two
    services of one lab given the same port collide (seen: LAB_KAFKA_PORT == LAB_DASHBOARDS_PORT)."""
    for _ in range(100):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in _handed_out:
            _handed_out.append(port)
            return port
    raise OSError("no free port on 127.0.0.1 that was not handed out already (100 tries)")


def port_is_free(address: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def port_holder(port: int) -> str | None:
    """The program listening on `port`, as "name (pid N)", if the system tells us."""
    try:
        connections = psutil.net_connections(kind="tcp")
    except (psutil.AccessDenied, OSError):
        return None
    for conn in connections:
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
            try:
                return f"{psutil.Process(conn.pid).name()} (pid {conn.pid})"
            except psutil.Error:
                return f"pid {conn.pid}"
    return None


def ports_in_use(settings: LabSettings) -> list[PortInUse]:
    return [PortInUse(service, settings.bind_address, port, port_holder(port))
            for service, port in lab_ports(settings).items() if not port_is_free(settings.bind_address, port)]
