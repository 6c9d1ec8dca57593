"""The READMEs as one document: every relative link resolves (file and #anchor), every section
the top README used to hold still exists in some README and is linked from the top README,
and the top README's first screen takes a newcomer from clone to the dashboard."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[1]
TOP = REPO / "README.md"
# The top README's section titles before issue 23 moved reference material beside its code.
FORMER_SECTIONS = (
    "The two commands", "Two runtimes, one topology",
    "The compose lab: images, engines, a host with only Docker", "The workshop, step by step",
    "The lake-optimised delivery (Parquet, dynamic partitioning)",
    "Streaming SQL: the Kinesis Analytics sibling lab", "The Kinesis Data Generator",
    "Terraform and other AWS clients", "Troubleshooting with `make status`", "Settings",
    "Where visitors come from (GeoIP)", "Security defaults", "Layout", "Dependencies",
    "Fidelity: where each AWS behaviour is checked", "Facts the lab relies on",
    "Tests and benchmarks", "Latest figures",
)
FIRST_SCREEN_LINES = 70
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def readmes() -> list[Path]:
    """The project's READMEs (not those of the venvs, the lab's state or build output)."""
    found = []
    for directory, subdirectories, files in os.walk(REPO):
        subdirectories[:] = [name for name in subdirectories
                             if not name.startswith(".") and name not in ("build", "node_modules")]
        if "README.md" in files:
            found.append(Path(directory) / "README.md")
    return sorted(found)


def without_code_blocks(text: str) -> str:
    return re.sub(r"(?ms)^```.*?^```", "", text)


def prose(text: str) -> str:
    """The text without code blocks and inline code, where a link is not a link."""
    return re.sub(r"`[^`\n]*`", "", without_code_blocks(text))


def headings(path: Path) -> list[tuple[int, str]]:
    return [(len(match.group(1)), match.group(2))
            for line in without_code_blocks(path.read_text()).splitlines() if (match := HEADING.match(line))]


def anchor(title: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", title.replace("`", "").lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for _level, title in headings(path):
        slug = anchor(title)
        found.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
        seen[slug] = seen.get(slug, 0) + 1
    return found


def relative_links(path: Path) -> list[tuple[Path, str]]:
    """(target file, anchor or "") of each relative link in a README."""
    links = []
    for target in LINK.findall(prose(path.read_text())):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            continue  # https:, mailto:
        file_part, _, fragment = target.partition("#")
        links.append(((path.parent / file_part).resolve() if file_part else path, fragment))
    return links


@pytest.mark.parametrize("readme", readmes(), ids=lambda path: str(path.relative_to(REPO)))
def test_every_relative_link_resolves(readme):
    broken = []
    for target, fragment in relative_links(readme):
        if not target.exists():
            broken.append(f"{target.relative_to(REPO) if target.is_relative_to(REPO) else target}: no such file")
        elif fragment and (target.suffix != ".md" or fragment not in anchors(target)):
            broken.append(f"{target.relative_to(REPO)}#{fragment}: no such heading")
    assert broken == []


@pytest.mark.parametrize("title", FORMER_SECTIONS)
def test_each_former_section_is_somewhere_and_linked_from_the_top(title):
    holders = [path for path in readmes() if any(heading == title for _level, heading in headings(path))]
    assert holders, f"no README has a section {title!r}"
    if TOP in holders:
        return
    links = relative_links(TOP)
    for holder in holders:
        first_level, first_title = headings(holder)[0]
        if (first_level, first_title) == (1, title):  # the whole file is that section
            if any(target == holder for target, _fragment in links):
                return
        elif (holder, anchor(title)) in links:
            return
    assert False, f"the top README links to no README holding {title!r} ({holders})"


def test_the_first_screen_goes_from_clone_to_the_dashboard():
    first_screen = "\n".join(TOP.read_text().splitlines()[:FIRST_SCREEN_LINES])
    steps = ["git clone", "make up", "make generate", "http://127.0.0.1:5601/app/dashboards", "make report"]
    position = 0
    for step in steps:  # each after the one before
        position = first_screen.find(step, position)
        assert position >= 0, f"{step!r} is not in the first {FIRST_SCREEN_LINES} lines after the steps before it"


def test_the_link_check_finds_a_broken_link(tmp_path):
    (tmp_path / "README.md").write_text("# Top\n\n[ok](#top) [gone](missing.md) [no anchor](#nowhere)\n"
                                        "`[code](not-a-link.md)`\n")
    links = relative_links(tmp_path / "README.md")
    assert [(path.name, fragment) for path, fragment in links] == [
        ("README.md", "top"), ("missing.md", ""), ("README.md", "nowhere")]
    assert anchors(tmp_path / "README.md") == {"top"}
