"""Pages made once, filled in per journey: the stand-ins a skeleton holds where a journey's
own parts go, the links that put them there, splitting a rendered skeleton at them,
filling it in, and the bounded store of skeletons.

``pages.py`` renders the skeletons (a state page per place, the path so far per shape)
and checks each on first use against a full render; this module holds what needs no
templates. Layer 4, below ``pages.py``; no web framework.
"""

from __future__ import annotations

import itertools
import re
import secrets
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from pathways.journey import Journey
from pathways.links import Links

SKELETON_CACHE = 1024
"""Skeletons kept at most in one store (state pages: one per place, that is mode, state,
topic choices, mount, back link or not, jumped to or not; paths so far: one per shape),
most recently used first..."""
SKELETON_CACHE_BYTES = 8 * 1024 * 1024
"""...and at most this many bytes of them. The shipped pathway has some 15 states x 3
topic choices x 2 modes x 2 x 2: at most 360 page skeletons of about 8 KB."""

_SLOT = f"pathways-slot-{secrets.token_hex(16)}-"
"""What a skeleton holds where a journey's own part goes: unguessable, made anew by each
process, plain ASCII that HTML escaping leaves as it is, so no content can hold it."""
SLOT_TOKEN = _SLOT + "token"
SLOT_BACK = _SLOT + "back"
SLOT_PATH = _SLOT + "path"
_SLOTS = re.compile(re.escape(_SLOT) + "(token|back|path)")
_SLOT_INDEX = {"token": 0, "back": 1, "path": 2}
_PLACE_SLOTS = re.compile(re.escape(_SLOT) + r"(id|title)(\d+)-")

Skeleton = list[bytes | int]
"""A rendered skeleton, encoded and split at its stand-ins: bytes as they are, and an int
for each stand-in saying what goes there."""


@dataclass(frozen=True, slots=True)
class Place:
    """One place on a reader's path, as pages show it (``web/_path.html``)."""

    id: str
    title: str
    jumped: bool
    """The reader jumped here (from the map or the jump list): looked at, not a step."""
    step: int | None
    """The number of the step taken to get here; None for a place jumped to."""
    current: bool
    """The place the reader is on."""
    earlier: int | None = None
    """On the first place of a path trimmed at the bound (``journey.MAX_PATH``): how many
    steps before it are no longer kept (0: an unknown number); None otherwise."""
    kept: int = 0
    """On the first place: the most places a path keeps (the bound), for its note."""


class SlotLinks(Links):
    """The web app's links, with stand-ins for the journey's token and for its back
    journey's: a state page rendered with these is a skeleton (``split_page``)."""

    def __init__(self, journey: Journey) -> None:
        super().__init__()
        self._journey = journey
        self._back_journey = journey.back()

    def _token(self, journey: Journey) -> str:
        if journey is self._journey:
            return SLOT_TOKEN
        if journey is self._back_journey:
            return SLOT_BACK
        return journey.token  # the same for every journey at this place (start again)

    def _before(self, journey: Journey) -> Journey:
        return self._back_journey if journey is self._journey else journey.back()


def split_page(page: str) -> Skeleton:
    """A state page rendered with ``SlotLinks`` and ``SLOT_PATH`` as its path so far, split:
    0 stands for the token, 1 for the back journey's token, 2 for the path so far."""
    parts: Skeleton = []
    for index, part in enumerate(_SLOTS.split(page)):
        parts.append(_SLOT_INDEX[part] if index % 2 else part.encode("utf-8"))
    return parts


def fill_page(skeleton: Skeleton, token: bytes, back: bytes, path: bytes) -> bytes:
    """A page's skeleton with a journey's token, back journey's token and path filled in."""
    fill = (token, back, path)
    return b"".join([fill[part] if isinstance(part, int) else part for part in skeleton])


def stand_in_places(jumps: Sequence[bool], earlier: int | None, kept: int) -> list[Place]:
    """A path of this shape (which places were jumped to, how many steps before it were let
    go at the bound) whose places' ids and titles are stand-ins, numbered from 0: rendered,
    then ``split_path``, it is the shape's skeleton."""
    counts = (0 if jumped else 1 for jumped in jumps)
    steps = list(itertools.accumulate(counts, initial=earlier or 0))[1:]
    return [
        Place(
            f"{_SLOT}id{i}-",
            f"{_SLOT}title{i}-",
            jumped,
            None if jumped else steps[i],
            i == len(jumps) - 1,
            earlier if i == 0 else None,
            kept if i == 0 else 0,
        )
        for i, jumped in enumerate(jumps)
    ]


def split_path(html: str) -> Skeleton:
    """A path so far rendered from ``stand_in_places``, split: 2i stands for place i's id,
    2i + 1 for its title."""
    shape: Skeleton = []
    kind = ""
    for index, part in enumerate(_PLACE_SLOTS.split(html)):
        if index % 3 == 0:
            shape.append(part.encode("utf-8"))
        elif index % 3 == 1:
            kind = part
        else:
            shape.append(2 * int(part) + (kind == "title"))
    return shape


def fill_path(
    shape: Skeleton,
    path: Sequence[str],
    ids: Mapping[str, bytes],
    titles: Mapping[str, bytes],
) -> bytes:
    """A path's shape with each place's id and title (as the template writes them:
    ``titles`` escaped) filled in."""
    return b"".join(
        [
            part if isinstance(part, bytes) else (titles if part & 1 else ids)[path[part >> 1]]
            for part in shape
        ]
    )


K = TypeVar("K", bound=Hashable)


class Skeletons(Generic[K]):
    """Skeletons by key, bounded in count and bytes (``SKELETON_CACHE``,
    ``SKELETON_CACHE_BYTES``; the least recently used go first, the newest always stays),
    and the keys whose pages are made in full (their skeleton failed its check)."""

    def __init__(self) -> None:
        self._kept: OrderedDict[K, Skeleton] = OrderedDict()
        self.size = 0
        """Bytes of the skeletons kept."""
        self.in_full: set[K] = set()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, key: K) -> Skeleton | None:
        skeleton = self._kept.get(key)
        if skeleton is not None:
            self._kept.move_to_end(key)
        return skeleton

    def keep(self, key: K, skeleton: Skeleton) -> None:
        self._kept[key] = skeleton
        self.size += _size(skeleton)
        while len(self._kept) > SKELETON_CACHE or (
            self.size > SKELETON_CACHE_BYTES and len(self._kept) > 1
        ):
            _, dropped = self._kept.popitem(last=False)
            self.size -= _size(dropped)

    def values(self) -> list[Skeleton]:
        return list(self._kept.values())


def _size(skeleton: Skeleton) -> int:
    return sum(len(part) for part in skeleton if isinstance(part, bytes))
