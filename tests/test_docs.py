"""The documentation a newcomer walks: every relative link in README.md and docs/ leads to a file (and
to a heading of it, when the link names one), every code path the rules table names exists, and the
card numbers given as examples pass their own check character."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from kaikukanta.cards import identifiers

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
# [text](target), not inside `code`; an image's ![alt](target) likewise.
LINK = re.compile(r"(?<!`)\[[^\]\n]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)


def prose(page: Path) -> str:
    """The page without its code blocks and comments (a link there is not one a reader follows)."""
    return COMMENT.sub("", FENCE.sub("", page.read_text()))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip()).lower()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    kept = "".join(c for c in text if c in " -" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    counts: dict[str, int] = {}
    for line in FENCE.sub("", page.read_text()).splitlines():
        match = re.match(r"^#{1,6} (.+)$", line)
        if match:
            base = slug(match.group(1))
            n = counts.get(base, 0)
            counts[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
    return found


def links(page: Path) -> list[str]:
    return [target for target in LINK.findall(prose(page)) if not re.match(r"^[a-z]+:", target)]


def test_the_pages_are_there():
    names = {page.relative_to(ROOT).as_posix() for page in PAGES}
    for name in (
        "docs/architecture.md",
        "docs/configuration.md",
        "docs/operations.md",
        "docs/api.md",
        "docs/statistics-method.md",
        "docs/performance/README.md",
        "docs/guide-distributor.md",
        "docs/guide-box-office.md",
        "docs/guide-coordinator.md",
        "docs/guide-national.md",
        "docs/guide-holder.md",
    ):
        assert name in names


def test_the_readme_is_short_and_links_every_page_of_docs():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 180
    assert "make demo" in readme
    assert "make test" in readme
    index = (ROOT / "docs" / "README.md").read_text()
    linked = {target.split("#")[0] for target in links(ROOT / "docs" / "README.md")}
    for page in (ROOT / "docs").glob("*.md"):
        if page.name != "README.md":
            assert page.name in linked, f"docs/README.md does not link {page.name}"
    assert "performance/README.md" in index


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page):
    broken = []
    for target in links(page):
        path, _, anchor = target.partition("#")
        destination = (page.parent / path).resolve() if path else page
        if not destination.exists():
            broken.append(f"{target}: no such file")
            continue
        if anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target}: no heading #{anchor} in {destination.name}")
    assert broken == []


def test_the_anchor_rule_is_githubs():
    assert slug("4. nginx and TLS") == "4-nginx-and-tls"
    assert slug("The region's network") == "the-regions-network"
    assert slug("Box office and `API`") == "box-office-and-api"


def rules_table() -> list[tuple[str, str]]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    start = text.index("| rule | where |")
    rows = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        rows.append((cells[0], cells[-1]))
    return rows


SOURCE = "\n".join(path.read_text() for path in (ROOT / "kaikukanta").rglob("*.py"))


def defined(name: str, in_text: str = SOURCE) -> bool:
    return re.search(rf"^\s*(def|class) {re.escape(name)}\b", in_text, re.M) is not None


def test_every_code_path_in_the_rules_table_exists():
    rows = rules_table()
    assert len(rows) >= 15
    missing = []
    for rule, where in rows:
        names = re.findall(r"`([^`]+)`", where)
        assert names, f"no code named for: {rule}"
        current_file: Path | None = None
        for name in names:
            if name.endswith(".py") or "/" in name:
                current_file = ROOT / "kaikukanta" / name
                if not current_file.exists():
                    missing.append(f"{rule[:40]}: {name}")
                continue
            if re.fullmatch(r"\(.*\)", name) or " " in name:
                continue  # a database constraint in words, as (venue, idempotency_key)
            *owner, member = name.split(".")
            text = current_file.read_text() if current_file and not owner else SOURCE
            if owner and not defined(owner[-1]):
                missing.append(f"{rule[:40]}: class {owner[-1]}")
            if not defined(member, text):
                missing.append(f"{rule[:40]}: {name}")
    assert missing == []


HYPHENATED = re.compile(r"`([0-9A-Z]{5}-[0-9A-Z]{5})`")


def test_example_card_numbers_pass_their_check_character():
    examples = [
        (page.name, number) for page in PAGES for number in HYPHENATED.findall(page.read_text())
    ]
    assert examples, "the docs give an example card number"
    for page, number in examples:
        assert identifiers.is_valid(identifiers.normalize(number)), (page, number)
