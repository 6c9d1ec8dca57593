"""Visitors of the unicorn shop and the page views of their sessions.

A `VisitorModel` (one per random stream) creates `Session`s. Each session is a
walk through the shop that yields `Step`s (method, path, referer, user cookie):

- Humans keep one PHPSESSID for the whole session and send the cookies
  `user=<name or anonymous>; PHPSESSID=<id>`. They arrive from a search engine,
  social network or directly, then follow the funnel
  home -> category -> product -> cart -> checkout, dropping off at every stage.
  Anonymous visitors may sign in (becoming one of the shop's returning users)
  or sign up (a new Faker name); the `user` cookie changes from then on.
  The referer of a page is the page the visitor was on: the previous page of
  the session that answered 200. Now and then a visitor stumbles on a status
  URL (old bookmark, admin area, dead link, error, maintenance); a 301 is
  followed to its target like a browser does.
- Crawlers (Googlebot, Bingbot) read /robots.txt, then crawl shop pages with no
  cookies and no referer, from their own address ranges.
- A share of sessions come from returning visitors: same address, browser and
  name as before, a new session id.
- Human visitors come from a weighted mix of countries, at an address inside a real
  public range of their country (generator/country_ranges.py, from DB-IP's data), so
  the ETL's GeoIP places them where the generator meant.

Everything is drawn from the `random.Random` given to the model, so the same
seed gives the same sessions.
"""

from __future__ import annotations

import copy
import random
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate

from faker import Faker

from generator import country_ranges, shop
from generator.user_agents import BROWSERS, CRAWLERS, Crawler

# (method, path, referer or None, user cookie or None)
Step = tuple[str, str, "str | None", "str | None"]

ANONYMOUS = "anonymous"
RETURNING_USERS = 80            # the workshop had about 80 names
SIGNUP_NAMES = 400
CRAWLER_SHARE = 0.04            # of new sessions
RETURNING_VISITOR_SHARE = 0.3   # of new human sessions
SIGNED_IN_SHARE = 0.3           # of human visitors, signed in from their first page
IPV6_SHARE = 0.1
STATUS_DETOUR = 0.38            # chance, after a page, of also hitting a status URL
MAX_PAGES = 30


class Choice:
    """A weighted random choice that is cheap to draw (one random() and a bisect)."""

    def __init__(self, weighted: dict | tuple) -> None:
        items = list(weighted.items()) if isinstance(weighted, dict) else [
            (value, weight) for weight, value in weighted]
        self.values = [value for value, _ in items]
        self.cumulative = list(accumulate(weight for _, weight in items))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random):
        return self.values[bisect(self.cumulative, rng.random() * self.total)]


ENTRY_PAGES = Choice({shop.ROOT: 20, shop.HOME: 30, "category": 20, "product": 22,
                      shop.SIGNIN: 5, shop.SIGNUP: 3})
EXTERNAL_REFERERS = Choice({None: 40, "https://www.google.com/": 35, "https://www.bing.com/": 8,
                            "https://www.facebook.com/": 10, "https://www.instagram.com/": 4,
                            "https://duckduckgo.com/": 3})
STATUS_DETOURS = Choice(shop.STATUS_URL_WEIGHTS)
BROWSER_CHOICE = Choice(BROWSERS)
# What a visitor does next, by the kind of page they are on.
NEXT_ACTION = {
    "home": Choice({"category": 50, "product": 12, "signin": 7, "signup": 3, "cart": 3,
                    "exit": 25}),
    "category": Choice({"product": 55, "category": 12, "home": 8, "exit": 25}),
    "product": Choice({"add_to_cart": 25, "sibling": 18, "category": 12, "home": 5, "exit": 40}),
    "cart": Choice({"checkout": 45, "product": 15, "home": 5, "exit": 35}),
    "checkout": Choice({"pay": 60, "exit": 40}),
    "paid": Choice({"home": 30, "exit": 70}),
    "signin": Choice({"submit_signin": 80, "exit": 20}),
    "signup": Choice({"submit_signup": 70, "exit": 30}),
}
_KIND_OF_PATH = {shop.ROOT: "home", shop.HOME: "home", shop.CART: "cart",
                 shop.CHECKOUT: "checkout", shop.SIGNIN: "signin", shop.SIGNUP: "signup"}
_CATEGORY_PATHS = [shop.category_path(c) for c in shop.CATEGORIES]
_PRODUCT_PATHS = [shop.product_path(p) for p in shop.PRODUCTS]
# Product page -> the product pages of its category.
_SIBLINGS = {shop.product_path(p): [shop.product_path(q) for q in shop.CATEGORIES[c]]
             for p, c in shop.CATEGORY_OF.items()}
_CRAWLABLE = [shop.HOME, *_CATEGORY_PATHS, *_PRODUCT_PATHS, shop.SIGNIN, shop.SIGNUP]
_COUNTRIES = country_ranges.load()
COUNTRY_CHOICE = Choice({entry: entry.weight for entry in _COUNTRIES})


def kind_of(path: str) -> str:
    if path.startswith("/categories/"):
        return "category"
    if path.startswith("/products/"):
        return "product"
    return _KIND_OF_PATH[path]


_KINDS = {path: kind_of(path) for path in shop.SHOP_PAGES if path != shop.ROBOTS}


@dataclass
class Visitor:
    visitor_id: int
    client: str
    user_agent: str
    name: str | None = None     # signed-in user name; None while anonymous
    crawler: Crawler | None = None


@dataclass
class Session:
    visitor: Visitor
    session_id: str | None              # None for crawlers: they send no cookies
    steps: Iterator[Step] = field(repr=False)

    @property
    def is_bot(self) -> bool:
        return self.visitor.crawler is not None


class NamePool:
    """User names from a seeded Faker: the returning users, then names for sign-ups."""

    def __init__(self, seed: int) -> None:
        fake = Faker("en_US")
        fake.seed_instance(seed)
        names: list[str] = []
        seen: set[str] = set()
        while len(names) < RETURNING_USERS + SIGNUP_NAMES:
            name = fake.user_name()
            if name not in seen:
                seen.add(name)
                names.append(name)
        self.returning = names[:RETURNING_USERS]
        self._signups = names[RETURNING_USERS:]
        self._next_signup = 0
        self._stride = 1

    def shard(self, index: int, count: int) -> NamePool:
        """A pool sharing these names that hands out every `count`-th sign-up name,
        so that concurrent workers never give out the same new name."""
        shard = copy.copy(self)
        shard._next_signup, shard._stride = index, count
        return shard

    def new_user(self) -> str:
        name = self._signups[self._next_signup % len(self._signups)]
        laps = self._next_signup // len(self._signups)
        self._next_signup += self._stride
        return f"{name}{laps}" if laps else name


class VisitorModel:
    """Creates sessions of humans and crawlers from one random stream."""

    def __init__(self, rng: random.Random, site_url: str, names: NamePool) -> None:
        self.rng = rng
        self.site_url = site_url.rstrip("/")
        self.names = names
        self.visitors = 0
        self.sessions = 0
        self._returning: list[Visitor] = []
        self._page_urls = {path: self.site_url + path for path in (*shop.SHOP_PAGES,
                                                                   *shop.STATUS_URLS)}

    # --- visitors ------------------------------------------------------------
    def _new_visitor(self) -> Visitor:
        rng = self.rng
        self.visitors += 1
        if rng.random() < CRAWLER_SHARE:
            crawler = CRAWLERS[rng.randrange(len(CRAWLERS))]
            client = f"{rng.choice(crawler.networks)}.{rng.randrange(1, 255)}"
            return Visitor(self.visitors, client, crawler.user_agent, crawler=crawler)
        name = rng.choice(self.names.returning) if rng.random() < SIGNED_IN_SHARE else None
        return Visitor(self.visitors, self._public_address(), BROWSER_CHOICE.draw(rng), name)

    def _public_address(self) -> str:
        rng = self.rng
        country = COUNTRY_CHOICE.draw(rng)
        networks = country.ipv6 if rng.random() < IPV6_SHARE and country.ipv6 else country.ipv4
        return country_ranges.random_address(networks[int(rng.random() * len(networks))], rng)

    def new_session(self) -> Session:
        """A new session of a new or returning visitor."""
        rng = self.rng
        self.sessions += 1
        if self._returning and rng.random() < RETURNING_VISITOR_SHARE:
            visitor = rng.choice(self._returning)
        else:
            visitor = self._new_visitor()
            if visitor.crawler is None:
                if len(self._returning) < 1000:
                    self._returning.append(visitor)
                else:
                    self._returning[rng.randrange(1000)] = visitor
        if visitor.crawler is not None:
            return Session(visitor, None, self._crawl())
        return Session(visitor, f"{rng.getrandbits(128):032x}", self._browse(visitor))

    # --- walks -----------------------------------------------------------------
    def url(self, path: str) -> str:
        return self._page_urls[path]

    def _browse(self, visitor: Visitor) -> Iterator[Step]:
        # Hot path of file mode: locals instead of attribute look-ups, and
        # seq[int(random() * len(seq))] instead of the slower rng.choice(seq).
        rng = self.rng
        rand = rng.random
        urls = self._page_urls
        entry = ENTRY_PAGES.draw(rng)
        if entry == "category":
            page = _CATEGORY_PATHS[int(rand() * len(_CATEGORY_PATHS))]
        elif entry == "product":
            page = _PRODUCT_PATHS[int(rand() * len(_PRODUCT_PATHS))]
        elif entry in (shop.SIGNIN, shop.SIGNUP) and visitor.name is not None:
            page = shop.HOME      # already signed in: the shop's forms are for newcomers
        else:
            page = entry
        referer = EXTERNAL_REFERERS.draw(rng)
        method = "GET"
        for _ in range(MAX_PAGES):
            user = visitor.name or ANONYMOUS
            yield method, page, referer, user
            kind = "paid" if method == "POST" and page == shop.CHECKOUT else _KINDS[page]
            here = urls[page]
            if kind == "product" and rand() < 0.1:
                # The product page's script asks the cart API what it allows.
                yield "OPTIONS", shop.CART, here, user
            if rand() < STATUS_DETOUR:
                detour = STATUS_DETOURS.draw(rng)
                yield "GET", detour, here, user
                if detour in shop.REDIRECT_TARGET:
                    page, referer, method = shop.REDIRECT_TARGET[detour], here, "GET"
                    continue
            action = NEXT_ACTION[kind].draw(rng)
            referer, method = here, "GET"
            if action == "exit":
                return
            if action == "home":
                page = shop.HOME
            elif action == "category":
                page = _CATEGORY_PATHS[int(rand() * len(_CATEGORY_PATHS))]
            elif action == "product":
                page = _PRODUCT_PATHS[int(rand() * len(_PRODUCT_PATHS))]
            elif action == "sibling":
                siblings = _SIBLINGS[page]
                page = siblings[int(rand() * len(siblings))]
            elif action in ("add_to_cart", "cart"):
                page, method = shop.CART, ("POST" if action == "add_to_cart" else "GET")
            elif action == "checkout":
                page = shop.CHECKOUT
            elif action == "pay":
                page, method = shop.CHECKOUT, "POST"
            elif action in ("signin", "signup"):
                if visitor.name is None:
                    page = shop.SIGNIN if action == "signin" else shop.SIGNUP
                else:
                    page = _CATEGORY_PATHS[int(rand() * len(_CATEGORY_PATHS))]
            elif action in ("submit_signin", "submit_signup"):
                # The form is posted with the cookies the visitor had until now;
                # the shop answers with the home page and the new `user` cookie.
                yield "POST", page, here, user
                if action == "submit_signin":
                    visitor.name = rng.choice(self.names.returning)
                else:
                    visitor.name = self.names.new_user()
                page = shop.HOME

    def _crawl(self) -> Iterator[Step]:
        rng = self.rng
        yield "GET", shop.ROBOTS, None, None
        pages = rng.sample(_CRAWLABLE, rng.randint(4, len(_CRAWLABLE)))
        for page in pages:
            if rng.random() < 0.05:
                # A stale link from elsewhere on the web.
                stale = rng.choice(("/missing", "/old-home"))
                yield "GET", stale, None, None
                if stale in shop.REDIRECT_TARGET:
                    yield "GET", shop.REDIRECT_TARGET[stale], None, None
            yield "GET", page, None, None
