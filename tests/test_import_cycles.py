"""No import cycles inside kiosk/ (issue 14), drivers/, central/, ui/ or kiosk_demo/: a
module's imports at run time, as written (module level and inside functions; not the
``if TYPE_CHECKING:`` ones, which never run), form no loop. A cycle is what makes one module
unimportable before another and hides layering mistakes behind function-level imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(tree: ast.AST, modules: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """What the module imports when it runs. ``from pkg import sub`` of a submodule depends on
    ``pkg.sub`` only: that a package's ``__init__`` runs before its submodules is Python's
    order of loading, not a dependency the code chose."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                named = {f"{child.module}.{alias.name}" for alias in child.names}
                found.update(named)
                if not named <= modules:
                    found.add(child.module)
            visit(child)

    visit(tree)
    return found


def import_graph(package: str) -> dict[str, set[str]]:
    modules = {module_name(p): p for p in (ROOT / package).rglob("*.py")}
    known = set(modules)
    return {
        name: {dep for dep in runtime_imports(ast.parse(path.read_text()), known) if dep in known}
        - {name}
        for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for dep in sorted(graph[node]):
            if dep not in index:
                connect(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


@pytest.mark.parametrize("package", ["kiosk", "drivers", "central", "ui", "kiosk_demo"])
def test_no_package_has_import_cycles(package: str) -> None:
    assert cycles(import_graph(package)) == []


def test_a_cycle_is_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_a_submodule_import_depends_on_the_submodule_and_a_name_on_the_package() -> None:
    tree = ast.parse("from p import sub\nfrom q import thing\nif TYPE_CHECKING:\n    import r\n")
    assert runtime_imports(tree, {"p", "p.sub", "q", "r"}) == {"p.sub", "q", "q.thing"}
