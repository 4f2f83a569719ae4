"""The web pages, free of any web framework: ``Pages`` turns a journey into a finished HTML
page; ``links.Links`` says where each link on it leads.

The web app (``web.py``), the embeddable page (``embed.py``) and the static site
(``site.py``) all make their pages here, each with its own ``Links``; so the static export
needs no web framework.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pathways.assets import load_assets
from pathways.errors import ContentError, Location, Problem, TokenError
from pathways.glossary import mark_terms
from pathways.grid import option_grid
from pathways.httperror import HttpError
from pathways.journey import MAX_PATH, Journey, PathTooLongError
from pathways.links import MODES, PREFIX, ROOT, Links, Mode, at_root, journey_path, mount_of
from pathways.mapsvg import MOST_DRAWN, drawn, map_svg
from pathways.mapsvg import rows as map_rows
from pathways.notes import (
    ANSWER_MAX,
    NOTES_MAX_CHARS,
    OWN_QUESTION_MAX,
    keyed_questions,
    notes_view,
)
from pathways.schema import Model, Pathway, is_web_url
from pathways.stitch import (
    SLOT_PATH,
    Place,
    Skeletons,
    SlotLinks,
    fill_page,
    fill_path,
    split_page,
    split_path,
    stand_in_places,
)
from pathways.templating import (
    Renderer,
    escape_html,
    from_template,
    journey_view,
    text_safe,
    trusted_html,
)

log = logging.getLogger("pathways.pages")

GET = ["GET", "HEAD"]
"""Every page answers HEAD too (link checkers and monitors use it)."""

GLOSSARY_USES = 12
"""Pages named under each word of the glossary page; more are counted, not listed."""
PAGE_CACHE = 2048
"""Finished pages kept in memory at most, most recently used first..."""
PAGE_CACHE_BYTES = 3 * 1024 * 1024
"""...and at most this many bytes of them (a state page is about 8 KB, so some 400).
Readers on the same path share addresses (everyone who starts with the same topic has
the same first page), so the pages worth keeping are few; a bound in bytes keeps the
server's memory flat however many different journeys it sees (benchmarks/memory.py)."""


def _clean(value: Any) -> Any:
    """Every string of a view with control characters removed (autoescape does the HTML)."""
    if isinstance(value, str):
        return text_safe(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _holds_control(value: object) -> bool:
    """Whether any string in a model (or the containers inside it) has a control character."""
    if isinstance(value, str):
        return text_safe(value) != value
    if isinstance(value, Model):
        return any(_holds_control(getattr(value, name)) for name in type(value).model_fields)
    if isinstance(value, Mapping):
        return any(_holds_control(k) or _holds_control(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_control(v) for v in value)
    return False


SkeletonKey = tuple[str, str, tuple[tuple[str, str], ...], str, bool, bool]
"""(mode, state, topic choices, mount, whether the page has a back link, whether the
reader jumped to this place)."""


_MODE_OF: dict[str, Mode] = {PREFIX[mode].strip("/"): mode for mode in MODES}
"""A journey page's mode, by the first part of its address (``links.PREFIX``)."""


WAY_IN = "way-in"
"""The start form's name for a chapter (a way in): never a topic's name, since ids have
no hyphen, so it cannot clash with a topic in the same query."""


class Pages:
    """Everything a request needs, made once: the pathway, the templates, the static files
    and the cache of maps. Each method turns a journey into a finished page."""

    def __init__(
        self,
        pathway: Pathway,
        templates_dir: Path | None,
        links: Links | None = None,
        *,
        snapshot_templates: bool = False,
        reread_templates: bool = True,
        catalogue: Sequence[tuple[str, str]] = (),
    ) -> None:
        # Pages show no control characters. A pathway almost never holds one (YAML refuses
        # them unescaped), so the app keeps the one Pathway it was given; only one that
        # does hold some is shown from a cleaned copy, made once here.
        if _holds_control(pathway):
            pathway = Pathway.model_validate(_clean(pathway.model_dump()))
        self.pathway = pathway
        self.links = links or Links()
        # The (id, title) of every pathway served beside this one: presenter mode can
        # switch to another without going back to the catalogue.
        self.catalogue = tuple(catalogue)
        self.renderer = Renderer(
            templates_dir, snapshot=snapshot_templates, reread=reread_templates
        )
        self.environment = self.renderer.environment
        self._template_names: frozenset[str] | None = None
        self.assets = load_assets(templates_dir)
        for needed in ("site.css", "site.js"):
            if needed not in self.assets:
                raise ContentError(
                    [
                        Problem(
                            f"the web app's static file '{needed}' is missing",
                            hint="the packaged templates/web/static/ folder holds it",
                        )
                    ]
                )
        self._maps: dict[
            tuple[str | None, tuple[str, ...], str, tuple[tuple[str, str], ...]], str
        ] = {}
        self._leads_to: dict[str, list[str]] | None = None
        self._titles = {state.id: state.title for state in pathway.states}
        # What the slots of a path's shape are filled with: as the template shows them.
        self._id_bytes = {state.id: state.id.encode("utf-8") for state in pathway.states}
        self._title_bytes = {
            state.id: escape_html(state.title).encode("utf-8") for state in pathway.states
        }
        self._pages: OrderedDict[str, bytes] = OrderedDict()
        self._page_bytes = 0
        # State pages made once per place, and paths so far once per shape (stitch.py).
        self._skeletons: Skeletons[SkeletonKey] = Skeletons()
        self._shapes: Skeletons[tuple[Mode, tuple[bool, ...], int | None]] = Skeletons()
        start = Journey.begin(pathway)
        self.start_journey = start
        # What every page's frame shows (the intended purpose, the support line): the
        # static site checks its pages against it too.
        self.common = _clean(
            {
                "pathway": journey_view(start)["pathway"],
                "intended_purpose": pathway.metadata.intended_purpose,
                "support": journey_view(start)["support"],
                "support_all": [
                    {"name": c.name, "phone": c.phone, "offers": c.offers} for c in pathway.support
                ],
                "assets": {name: asset.url for name, asset in self.assets.items()},
                "notes_max": NOTES_MAX_CHARS,
                "notes_own_max": OWN_QUESTION_MAX,
                "notes_answer_max": ANSWER_MAX,
            }
        )

    # ------------------------------------------------------------------ helpers

    def url(self, journey: Journey, mode: Mode = "patient", tail: str = "") -> str:
        """The journey's page as the browser asks for it (under the app's mount)."""
        return at_root(journey_path(journey.token, mode, tail))

    def cached(self, address: str, build: Callable[[], str]) -> str:
        """The finished page at ``address`` (a path), built once and kept while it is among
        the most recently used.

        A page depends only on its address (the token says everything about the journey;
        no page reads the query), so the same address always gets the same page while the
        app runs, and ``FinishedPages`` can send it without routing the request again.
        """
        address = at_root(address)  # the same page under another mount has other links
        kept = self.finished(address)
        if kept is not None:
            return kept.decode("utf-8")
        page = build()
        self._keep(address, page.encode("utf-8"))
        return page

    def _keep(self, address: str, body: bytes) -> None:
        self._pages[address] = body  # kept encoded: half the memory of most pages' str
        self._page_bytes += len(body)
        while len(self._pages) > PAGE_CACHE or (
            self._page_bytes > PAGE_CACHE_BYTES and len(self._pages) > 1
        ):
            _, dropped = self._pages.popitem(last=False)
            self._page_bytes -= len(dropped)

    def journey_page(self, root: str, path: str) -> bytes | None:
        """The page at ``path`` (inside an app mounted at ``root``) if it is a journey's
        state page, ``/j/<token>`` or ``/present/<token>``, with a token that reads: made,
        kept and returned encoded, exactly as its route makes it; None for anything else
        (another address, a token that does not read), which the route answers.

        ``FinishedPages`` asks this before routing: a new journey's page costs the
        token's decoding and a stitch (``state_page``), not the framework's routing."""
        first, _, token = path.partition("/")[2].partition("/")
        mode = _MODE_OF.get(first)
        if mode is None or not token or "/" in token:
            return None
        try:
            journey = Journey.from_token(self.pathway, token)
        except (TokenError, PathTooLongError):
            return None  # the route answers: a friendly 400, or the 410 of a long link
        reset = ROOT.set(root)
        try:
            address = at_root(journey_path(token, mode))
            body = self.finished(address)
            if body is None:
                body = self.state_body(journey, mode, token)
                self._keep(address, body)
            return body
        finally:
            ROOT.reset(reset)

    def finished(self, address: str) -> bytes | None:
        """The page at ``address``, encoded, if it is already built (and kept), else None."""
        body = self._pages.get(address)
        if body is not None:
            self._pages.move_to_end(address)
        return body

    def journey_of(self, token: str, mode: Mode) -> Journey:
        """The journey a token in an address stands for, or a friendly 400 page."""
        try:
            return Journey.from_token(self.pathway, token)
        except PathTooLongError as exc:
            # A link past the bound (an old one, most likely): a page that offers to go on
            # from its step. 410: this address's page is no longer served, for good.
            raise HttpError(
                410, "too-long", journey=exc.kept, mode=mode, detail=str(exc.places)
            ) from None
        except TokenError:
            owner = self.token_owner(token)
            if owner is not None:
                raise HttpError(400, "elsewhere", mode=mode, detail=owner) from None
            raise HttpError(400, "token", mode=mode) from None

    token_owner: Callable[[str], str | None] = staticmethod(lambda token: None)
    """The title of the other pathway of a catalogue a token belongs to, if any (set by
    ``web.create_catalogue_app``): its reader is told where the link belongs instead of
    being shown a page of the wrong pathway."""

    def switch_to(self) -> list[dict[str, Any]]:
        """Presenter mode's list of the other pathways served beside this one, each at its
        own presenter start (empty for a pathway served alone)."""
        own = mount_of(self.pathway.metadata.id)
        root = ROOT.get()
        if not self.catalogue or not root.endswith(own):
            return []
        base = root.removesuffix(own)
        return [
            {
                "title": title,
                "url": f"{base}{mount_of(pathway_id)}/begin?mode=present",
                "current": pathway_id == self.pathway.metadata.id,
            }
            for pathway_id, title in self.catalogue
        ]

    def render(self, names: Sequence[str], data: dict[str, Any], links: Links | None = None) -> str:
        links = links or self.links
        return self._render(
            names,
            {
                **self.common,
                "assets": {name: links.asset(asset) for name, asset in self.assets.items()},
                "home_url": links.home(),
                "glossary_url": links.glossary(),
                "keeps_path": links.keeps_path,
                **data,
            },
        )

    def _existing(self, names: list[str]) -> list[str]:
        """``names`` less those no template folder holds, where templates are read once
        (a static build, a snapshot): a state's own template (``states/<id>.html``) is
        looked for before every state page, and Jinja2 asks the disk again each time one
        is missing. With templates reread (a server), the disk is asked as before."""
        if self.environment.auto_reload or len(names) < 2:
            return names
        if self._template_names is None:
            self._template_names = frozenset(self.environment.list_templates())
        return [n for n in names if n in self._template_names] or names

    def _render(self, names: Sequence[str], context: dict[str, Any]) -> str:
        """The first of ``web/<name>`` that exists, rendered with exactly ``context``."""
        try:
            template = self.environment.select_template(self._existing([f"web/{n}" for n in names]))
            return template.render(context)
        except Exception as exc:
            # A user's broken template is their mistake: one message at its file and line.
            problem = from_template(exc)
            if problem is None:
                raise
            raise problem from None

    def _nav(self, journey: Journey, mode: Mode, links: Links) -> dict[str, Any]:
        return {
            "mode": mode,
            "state_url": links.state(journey, mode),
            "map_url": links.map(journey, mode),
            "print_url": links.print(journey),
            "notes_url": links.notes(journey),
            "patient_url": links.in_mode(journey, "patient"),
            "present_url": links.in_mode(journey, "present"),
            "restart_url": links.restart(journey, mode),
            "back_url": links.back(journey, mode),
        }

    def topic_choice(self, query: Mapping[str, str]) -> dict[str, str]:
        """The topic choices in an address's query; other names (such as a campaign tag a
        link was shared with) are not topics and are left out, unknown values are not."""
        return {c.id: query[c.id] for c in self.pathway.contexts if c.id in query}

    def topics(self, journey: Journey | None = None) -> list[dict[str, Any]]:
        chosen = journey.context if journey else self.pathway.context_defaults()
        return [
            {
                "id": c.id,
                "label": c.label,
                "default": c.default,
                "chosen": chosen.get(c.id, c.default),
                "options": [{"id": v.id, "label": v.label, "phrase": v.phrase} for v in c.values],
            }
            for c in self.pathway.contexts
        ]

    # ------------------------------------------------------------------ pages

    def start_page(self, links: Links | None = None) -> str:
        links = links or self.links
        journey = self.start_journey
        return self.render(
            ["start.html"],
            {
                "page": "start",
                "mode": "patient",
                "topics": self.topics(),
                "begin_url": links.begin_form(),
                "start_url": links.state(journey, "patient"),
                "map_url": links.whole_map() or links.map(journey, "patient"),
                "present_url": links.in_mode(journey, "present"),
                "start_title": self.pathway.state(self.pathway.start).title,
                "chapters": self.chapters(links),
            },
            links,
        )

    def chapter_start(self, chapter_id: str) -> str | None:
        """The state the chapter (a way in) of this id begins at, or None if none has it."""
        return next((c.start for c in self.pathway.chapters if c.id == chapter_id), None)

    def path_places(self, journey: Journey) -> list[Place]:
        """The journey's path as a reader sees it: each state with its title, whether the
        reader walked there (numbered as a step taken) or jumped there (looked at, never
        a step), and which one they are on. When earlier places were let go at the bound,
        the first place says so (``earlier``: the steps no longer kept; ``kept``: the
        bound), and the steps kept are numbered as they were taken."""
        titles = self._titles
        places = []
        number = journey.earlier or 0
        last = len(journey.path) - 1
        for i, (state_id, jumped) in enumerate(zip(journey.path, journey.jumps, strict=True)):
            if not jumped:
                number += 1
            places.append(
                Place(state_id, titles[state_id], jumped, None if jumped else number, i == last)
            )
        places[0] = replace(places[0], earlier=journey.earlier, kept=MAX_PATH)
        return places

    def chapters(self, links: Links) -> list[dict[str, Any]]:
        """The pathway's ways in: each a journey begun at its state, with no path before it."""
        return [
            {
                "id": c.id,
                "title": c.title,
                "summary": c.summary,
                "url": links.state(Journey.begin(self.pathway, at=c.start), "patient"),
            }
            for c in self.pathway.chapters
        ]

    def state_view(
        self, journey: Journey, mode: Mode, links: Links | None = None
    ) -> dict[str, Any]:
        links = links or self.links
        view = journey_view(journey)
        state = self.pathway.state(journey.state)
        pieces = mark_terms(self.pathway, state.explanation, state.terms)
        choices = self.choices(journey, mode, links, view)
        path = self.path_places(journey) if links.keeps_path else None
        cited = []
        for fact in state.facts:
            if fact.source not in cited:
                cited.append(fact.source)
        for said in state.notes:
            if said.source not in cited:
                cited.append(said.source)
        # Facts cite their source by its number in the page's Sources list, in the order
        # the pathway declares its sources.
        refs = {
            s.id: n for n, s in enumerate((s for s in self.pathway.sources if s.id in cited), 1)
        }
        view["facts"] = [{**f, "ref": refs[f["source"]["id"]]} for f in view["facts"]]
        titles = {s.id: s.title for s in self.pathway.sources}
        for choice in choices:
            shown_note = choice.get("note")
            if shown_note:
                source_id = shown_note["source"]
                source = {"id": source_id, "title": titles.get(source_id, "")}
                choice["note"] = {**shown_note, "source": source, "ref": refs[source_id]}
        sources = [
            {
                "ref": refs[s.id],
                "title": s.title,
                "publisher": s.publisher,
                "url": s.url if is_web_url(s.url) else None,
                "accessed": s.accessed.isoformat(),
                "sections": sorted(
                    {f.section for f in state.facts if f.source == s.id}
                    | {n.section for n in state.notes if n.source == s.id},
                    key=s.sections.index,
                ),
            }
            for s in self.pathway.sources
            if s.id in cited
        ]
        jump_url, jump_to = self.jump_list(journey, mode, links)
        return {
            **view,
            **self._nav(journey, mode, links),
            "page": "state",
            "explanation_pieces": pieces,
            "choices": choices,
            "path": path,
            "sources": sources,
            "topics": self.topics(journey),
            "topic_url": links.topic_form(journey, mode),
            "jump_url": jump_url,
            "jump_to": jump_to,
            "switch_to": self.switch_to() if mode == "present" else [],
            "notes_questions": keyed_questions(state.questions),
            "grid": option_grid(self.pathway, journey) if mode == "present" else None,
        }

    def choices(
        self,
        journey: Journey,
        mode: Mode,
        links: Links,
        view: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """The ways on from here, each with its address and its number key."""
        shown = (view or journey_view(journey))["next"]
        return [
            {**one, "url": links.step(journey, mode, step), "key": index + 1}
            for index, (one, step) in enumerate(zip(shown, journey.next_steps(), strict=True))
        ]

    def jump_list(
        self, journey: Journey, mode: Mode, links: Links
    ) -> tuple[str | None, list[dict[str, Any]]]:
        """The jump form's address and its places; none where there is no form.

        Only a page with the jump form lists every state (a static page would grow with
        the pathway, and the whole site quadratically)."""
        jump_url = links.jump_form(journey, mode)
        if jump_url is None:
            return None, []
        return jump_url, [
            {"id": s.id, "title": s.title, "current": s.id == journey.state}
            for s in self.pathway.states
        ]

    def state_page(
        self, journey: Journey, mode: Mode, links: Links | None = None, token: str | None = None
    ) -> str:
        """The journey's page at its current state (``token``: the journey's, if known).
        With the web app's own links it is stitched from its place's skeleton
        (``state_body``); with others (the embed, the static site) rendered in full."""
        links = links or self.links
        if type(links) is not Links:
            return self.full_state_page(journey, mode, links)
        return self.state_body(journey, mode, token).decode("utf-8")

    def state_body(self, journey: Journey, mode: Mode, token: str | None = None) -> bytes:
        """The journey's page at its current state with the web app's links, encoded.

        A state page is made once for every journey at the same place (mode, state, topic
        choices, mount, whether it has a back link, whether the reader jumped there) with
        slots where each journey's own parts go (its token in every link, its back
        journey's token, the "path so far"), and each journey's page is that skeleton with
        the slots filled in: one join instead of a whole render. A skeleton is made from
        a journey at that place with another path, and checked on first use against the
        page rendered in full: templates that show something of the journey outside the
        slots (a user's) make that place's pages in full from then on, as correct as ever.
        """
        key: SkeletonKey = (
            mode,
            journey.state,
            journey.context_items,
            ROOT.get(),
            journey.can_go_back,
            journey.jumps[-1],
        )
        skeleton = self._skeletons.get(key)
        if skeleton is not None:
            return self._stitch(skeleton, journey, mode, token)
        page = self.full_state_page(journey, mode).encode("utf-8")
        if key in self._skeletons.in_full:
            return page
        stand_in = self._stand_in(journey)
        skeleton = split_page(
            self._render_state(stand_in, mode, SlotLinks(stand_in), trusted_html(SLOT_PATH))
        )
        if self._stitch(skeleton, journey, mode, token) != page:
            self._skeletons.in_full.add(key)
            log.warning(
                "the templates show something of a journey outside its slots on the %s page"
                " of state '%s': its pages are rendered in full (slower; see templates/README.md)",
                "presenter" if mode == "present" else "patient",
                journey.state,
            )
            return page
        self._skeletons.keep(key, skeleton)
        return page

    def full_state_page(self, journey: Journey, mode: Mode, links: Links | None = None) -> str:
        """The journey's page at its current state, rendered whole from the templates."""
        links = links or self.links
        return self._render_state(journey, mode, links, self.path_markup(journey, mode, links))

    def _render_state(self, journey: Journey, mode: Mode, links: Links, path_markup: str) -> str:
        view = self.state_view(journey, mode, links)
        view["path_markup"] = path_markup
        page = "present.html" if mode == "present" else "state.html"
        folder = "present" if mode == "present" else "states"
        return self.render([f"{folder}/{journey.state}.html", page], view, links)

    def path_markup(self, journey: Journey, mode: Mode, links: Links) -> str:
        """The "Your path so far" part (``web/_path.html``, given ``path``, ``mode``, ``page`` and
        ``keeps_path``) for this journey, rendered; nothing where the links keep no path
        (the static site)."""
        if not links.keeps_path:
            return trusted_html("")
        return trusted_html(self._path_html(self.path_places(journey), mode))

    def _path_html(self, places: Sequence[Place], mode: Mode) -> str:
        # Only what the path needs: it is made for every new journey's page.
        data = {"page": "state", "mode": mode, "keeps_path": True, "path": places}
        return self._render(["_path.html"], data)

    def _path_body(self, journey: Journey, mode: Mode) -> bytes:
        """The "Your path so far" part for this journey, encoded: ``path_markup``'s HTML, made as a
        state page is (``state_body``), from a skeleton for the path's shape (its length,
        which places were jumped to, the mode) with slots for each place's id and title,
        checked on first use against the render. Its cost grows with the path's length."""
        key = (mode, journey.jumps, journey.earlier)
        shape = self._shapes.get(key)
        if shape is not None:
            return fill_path(shape, journey.path, self._id_bytes, self._title_bytes)
        html = self.path_markup(journey, mode, self.links).encode("utf-8")
        if key in self._shapes.in_full:
            return html
        stand_in = stand_in_places(journey.jumps, journey.earlier, MAX_PATH)
        shape = split_path(self._path_html(stand_in, mode))
        if fill_path(shape, journey.path, self._id_bytes, self._title_bytes) != html:
            self._shapes.in_full.add(key)
            log.warning(
                "the template web/_path.html shows more of a place than its id and title:"
                " paths of %d places are rendered each time (slower; see templates/README.md)",
                len(journey.path),
            )
            return html
        self._shapes.keep(key, shape)
        return html

    def _stand_in(self, journey: Journey) -> Journey:
        """A journey at the same place (state, topics, whether it can go back) with another
        path where it has one, for its skeleton: a page that shows any more of the path
        than its slot then differs from the journey's own, and the check finds it."""
        if not journey.can_go_back:
            return journey  # nothing else of it can differ: its path is its place
        start = self.pathway.start
        history = (start,) if journey.history != (start,) else (start, start)
        jumped = (False,) * len(history) + (True,) if journey.jumps[-1] else ()
        return Journey(self.pathway, journey.state, history, journey.context_items, jumped)

    def _stitch(
        self, skeleton: list[bytes | int], journey: Journey, mode: Mode, token: str | None
    ) -> bytes:
        """The skeleton with this journey's token, back journey's token and path filled in."""
        return fill_page(
            skeleton,
            (token or journey.token).encode("ascii"),
            journey.back().token.encode("ascii") if journey.can_go_back else b"",
            self._path_body(journey, mode),
        )

    def _map_key(
        self, journey: Journey | None, links: Links, mode: Mode = "patient"
    ) -> tuple[str | None, tuple[str, ...], str, tuple[tuple[str, str], ...]]:
        if journey is None:
            return (None, (), links.map_boxes(None, mode), ())
        next_states = tuple(sorted({step.dest for step in journey.next_steps()}))
        topic = tuple(sorted(journey.context.items()))
        return (journey.state, next_states, links.map_boxes(journey, mode), topic)

    def map_svg(
        self, journey: Journey | None, links: Links | None = None, mode: Mode = "patient"
    ) -> str:
        """The map for this place and topic (None: no place marked): laid out once per
        topic (``mapsvg.layout``), marked for this place, and kept. "" for a pathway
        too large to draw (``mapsvg.drawn``): its map page is the list alone."""
        if not drawn(self.pathway):
            return ""
        links = links or self.links
        key = self._map_key(journey, links, mode)
        svg = self._maps.get(key)
        if svg is None:
            here, next_states, boxes, topic = key
            svg = self._maps[key] = map_svg(
                self.pathway, here, next_states, context=dict(topic), link=boxes
            )
        return svg

    def has_map(self, journey: Journey) -> bool:
        """Whether the journey's map is ready (no layout to wait for)."""
        return not drawn(self.pathway) or self._map_key(journey, self.links) in self._maps

    def leads_to(self) -> dict[str, list[str]]:
        """For each state, the titles of the states a step from it leads to, worked out
        once (per page it would make a whole site quadratic)."""
        if self._leads_to is None:
            found: dict[str, dict[str, None]] = {s.id: {} for s in self.pathway.states}
            for source, t in self.pathway.edges():
                found[source][t.dest] = None
            self._leads_to = {
                state_id: [self.pathway.state(dest).title for dest in dests]
                for state_id, dests in found.items()
            }
        return self._leads_to

    def map_page(self, journey: Journey | None, mode: Mode, links: Links | None = None) -> str:
        """The map with the journey's place marked; ``journey`` None: the whole pathway
        with no place marked (the static site's map). A pathway too large to draw
        (``mapsvg.drawn``) gets the same page with its places as a list only, each at
        ``#map-<id>`` as its box would be, and the page says why."""
        links = links or self.links
        next_states = {step.dest for step in journey.next_steps()} if journey else set()
        visited = set(journey.history) if journey else set()
        here_id = journey.state if journey else None
        leads_to = self.leads_to()
        at = journey or self.start_journey
        states = [
            {
                "id": s.id,
                "title": s.title,
                "summary": s.summary,
                "url": links.jump(at, mode, s.id),
                "here": s.id == here_id,
                "next": s.id in next_states,
                "visited": s.id in visited,
                "end": s.end,
                "leads_to": leads_to[s.id],
            }
            for s in self.pathway.states
        ]
        by_id = {state["id"]: state for state in states}
        groups = [
            {"title": row.title, "states": [by_id[s] for s in row.states]}
            for row in self.pathway.derived("mapsvg.rows", lambda: map_rows(self.pathway))
        ]
        nav = self._nav(at, mode, links)
        if journey is None:
            nav.update(state_url=None, back_url=None)
        present: dict[str, Any] = {"choices": [], "jump_url": None, "jump_to": [], "path": None}
        if journey is not None and mode == "present":
            jump_url, jump_to = self.jump_list(journey, mode, links)
            present = {
                "choices": self.choices(journey, mode, links),
                "jump_url": jump_url,
                "jump_to": jump_to,
                "path": self.state_view(journey, mode, links)["path"],
            }
        return self.render(
            ["map.html"],
            {
                **nav,
                "page": "map",
                "here_title": self.pathway.state(here_id).title if here_id else None,
                "states": states,
                "groups": groups,
                **present,
                **self._drawing(journey, links, mode),
            },
            links,
        )

    def _drawing(self, journey: Journey | None, links: Links, mode: Mode) -> dict[str, Any]:
        """The map page's drawing, or (too large to draw) what the page says instead."""
        if drawn(self.pathway):
            return {"svg_markup": self.map_svg(journey, links, mode), "undrawn": None}
        return {
            "svg_markup": "",
            "undrawn": {"states": len(self.pathway.states), "most": MOST_DRAWN},
        }

    def glossary_page(self, links: Links | None = None) -> str:
        """Every word the guide explains, in alphabetical order, with the pages that use it."""
        links = links or self.links
        journey = self.start_journey
        used_on: dict[str, list[dict[str, str]]] = {g.id: [] for g in self.pathway.glossary}
        for state in self.pathway.states:
            for term_id in dict.fromkeys(state.terms):
                if term_id in used_on:
                    used_on[term_id].append(
                        {"title": state.title, "url": links.jump(journey, "patient", state.id)}
                    )
        sources = {s.id: s for s in self.pathway.sources}
        terms = [
            {
                "id": g.id,
                "term": g.term,
                "also": [a for a in g.also if a.casefold() != g.term.casefold()],
                "definition": g.definition,
                "source": (
                    {"title": sources[g.source].title, "publisher": sources[g.source].publisher}
                    if g.source in sources
                    else None
                ),
                "used_on": used_on[g.id][:GLOSSARY_USES],
                "more_uses": max(0, len(used_on[g.id]) - GLOSSARY_USES),
            }
            for g in sorted(self.pathway.glossary, key=lambda g: g.term.casefold())
        ]
        return self.render(
            ["glossary.html"],
            {
                **self._nav(journey, "patient", links),
                "page": "glossary",
                "map_url": links.whole_map() or links.map(journey, "patient"),
                "state_url": None,
                "back_url": None,
                "terms": terms,
            },
            links,
        )

    def print_page(self, journey: Journey) -> str:
        """ "My path and my questions": the steps walked (a state jumped to was looked at,
        and is no step of the path), where the reader is now with its options and facts,
        and the questions of every step walked."""
        walked = []
        for state_id in dict.fromkeys(journey.walked):
            state = self.pathway.state(state_id)
            walked.append(
                {
                    "id": state.id,
                    "title": state.title,
                    "summary": state.summary,
                    "questions": list(state.questions),
                }
            )
        here = self.state_view(journey, "patient", self.links)
        return self.render(
            ["print.html"],
            {
                **here,
                **self._nav(journey, "patient", self.links),
                "page": "print",
                "walked": walked,
                "here_walked": not journey.jumps[-1],
                **notes_view(self.pathway),
            },
        )

    def notes_page(self, journey: Journey, links: Links | None = None) -> str:
        """The reader's notes page, "My questions": the questions they picked or wrote and
        their answers to the prompts, all read from the address's fragment by its script."""
        links = links or self.links
        return self.render(
            ["notes.html"],
            {**self._nav(journey, "patient", links), "page": "notes", **notes_view(self.pathway)},
            links,
        )

    def ways_on(self, kept: Journey, mode: Mode, links: Links) -> dict[str, Any]:
        """What the page for a link past the bound offers: its step, and the ways on from
        there (the journey kept to the bound, or afresh from that step, topics kept)."""
        fresh = Journey.begin(self.pathway, kept.context, at=kept.state)
        return {
            "here_title": self.pathway.state(kept.state).title,
            "kept_url": links.state(kept, mode),
            "fresh_url": links.state(fresh, mode),
            "kept_places": len(kept.path),
            "max_places": MAX_PATH,
            "journey_url": None,
        }

    def error_page(self, error: HttpError) -> str:
        journey = error.journey
        data: dict[str, Any] = {
            "page": "error",
            "mode": error.mode,
            "status": error.status,
            "kind": error.kind,
            "detail": text_safe(error.detail) if error.detail else None,
            "journey_url": self.url(journey, error.mode) if journey else None,
            "map_url": self.url(journey or self.start_journey, error.mode, "/map"),
            "choices": [],
        }
        if journey is not None and error.kind == "too-long":
            data.update(self.ways_on(journey, error.mode, self.links))
        if journey is not None and error.kind == "step":
            data["here_title"] = self.pathway.state(journey.state).title
            data["choices"] = [
                {
                    "label": step.label,
                    "url": self.url(journey, error.mode, f"/step/{step.trigger}"),
                }
                for step in journey.next_steps()
            ]
        return self.render(["error.html"], data)

    # ------------------------------------------------------------------ checks

    def check(self) -> None:
        """Render every page once: a broken or incomplete template fails here, at start-up.

        Every page must show the intended-purpose statement and the support line, however a
        user's templates folder changes the layout.
        """
        journey = self.start_journey
        pages: list[tuple[str, str]] = [("start page", self.start_page())]
        for state in self.pathway.states:
            at = journey.jump(state.id)
            pages.append((f"page of state '{state.id}'", self.state_page(at, "patient")))
            pages.append((f"presenter page of state '{state.id}'", self.state_page(at, "present")))
        pages.append(("print page", self.print_page(journey)))
        pages.append(("notes page", self.notes_page(journey)))
        pages.append(("glossary page", self.glossary_page()))
        pages.append(("error page", self.error_page(HttpError(404, "state", detail="x"))))
        past = HttpError(410, "too-long", journey=journey, detail=str(MAX_PATH + 1))
        pages.append(("page for a link past the bound", self.error_page(past)))
        self.check_frames(pages)

    def check_frames(self, pages: Iterable[tuple[str, str]]) -> None:
        """Refuse, at start-up, any of these rendered pages (a description such as
        "start page", and its HTML) that leaves out the intended-purpose statement or the
        support line: a ContentError naming each such page."""
        for what, html in pages:
            try:
                Renderer.check_frame(html, "html", self.common, f"web template for the {what}")
            except ContentError as exc:
                raise ContentError(
                    [
                        Problem(
                            p.message,
                            hint=p.hint,
                            location=Location(f"templates/web ({what})", 1, 1),
                        )
                        for p in exc.problems
                    ]
                ) from None
