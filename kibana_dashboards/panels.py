"""Every panel and dashboard of the lab, defined once.

``saved_objects.py`` turns these definitions into OpenSearch Dashboards
visualizations; ``aggregations.py`` turns the very same definitions into search
requests for the report, so the HTML report and Dashboards show the same numbers.

A panel is: metrics (count, unique count or sum), an optional x axis / row bucket
(terms, filters or a date histogram), an optional split into series, and an
optional Lucene query. Splits are nested outside the x axis, as Dashboards does
when the split agg comes first (top 5 requests overall, each over time). Each panel
reads one source (``sources.py``: ``apache*`` unless said otherwise); a dashboard's panels
share theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from .sources import APACHE, WEB_ACCESS_COUNTS, Source


@dataclass(frozen=True)
class Metric:
    """What each bucket measures: ``count`` of documents, ``cardinality`` or ``sum`` of a field."""

    agg: str = "count"
    field: str | None = None
    label: str = "Count"


@dataclass(frozen=True)
class Terms:
    """Top ``size`` values of a field, by document count."""

    field: str
    size: int = 5
    label: str = ""


@dataclass(frozen=True)
class Filters:
    """One bucket per (label, Lucene query), in the given order."""

    filters: tuple[tuple[str, str], ...]
    label: str = ""


@dataclass(frozen=True)
class DateHistogram:
    """Time buckets; the interval is picked from the time range ("auto"), or is at least
    ``interval`` (e.g. ``10s`` for rows of 10 s windows)."""

    field: str = "@timestamp"
    label: str = ""
    interval: str = "auto"


Bucket = Terms | Filters | DateHistogram

# Chart kinds; each maps to one Dashboards visualization type (see saved_objects.py).
CHARTS = ("pie", "histogram", "line", "bar", "horizontal_bar", "table", "metric")


@dataclass(frozen=True)
class Panel:
    """One visualization: a saved object in Dashboards and one chart in the report."""

    id: str
    title: str
    chart: str
    metrics: tuple[Metric, ...] = (Metric(),)
    x: Bucket | None = None
    split: Terms | Filters | None = None
    query: str = ""
    description: str = ""
    source: Source = APACHE

    def __post_init__(self) -> None:
        if self.chart not in CHARTS:
            raise ValueError(f"panel {self.id}: unknown chart {self.chart!r}")
        if any(m.agg not in ("count", "cardinality", "sum") for m in self.metrics):
            raise ValueError(f"panel {self.id}: metrics are count, cardinality or sum")


@dataclass(frozen=True)
class Placement:
    """A panel's place on the 48-column dashboard grid."""

    panel: Panel
    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Dashboard:
    """A dashboard: its panels and the time range/refresh it restores."""

    id: str
    title: str
    description: str
    placements: tuple[Placement, ...]
    time_from: str = "now-1h"
    time_to: str = "now"
    refresh_ms: int = 5000
    query: str = ""

    def __post_init__(self) -> None:
        if len({p.panel.source for p in self.placements}) != 1:
            raise ValueError(f"dashboard {self.id}: its panels read different sources")

    @property
    def panels(self) -> tuple[Panel, ...]:
        return tuple(p.panel for p in self.placements)

    @property
    def source(self) -> Source:
        return self.placements[0].panel.source


# --- the workshop's "Clickstream Dashboard" ----------------------------------
# Ids and titles are the workshop export's own, so importing the converted
# workshop file (convert-legacy) updates these objects instead of duplicating them.

PAGE_VIEWS = Panel(
    id="14a59ae0-e3c5-11e8-bf67-e7c46fbb018b",
    title="Apache - Page View Time Series",
    chart="histogram",
    x=DateHistogram(),
    split=Terms("request.keyword", size=5),
    description="Requests over time for the five most frequent request lines.",
)
RESPONSE_TYPES = Panel(
    id="ba793180-e3c4-11e8-bf67-e7c46fbb018b",
    title="Apache - Response Types",
    chart="pie",
    x=Terms("response", size=5),
    description="Share of the five most frequent HTTP status codes.",
)
REQUEST_TYPES = Panel(
    id="3d7f1040-e3c5-11e8-bf67-e7c46fbb018b",
    title="Apache - Request Types",
    chart="pie",
    x=Terms("verb.keyword", size=5),
    description="Share of HTTP methods (GET, POST, OPTIONS...).",
)
TOP_USER_AGENTS = Panel(
    id="8ba32ef0-e3c5-11e8-bf67-e7c46fbb018b",
    title="Apache - Top User Agents",
    chart="table",
    x=Terms("user-agent.keyword", size=20, label="Top 20 User Agents"),
    description="The 20 most frequent User-Agent headers.",
)
TOTAL_REQUESTS = Panel(
    id="d5d63d50-e3c5-11e8-bf67-e7c46fbb018b",
    title="Apache - Total Requests",
    chart="metric",
    metrics=(Metric(label="Total Requests"),),
    description="Number of requests in the time range.",
)

CLICKSTREAM = Dashboard(
    id="06d14d50-e3c6-11e8-bf67-e7c46fbb018b",
    title="Clickstream Dashboard",
    description="The workshop's dashboard: page views, response and request types, "
                "user agents, total requests.",
    placements=(
        Placement(PAGE_VIEWS, 0, 0, 48, 18),
        Placement(TOP_USER_AGENTS, 0, 18, 30, 14),
        Placement(TOTAL_REQUESTS, 30, 18, 18, 14),
        Placement(RESPONSE_TYPES, 0, 32, 24, 15),
        Placement(REQUEST_TYPES, 24, 32, 24, 15),
    ),
    time_from="now-1h",
    refresh_ms=5000,
)

# --- what a shop owner asks next: "Unicorn Shop Insights" --------------------

VISITORS = Panel(
    id="shop-visitors",
    title="Shop - Sessions and Unique Visitors",
    chart="metric",
    metrics=(
        Metric("cardinality", "session_id", "Sessions"),
        Metric("cardinality", "host.keyword", "Unique visitors"),
    ),
    description="Unique sessions (PHPSESSID) and unique clients (host as logged).",
)
VISITORS_OVER_TIME = Panel(
    id="shop-visitors-over-time",
    title="Shop - Visitors over Time",
    chart="line",
    metrics=(
        Metric("cardinality", "session_id", "Sessions"),
        Metric("cardinality", "host.keyword", "Unique visitors"),
    ),
    x=DateHistogram(),
    description="Unique sessions and unique clients per time bucket.",
)
FUNNEL = Panel(
    id="shop-funnel",
    title="Shop - Funnel (sessions by page)",
    chart="bar",
    metrics=(Metric("cardinality", "session_id", "Sessions"),),
    x=Filters((
        ("home", "page:home"),
        ("category", "page:category"),
        ("product", "page:product"),
        ("cart", "page:cart"),
        ("checkout", "page:checkout"),
    ), label="Funnel step"),
    description="Sessions that reached each step home -> category -> product -> cart -> "
                "checkout; the drop between bars is the drop-off.",
)
TOP_PAGES = Panel(
    id="shop-top-pages",
    title="Shop - Top Pages",
    chart="horizontal_bar",
    x=Terms("page", size=10, label="Page"),
    description="Requests per kind of page (home, category, product, cart, ...).",
)
TOP_PRODUCTS = Panel(
    id="shop-top-products",
    title="Shop - Top Products",
    chart="horizontal_bar",
    x=Terms("product", size=10, label="Product"),
    description="The ten most viewed products.",
)
TOP_CATEGORIES = Panel(
    id="shop-top-categories",
    title="Shop - Top Categories",
    chart="pie",
    x=Terms("category", size=10, label="Category"),
    description="Views per category.",
)
NAMED_USERS = Panel(
    id="shop-named-users",
    title="Shop - Top Named Users",
    chart="table",
    metrics=(Metric(label="Requests"), Metric("cardinality", "session_id", "Sessions")),
    x=Terms("username.keyword", size=20, label="User"),
    query="NOT username.keyword:anonymous",
    description="Signed-in users by number of requests (anonymous visitors left out).",
)
ERRORS_OVER_TIME = Panel(
    id="shop-errors-over-time",
    title="Shop - 4xx and 5xx over Time",
    chart="line",
    x=DateHistogram(),
    split=Filters((
        ("4xx", "response:[400 TO 499]"),
        ("5xx", "response:[500 TO 599]"),
    )),
    description="Client errors (4xx) and server errors (5xx) per time bucket.",
)
BOTS = Panel(
    id="shop-crawlers-vs-people",
    title="Shop - Crawlers vs People",
    chart="pie",
    x=Filters((("people", "is_bot:false"), ("crawlers", "is_bot:true"))),
    description="Requests from crawlers (Googlebot, Bingbot, ...) against requests from people.",
)
TOP_CLIENTS = Panel(
    id="shop-top-clients",
    title="Shop - Top Client Addresses",
    chart="table",
    metrics=(Metric(label="Requests"),),
    x=Terms("client_ip", size=10, label="Client IP"),
    description="The busiest client IP addresses (clients logged by host name are left out).",
)

# GeoIP (the ETL's `geo` object). Bars and tables, not a tile map: a map needs tiles
# from the internet, and the lab runs offline. DB-IP's licence (CC BY 4.0) asks for
# attribution wherever its results are shown.
GEOIP_ATTRIBUTION = ("IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0, "
                     "unless LAB_GEOIP_DATABASE names another database.")
VISITORS_BY_COUNTRY = Panel(
    id="shop-visitors-by-country",
    title="Shop - Visitors by Country",
    chart="horizontal_bar",
    metrics=(Metric("cardinality", "client_ip", "Unique visitors"),),
    x=Terms("geo.country_name", size=15, label="Country"),
    description="Unique client addresses per country (private and unknown addresses have no "
                "country). " + GEOIP_ATTRIBUTION,
)
TOP_CITIES = Panel(
    id="shop-top-cities",
    title="Shop - Top Cities",
    chart="table",
    metrics=(Metric(label="Requests"), Metric("cardinality", "client_ip", "Unique visitors")),
    x=Terms("geo.city_name", size=20, label="City"),
    description="The 20 cities with the most requests. " + GEOIP_ATTRIBUTION,
)

SHOP_INSIGHTS = Dashboard(
    id="unicorn-shop-insights",
    title="Unicorn Shop Insights",
    description="What a shop owner asks next: pages, products, users, errors, sessions, "
                "the funnel, crawlers and where visitors come from (" + GEOIP_ATTRIBUTION + ")",
    placements=(
        Placement(VISITORS, 0, 0, 16, 10),
        Placement(FUNNEL, 16, 0, 32, 14),
        Placement(VISITORS_OVER_TIME, 0, 10, 16, 14),
        Placement(ERRORS_OVER_TIME, 16, 14, 32, 14),
        Placement(TOP_PAGES, 0, 24, 16, 14),
        Placement(TOP_PRODUCTS, 16, 28, 16, 14),
        Placement(TOP_CATEGORIES, 32, 28, 16, 14),
        Placement(BOTS, 0, 38, 16, 14),
        Placement(NAMED_USERS, 16, 42, 16, 16),
        Placement(TOP_CLIENTS, 32, 42, 16, 16),
        Placement(VISITORS_BY_COUNTRY, 0, 58, 24, 18),
        Placement(TOP_CITIES, 24, 58, 24, 18),
    ),
    time_from="now-24h",
    refresh_ms=30000,
)

# --- the sibling lab's streaming SQL: the Kinesis Analytics application's rows ---------
# One row per client and 10 s window (index web-access-counts). Its own dashboard: the rows
# are counts, not requests, so they are summed, and they live in another index.

REQUESTS_PER_CLIENT = Panel(
    id="streaming-sql-requests-per-client",
    title="Streaming SQL - Requests per Client per 10 s",
    chart="histogram",
    metrics=(Metric("sum", "REQUEST_COUNT", "Requests"),),
    x=DateHistogram("WINDOW_END", interval="10s"),
    split=Terms("CLIENT_IP", size=10),
    source=WEB_ACCESS_COUNTS,
    description="REQUEST_COUNT of the Kinesis Analytics application web-access-log-counts per "
                "10 s tumbling window (WINDOW_END), for the ten busiest clients.",
)
TOP_STREAMING_CLIENTS = Panel(
    id="streaming-sql-top-clients",
    title="Streaming SQL - Busiest Clients",
    chart="table",
    metrics=(Metric("sum", "REQUEST_COUNT", "Requests"), Metric(label="Windows")),
    x=Terms("CLIENT_IP", size=20, label="Client IP"),
    source=WEB_ACCESS_COUNTS,
    description="Requests counted by the application per client, and in how many 10 s windows "
                "the client was seen.",
)

STREAMING_SQL = Dashboard(
    id="streaming-sql",
    title="Streaming SQL: requests per client per 10 s",
    description="The sibling lab's Kinesis Analytics application (requests per client IP in "
                "10-second tumbling windows), from index web-access-counts.",
    placements=(
        Placement(REQUESTS_PER_CLIENT, 0, 0, 48, 18),
        Placement(TOP_STREAMING_CLIENTS, 0, 18, 24, 16),
    ),
    time_from="now-15m",
    refresh_ms=10000,
)

DASHBOARDS: tuple[Dashboard, ...] = (CLICKSTREAM, SHOP_INSIGHTS, STREAMING_SQL)


def all_panels() -> list[Panel]:
    """Every panel of every dashboard, once each, in dashboard order."""
    seen: dict[str, Panel] = {}
    for dashboard in DASHBOARDS:
        for panel in dashboard.panels:
            seen.setdefault(panel.id, panel)
    return list(seen.values())
