"""Command line: ``python -m lab_dashboards --port N --opensearch-url URL [--bind ADDRESS]``.

Serves OpenSearch Dashboards' saved objects API on ``ADDRESS:N`` (127.0.0.1 unless told), with
the saved objects in the `.kibana` index of the OpenSearch at URL. SIGTERM or SIGINT stop it
(what it stored stays in OpenSearch). ``command()`` is the argv the lab's supervision runs.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from types import FrameType

from .server import make_server

log = logging.getLogger("lab_dashboards")

DEFAULT_BIND = "127.0.0.1"


def command(port: int, opensearch_url: str, bind: str = DEFAULT_BIND,
            python: str = sys.executable) -> list[str]:
    """The argv that starts this server (for supervisord's program block)."""
    return [python, "-m", "lab_dashboards", "--port", str(port), "--opensearch-url", opensearch_url,
            "--bind", bind]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m lab_dashboards", description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, required=True, help="port to listen on (Dashboards': 5601)")
    p.add_argument("--opensearch-url", required=True, help="OpenSearch URL, e.g. http://127.0.0.1:9200")
    p.add_argument("--bind", default=DEFAULT_BIND, help=f"address to listen on (default {DEFAULT_BIND})")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM/SIGINT; returns the exit code."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    try:
        server = make_server(args.bind, args.port, args.opensearch_url)
    except OSError as exc:
        log.error("cannot listen on %s:%d: %s", args.bind, args.port, exc)
        return 2

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("OpenSearch Dashboards API on http://%s:%d (saved objects in %s)", args.bind,
             server.server_address[1], args.opensearch_url)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
