"""The TCP sockets a process tree listens on, as (address, port), read through psutil.

An IPv6 socket bound to an IPv4-mapped address (`::ffff:127.0.0.1`, as the JVM binds) counts as
its IPv4 address. Processes that exit while they are read are skipped, never an error.
"""
from __future__ import annotations

import ipaddress

import psutil


def _address(ip: str) -> str:
    parsed = ipaddress.ip_address(ip.split("%")[0])
    mapped = getattr(parsed, "ipv4_mapped", None)
    return str(mapped or parsed)


def listening_sockets(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every listening TCP socket of `pid` and its descendants, now."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return set()
    found = set()
    for proc in procs:
        try:
            found |= {(_address(c.laddr.ip), c.laddr.port) for c in proc.net_connections("tcp")
                      if c.status == psutil.CONN_LISTEN}
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found
