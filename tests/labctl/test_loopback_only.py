"""Every port the native lab opens listens on LAB_BIND_ADDRESS (127.0.0.1 by default) and
nowhere else: LocalStack's gateway, kinesis-mock behind its Kinesis, the Lambda runtimes
of the host executor, Apache and the OpenSearch-API server. Probed from each of this
machine's non-loopback addresses; with LAB_BIND_ADDRESS=0.0.0.0 (opt-in) they answer."""
from __future__ import annotations

import ipaddress
import socket
import time

import boto3
import psutil
import pytest
from labctl import native, settings

from tests.conftest import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.apache, pytest.mark.localstack, pytest.mark.opensearch]


def non_loopback_addresses() -> list[str]:
    found = []
    for addrs in psutil.net_if_addrs().values():
        for a in addrs:
            if a.family not in (socket.AF_INET, socket.AF_INET6):
                continue
            ip = ipaddress.ip_address(a.address.split("%")[0])
            if not (ip.is_loopback or ip.is_link_local):
                found.append(str(ip))
    return found


def lab_listening_ports(s: settings.LabSettings) -> dict[int, str]:
    """port -> process name, for every TCP socket a process of the lab listens on."""
    root = psutil.Process(native.supervisord_pid(s))
    ports = {}
    for proc in [root, *root.children(recursive=True)]:
        try:
            for conn in proc.net_connections(kind="tcp"):
                if conn.status == psutil.CONN_LISTEN:
                    ports[conn.laddr.port] = f"{proc.name()} (pid {proc.pid})"
        except psutil.Error:
            continue
    return ports


def answers(address: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        return sock.connect_ex((address, port)) == 0


def start_lab(tmp_path, bind_address: str) -> settings.LabSettings:
    s = settings.load({"LAB_STATE_DIR": str(tmp_path / "lab"), "LAB_APACHE_PORT": str(free_port()),
                       "LAB_LOCALSTACK_PORT": str(free_port()), "LAB_OPENSEARCH_PORT": str(free_port()),
                       "LAB_DASHBOARDS_PORT": str(free_port()), "LAB_BUFFER_INTERVAL": "1",
                       "LAB_BIND_ADDRESS": bind_address})
    native.up(s)
    # Make every kind of helper process exist: a Firehose delivery invokes the ETL Lambda
    # (a host runtime process); provisioning created Kinesis streams (kinesis-mock).
    firehose = boto3.client("firehose", endpoint_url=f"http://127.0.0.1:{s.localstack_port}",
                            region_name="us-east-1")
    firehose.put_record(DeliveryStreamName=settings.DELIVERY_STREAM, Record={
        "Data": b'1.2.3.4 - - [03/Nov/2018:04:29:26 +0000] "GET /home HTTP/1.1" 200 1 "-" "x"\n'})
    time.sleep(5)
    return s


@pytest.mark.parametrize("bind_address", ["127.0.0.1", "0.0.0.0"])
def test_lab_ports_answer_only_on_the_bind_address(tmp_path, bind_address):
    addresses = non_loopback_addresses()
    assert addresses, "this machine has no non-loopback address to probe from"
    s = start_lab(tmp_path, bind_address)
    try:
        ports = lab_listening_ports(s)
        expected = {s.apache_port, s.localstack_port, s.opensearch_port}
        assert expected <= set(ports), f"the lab's main ports listen: {ports}"
        assert len(ports) > len(expected), f"helpers (kinesis-mock, Lambda runtime) listen too: {ports}"
        exposed = {f"{addr}:{port} ({name})" for port, name in ports.items() for addr in addresses
                   if answers(addr, port)}
        if bind_address == "127.0.0.1":
            assert not exposed, f"answered beyond loopback: {sorted(exposed)}"
        else:
            ipv4 = [a for a in addresses if ":" not in a]
            assert {f"{a}:{p}" for a in ipv4 for p in expected} <= {e.split(" ")[0] for e in exposed}
    finally:
        native.down(s)
