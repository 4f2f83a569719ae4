"""A pathway with one thing changed, for tests that need a variant of a loaded one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pathways.schema import Pathway


def changed(pathway: Pathway, change: Callable[[dict[str, Any]], Any]) -> Pathway:
    """A copy of ``pathway`` with its data changed in place by ``change(data)``, validated
    again by the schema (not by the loader's checks: a test can make what they refuse)."""
    data = pathway.model_dump()
    change(data)
    return Pathway.model_validate(data)
