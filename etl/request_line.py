"""The request line ("%r") -> verb, path, HTTP version and shop page.

`GET /products/Armawoo?x=1 HTTP/1.1` gives verb "GET", path "/products/Armawoo",
http_version "1.1". A request without a protocol (HTTP/0.9: `GET /index.html`) has
http_version None. Anything that is not `METHOD TARGET [HTTP/x.y]` (e.g. "-", or the
escaped binary junk of a TLS handshake sent to a plain-HTTP port) gives verb, path and
version None and page "other".
"""

import re
from typing import NamedTuple
from urllib.parse import urlsplit

from etl.shop_pages import classify_path

# METHOD is an RFC 9110 token; TARGET has no spaces (Apache rejects those requests but
# still logs them; they then count as not derivable).
_REQUEST = re.compile(r"([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+?)(?: HTTP/(\d+(?:\.\d+)?))?")


class RequestInfo(NamedTuple):
    verb: str | None
    path: str | None
    http_version: str | None
    page: str
    category: str | None
    product: str | None


_NOT_DERIVABLE = RequestInfo(None, None, None, "other", None, None)


def _path_of(target: str) -> str:
    if "://" in target:  # absolute form, as sent to proxies
        return urlsplit(target).path or "/"
    return target.split("?", 1)[0].split("#", 1)[0]


def analyse_request(request: str) -> RequestInfo:
    """Verb, path, HTTP version and shop page of a request line as logged."""
    match = _REQUEST.fullmatch(request)
    if match is None:
        return _NOT_DERIVABLE
    verb, target, version = match.groups()
    path = _path_of(target)
    return RequestInfo(verb, path, version, *classify_path(path))

