"""The package keeps its shape: layers import downwards only, no module imports itself back
through others (no cycle, inside a layer too), and each library has one home."""

from __future__ import annotations

import ast
import graphlib
import subprocess
import sys
from pathlib import Path

import pytest

from paths import ROOT

PACKAGE = ROOT / "src" / "pathways"

# STYLE.md: a module imports only from its own layer or the layers below it.
LAYERS = {
    "errors": 1,
    "resources": 1,
    "cache": 1,
    "statement": 1,
    "collector": 1,
    "markup": 1,
    "texts": 1,  # rules for text a reader meets: bidi controls, web addresses, phones
    "schema": 2,
    "checks": 2,  # the checks across a whole document, and every text in it
    "reader": 3,
    "loader": 3,
    "journey": 3,
    "templating": 3,
    "compiled": 3,  # every page's view of a pathway, kept for `show` (cache.py's layout)
    "export": 3,
    "diagram": 3,
    "interchange": 3,
    "fhir": 3,
    "fhir_import": 3,  # a Bundle read back; uses fhir's names
    "mapsvg": 3,
    "notes": 3,
    "lint": 3,
    "assets": 3,
    "glossary": 3,
    "grid": 3,  # presenter mode's option grid, from the pathway alone
    "apidocs": 4,  # the JSON API's documentation in words
    "answers": 4,  # the JSON API's answer models
    "links": 4,  # where a page's links lead, and the one /j/<token> address builder
    "httperror": 4,  # the one HTTP error, rendered as a page or as problem details
    "stitch": 4,  # pages made once and filled in per journey: stand-ins, splitting, filling
    "pages": 4,  # every HTML page, no web framework: the web app, the embed and the site use it
    "middleware": 4,
    "middleware.headers": 4,
    "middleware.limits": 4,
    "middleware.finished": 4,
    "middleware.prefix": 4,
    "catalogue": 4,
    "middleware.redirects": 4,
    "middleware.freshness": 4,
    "middleware.compression": 4,
    "server": 4,  # the one home of uvicorn: slow clients, open files, connection bounds
    "routes": 5,  # the journey pages' routes, used by web and embed
    "web": 5,
    "live": 5,
    "api": 5,
    "embed": 5,
    "site": 5,
    "cli": 6,
    "launch": 6,
    "walk": 6,  # the terminal walk, started by cli
    "options": 6,  # the options and helpers every command shares
    "exporting": 6,  # `pathways export` and `pathways import`
    "__init__": 7,
    "__main__": 7,
}

# Each third-party library is imported by one module only (and the package's public face).
HOMES = {
    "click": {"cli", "walk", "options", "exporting"},
    "yaml": {"reader"},
    "transitions": {"journey"},
    "jinja2": {"templating"},
    # answers and api: the JSON API's answers and requests, for its OpenAPI document
    "pydantic": {"schema", "answers", "api"},
    "fastapi": {"web", "api", "embed", "routes"},
    # the middlewares use only starlette's ASGI types
    "starlette": {
        "web",
        "middleware.headers",
        "middleware.limits",
        "middleware.finished",
        "middleware.redirects",
        "middleware.freshness",
        "middleware.compression",
        "middleware.prefix",
    },
    "uvicorn": {"server"},
    "textstat": {"lint"},
    "pygraphviz": {"mapsvg", "diagram"},
}


def _module_name(path: Path) -> str:
    """``middleware/headers.py`` -> ``middleware.headers``; a subpackage's ``__init__.py``
    is the subpackage itself."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


MODULE_FILES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
MODULES = sorted(MODULE_FILES)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module.startswith("pathways"):
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _pathways_imports(module: str) -> set[str]:
    """The package's modules that ``module`` imports (anywhere in it, at the top or inside
    a function), each named as in LAYERS."""
    found: set[str] = set()
    for name in _imports(MODULE_FILES[module]):
        parts = name.split(".")
        if parts[0] != "pathways":
            continue
        # The longest prefix that is a module: pathways.middleware.headers.X -> middleware.headers
        for end in range(len(parts), 1, -1):
            candidate = ".".join(parts[1:end])
            if candidate in MODULE_FILES:
                if candidate != module:
                    found.add(candidate)
                break
    return found


def test_every_module_has_a_layer() -> None:
    """Every module in the package, in subpackages too, is placed in a layer."""
    assert set(MODULES) <= set(LAYERS), set(MODULES) - set(LAYERS)


@pytest.mark.parametrize("module", MODULES)
def test_imports_point_downwards(module: str) -> None:
    """A module imports pathways modules of its own layer or below, never above."""
    for name in _pathways_imports(module):
        assert LAYERS[name] <= LAYERS[module], f"{module} imports {name}"


def test_no_import_cycle() -> None:
    """No module imports, through others, a module that imports it: not even inside one
    layer (the package's public face, which imports everything lazily, aside)."""
    graph = {
        module: _pathways_imports(module) - {"__init__"}
        for module in MODULES
        if module != "__init__"
    }
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_the_cycle_check_finds_a_cycle() -> None:
    """The cycle check is not vacuous: a graph with a loop inside one layer fails it."""
    with pytest.raises(graphlib.CycleError):
        tuple(graphlib.TopologicalSorter({"a": {"b"}, "b": {"a"}}).static_order())


@pytest.mark.parametrize("module", MODULES)
def test_libraries_are_imported_in_their_home(module: str) -> None:
    """Each third-party library is imported only by the module that owns it."""
    for name in _imports(MODULE_FILES[module]):
        top = name.split(".")[0]
        if top in HOMES:
            assert module in HOMES[top] or module == "__init__", f"{module} imports {top}"


def test_site_export_loads_no_web_framework(tmp_path: Path) -> None:
    """`pathways export site` builds the static site without importing FastAPI, Starlette
    or uvicorn: its pages come from the framework-free pages module."""
    script = (
        "import sys\n"
        "from pathways.cli import main\n"
        "try:\n"
        f"    main(['export', 'site', {str(tmp_path / 'site')!r}])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "loaded = sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('fastapi', 'starlette', 'uvicorn'))\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert (tmp_path / "site" / "index.html").is_file()
    assert done.stdout.strip() == "", done.stdout
