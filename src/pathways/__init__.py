"""pathways: a documented health pathway, explained step by step in plain words.

General information, not medical advice.

The Python API for developers who embed pathways::

    from pathways import Journey, load_pathway, render

    pathway = load_pathway()                 # the built-in pathway (or a file of yours)
    journey = Journey.begin(pathway)
    journey = journey.step(journey.next_steps()[0].trigger)  # the first way on
    print(render(journey, "markdown"))       # text, markdown, html or json

Every name below is imported on first use, not with the package: the command line
imports ``pathways`` first, and ``pathways --help`` must not pay for pydantic, jinja2,
transitions and PyYAML (about 280 ms together) when it needs none of them.
"""

# Private names only: the module's public names are exactly __all__ (a test checks).
import importlib as _importlib

__version__ = "0.1.0"

# typing.TYPE_CHECKING without importing typing (a few ms of every command's start, and
# the kept page's path needs nothing else from it); type checkers take any name
# TYPE_CHECKING as true. Deleted below: not a public name.
TYPE_CHECKING = False
if TYPE_CHECKING:  # what type checkers and editors see; __getattr__ at run time
    from pathways.errors import (
        ContentError,
        JourneyError,
        Location,
        PathwaysError,
        Problem,
        StepNotAvailableError,
        TokenError,
        UnknownContextError,
        UnknownStateError,
    )
    from pathways.export import pathway_to_dict
    from pathways.journey import Journey, PathTooLongError, Step
    from pathways.loader import load_pathway, parse_pathway
    from pathways.schema import Pathway
    from pathways.templating import Renderer, journey_view, render
    from pathways.web import create_app
del TYPE_CHECKING

__all__ = [
    "ContentError",
    "Journey",
    "JourneyError",
    "Location",
    "PathTooLongError",
    "Pathway",
    "PathwaysError",
    "Problem",
    "Renderer",
    "Step",
    "StepNotAvailableError",
    "TokenError",
    "UnknownContextError",
    "UnknownStateError",
    "__version__",
    "create_app",
    "journey_view",
    "load_pathway",
    "parse_pathway",
    "pathway_to_dict",
    "render",
]

_HOMES = {
    "ContentError": "pathways.errors",
    "JourneyError": "pathways.errors",
    "Location": "pathways.errors",
    "PathwaysError": "pathways.errors",
    "Problem": "pathways.errors",
    "StepNotAvailableError": "pathways.errors",
    "TokenError": "pathways.errors",
    "UnknownContextError": "pathways.errors",
    "UnknownStateError": "pathways.errors",
    "pathway_to_dict": "pathways.export",
    "Journey": "pathways.journey",
    "PathTooLongError": "pathways.journey",
    "Step": "pathways.journey",
    "load_pathway": "pathways.loader",
    "parse_pathway": "pathways.loader",
    "Pathway": "pathways.schema",
    "Renderer": "pathways.templating",
    "journey_view": "pathways.templating",
    "render": "pathways.templating",
    "create_app": "pathways.web",
}
"""Where each public name lives (the module that owns it, see STYLE.md's layers)."""


def __getattr__(name: str) -> object:
    """Import a public name from its home on first use, then keep it here."""
    home = _HOMES.get(name)
    if home is None:
        # AttributeError (not ImportError) lets `from pathways import resources` fall
        # back to importing the submodule, as the import system expects.
        raise AttributeError(f"module 'pathways' has no attribute {name!r}")
    value = getattr(_importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
