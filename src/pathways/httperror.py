"""The one HTTP error of the web app, the embed and the API: its parts kept apart until an
answer (a friendly page, or problem details under ``/api/``) is made of them. Layer 4, no
web framework.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pathways.journey import Journey
from pathways.links import Mode

__all__ = ["HttpError"]


class HttpError(Exception):
    """The one HTTP error: a request answered with an error instead of what it asked for.

    Its parts stay apart until an answer is made of them: ``status``, ``kind`` (what went
    wrong: ``state``, ``step``, ``token``, ``topic``, ``page``, ``method``, ``request`` or
    ``bug``; each renderer has a title for each), ``detail`` (this occurrence, in words),
    ``allowed`` (what would have been accepted), ``headers`` (``Allow`` on a 405) and, for
    a page, the ``journey`` and ``mode`` to offer a way back to. The web app renders it as
    a friendly page (``Pages.error_page``, the embed's under ``/embed/``) or, under
    ``/api/``, as problem details (RFC 9457, ``api.py``).
    """

    def __init__(
        self,
        status: int,
        kind: str,
        *,
        journey: Journey | None = None,
        mode: Mode = "patient",
        detail: str | None = None,
        allowed: Iterable[str] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(kind)
        self.status = status
        self.kind = kind
        self.journey = journey
        self.mode = mode
        self.detail = detail
        self.allowed: tuple[str, ...] = tuple(allowed)
        self.headers: dict[str, str] = dict(headers or {})
