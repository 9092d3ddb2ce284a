"""Django's and the libraries' public API only: no module of the package reaches for a private name
(one that starts with an underscore) that the package does not define itself, nor for one of the
undocumented internals that a hand-built ORM once used. Every Django release can then be taken
without reading the code against its internals."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kaikukanta

PACKAGE = Path(kaikukanta.__file__).parent

# Documented public API despite the underscore: Model._meta (the Options API) and the managers
# Django documents by these names.
DOCUMENTED = {"_meta", "_default_manager", "_base_manager"}

# Undocumented internals without an underscore.
INTERNALS = {"db_returning_fields", "ServerBindingCursor", "_prepare_cursor", "_iterable_class"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def own_names(trees: list[ast.AST]) -> set[str]:
    """Every name the package defines: functions, classes, and assigned names and attributes."""
    names: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.alias) and node.asname:
                names.add(node.asname)
    return names


def violations(tree: ast.AST, own: set[str]) -> list[str]:
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            module = node.module or ""
            if module.split(".")[0] != "kaikukanta":
                if any(_private(part) for part in module.split(".")):
                    found.append(f"{line}: from {module} import")
                found += [
                    f"{line}: from {module} import {alias.name}"
                    for alias in node.names
                    if _private(alias.name) or alias.name in INTERNALS
                ]
        elif isinstance(node, ast.Import):
            found += [
                f"{line}: import {alias.name}"
                for alias in node.names
                if any(_private(part) for part in alias.name.split("."))
            ]
        elif isinstance(node, ast.Attribute):
            name = node.attr
            if name in INTERNALS or (_private(name) and name not in DOCUMENTED | own):
                found.append(f"{line}: .{name}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "setattr", "hasattr", "delattr"}
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            name = node.args[1].value
            if name in INTERNALS or (_private(name) and name not in DOCUMENTED | own):
                found.append(f"{line}: {node.func.id}(…, {name!r})")
    return found


def test_the_package_uses_no_private_name_of_django_or_a_library():
    paths = sorted(PACKAGE.rglob("*.py"))
    trees = {path: ast.parse(path.read_text(), str(path)) for path in paths}
    own = own_names(list(trees.values()))
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{violation}"
        for path, tree in trees.items()
        for violation in violations(tree, own)
    ]
    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        "from django.db.backends.postgresql import base\nbase.ServerBindingCursor(c)",
        "connection._prepare_cursor(cursor)",
        "queryset._iterable_class is ValuesListIterable",
        "list(model._meta.db_returning_fields)",
        "instance._prepare_related_fields_for_save(operation_name='save')",
        "cache._cache.get_client(key)",
        "from django.utils.functional import _StrPromise",
        "self._should_delete_form(form)",
        "getattr(instance, '_state')",
        "model._meta._forward_fields_map",
    ],
)
def test_the_check_finds_a_private_name(source):
    assert violations(ast.parse(source), own_names([ast.parse("def _mine(): pass")]))


@pytest.mark.parametrize(
    "source",
    [
        "model._meta.get_field('card')",
        "model._default_manager.filter(pk=1)",
        "window._key(subject)\nclass Window:\n    def _key(self, subject): ...",
    ],
)
def test_the_check_lets_public_and_own_names_be(source):
    tree = ast.parse(source)
    assert violations(tree, own_names([tree])) == []
