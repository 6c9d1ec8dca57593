"""Who sent a request: the client's IP address (if `%h` is one) and whether it is a bot.
"""

import ipaddress
import re

# Crawlers, monitoring and load-balancer health checks. Generic HTTP libraries (curl,
# python-requests) are not listed: the lab's own traffic generator may use them.
_BOT_USER_AGENT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|mediapartners-google"
    r"|feedfetcher|healthcheck|pingdom|bingpreview|yandex|baiduspider|headlesschrome",
    re.IGNORECASE,
)


def client_ip(host: str) -> str | None:
    """`host` if it is an IP address (IPv4 or IPv6, as logged), else None (a host name)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    return host


def is_bot(user_agent: str | None) -> bool:
    """True if the user agent is a crawler, spider, monitor or load-balancer health check."""
    if user_agent is None:
        return False
    return _BOT_USER_AGENT.search(user_agent) is not None

