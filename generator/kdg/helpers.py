"""The faker.js helpers KDG templates call (`random.number`, `internet.ip`, `date.now`, ...)
on Python's Faker, with one seedable random source per generator, and how faker.js's
`fake()` turns a helper's value into text (JavaScript's String()).

faker.js semantics kept: random.number(max) is an integer in [0, max] (default max 99999);
random.number({min, max, precision}) a multiple of precision in [min, max];
random.weightedArrayElement({weights, data}) as KDG adds it; date.now(format) is
moment().format(format) in local time, with no format ISO 8601 with offset
(`2014-09-08T08:02:17-05:00`, KDG's help page); date.utc the same in UTC; date.past,
future, recent and soon are Dates, so they print as JavaScript's Date.toString()."""

from __future__ import annotations

import functools
import random
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from faker import Faker

from generator.kdg.moment import format_moment, js_date_string

FAKERJS_EN = Path(__file__).parent / "fakerjs_en"   # faker.js's English name lists (its README)


@dataclass
class HelperContext:
    fake: Faker
    rng: random.Random
    now: Callable[[], datetime]


def make_context(seed: int | None = None) -> HelperContext:
    """A Faker and a random source; the same seed gives the same records (date.now aside)."""
    fake = Faker("en_US")
    fake.seed_instance(seed if seed is not None else random.SystemRandom().randrange(2**63))
    return HelperContext(fake, fake.random, lambda: datetime.now().astimezone())


def js_string(value: Any) -> str:
    """faker.js's fake() appends values with JavaScript's String()."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, (list, tuple)):
        return ",".join("" if v is None else js_string(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, datetime):
        return js_date_string(value)
    if value is None:
        return "undefined"
    return str(value)


def _number_option(options: dict, key: str, default: float) -> float:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key!r} must be a number, got {value!r}")  # noqa: TRY004 - the template's fault
    return value


def random_number(c: HelperContext, options: Any = None) -> int | float:
    if options is None:
        options = {}
    elif isinstance(options, (int, float)) and not isinstance(options, bool):
        options = {"max": options}
    elif not isinstance(options, dict):
        raise ValueError(f"expected a maximum or {{\"min\", \"max\", \"precision\"}}, got {options!r}")
    unknown = set(options) - {"min", "max", "precision"}
    if unknown:
        raise ValueError(f"unknown option(s) {sorted(unknown)}; expected min, max, precision")
    low, high = _number_option(options, "min", 0), _number_option(options, "max", 99999)
    precision = _number_option(options, "precision", 1)
    if high < low or precision <= 0:
        raise ValueError(f"need min <= max and precision > 0, got {options!r}")
    steps = int((high - low) / precision + 1e-9)
    value = low + c.rng.randint(0, steps) * precision
    if precision >= 1 and float(low).is_integer() and float(precision).is_integer():
        return int(value)
    return round(value, max(0, len(repr(float(precision)).split(".")[1])))


def array_element(c: HelperContext, items: Any = None) -> Any:
    items = ["a", "b", "c"] if items is None else items
    if not isinstance(items, list) or not items:
        raise ValueError(f"expected a non-empty [array], got {items!r}")
    return items[c.rng.randrange(len(items))]


def weighted_array_element(c: HelperContext, spec: Any) -> Any:
    if not isinstance(spec, dict) or set(spec) != {"weights", "data"}:
        raise ValueError('expected {"weights": [...], "data": [...]}')
    weights, data = spec["weights"], spec["data"]
    if not isinstance(weights, list) or not isinstance(data, list) or len(weights) != len(data) \
            or not data:
        raise ValueError("weights and data must be arrays of the same, non-zero length")
    if any(isinstance(w, bool) or not isinstance(w, (int, float)) or w < 0 for w in weights) \
            or sum(weights) <= 0:
        raise ValueError(f"weights must be non-negative numbers, not all 0, got {weights!r}")
    return c.rng.choices(data, weights=weights)[0]


def _count(value: Any, default: int, what: str = "count") -> int:
    value = default if value is None else value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what} must be a non-negative integer, got {value!r}")
    return value


def _moment(c: HelperContext, when: datetime, fmt: Any) -> str:
    if fmt is not None and not isinstance(fmt, str):
        raise ValueError(f"expected a moment.js format \"string\", got {fmt!r}")
    return format_moment(when, fmt)


def _offset_date(c: HelperContext, seconds: float) -> datetime:
    return c.now() + timedelta(seconds=seconds)


def _replace_symbols(c: HelperContext, text: str = "") -> str:
    if not isinstance(text, str):
        raise ValueError("expected a \"string\" with # (digit), ? (letter) and * (either)")  # noqa: TRY004
    pick = {"#": string.digits, "?": string.ascii_uppercase,
            "*": string.digits + string.ascii_uppercase}
    return "".join(c.rng.choice(pick[ch]) if ch in pick else ch for ch in text)


def _price(c: HelperContext, low: float = 1, high: float = 1000, decimals: int = 2,
           symbol: str = "") -> str:
    return f"{symbol}{c.rng.uniform(low, high):.{_count(decimals, 2, 'decimals')}f}"


def _coordinate(c: HelperContext, limit: float) -> str:
    return f"{c.rng.uniform(-limit, limit):.4f}"


@functools.cache
def fakerjs_names(kind: str) -> tuple[str, ...]:
    """faker.js's English list `kind` (first_name, last_name, prefix, suffix), fakerjs_en/."""
    return tuple((FAKERJS_EN / f"{kind}.txt").read_text(encoding="utf-8").splitlines())


def _find_name(c: HelperContext, first: Any = None, last: Any = None, gender: Any = None) -> str:
    """faker.js's name.findName: one time in nine a prefix, one in nine a suffix."""
    r = c.rng.randint(0, 8)
    if not isinstance(gender, (int, float)) or isinstance(gender, bool):
        gender = c.rng.randint(0, 1)     # drawn as faker.js draws it, unused by the en lists
    first = first or c.rng.choice(fakerjs_names("first_name"))
    last = last or c.rng.choice(fakerjs_names("last_name"))
    if r == 0:
        return f"{c.rng.choice(fakerjs_names('prefix'))} {first} {last}"
    if r == 1:
        return f"{first} {last} {c.rng.choice(fakerjs_names('suffix'))}"
    return f"{first} {last}"


_ADJECTIVES = ["Small", "Ergonomic", "Rustic", "Intelligent", "Gorgeous", "Incredible", "Fantastic",
               "Practical", "Sleek", "Awesome", "Generic", "Handcrafted", "Handmade", "Licensed",
               "Refined", "Unbranded", "Tasty"]
_MATERIALS = ["Steel", "Wooden", "Concrete", "Plastic", "Cotton", "Granite", "Rubber", "Metal",
              "Soft", "Fresh", "Frozen"]
_PRODUCTS = ["Chair", "Car", "Computer", "Keyboard", "Mouse", "Bike", "Ball", "Gloves", "Pants",
             "Shirt", "Table", "Shoes", "Hat", "Towels", "Soap", "Tuna", "Chicken", "Fish",
             "Cheese", "Bacon", "Pizza", "Salad", "Sausages", "Chips"]
_DEPARTMENTS = ["Books", "Movies", "Music", "Games", "Electronics", "Computers", "Home", "Garden",
                "Tools", "Grocery", "Health", "Beauty", "Toys", "Kids", "Baby", "Clothing",
                "Shoes", "Jewelery", "Sports", "Outdoors", "Automotive", "Industrial"]


def _pick(items: list[str]) -> Callable[[HelperContext], str]:
    return lambda c: c.rng.choice(items)


def _object_element(c: HelperContext, obj: Any, field: str) -> Any:
    obj = obj or {"foo": "bar"}
    if not isinstance(obj, dict):
        raise ValueError(f"expected an {{object}}, got {obj!r}")  # noqa: TRY004
    key = c.rng.choice(sorted(obj))
    return key if field == "key" else obj[key]


def _uuid(c: HelperContext) -> str:
    return str(uuid.UUID(int=c.rng.getrandbits(128), version=4))


HELPERS: dict[str, Callable[..., Any]] = {
    "random.number": random_number,
    "random.float": lambda c, o=None: random_number(c, {"precision": 0.01, **(o if isinstance(o, dict) else {"max": o if o is not None else 99999})}),
    "random.arrayElement": array_element,
    "random.arrayElements": lambda c, items=None, n=None: c.rng.sample(
        items or ["a", "b", "c"], _count(n, c.rng.randint(1, len(items or "abc")))),
    "random.weightedArrayElement": weighted_array_element,
    "random.objectElement": lambda c, obj=None, field="value": _object_element(c, obj, field),
    "random.uuid": _uuid,
    "random.boolean": lambda c: c.rng.random() < 0.5,
    "random.word": lambda c: c.fake.word(),
    "random.words": lambda c, n=None: " ".join(c.fake.words(_count(n, c.rng.randint(1, 3)))),
    "random.alphaNumeric": lambda c, n=1: "".join(
        c.rng.choice(string.ascii_lowercase + string.digits) for _ in range(_count(n, 1))),
    "random.locale": lambda c: c.rng.choice(["en", "de", "fr", "es", "it", "ja", "nl", "pt_BR"]),
    # faker.js: four octets, each random.number(255): the whole IPv4 range, private and reserved too
    "internet.ip": lambda c: ".".join(str(c.rng.randint(0, 255)) for _ in range(4)),
    "internet.ipv6": lambda c: c.fake.ipv6(),
    "internet.userName": lambda c, first=None, last=None: c.fake.user_name(),
    "internet.email": lambda c, first=None, last=None, provider=None: c.fake.email(),
    "internet.exampleEmail": lambda c: c.fake.ascii_safe_email(),
    "internet.url": lambda c: c.fake.url().rstrip("/"),
    "internet.domainName": lambda c: c.fake.domain_name(),
    "internet.protocol": lambda c: c.rng.choice(["http", "https"]),
    "internet.userAgent": lambda c: c.fake.user_agent(),
    "internet.mac": lambda c: c.fake.mac_address(),
    "internet.password": lambda c, n=15: c.fake.password(length=_count(n, 15), special_chars=False),
    "internet.color": lambda c: c.fake.hex_color(),
    "name.firstName": lambda c, gender=None: c.rng.choice(fakerjs_names("first_name")),
    "name.lastName": lambda c, gender=None: c.rng.choice(fakerjs_names("last_name")),
    "name.findName": _find_name,
    "name.jobTitle": lambda c: c.fake.job(),
    "name.prefix": lambda c, gender=None: c.rng.choice(fakerjs_names("prefix")),
    "name.suffix": lambda c: c.rng.choice(fakerjs_names("suffix")),
    "address.city": lambda c: c.fake.city(),
    "address.country": lambda c: c.fake.country(),
    "address.countryCode": lambda c: c.fake.country_code(),
    "address.state": lambda c: c.fake.state(),
    "address.stateAbbr": lambda c: c.fake.state_abbr(),
    "address.zipCode": lambda c, fmt=None: _replace_symbols(c, fmt) if fmt else c.fake.zipcode(),
    "address.streetAddress": lambda c, full=False: c.fake.street_address(),
    "address.streetName": lambda c: c.fake.street_name(),
    "address.latitude": lambda c: _coordinate(c, 90),
    "address.longitude": lambda c: _coordinate(c, 180),
    "lorem.word": lambda c: c.fake.word(),
    "lorem.words": lambda c, n=3: " ".join(c.fake.words(_count(n, 3))),
    "lorem.sentence": lambda c, n=None: c.fake.sentence(nb_words=_count(n, 6)),
    "lorem.sentences": lambda c, n=3: " ".join(c.fake.sentences(_count(n, 3))),
    "lorem.paragraph": lambda c, n=3: c.fake.paragraph(nb_sentences=_count(n, 3)),
    "lorem.slug": lambda c, n=3: "-".join(c.fake.words(_count(n, 3))),
    "commerce.productName": lambda c: " ".join(
        c.rng.choice(words) for words in (_ADJECTIVES, _MATERIALS, _PRODUCTS)),
    "commerce.product": _pick(_PRODUCTS),
    "commerce.productMaterial": _pick(_MATERIALS),
    "commerce.productAdjective": _pick(_ADJECTIVES),
    "commerce.department": _pick(_DEPARTMENTS),
    "commerce.price": _price,
    "commerce.color": lambda c: c.fake.safe_color_name(),
    "company.companyName": lambda c: c.fake.company(),
    "company.catchPhrase": lambda c: c.fake.catch_phrase(),
    "company.bs": lambda c: c.fake.bs(),
    "phone.phoneNumber": lambda c, fmt=None: _replace_symbols(c, fmt) if fmt else c.fake.phone_number(),
    "finance.amount": _price,
    "finance.account": lambda c, n=8: "".join(c.rng.choice(string.digits) for _ in range(_count(n, 8))),
    "finance.currencyCode": lambda c: c.fake.currency_code(),
    "finance.creditCardNumber": lambda c: c.fake.credit_card_number(),
    "date.now": lambda c, fmt=None: _moment(c, c.now(), fmt),
    "date.utc": lambda c, fmt=None: _moment(c, c.now().astimezone(UTC), fmt),
    "date.past": lambda c, years=1: _offset_date(c, -c.rng.uniform(0, 365 * 86400 * years)),
    "date.future": lambda c, years=1: _offset_date(c, c.rng.uniform(0, 365 * 86400 * years)),
    "date.recent": lambda c, days=1: _offset_date(c, -c.rng.uniform(0, 86400 * days)),
    "date.soon": lambda c, days=1: _offset_date(c, c.rng.uniform(0, 86400 * days)),
    "date.month": lambda c: c.fake.month_name(),
    "date.weekday": lambda c: c.fake.day_of_week(),
    "helpers.replaceSymbols": _replace_symbols,
    "helpers.randomize": array_element,
    "helpers.slugify": lambda c, text="": "-".join(str(text).split()),
    "system.fileName": lambda c: c.fake.file_name(),
    "system.fileExt": lambda c: c.fake.file_extension(),
    "system.mimeType": lambda c: c.fake.mime_type(),
    "system.filePath": lambda c: c.fake.file_path(),
    "system.semver": lambda c: ".".join(str(c.rng.randint(0, 9)) for _ in range(3)),
    "hacker.phrase": lambda c: c.fake.catch_phrase(),
    "hacker.abbreviation": _pick(["TCP", "HTTP", "SDD", "RAM", "GB", "CSS", "SSL", "AGP", "SQL",
                                  "FTP", "PCI", "AI", "ADP", "RSS", "XML", "EXE", "COM", "HDD",
                                  "THX", "SMTP", "SMS", "USB", "PNG", "SAS", "IB", "SCSI", "JSON",
                                  "XSS", "JBOD"]),
}

# Old and new faker.js names of the same helpers (datatype.* is faker.js 5+, string.* 8+).
ALIASES = {
    "current.timestamp": "date.now",
    "datatype.number": "random.number",
    "datatype.float": "random.float",
    "datatype.uuid": "random.uuid",
    "datatype.boolean": "random.boolean",
    "string.uuid": "random.uuid",
    "helpers.arrayElement": "random.arrayElement",
    "name.fullName": "name.findName",
    "person.firstName": "name.firstName",
    "person.lastName": "name.lastName",
    "person.fullName": "name.findName",
    "location.city": "address.city",
    "location.country": "address.country",
    "location.zipCode": "address.zipCode",
    "location.streetAddress": "address.streetAddress",
    "location.latitude": "address.latitude",
    "location.longitude": "address.longitude",
    "internet.ipv4": "internet.ip",
    "internet.username": "internet.userName",
    "company.name": "company.companyName",
}
