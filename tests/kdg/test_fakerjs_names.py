"""The KDG's name helpers against faker.js itself: the npm package faker@3.1.0 (whose lists the
KDG's bundled faker.js carries, generator/kdg/fakerjs_en/README.md), run by Node.

20,000 records of `{{name.firstName}}` and `{{name.findName}}` from each side: the lab's lists
are faker.js's, entry for entry; the first names drawn cover the list as a uniform pick does
(Python Faker's en_US gave 687 distinct); the first letters and findName's shapes (prefix,
suffix, plain) match faker.js's by a two-sample chi-square at p = 0.001."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from labctl.settings import cache_root

from generator.kdg.helpers import fakerjs_names, make_context
from generator.kdg.template import compile_template

pytestmark = pytest.mark.unit

PACKAGE, VERSION = "faker", "3.1.0"
TARBALL_SHA256 = "1b6305a86a07d25f25417494259832f88e108368c4cd0234970723c8fc9575bc"
N = 20_000
TEMPLATE = "{{name.firstName}}\t{{name.findName}}"
# Chi-square critical values at p = 0.001 (standard tables) by degrees of freedom.
CHI2_CRITICAL = {2: 13.816, 25: 52.620}
NODE_SCRIPT = """
const [pkg, n, template] = process.argv.slice(1);
const faker = require(pkg + "/index.js");
const records = [];
for (let i = 0; i < Number(n); i++) records.push(faker.fake(template));
const lists = {};
for (const kind of ["first_name", "last_name", "prefix", "suffix"]) lists[kind] = faker.definitions.name[kind];
console.log(JSON.stringify({lists, records}));
"""


@pytest.fixture(scope="module")
def fakerjs() -> Path:
    """faker@3.1.0 unpacked in the lab's cache, fetched with `npm pack` the first time (its
    tarball's sha256 checked)."""
    target = cache_root() / "fakerjs" / f"{PACKAGE}-{VERSION}"
    if (target / "index.js").is_file():
        return target
    npm = shutil.which("npm")
    assert npm, "npm is needed (make system-packages installs it)"
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        subprocess.run([npm, "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=work, check=True,
                       capture_output=True, timeout=600)
        (tarball,) = Path(work).glob("*.tgz")
        assert hashlib.sha256(tarball.read_bytes()).hexdigest() == TARBALL_SHA256, "not the pinned faker tarball"
        with tarfile.open(tarball) as archive:
            archive.extractall(work, filter="data")
        (Path(work) / "package").rename(target)
    return target


@pytest.fixture(scope="module")
def sides(fakerjs):
    node = shutil.which("node")
    assert node, "node is needed (make system-packages installs npm and node)"
    run = subprocess.run([node, "-e", NODE_SCRIPT, str(fakerjs), str(N), TEMPLATE], check=True,
                         capture_output=True, text=True, timeout=300)
    theirs = json.loads(run.stdout)
    template, context = compile_template(TEMPLATE), make_context(seed=7)
    ours = [template.render(context) for _ in range(N)]
    return theirs["lists"], [r.split("\t") for r in theirs["records"]], [r.split("\t") for r in ours]


def two_sample_chi_square(a: Counter, b: Counter) -> float:
    """Pearson's chi-square of a 2 x k table (the categories either sample saw)."""
    total_a, total_b = sum(a.values()), sum(b.values())
    chi = 0.0
    for key in set(a) | set(b):
        column = a.get(key, 0) + b.get(key, 0)
        for observed, total in ((a.get(key, 0), total_a), (b.get(key, 0), total_b)):
            expected = column * total / (total_a + total_b)
            chi += (observed - expected) ** 2 / expected
    return chi


def shape(full_name: str, lists: dict) -> str:
    if any(full_name.startswith(p + " ") for p in lists["prefix"]):
        return "prefix"
    if any(full_name.endswith(" " + s) for s in lists["suffix"]):
        return "suffix"
    return "plain"


def test_the_lists_are_faker_js_lists(sides):
    lists, _, _ = sides
    for kind in ("first_name", "last_name", "prefix", "suffix"):
        assert list(fakerjs_names(kind)) == lists[kind], kind
    assert len(lists["first_name"]) == 3007


def test_first_names_cover_the_list_as_faker_js_does(sides):
    lists, theirs, ours = sides
    first_ours, first_theirs = [r[0] for r in ours], [r[0] for r in theirs]
    assert set(first_ours) <= set(lists["first_name"])
    # a uniform pick of 20,000 from 3,007 sees about 2,993 distinct names
    assert abs(len(set(first_ours)) - len(set(first_theirs))) < 40, (len(set(first_ours)), len(set(first_theirs)))
    letters = two_sample_chi_square(Counter(n[0] for n in first_ours), Counter(n[0] for n in first_theirs))
    assert letters < CHI2_CRITICAL[25], letters


def test_full_names_have_faker_js_shapes(sides):
    lists, theirs, ours = sides
    shapes_ours = Counter(shape(r[1], lists) for r in ours)
    shapes_theirs = Counter(shape(r[1], lists) for r in theirs)
    assert set(shapes_ours) == {"prefix", "suffix", "plain"}
    assert two_sample_chi_square(shapes_ours, shapes_theirs) < CHI2_CRITICAL[2], (shapes_ours, shapes_theirs)
    last_names = {r[1].split(" ")[-2] if shape(r[1], lists) == "suffix" else r[1].split(" ")[-1] for r in ours}
    assert last_names <= set(lists["last_name"])


def test_the_comparison_can_fail():
    """Python Faker's en_US first names (the lab's earlier helper) are far outside the bound."""
    from faker import Faker
    fake = Faker("en_US")
    fake.seed_instance(3)
    theirs = Counter(n[0] for n in fakerjs_names("first_name") * 7)
    ours = Counter(fake.first_name()[0] for _ in range(N))
    assert two_sample_chi_square(ours, theirs) > CHI2_CRITICAL[25]
