"""Every third-party module the code imports is a declared dependency, and every declared
runtime dependency is imported (or listed below with the reason it is needed anyway)."""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kiosk", "drivers", "ui", "central", "kiosk_demo")
FIRST_PARTY = {*PACKAGES, "tests", "bench", "__future__"}

# Declared but never imported by name, each for a reason.
NEEDED_WITHOUT_IMPORT = {
    "psycopg": "SQLAlchemy loads it for postgresql+psycopg URLs (central/db.py)",
}
DEV_TOOLS = {  # run as commands or loaded as pytest plugins, not imported by the tests
    "pytest-qt": "pytest plugin (qtbot)",
    "pytest-timeout": "pytest plugin (timeout in pyproject.toml)",
    "pytest-xdist": "pytest plugin (-n in scripts/test.sh)",
    "ruff": "scripts/lint.sh",
    "mypy": "scripts/lint.sh",
    "import-linter": "scripts/lint.sh (lint-imports)",
    "types-requests": "type stubs for mypy",
}


def normalize(name: str) -> str:
    """A distribution's name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    return normalize(re.split(r"[\s\[<>=!~;(]", requirement, maxsplit=1)[0])


def declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {requirement_name(r) for r in project["dependencies"]}
    dev = {requirement_name(r) for r in project["optional-dependencies"]["dev"]}
    return runtime, dev


def third_party_imports(folders: Iterable[str]) -> dict[str, set[str]]:
    """Top-level module name -> the files that import it (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.partition(".")[0]
                    if top in sys.stdlib_module_names or top in FIRST_PARTY:
                        continue
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


@functools.cache
def installed() -> dict[str, list[str]]:
    return dict(importlib.metadata.packages_distributions())


def distributions_of(module: str) -> set[str]:
    """The installed distributions that provide a top-level module (PIL -> pillow, ...)."""
    names = installed().get(module, [])
    return {normalize(n) for n in names}


def test_the_scan_sees_imports_whatever_their_form() -> None:
    found = third_party_imports(["central"])
    assert "sqlalchemy" in found  # `from sqlalchemy import ...`
    assert "alembic" in found  # also under central/migrations
    assert "os" not in found and "central" not in found


def test_every_module_the_packages_import_is_a_declared_runtime_dependency() -> None:
    runtime, _dev = declared()
    problems = []
    for module, files in sorted(third_party_imports(PACKAGES).items()):
        providers = distributions_of(module)
        if not providers:
            problems.append(f"{module} (in {sorted(files)[0]}) is not installed")
        elif not providers & runtime:
            problems.append(
                f"{module} (in {sorted(files)[0]}) comes from {sorted(providers)}, "
                "which pyproject.toml [project] dependencies does not declare"
            )
    assert problems == []


def test_every_declared_runtime_dependency_is_imported() -> None:
    runtime, _dev = declared()
    used = set().union(*(distributions_of(m) for m in third_party_imports(PACKAGES)))
    unused = runtime - used - set(NEEDED_WITHOUT_IMPORT)
    assert unused == set(), "declared but never imported: drop them or say why"


@pytest.mark.parametrize("folder", ["tests", "bench"])
def test_tests_and_benches_import_only_declared_dependencies(folder: str) -> None:
    runtime, dev = declared()
    problems = [
        module
        for module in sorted(third_party_imports([folder]))
        if not distributions_of(module) & (runtime | dev)
    ]
    assert problems == []


def test_every_dev_dependency_is_used() -> None:
    _runtime, dev = declared()
    used = set().union(*(distributions_of(m) for m in third_party_imports(["tests", "bench"])))
    assert dev - used - set(DEV_TOOLS) == set()
