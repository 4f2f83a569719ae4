"""Pathways of any size for tests, from the benchmarks' own generator
(``benchmarks/generate.py``): loaded here once, for every test that needs one."""

from __future__ import annotations

import functools
import importlib.util
import sys
from types import ModuleType
from typing import TYPE_CHECKING

from paths import ROOT

if TYPE_CHECKING:
    from pathways.schema import Pathway


@functools.cache
def generator() -> ModuleType:
    """``benchmarks/generate.py`` as a module (``generate``, ``to_yaml``)."""
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate", module)
    spec.loader.exec_module(module)
    return module


def generated_pathway(states: int) -> Pathway:
    """A valid generated pathway of ``states`` states, loaded as a reader's would be."""
    from pathways.loader import parse_pathway

    module = generator()
    return parse_pathway(module.to_yaml(module.generate(states)), "generated.yaml")
