"""The unicorn shop's URL scheme, as the generator, Apache and the ETL share it.

Shop pages (all answer 200):
    / and /home                      home
    /categories/<category>           smallUnicorns, mediumUnicorns, bigUnicorns
    /products/<Product>              the workshop's ten unicorns
    /signin, /signup, /cart, /checkout
    /robots.txt                      read by crawlers

Status URLs, answered by Apache itself (services/apache/httpd-lab.conf):
    /old-home 301, /admin 401, /private 403, /missing 404, /error 500, /maintenance 503

`ResponseSizes` knows how many body bytes Apache sends for each URL (the size of
the file in services/apache/site), so that file mode writes the same `%b`.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

CATEGORIES: dict[str, tuple[str, ...]] = {
    "smallUnicorns": ("Porcubbuks", "Armawoo", "Leopowwi"),
    "mediumUnicorns": ("Serpaaslem", "Glorsibou", "Cuksing"),
    "bigUnicorns": ("Foxboon", "Blactile", "Meeqeos", "Claassoukse"),
}
PRODUCTS: tuple[str, ...] = tuple(p for products in CATEGORIES.values() for p in products)
CATEGORY_OF: dict[str, str] = {p: c for c, products in CATEGORIES.items() for p in products}

HOME = "/home"
ROOT = "/"
SIGNIN = "/signin"
SIGNUP = "/signup"
CART = "/cart"
CHECKOUT = "/checkout"
ROBOTS = "/robots.txt"


def category_path(category: str) -> str:
    return f"/categories/{category}"


def product_path(product: str) -> str:
    return f"/products/{product}"


SHOP_PAGES: tuple[str, ...] = (
    ROOT, HOME, SIGNIN, SIGNUP, CART, CHECKOUT, ROBOTS,
    *(category_path(c) for c in CATEGORIES),
    *(product_path(p) for p in PRODUCTS),
)

# Status URL -> the status Apache answers with.
STATUS_URLS: dict[str, int] = {
    "/old-home": 301,
    "/admin": 401,
    "/private": 403,
    "/missing": 404,
    "/error": 500,
    "/maintenance": 503,
}
REDIRECT_TARGET = {"/old-home": HOME}

# How often visitors hit each status URL, relative to each other: the workshop's
# generator drew 301 3, 403 3, 401 1, 500 1, 503 1 (it had no 404; we add one).
STATUS_URL_WEIGHTS: dict[str, int] = {
    "/old-home": 3, "/private": 3, "/admin": 1, "/missing": 1, "/error": 1, "/maintenance": 1,
}

# Error pages configured with ErrorDocument, served for these statuses.
ERROR_DOCUMENTS = {401: "/errors/401.html", 403: "/errors/403.html", 404: "/errors/404.html",
                   500: "/errors/500.html", 503: "/errors/503.html"}

DEFAULT_SITE_DIR = Path(__file__).resolve().parents[1] / "services" / "apache" / "site"

# Apache's built-in "Moved Permanently" page is this long plus the Location URL.
_REDIRECT_PAGE_BYTES = 248


def status_of(path: str) -> int:
    """The status Apache answers for `path` (200 for everything the shop has)."""
    return STATUS_URLS.get(path, 200)


@dataclass(frozen=True)
class ResponseSizes:
    """Body bytes (`%b`) Apache sends for each URL of the shop."""

    sizes: dict[str, int]
    site_url: str

    @classmethod
    def from_site(cls, site_dir: Path | None, site_url: str) -> ResponseSizes:
        """Sizes of the files in `site_dir`; workshop-like made-up sizes when it is absent."""
        site_dir = Path(site_dir) if site_dir else DEFAULT_SITE_DIR
        urls = list(SHOP_PAGES) + list(ERROR_DOCUMENTS.values())
        if (site_dir / "index.html").is_file():
            sizes = {url: _file_size(site_dir, url) for url in urls}
        else:
            log.warning("no shop site in %s: using made-up response sizes", site_dir)
            sizes = {url: _made_up_size(url) for url in urls}
        return cls(sizes=sizes, site_url=site_url.rstrip("/"))

    def bytes_for(self, method: str, path: str) -> int:
        """Bytes of the response body; 0 means none (Apache logs `-`)."""
        if method == "OPTIONS" and path not in STATUS_URLS:
            return 0
        status = status_of(path)
        if status == 301:
            return _REDIRECT_PAGE_BYTES + len(self.site_url + REDIRECT_TARGET[path])
        if status != 200:
            return self.sizes[ERROR_DOCUMENTS[status]]
        return self.sizes[path]


def _file_size(site_dir: Path, url: str) -> int:
    if url in (ROOT, "/home"):  # Apache serves /home from index.html too
        relative = "index.html"
    elif "." in url.rsplit("/", 1)[-1]:
        relative = url.lstrip("/")
    else:
        relative = url.lstrip("/") + ".html"
    return (site_dir / relative).stat().st_size


def _made_up_size(url: str) -> int:
    # The workshop drew bytes uniformly from 1,000-50,000; keep that, but stable per URL.
    return 1000 + int(hashlib.sha256(url.encode()).hexdigest(), 16) % 49_001
