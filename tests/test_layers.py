"""Layers that point down: an app imports only from the layers below it (and its own), never upward.

    core → audit → accounts → network → cards | events | feedback | guidelines → uses → stats
         → web | api | public | demo | synthetic (and the project's urls, settings, wsgi)

Read from the source with `ast` (import-linter is not among the project's dependencies): every
`import` and `from … import` in kaikukanta/ outside migrations, at module level or inside a function
(a lazy import is still a dependency), except under `if TYPE_CHECKING:` (annotations only). The apps
of one domain layer (cards, events, feedback, guidelines) do not import each other either: a rule
they share belongs in a layer below them (ChoiceInvalid is in core.errors); nor do the API and the
cardholders' pages import the other top-layer apps (the catalogue's filters are in network/search.py).
Tests are exempt.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "kaikukanta"

LAYERS: list[set[str]] = [
    {"core", "formats"},
    {"audit"},
    {"accounts"},
    {"network"},
    {"cards", "events", "feedback", "guidelines"},
    {"uses"},
    {"stats"},
    {"web", "api", "public", "demo", "synthetic", "migration_import", "urls", "settings", "wsgi"},
]
LAYER_OF = {app: number for number, apps in enumerate(LAYERS) for app in apps}
# Siblings that do not import each other: the domain apps of one layer, and the API and the
# cardholders' pages, which read the domain (the staff pages may link to both).
INDEPENDENT = LAYERS[4]
SELF_CONTAINED = {"api", "public"}

# The upward edges the design keeps, each with its reason. Keep this list short: a new entry needs
# the same justification in review.
ALLOWED = {
    # "Derived data is written by the service that changes the source, in the same transaction (no
    # signals)": issuing, renewing and closing a card and recording or cancelling a use update the
    # statistics' summary tables by calling stats.summaries directly. Kept on purpose (issue 18):
    # three summary tables have a foreign key to cards.Card and the writers read and lock Card rows
    # and take Use objects, so an app below cards for them would import cards and uses in turn; the
    # decision and its reasons are in docs/architecture-rules-and-layers.md.
    ("kaikukanta.cards.services", "kaikukanta.stats.summaries"),
    ("kaikukanta.uses.services", "kaikukanta.stats.summaries"),
}


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped.update(id(inner) for inner in ast.walk(child))
    return skipped


def imports_of(path: Path, root: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every kaikukanta import of the file, relative ones resolved."""
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(), filename=str(path))
    skipped = _type_checking_only(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from kaikukanta.stats import summaries` imports the module kaikukanta.stats.summaries.
            for alias in node.names:
                found.append((node.lineno, f"{target}.{alias.name}"))
    return [(line, name) for line, name in found if name.startswith("kaikukanta.")]


def _app(module: str) -> str:
    return module.split(".")[1]


def _allowed(source: str, target: str) -> bool:
    return any(
        source == allowed_source and (target + ".").startswith(allowed_target + ".")
        for allowed_source, allowed_target in ALLOWED
    )


def upward_imports(root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = _module_name(path, root)
        for line, target in imports_of(path, root):
            here, there = _app(source), _app(target)
            if here == there or _allowed(source, target):
                continue
            upward = LAYER_OF[there] > LAYER_OF[here]
            sideways = (here in INDEPENDENT and there in INDEPENDENT) or (
                here in SELF_CONTAINED and LAYER_OF[there] == LAYER_OF[here]
            )
            if upward or sideways:
                found.append(f"{path.relative_to(root.parent)}:{line} imports {target}")
    return found


def test_every_app_has_a_layer():
    apps = {
        path.name
        for path in ROOT.iterdir()
        if path.is_dir() and (path / "__init__.py").exists() and path.name != "locale"
    }
    modules = {path.stem for path in ROOT.glob("*.py") if path.stem != "__init__"}
    assert apps | modules <= set(LAYER_OF), sorted((apps | modules) - set(LAYER_OF))


def test_no_import_points_up():
    assert upward_imports() == []


@pytest.mark.parametrize(
    ("source", "text", "caught"),
    [
        ("core/x.py", "from kaikukanta.accounts.scope import scope_for\n", True),
        ("core/x.py", "def f():\n    from kaikukanta.cards import identifiers\n", True),
        ("events/x.py", "from kaikukanta.cards.errors import ChoiceInvalid\n", True),
        ("accounts/x.py", "from kaikukanta.web.forms import add_domain_error\n", True),
        ("audit/x.py", "from ..accounts import scope\n", True),
        ("audit/models.py", "from kaikukanta.accounts.scope import scope_for\n", True),
        ("api/x.py", "from kaikukanta.public.catalogue import filter_venues\n", True),
        ("web/x.py", "from kaikukanta.accounts.scope import scope_for\n", False),
        (
            "accounts/x.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from kaikukanta.network.models import Venue\n",
            False,
        ),
    ],
)
def test_the_check_catches_an_upward_import(tmp_path, source, text, caught):
    """The check reads what it should: module-level, lazy and relative imports, not annotations."""
    package = tmp_path / "kaikukanta"
    for app in {app for apps in LAYERS for app in apps}:
        (package / app).mkdir(parents=True)
        (package / app / "__init__.py").write_text("")
    (package / source).write_text(text)
    assert bool(upward_imports(package)) == caught
