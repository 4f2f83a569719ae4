"""Where the links on a page lead: ``Links`` (the web app's addresses, which carry the
journey; the embed and the static site subclass it) and ``journey_path``, the one builder
of the ``/j/<token>`` and ``/present/<token>`` addresses.

Layer 4, below ``pages.py``; no web framework.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Literal

from pathways.assets import Asset
from pathways.journey import Journey, Step

__all__ = ["MODES", "PREFIX", "Links", "Mode", "journey_path"]

Mode = Literal["patient", "present"]
MODES: tuple[Mode, ...] = ("patient", "present")
PREFIX: Mapping[Mode, str] = {"patient": "/j", "present": "/present"}


ROOT: ContextVar[str] = ContextVar("pathways_root", default="")
"""Where the app answering this request is mounted, as the reader's browser sees it: ``""``
for an app at the root of its host; ``/p/<id>`` for one pathway of a catalogue; with
``--root-path`` or a trusted proxy's ``X-Forwarded-Prefix`` in front (``/guides/p/<id>``).
Set for each request by ``middleware.prefix.MountRoot`` from the ASGI ``root_path``; every
address on a page is made ``at_root``, so an app works under any prefix."""


def at_root(path: str) -> str:
    """An address of this app (``/begin``, ``/j/<token>``) as the browser must ask for it."""
    return ROOT.get() + path


MOUNT = "/p"
"""Each pathway of a catalogue lives at ``/p/<metadata.id>/``."""


def mount_of(pathway_id: str) -> str:
    """The prefix a pathway of a catalogue is served under: ``/p/<id>``."""
    return f"{MOUNT}/{pathway_id}"


def journey_path(token: str, mode: Mode = "patient", tail: str = "") -> str:
    """The address of a journey's page in the web app: ``/j/<token>`` for patients,
    ``/present/<token>`` in presenter mode, then ``tail`` (``/map``, ``/print``...)."""
    return f"{PREFIX[mode]}/{token}{tail}"


class Links:
    """Where the links on a page lead: here, the web app's addresses, which carry the journey.

    Pages ask this object for every address they show, so the same views and templates also
    make the static site, whose links are relative file paths (``site.StaticLinks``). A
    method that answers None means the page has no such link and leaves it out.
    """

    keeps_path = True
    """The reader's path is known (back, "your path so far", print), so pages show it."""

    def __init__(self) -> None:
        self._last: tuple[Journey, str] | None = None

    def _token(self, journey: Journey) -> str:
        """The journey's token, made once for the several links of one page."""
        last = self._last
        if last is not None and last[0] is journey:
            return last[1]
        token = journey.token
        self._last = (journey, token)
        return token

    def home(self) -> str:
        return at_root("/")

    def asset(self, asset: Asset) -> str:
        return at_root(asset.url)

    def state(self, journey: Journey, mode: Mode = "patient") -> str:
        return at_root(journey_path(self._token(journey), mode))

    def step(self, journey: Journey, mode: Mode, step: Step) -> str:
        return f"{self.state(journey, mode)}/step/{step.trigger}"

    def jump(self, journey: Journey, mode: Mode, state_id: str) -> str:
        return f"{self.state(journey, mode)}/jump/{state_id}"

    def back(self, journey: Journey, mode: Mode) -> str | None:
        return self.state(self._before(journey), mode) if journey.can_go_back else None

    def _before(self, journey: Journey) -> Journey:
        """The journey the back link leads to (``pages.py`` stands a slot in for it when
        it makes a page once for every journey at a place)."""
        return journey.back()

    def restart(self, journey: Journey, mode: Mode) -> str:
        return self.state(journey.restart(), mode)

    def map(self, journey: Journey, mode: Mode) -> str:
        """The map, opened at the reader's box (so a narrow screen shows it)."""
        return f"{self.state(journey, mode)}/map#map-{journey.state}"

    def whole_map(self) -> str | None:
        """A map at no place in particular (the web app's maps are all at a place)."""
        return None

    def map_boxes(self, journey: Journey | None, mode: Mode) -> str:
        """Each box's link in the map's SVG, ``{id}`` standing for the state id; relative to
        the map page, so one SVG serves every journey at the same place."""
        return "jump/{id}"

    def print(self, journey: Journey) -> str | None:
        return f"{self.state(journey, 'patient')}/print"

    def notes(self, journey: Journey) -> str | None:
        """The reader's notes page ("My questions"), which shows what the address's
        fragment holds (notes.py)."""
        return f"{self.state(journey, 'patient')}/notes"

    def in_mode(self, journey: Journey, mode: Mode) -> str | None:
        """The same place in the other mode (patient or presenter)."""
        return self.state(journey, mode)

    def begin_form(self) -> str | None:
        return at_root("/begin")

    def topic_form(self, journey: Journey, mode: Mode) -> str | None:
        return f"{self.state(journey, mode)}/topic"

    def jump_form(self, journey: Journey, mode: Mode) -> str | None:
        return f"{self.state(journey, mode)}/jump"

    def glossary(self) -> str | None:
        return at_root("/glossary")
