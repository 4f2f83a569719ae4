"""The checks across a whole pathway document, and every text in it.

``check_pathway`` finds every problem that spans more than one place (unknown ids,
unreachable states, uncited facts, an overdue review) and returns each as a ``Problem``
with the path of the offending value, which the loader turns into ``file:line:col``.
``iter_text`` walks every piece of text a person can see, for the lint, and
``iter_all_text`` every text field of the models, found by walking them. Layer 2, beside
``schema.py`` (whose models it reads); no I/O.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Mapping
from typing import Annotated, Literal, get_args, get_origin

from pathways.errors import Problem, ProblemList, did_you_mean
from pathways.schema import SCHEMA_VERSION, Model, Pathway

__all__ = ["check_pathway", "iter_all_text", "iter_text"]


def check_pathway(
    pathway: Pathway, *, today: dt.date | None = None, review: bool = True
) -> list[Problem]:
    """Every problem across the document, each with the path of the value to fix;
    ``review=False`` leaves out the review dates (a catalogue lists an overdue pathway as
    withdrawn for review, so it reads one that is otherwise sound)."""
    problems = ProblemList()
    _check_unique_ids(pathway, problems)
    _check_transitions(pathway, problems)
    _check_reachability(pathway, problems)
    _check_citations(pathway, problems)
    _check_glossary(pathway, problems)
    _check_contexts(pathway, problems)
    _check_notes(pathway, problems)
    _check_chapters(pathway, problems)
    _check_phases(pathway, problems)
    _check_comparison(pathway, problems)
    if review:
        _check_review(pathway, problems, today or dt.date.today())
    _check_schema_version(pathway, problems)
    _check_lint_settings(pathway, problems)
    return problems.problems


def _check_schema_version(p: Pathway, problems: ProblemList) -> None:
    version = p.metadata.schema_version
    if version > SCHEMA_VERSION:
        problems.add(
            f"the document was written for schema version {version}; this version of"
            f" pathways reads {_versions()}",
            path=("metadata", "schema_version"),
            hint="update pathways to a release that reads it, or check the number",
        )


def _versions() -> str:
    return "version 1" if SCHEMA_VERSION == 1 else f"versions 1 to {SCHEMA_VERSION}"


def _check_lint_settings(p: Pathway, problems: ProblemList) -> None:
    """The states and topics the lint settings name must exist, as a step's must."""
    states = set(p.state_ids)
    team = p.lint.team.state
    if team is not None and team not in states:
        problems.add(
            f"lint.team.state names unknown state '{team}'",
            path=("lint", "team", "state"),
            hint=did_you_mean(team, states),
        )
    for index, state in enumerate(p.lint.no_treatment.states):
        if state not in states:
            problems.add(
                f"lint.no_treatment.states names unknown state '{state}'",
                path=("lint", "no_treatment", "states", index),
                hint=did_you_mean(state, states),
            )
    _check_when(p, p.lint.no_treatment.when, ("lint", "no_treatment", "when"), problems)


def _check_when(
    p: Pathway,
    when: Mapping[str, tuple[str, ...]],
    path: tuple[str | int, ...],
    problems: ProblemList,
) -> None:
    owner = ".".join(str(part) for part in path)
    contexts = {c.id: c for c in p.contexts}
    for name, values in when.items():
        context = contexts.get(name)
        if context is None:
            problems.add(
                f"{owner} names unknown context '{name}'",
                path=(*path, name),
                hint=did_you_mean(name, contexts),
            )
            continue
        allowed = [v.id for v in context.values]
        for index, value in enumerate(values):
            if value not in allowed:
                problems.add(
                    f"{owner} names '{name}={value}', which is not a value of context '{name}'",
                    path=(*path, name, index),
                    hint=did_you_mean(value, allowed),
                )


def _check_unique_ids(p: Pathway, problems: ProblemList) -> None:
    groups: list[tuple[str, str, list[str]]] = [
        ("states", "state", [s.id for s in p.states]),
        ("sources", "source", [s.id for s in p.sources]),
        ("glossary", "glossary entry", [g.id for g in p.glossary]),
        ("contexts", "context", [c.id for c in p.contexts]),
        ("chapters", "chapter", [c.id for c in p.chapters]),
        ("what_matters", "prompt", [w.id for w in p.what_matters]),
    ]
    for key, noun, ids in groups:
        seen: set[str] = set()
        for i, item_id in enumerate(ids):
            if item_id in seen:
                problems.add(
                    f"{noun} id '{item_id}' is used more than once",
                    path=(key, i, "id"),
                    hint=f"give each {noun} its own id",
                )
            seen.add(item_id)
    for c_index, context in enumerate(p.contexts):
        value_ids = [v.id for v in context.values]
        for v_index, value_id in enumerate(value_ids):
            if value_id in value_ids[:v_index]:
                problems.add(
                    f"context '{context.id}' lists value '{value_id}' more than once",
                    path=("contexts", c_index, "values", v_index, "id"),
                )
        if context.default not in value_ids:
            problems.add(
                f"context '{context.id}' has default '{context.default}', which is not one"
                " of its values",
                path=("contexts", c_index, "default"),
                hint=did_you_mean(context.default, value_ids),
            )
    seen_pairs: set[tuple[str, str]] = set()
    for t_index, t in enumerate(p.transitions):
        for s_index, source in enumerate(t.source):
            if (t.trigger, source) in seen_pairs:
                problems.add(
                    f"trigger '{t.trigger}' leaves state '{source}' more than once",
                    path=("transitions", t_index, "source", s_index),
                    hint="a trigger names one step from a state; give the other a new trigger",
                )
            seen_pairs.add((t.trigger, source))


def _check_transitions(p: Pathway, problems: ProblemList) -> None:
    states = set(p.state_ids)
    if p.start not in states:
        problems.add(
            f"the pathway starts at unknown state '{p.start}'",
            path=("start",),
            hint=did_you_mean(p.start, states),
        )
    for t_index, t in enumerate(p.transitions):
        if t.trigger in states:
            problems.add(
                f"trigger '{t.trigger}' has the same name as a state",
                path=("transitions", t_index, "trigger"),
                hint=f"name the step for what happens, e.g. 'go_to_{t.trigger}'",
            )
        for s_index, source in enumerate(t.source):
            if source not in states:
                problems.add(
                    f"transition '{t.trigger}' comes from unknown state '{source}'",
                    path=("transitions", t_index, "source", s_index)
                    if len(t.source) > 1
                    else ("transitions", t_index, "source"),
                    hint=did_you_mean(source, states),
                )
        if t.dest not in states:
            problems.add(
                f"transition '{t.trigger}' goes to unknown state '{t.dest}'",
                path=("transitions", t_index, "dest"),
                hint=did_you_mean(t.dest, states),
            )


def _successors(p: Pathway) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {s: set() for s in p.state_ids}
    for source, t in p.edges():
        if source in graph and t.dest in graph:
            graph[source].add(t.dest)
    return graph


def _check_reachability(p: Pathway, problems: ProblemList) -> None:
    graph = _successors(p)
    if p.start in graph:
        seen = {p.start}
        todo = [p.start]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        for index, state in enumerate(p.states):
            if state.id not in seen:
                problems.add(
                    f"state '{state.id}' cannot be reached from the start ('{p.start}')",
                    path=("states", index, "id"),
                    hint=f"add a transition with dest: {state.id}, or remove the state",
                )
    for index, state in enumerate(p.states):
        if not state.end and not graph[state.id]:
            problems.add(
                f"state '{state.id}' has no way on and is not an end point",
                path=("states", index, "id"),
                hint="add a transition from it, or mark it 'end: true'",
            )


def _check_citations(p: Pathway, problems: ProblemList) -> None:
    sources = {s.id: s for s in p.sources}
    for s_index, state in enumerate(p.states):
        for f_index, fact in enumerate(state.facts):
            path = ("states", s_index, "facts", f_index)
            source = sources.get(fact.source)
            if source is None:
                problems.add(
                    f"a fact in state '{state.id}' cites unknown source '{fact.source}'",
                    path=(*path, "source"),
                    hint=did_you_mean(fact.source, sources),
                )
            elif fact.section not in source.sections:
                problems.add(
                    f"a fact in state '{state.id}' cites section '{fact.section}', which"
                    f" source '{source.id}' does not declare",
                    path=(*path, "section"),
                    hint=did_you_mean(fact.section, source.sections),
                )
            if fact.number and fact.number.count > fact.number.out_of:
                problems.add(
                    f"a number in state '{state.id}' says {fact.number.count} in"
                    f" {fact.number.out_of}",
                    path=(*path, "number", "count"),
                    hint="count must not be more than out_of",
                )
    for g_index, entry in enumerate(p.glossary):
        if entry.source and entry.source not in sources:
            problems.add(
                f"glossary entry '{entry.id}' cites unknown source '{entry.source}'",
                path=("glossary", g_index, "source"),
                hint=did_you_mean(entry.source, sources),
            )
    for c_index, contact in enumerate(p.support):
        if contact.source and contact.source not in sources:
            problems.add(
                f"support contact '{contact.name}' cites unknown source '{contact.source}'",
                path=("support", c_index, "source"),
                hint=did_you_mean(contact.source, sources),
            )


def _check_glossary(p: Pathway, problems: ProblemList) -> None:
    terms = {g.id for g in p.glossary}
    for s_index, state in enumerate(p.states):
        for t_index, term in enumerate(state.terms):
            if term not in terms:
                problems.add(
                    f"state '{state.id}' uses glossary term '{term}', which is not defined",
                    path=("states", s_index, "terms", t_index),
                    hint=did_you_mean(term, terms),
                )


def _check_contexts(p: Pathway, problems: ProblemList) -> None:
    contexts = {c.id: c for c in p.contexts}
    for t_index, t in enumerate(p.transitions):
        for name, values in t.when.items():
            context = contexts.get(name)
            if context is None:
                problems.add(
                    f"transition '{t.trigger}' applies to unknown context '{name}'",
                    path=("transitions", t_index, "when", name),
                    hint=did_you_mean(name, contexts),
                )
                continue
            allowed = [v.id for v in context.values]
            for v_index, value in enumerate(values):
                if value not in allowed:
                    problems.add(
                        f"transition '{t.trigger}' applies to '{name}={value}', which is not"
                        f" a value of context '{name}'",
                        path=("transitions", t_index, "when", name, v_index),
                        hint=did_you_mean(value, allowed),
                    )


def _check_cited(
    p: Pathway,
    problems: ProblemList,
    what: str,
    source_id: str | None,
    section: str | None,
    path: tuple[str | int, ...],
) -> None:
    """A citation (source and section) of something other than a fact: both or neither."""
    sources = {s.id: s for s in p.sources}
    if source_id is None:
        if section is not None:
            problems.add(
                f"{what} cites section '{section}' but no source",
                path=(*path, "section"),
                hint=f"add source: (known: {', '.join(sources)})",
            )
        return
    source = sources.get(source_id)
    if source is None:
        problems.add(
            f"{what} cites unknown source '{source_id}'",
            path=(*path, "source"),
            hint=did_you_mean(source_id, sources),
        )
    elif section is not None and section not in source.sections:
        problems.add(
            f"{what} cites section '{section}', which source '{source_id}' does not declare",
            path=(*path, "section"),
            hint=did_you_mean(section, source.sections),
        )


def _check_notes(p: Pathway, problems: ProblemList) -> None:
    """A note names an option of its own state, once, and cites the source; a state that
    says the source gives no figure has no figure."""
    scope = p.metadata.scope
    if scope is not None:
        _check_cited(p, problems, "the scope", scope.source, scope.section, ("metadata", "scope"))
    leading_on: dict[str, set[str]] = {}  # by state: the steps from it (once, not per state)
    for t in p.transitions:
        for source in t.source:
            leading_on.setdefault(source, set()).add(t.trigger)
    for s_index, state in enumerate(p.states):
        seen: set[str] = set()
        steps = leading_on.get(state.id, set())
        for n_index, note in enumerate(state.notes):
            path = ("states", s_index, "notes", n_index)
            if note.step not in steps:
                problems.add(
                    f"a note in state '{state.id}' is about step '{note.step}', which does not"
                    " lead on from there",
                    path=(*path, "step"),
                    hint=did_you_mean(note.step, steps),
                )
            if note.step in seen:
                problems.add(
                    f"state '{state.id}' has more than one note about step '{note.step}'",
                    path=(*path, "step"),
                    hint="say it all in one note",
                )
            seen.add(note.step)
            _check_cited(
                p, problems, f"a note in state '{state.id}'", note.source, note.section, path
            )
        if state.no_figure is not None and any(f.number for f in state.facts):
            problems.add(
                f"state '{state.id}' says the source gives no figure, but one of its facts has"
                " a number",
                path=("states", s_index, "no_figure"),
                hint="remove no_figure, or the number",
            )


def _check_chapters(p: Pathway, problems: ProblemList) -> None:
    states = set(p.state_ids)
    for index, chapter in enumerate(p.chapters):
        if chapter.start not in states:
            problems.add(
                f"chapter '{chapter.id}' starts at unknown state '{chapter.start}'",
                path=("chapters", index, "start"),
                hint=did_you_mean(chapter.start, states),
            )


def _check_comparison(p: Pathway, problems: ProblemList) -> None:
    """A state's comparison cells name rows the document declares, and cite the source."""
    rows = [r.id for r in p.comparison]
    for index, row_id in enumerate(rows):
        if row_id in rows[:index]:
            problems.add(
                f"comparison row id '{row_id}' is used more than once",
                path=("comparison", index, "id"),
                hint="give each row its own id",
            )
    for s_index, state in enumerate(p.states):
        for row_id, said in state.compare.items():
            path = ("states", s_index, "compare", row_id)
            if row_id not in rows:
                problems.add(
                    f"state '{state.id}' fills comparison row '{row_id}', which the document"
                    " does not declare",
                    path=path,
                    hint=did_you_mean(row_id, rows)
                    if rows
                    else "declare it under comparison: (id and title)",
                )
            _check_cited(
                p,
                problems,
                f"state '{state.id}' (comparison '{row_id}')",
                said.source,
                said.section,
                path,
            )


def _check_phases(p: Pathway, problems: ProblemList) -> None:
    """Phases, where given, place every state once and name only states."""
    if not p.phases:
        return
    states = set(p.state_ids)
    placed: dict[str, str] = {}
    for index, phase in enumerate(p.phases):
        if phase.id in [q.id for q in p.phases[:index]]:
            problems.add(
                f"phase id '{phase.id}' is used more than once",
                path=("phases", index, "id"),
                hint="give each phase its own id",
            )
        for s_index, state_id in enumerate(phase.states):
            path = ("phases", index, "states", s_index)
            if state_id not in states:
                problems.add(
                    f"phase '{phase.id}' names unknown state '{state_id}'",
                    path=path,
                    hint=did_you_mean(state_id, states),
                )
            elif state_id in placed:
                problems.add(
                    f"state '{state_id}' is in phase '{placed[state_id]}' and in phase"
                    f" '{phase.id}'",
                    path=path,
                    hint="put each state in one phase",
                )
            else:
                placed[state_id] = phase.id
    missing = [s for s in p.state_ids if s not in placed]
    if missing:
        names = ", ".join(f"'{m}'" for m in missing)
        problems.add(
            f"no phase names state{'s' if len(missing) > 1 else ''} {names}",
            path=("phases",),
            hint="add each state to the phase it belongs to (the map draws phases as rows)",
        )


def _check_review(p: Pathway, problems: ProblemList, today: dt.date) -> None:
    meta = p.metadata
    if meta.next_review < today:
        problems.add(
            f"the content was due for review on {meta.next_review.isoformat()}, which has passed",
            path=("metadata", "next_review"),
            hint="have the content reviewed, then set reviewed and next_review to new dates",
        )
    if meta.reviewed > today:
        problems.add(
            f"the reviewed date {meta.reviewed.isoformat()} is in the future",
            path=("metadata", "reviewed"),
            hint="set it to the date the content was actually reviewed",
        )
    if meta.next_review <= meta.reviewed:
        problems.add(
            "next_review must come after reviewed",
            path=("metadata", "next_review"),
        )


def iter_text(pathway: Pathway) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every piece of text a person can see, with its path in the document."""
    meta = pathway.metadata
    yield ("metadata", "title"), meta.title
    yield ("metadata", "intended_purpose"), meta.intended_purpose
    if meta.reviewer is not None:
        yield ("metadata", "reviewer", "role"), meta.reviewer.role
    if meta.scope is not None:
        yield ("metadata", "scope", "text"), meta.scope.text
    for i, chapter in enumerate(pathway.chapters):
        yield ("chapters", i, "title"), chapter.title
        if chapter.summary is not None:
            yield ("chapters", i, "summary"), chapter.summary
    for i, contact in enumerate(pathway.support):
        yield ("support", i, "offers"), contact.offers
    for i, entry in enumerate(pathway.glossary):
        yield ("glossary", i, "term"), entry.term
        yield ("glossary", i, "definition"), entry.definition
    for i, context in enumerate(pathway.contexts):
        yield ("contexts", i, "label"), context.label
        for j, value in enumerate(context.values):
            yield ("contexts", i, "values", j, "label"), value.label
    for i, state in enumerate(pathway.states):
        yield ("states", i, "title"), state.title
        yield ("states", i, "summary"), state.summary
        for j, paragraph in enumerate(state.explanation):
            yield ("states", i, "explanation", j), paragraph
        for j, fact in enumerate(state.facts):
            yield ("states", i, "facts", j, "text"), fact.text
            if fact.number is not None and fact.number.filled is not None:
                yield ("states", i, "facts", j, "number", "filled"), fact.number.filled
        for j, note in enumerate(state.notes):
            yield ("states", i, "notes", j, "text"), note.text
        if state.no_figure is not None:
            yield ("states", i, "no_figure"), state.no_figure
        for j, question in enumerate(state.questions):
            yield ("states", i, "questions", j), question
    for i, t in enumerate(pathway.transitions):
        yield ("transitions", i, "label"), t.label
    for i, prompt in enumerate(pathway.what_matters):
        yield ("what_matters", i, "prompt"), prompt.prompt
    for i, phase in enumerate(pathway.phases):
        yield ("phases", i, "title"), phase.title
    for i, row in enumerate(pathway.comparison):
        yield ("comparison", i, "title"), row.title
    for i, state in enumerate(pathway.states):
        for row_id, said in state.compare.items():
            yield ("states", i, "compare", row_id, "text"), said.text


def iter_all_text(pathway: Pathway) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every text of the document with its path, found by walking the models' fields.

    A text is any string that is not an id (ids carry a pattern) or a fixed choice: the
    readers' prose of ``iter_text`` and also names, addresses, phone numbers, section
    headings and settings. Walked from the models, so a text field added to them is
    included the day it is added; a caller leaves out what its rule does not cover.
    """
    yield from _walk_text(pathway, (), is_text=False)


def _walk_text(
    value: object, path: tuple[str | int, ...], *, is_text: bool
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, Model):
        texts = _text_fields(type(value))
        for name in type(value).model_fields:
            yield from _walk_text(getattr(value, name), (*path, name), is_text=name in texts)
    elif isinstance(value, str):
        if is_text:
            yield path, value
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from _walk_text(item, (*path, index), is_text=is_text)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk_text(item, (*path, str(key)), is_text=is_text)


@functools.cache
def _text_fields(model: type[Model]) -> frozenset[str]:
    """The names of a model's fields that hold text (alone, optional or in a list)."""
    return frozenset(
        name
        for name, field in model.model_fields.items()
        if _holds_text(field.annotation, list(field.metadata))
    )


def _holds_text(annotation: object, metadata: list[object]) -> bool:
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return _holds_text(args[0], [*metadata, *args[1:]])
    if origin is Literal:
        return False
    if isinstance(origin, type) and issubclass(origin, Mapping):
        return _holds_text(args[1], [])  # the keys are names, not texts
    if origin is not None:  # tuples, lists and optional values
        return any(_holds_text(arg, []) for arg in args if arg is not Ellipsis)
    return annotation is str and not any(getattr(m, "pattern", None) for m in metadata)
