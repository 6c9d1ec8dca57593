"""URL mode: real HTTP requests to the shop, so Apache writes the access log itself.

Worker threads each keep one keep-alive connection (http.client, reconnecting
when Apache closes it, as it does after a 500 or 503) and play one visitor
session after another, sending the session's cookies, referer and user agent.
Several workers make several visitors browse at the same time. Worker i draws
from its own random stream (seed, i), so the same seed and worker count send
the same requests; only their interleaving in the log varies.

Each request carries the visitor's public address in X-Forwarded-For, as the
workshop's load balancer did; the shop's Apache config (mod_remoteip) logs it
as the client (%h), so both modes show realistic clients.
"""

from __future__ import annotations

import http.client
import logging
import random
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from generator.stats import TrafficStats
from generator.visitors import NamePool, Step, VisitorModel

log = logging.getLogger(__name__)

# Bodies of the shop's forms; Apache serves the page and ignores them.
_FORM_BODIES = {
    "/cart": b"product=unicorn&quantity=1",
    "/checkout": b"name=Visitor&address=Rainbow+Road+1&card=4111111111111111",
    "/signin": b"user=visitor&password=secret",
    "/signup": b"user=visitor&email=visitor%40example.com&password=secret",
}


@dataclass(frozen=True)
class UrlModeOptions:
    url: str                      # the shop, e.g. http://127.0.0.1:8080
    count: int | None
    duration: float | None
    rate: float                   # requests per second over all workers; 0: as fast as possible
    seed: int
    site_url: str
    workers: int = 16
    timeout: float = 10.0


def check_reachable(url: str, timeout: float = 5.0) -> None:
    """Raise ConnectionError with a clear message if nothing listens at `url`."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout):
            pass
    except OSError as error:
        raise ConnectionError(f"--url {url}: cannot connect ({error})") from error


class _Worker(threading.Thread):
    def __init__(self, index: int, options: UrlModeOptions, names: NamePool, quota: int | None,
                 stop: threading.Event, deadline: float | None) -> None:
        super().__init__(name=f"visitor-{index}", daemon=True)
        self.options = options
        self.quota = quota
        self.stop = stop
        self.deadline = deadline
        self.model = VisitorModel(random.Random(f"{options.seed}/worker{index}"),
                                  options.site_url, names.shard(index, options.workers))
        self.stats = TrafficStats()
        self.finished = 0.0
        parts = urlsplit(options.url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.connection = http.client.HTTPConnection(self.host, self.port,
                                                     timeout=options.timeout)
        # Each worker's share of the overall rate.
        self.interval = options.workers / options.rate if options.rate else 0.0

    def run(self) -> None:
        started = time.monotonic()
        try:
            while not self._done():
                session = self.model.new_session()
                for step in session.steps:
                    if self._done():
                        break
                    if self.interval:
                        wait = started + self.stats.requests * self.interval - time.monotonic()
                        if wait > 0:
                            time.sleep(wait)
                    self._send(step, session.session_id, session.visitor.user_agent, session.visitor.client)
        finally:
            self.finished = time.monotonic()
            self.connection.close()
            self.stats.visitors = self.model.visitors
            self.stats.sessions = self.model.sessions

    def _done(self) -> bool:
        if self.stop.is_set():
            return True
        if self.quota is not None and self.stats.requests >= self.quota:
            return True
        return self.deadline is not None and time.monotonic() >= self.deadline

    def _send(self, step: Step, session_id: str | None, user_agent: str, client: str) -> None:
        method, path = step[0], step[1]
        headers = build_headers(step, session_id, user_agent, client)
        body = _FORM_BODIES.get(path) if method == "POST" else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            try:
                response = self._exchange(method, path, body, headers)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # Apache closed the idle keep-alive connection just as we reused
                # it: send again on a fresh one, as browsers do.
                self.connection.close()
                response = self._exchange(method, path, body, headers)
        except (OSError, http.client.HTTPException) as error:
            self.stats.errors += 1
            self.connection.close()
            log.debug("%s %s failed: %s", method, path, error)
            time.sleep(0.1)
            return
        self.stats.requests += 1
        self.stats.by_status[response.status] += 1

    def _exchange(self, method: str, path: str, body: bytes | None,
                  headers: dict[str, str]) -> http.client.HTTPResponse:
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        response.read()
        return response


def build_headers(step: Step, session_id: str | None, user_agent: str | None,
                  client: str | None = None) -> dict[str, str]:
    """The request headers a visitor's browser sends for `step`, plus the
    X-Forwarded-For a load balancer adds (Apache logs it as the client)."""
    _, _, referer, user = step
    headers = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    if client is not None:
        headers["X-Forwarded-For"] = client
    if user_agent is not None:
        headers["User-Agent"] = user_agent
    if referer is not None:
        headers["Referer"] = referer
    if session_id is not None:
        headers["Cookie"] = f"user={user}; PHPSESSID={session_id}"
    return headers


def run(options: UrlModeOptions, progress=None) -> TrafficStats:
    """Send the traffic; returns what was sent and what Apache answered."""
    check_reachable(options.url)
    names = NamePool(options.seed)
    stop = threading.Event()
    started = time.monotonic()
    deadline = started + options.duration if options.duration else None
    workers = []
    for index in range(options.workers):
        quota = None
        if options.count is not None:
            quota = options.count // options.workers + (index < options.count % options.workers)
        workers.append(_Worker(index, options, names, quota, stop, deadline))
    for worker in workers:
        worker.start()
    reported = 0
    try:
        while any(worker.is_alive() for worker in workers):
            time.sleep(0.2)
            if progress is not None:
                done = sum(worker.stats.requests for worker in workers)
                progress.update(done - reported)
                reported = done
    except KeyboardInterrupt:
        log.warning("interrupted: stopping the visitors")
        stop.set()
        for worker in workers:
            worker.join()
    stats = TrafficStats()
    for worker in workers:
        stats.merge(worker.stats)
    stats.elapsed = max(worker.finished for worker in workers) - started
    if progress is not None:
        progress.update(stats.requests - reported)
    log.debug("url mode: %s", stats.summary("requests"))
    return stats
