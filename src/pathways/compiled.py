"""A pathway compiled for ``pathways show``: the view of every page (``journey_view``, the
data the templates render), worked out once and kept in the cache folder, so that a page
not shown before is rendered from it with Jinja2 alone, without reading YAML, validating
with pydantic or building the ``transitions`` machine (``cache.CompiledPathways``).

The views come from the one code that makes them (``templating.journey_view`` over a
``Journey``), for every state and every topic choice; they are split by what each part
depends on (the whole pathway, the topics, the state, or both), and the split is checked
on every view: a pathway whose views do not split that way (or with more than
``MAX_COMBINATIONS`` topic choices) is not compiled, and ``show`` loads it every time,
as before.

Layer 3: it uses the journey and the view; ``cache.py`` owns the file's layout.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from pathways import cache
from pathways.journey import Journey
from pathways.templating import journey_view

if TYPE_CHECKING:
    from pathways.schema import Pathway

MAX_COMBINATIONS = 64
"""Most topic choices (the product of every topic's values) a compiled pathway covers."""

COMMON = ("pathway", "intended_purpose", "support")
"""The parts of a view that are the same on every page."""
BY_TOPICS = ("context",)
"""The parts that depend on the topic choice only."""
BY_PAGE = ("next", "token")
"""The parts that depend on both the state and the topic choice; every other part
depends on the state only."""


def compile_pathway(pathway: Pathway) -> bytes | None:
    """The compiled form of a validated pathway (``cache.encode_compiled``), or None if it
    cannot be compiled faithfully."""
    contexts = [(c.id, c.default, [v.id for v in c.values]) for c in pathway.contexts]
    choices = list(itertools.product(*(values for _, _, values in contexts)))
    if len(choices) > MAX_COMBINATIONS:
        return None
    order: list[str] | None = None
    common: dict[str, Any] | None = None
    combinations: dict[str, dict[str, Any]] = {}
    states: dict[str, tuple[dict[str, Any], dict[str, dict[str, Any]]]] = {}
    for choice in choices:
        chosen = dict(zip((name for name, _, _ in contexts), choice, strict=True))
        name = ",".join(choice)
        for state_id in pathway.state_ids:
            view = journey_view(Journey.begin(pathway, chosen, at=state_id))
            if order is None:
                order = list(view)
                common = {key: view[key] for key in COMMON}
            if list(view) != order or any(view[key] != common[key] for key in COMMON):  # type: ignore[index]
                return None
            topics = {key: view[key] for key in BY_TOPICS}
            if combinations.setdefault(name, topics) != topics:
                return None
            own = {key: value for key, value in view.items() if key not in _NOT_OWN}
            kept = states.setdefault(state_id, (own, {}))
            if kept[0] != own:
                return None
            kept[1][name] = {key: view[key] for key in BY_PAGE}
    if order is None or common is None:
        return None
    return cache.encode_compiled(
        order=order,
        common=common,
        start=pathway.start,
        contexts=contexts,
        combinations=combinations,
        states=states,
    )


_NOT_OWN = frozenset((*COMMON, *BY_TOPICS, *BY_PAGE))
