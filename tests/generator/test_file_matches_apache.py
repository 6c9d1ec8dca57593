"""File mode writes byte for byte what Apache writes for the same request.

The same requests (method, path, cookies, referer, user agent) go to the real
Apache and through the file writer's reference rendering (format_line with the
status and size file mode uses). Only the timestamp is taken from Apache's
line; client (sent as X-Forwarded-For), status and bytes are file mode's own.
"""

from __future__ import annotations

import calendar
import http.client
import random
import time

import pytest

from generator import shop
from generator.log_format import LoggedRequest, format_line
from generator.url_mode import build_headers
from generator.visitors import NamePool, VisitorModel
from tests.apache.server import wait_for_lines

pytestmark = [pytest.mark.apache]

# Requests whose fields need Apache's escaping.
AWKWARD = [
    ("GET", "/home", 'http://evil.example/"quoted"\\path', 'Agent "with quotes" \\ and\ttab',
     "anonymous", "0123456789abcdef0123456789abcdef", "203.0.113.7"),
    ("GET", "/products/Foxboon", "http://www.unicornshop.com/caf\u00e9", "Navigateur \u00e9t\u00e9 \u2603",
     "zo\u00e9", "deadbeef", "2001:db8::7"),
    ("POST", "/signup", None, None, None, None, "198.51.100.1"),
]


def planned(apache_url: str, n: int) -> list[tuple]:
    model = VisitorModel(random.Random(99), apache_url, NamePool(99))
    steps = []
    while len(steps) < n:
        session = model.new_session()
        steps += [(m, p, r, session.visitor.user_agent, u, session.session_id, session.visitor.client)
                  for m, p, r, u in session.steps]
    return steps[:n]


def send(apache, connection, step) -> None:
    method, path, referer, agent, user, session_id, client = step
    headers = build_headers((method, path, referer, user), session_id, agent, client)
    # Non-ASCII header values go out as UTF-8 bytes, as browsers send them.
    headers = {k: v.encode("utf-8") for k, v in headers.items()}
    if session_id is None and user is not None:
        headers["Cookie"] = f"user={user}".encode()
    connection.request(method, path, body=b"" if method == "POST" else None, headers=headers)
    connection.getresponse().read()


def test_file_mode_lines_equal_apaches(apache):
    steps = AWKWARD + planned(apache.url, 400)
    sizes = shop.ResponseSizes.from_site(None, apache.url)
    before = len(wait_for_lines(apache.access_log, 0))
    connection = http.client.HTTPConnection(apache.listen, apache.port, timeout=10)
    compared = set()
    try:
        for n, step in enumerate(steps):
            send(apache, connection, step)
            # One request at a time, waiting for its line: the log keeps our order.
            apache_line = wait_for_lines(apache.access_log, before + n + 1)[before + n]
            method, path, referer, agent, user, session_id, client = step
            # Apache logs the X-Forwarded-For address (mod_remoteip), as file mode writes it.
            expected = format_line(LoggedRequest(
                client=client, time=_time_of(apache_line),
                method=method, path=path, status=shop.status_of(path),
                bytes=sizes.bytes_for(method, path), referer=referer, user_agent=agent,
                user=user, session_id=session_id))
            assert expected == apache_line
            compared.add(shop.status_of(path))
    finally:
        connection.close()
    assert compared == {200, 301, 401, 403, 404, 500, 503}


def _time_of(line: str) -> float:
    """The only field taken from Apache's line: when it handled the request."""
    stamp = line.split("[", 1)[1].split("]", 1)[0]
    assert stamp.endswith(" +0000")
    return calendar.timegm(time.strptime(stamp[:-6], "%d/%b/%Y:%H:%M:%S"))
