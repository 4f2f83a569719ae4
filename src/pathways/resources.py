"""Where the default pathway and templates are, and which ones a user chose.

The wheel carries copies of the repository's ``pathways.yaml`` and ``templates/`` inside
the package (``pathways/_content/``); a source checkout or an editable install uses the
files at the top of the repository. A user's choice comes from ``--pathway`` /
``--templates`` or the ``PATHWAYS_FILE`` / ``PATHWAYS_TEMPLATES`` environment variables.
"""

from __future__ import annotations

import os
from pathlib import Path

PATHWAY_ENV = "PATHWAYS_FILE"
TEMPLATES_ENV = "PATHWAYS_TEMPLATES"

_PACKAGED = Path(__file__).resolve().parent / "_content"
_CHECKOUT = Path(__file__).resolve().parents[2]


def default_pathway_file() -> Path:
    """The embedded default pathway document."""
    packaged = _PACKAGED / "pathways.yaml"
    return packaged if packaged.is_file() else _CHECKOUT / "pathways.yaml"


def default_templates_dir() -> Path:
    """The embedded default templates folder."""
    packaged = _PACKAGED / "templates"
    return packaged if packaged.is_dir() else _CHECKOUT / "templates"


def chosen_pathway_file(option: str | os.PathLike[str] | None = None) -> Path:
    """The pathway to use: the option, else $PATHWAYS_FILE, else the embedded default."""
    value = option or os.environ.get(PATHWAY_ENV)
    return Path(value) if value else default_pathway_file()


def template_dirs(user_dir: str | os.PathLike[str] | None = None) -> tuple[Path, ...]:
    """The templates folders, in the order a template is looked for: a user's folder (which
    overrides only what it holds), then the packaged one. The one home of that rule."""
    packaged = default_templates_dir()
    return (Path(user_dir), packaged) if user_dir else (packaged,)


def chosen_templates_dir(option: str | os.PathLike[str] | None = None) -> Path | None:
    """A user's templates folder (overrides only what it holds), or None for the defaults."""
    value = option or os.environ.get(TEMPLATES_ENV)
    return Path(value) if value else None
