"""The package keeps its shape: layers import downwards only, each library has one home."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "pathways"

# STYLE.md: a module imports only from its own layer or the layers below it.
LAYERS = {
    "errors": 1,
    "resources": 1,
    "cache": 1,
    "schema": 2,
    "loader": 3,
    "journey": 3,
    "templating": 3,
    "export": 3,
    "diagram": 3,
    "interchange": 3,
    "mapsvg": 3,
    "lint": 3,
    "web": 4,
    "live": 4,
    "api": 4,
    "embed": 4,
    "site": 4,
    "server": 4,
    "redirects": 4,
    "freshness": 4,
    "compression": 4,
    "cli": 5,
    "launch": 5,
    "__init__": 6,
    "__main__": 6,
}

# Each third-party library is imported by one module only (and the package's public face).
HOMES = {
    "click": {"cli"},
    "yaml": {"loader"},
    "transitions": {"journey"},
    "jinja2": {"templating"},
    "pydantic": {"schema", "api"},  # api: the JSON API's answers, for its OpenAPI document
    "fastapi": {"web", "api", "embed"},
    "starlette": {"web", "redirects", "freshness", "compression"},
    "uvicorn": {"server"},
    "textstat": {"lint"},
    "pygraphviz": {"mapsvg", "diagram"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module == "pathways":
                names.update(f"pathways.{alias.name}" for alias in node.names)
    return names


MODULES = sorted(p.stem for p in PACKAGE.glob("*.py"))


def test_every_module_has_a_layer() -> None:
    """Every module in the package is placed in a layer."""
    assert set(MODULES) <= set(LAYERS), set(MODULES) - set(LAYERS)


@pytest.mark.parametrize("module", MODULES)
def test_imports_point_downwards(module: str) -> None:
    """A module imports pathways modules of its own layer or below, never above."""
    for name in _imports(PACKAGE / f"{module}.py"):
        parts = name.split(".")
        if parts[0] == "pathways" and len(parts) > 1 and parts[1] in LAYERS:
            assert LAYERS[parts[1]] <= LAYERS[module], f"{module} imports {name}"


@pytest.mark.parametrize("module", MODULES)
def test_libraries_are_imported_in_their_home(module: str) -> None:
    """Each third-party library is imported only by the module that owns it."""
    for name in _imports(PACKAGE / f"{module}.py"):
        top = name.split(".")[0]
        if top in HOMES:
            assert module in HOMES[top] or module == "__init__", f"{module} imports {top}"
