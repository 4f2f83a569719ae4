"""The JSON API of ``pathways serve``, under ``/api/``: the pathway, one state, a journey.

For developers who put the pathway inside another app (a patient portal, a chatbot). Every
answer is JSON described exactly by the pydantic models here, so ``/openapi.json`` tells a
client what it will get; every answer, errors included, carries the intended-purpose
statement and the support line, which a client must show beside anything it shows.

    GET  /api/pathway                              the whole pathway (the JSON export)
    GET  /api/states/{state_id}?<topic>=<value>    one state, as ``pathways show --format json``
    POST /api/journeys                             begin a journey: 201 and its address
    GET  /api/journeys/{token}                     a journey and its current state
    GET  /api/journeys/{token}/step/{trigger}      take one step on
    GET  /api/journeys/{token}/back                one step back
    GET  /api/journeys/{token}/restart             to the start again, topics kept
    GET  /api/journeys/{token}/jump/{state_id}     straight to any state
    GET  /api/journeys/{token}/topics?<topic>=...  change the topics shown
    GET  /api/fhir                                 the whole pathway as a FHIR R4 Bundle

Why moves are GET: the server keeps nothing. A journey *is* its token, and a move only
computes a new token from the old one, so the same request always gets the same answer
and changes nothing: safe and idempotent in HTTP's terms, and cacheable, linkable and
retryable. Beginning is the one POST, because it takes the starting choices as a JSON body
and makes a new journey address (``201 Created`` with ``Location``).

Every error is problem details (RFC 9457, ``application/problem+json``): ``type`` (a
section of /api/docs), ``title``, ``status``, ``detail``, ``instance``, and the extension
members ``allowed`` (what would have been accepted) and ``hint``, plus the statement and the
support line. 400 (a damaged token, a topic or value this pathway does not have), 404 (no
such state, step or address), 405 (wrong method; ``Allow`` lists the right ones), 413, 414,
431 (a body, address or headers too large: ``middleware/limits.py`` asks for the answer)
or 422 (a body or parameter of the wrong shape); never a 500 for anything a client sends,
and never HTML. The one error type is ``pages.HttpError``; ``JsonApi.problem`` renders it
here, ``Pages.error_page`` as a page elsewhere.

No cookies, no sessions, and no CORS headers: a page on another origin cannot read these
answers from the browser. Call the API from a server, or serve pathways from the same
origin as the page; the embeddable page (``/embed/``) is the way into another site's
browser page.

Layer 5, beside ``web.py``, which mounts it; its answers' models are ``answers.py``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal

from fastapi import Body, Depends, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, create_model

from pathways import fhir
from pathways.answers import JourneyAnswer, PathwayAnswer, StateView
from pathways.answers import Problem as ProblemAnswer
from pathways.apidocs import PROBLEM_TYPES, problem_anchor
from pathways.embed import EMBED_PREFIX
from pathways.errors import (
    JourneyError,
    StepNotAvailableError,
    TokenError,
    UnknownContextError,
    UnknownStateError,
)
from pathways.export import pathway_to_dict
from pathways.httperror import HttpError
from pathways.journey import MAX_PATH, Journey, PathTooLongError
from pathways.links import at_root, journey_path
from pathways.middleware.limits import MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_URL_BYTES
from pathways.middleware.prefix import route_path
from pathways.schema import Pathway as PathwayDocument
from pathways.templating import journey_view

PREFIX = "/api"
TAG = "pathway"
TOKEN_PATTERN = r"^[A-Za-z0-9_-]+$"

# --------------------------------------------------------------------------- errors

_KINDS = {
    "token": "bad-token",
    "topic": "unknown-topic",
    "state": "unknown-state",
    "step": "step-not-available",
    "too-long": "journey-too-long",
    "withdrawn": "pathway-withdrawn",
    "page": "not-found",
    "method": "method-not-allowed",
    "bug": "server-error",
}
_REQUEST = {413: "body-too-large", 414: "address-too-long", 431: "headers-too-large"}

_JOURNEY_ERRORS: Mapping[type[JourneyError], tuple[int, str]] = {
    TokenError: (400, "token"),
    PathTooLongError: (410, "too-long"),
    UnknownContextError: (400, "topic"),
    UnknownStateError: (404, "state"),
    StepNotAvailableError: (404, "step"),
}


def from_journey_error(exc: JourneyError) -> HttpError:
    """A journey's problem (a bad token, topic, state or step) as the API's HTTP error."""
    status, kind = next(v for k, v in _JOURNEY_ERRORS.items() if isinstance(exc, k))
    return HttpError(status, kind, detail=exc.message, allowed=exc.allowed)


def problem_type(error: HttpError) -> str:
    """The name of an error's problem type (a key of PROBLEM_TYPES)."""
    if error.kind == "request":
        return _REQUEST.get(error.status, "invalid-request")
    return _KINDS.get(error.kind, "invalid-request")


def refusal_detail(status: int) -> str:
    """What a request refused for its size (413, 414, 431) was, in words."""
    return {
        413: f"the request body is larger than {MAX_BODY_BYTES} bytes",
        414: f"the address is longer than {MAX_URL_BYTES} bytes",
        431: f"the request headers are larger than {MAX_HEADER_BYTES} bytes",
    }.get(status, "the request is not valid")


def problem_body(
    error: HttpError, instance: str | None, docs: str, framing: Mapping[str, Any]
) -> dict[str, Any]:
    """An error as problem details (RFC 9457): ``type`` a section of the documentation page
    at ``docs``, then ``framing`` (a pathway's statement and support line; none for the
    catalogue's own answers, which speak for no one pathway)."""
    name = problem_type(error)
    title, hint = PROBLEM_TYPES[name]
    answer: dict[str, Any] = {
        "type": f"{docs}#{problem_anchor(name)}",
        "title": title,
        "status": error.status,
        "detail": error.detail or title,
    }
    if instance is not None:
        answer["instance"] = instance
    return {**answer, "allowed": list(error.allowed), "hint": hint, **framing}


def problem_response(
    error: HttpError, instance: str, docs: str, framing: Mapping[str, Any]
) -> JSONResponse:
    """The answer to an error under an /api/ address: its problem details, its status, its
    headers (``Allow`` on a 405)."""
    return JSONResponse(
        problem_body(error, instance, docs, framing),
        status_code=error.status,
        headers=error.headers,
        media_type=PROBLEM_JSON,
    )


def is_api_path(path: str) -> bool:
    """Whether an address belongs to the JSON API (its errors are JSON, never pages)."""
    return (path == PREFIX or path.startswith(PREFIX + "/")) and path != DOCS_PATH


DOCS_PATH = PREFIX + "/docs"
"""The API's own documentation page (HTML, served by web.py): no CDN, no other host."""

BAD_TOKEN = "The token is damaged, or belongs to another version of the pathway."
TOO_LONG = (
    f"The token holds a longer path than a journey keeps ({MAX_PATH} places), such as one"
    " made before that bound: `allowed` gives the journey kept to its most recent places,"
    " then one begun afresh at the same step."
)
BAD_TOPIC = "A topic value this pathway does not have (`allowed` lists them)."


PROBLEM_JSON = "application/problem+json"
_PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _errors(**described: str) -> dict[int | str, dict[str, Any]]:
    """The error answers a route can give, as OpenAPI responses (``e404="..."``), each a
    Problem; 405 and 414, 431 (and 413 for a body) are possible anywhere, and any other
    4xx has the same shape."""
    described = {
        "e405": "A method this address does not answer (`Allow` lists the ones it does).",
        "e414": "An address longer than the limit.",
        "e431": "Request headers larger than the limit.",
        **described,
    }
    responses: dict[int | str, dict[str, Any]] = {
        int(status.removeprefix("e")): {"description": text, "content": _PROBLEM_CONTENT}
        for status, text in sorted(described.items())
    }
    responses["4XX"] = {
        "description": "Any other error of the request: a Problem too.",
        "content": _PROBLEM_CONTENT,
    }
    return responses


# --------------------------------------------------------------------------- the routes


class JsonApi:
    """The answers for one pathway, and the routes that give them."""

    def __init__(self, pathway: PathwayDocument) -> None:
        self.pathway = pathway
        contact = pathway.support_line
        self.framing: dict[str, Any] = {
            "intended_purpose": pathway.metadata.intended_purpose,
            "support": {"name": contact.name, "phone": contact.phone, "offers": contact.offers},
        }
        # The whole pathway never changes while the app runs: checked and serialised once.
        answer = PathwayAnswer.model_validate({**self.framing, "pathway": pathway_to_dict(pathway)})
        self.pathway_body = answer.model_dump_json().encode("utf-8")

    # ------------------------------------------------------------------ answers

    def problem_body(self, error: HttpError, instance: str | None) -> dict[str, Any]:
        """An error as problem details (RFC 9457), with the statement and the support line."""
        return problem_body(error, instance, at_root(DOCS_PATH), self.framing)

    def problem(self, error: HttpError, instance: str) -> JSONResponse:
        """The answer to an error under /api/: its problem details."""
        return problem_response(error, instance, at_root(DOCS_PATH), self.framing)

    def http_error(self, status: int, path: str, method: str, allow: Sequence[str]) -> HttpError:
        """What the framework refused (no such address, a wrong method, a body it could
        not read or one too large), as the API's error."""
        if status == 404:
            return HttpError(
                404, "page", detail=f"the API has no address '{path}'", allowed=self.addresses()
            )
        if status == 405:
            return HttpError(
                405,
                "method",
                detail=f"'{path}' does not answer {method}",
                allowed=allow,
                headers={"allow": ", ".join(allow)},
            )
        if status == 400:
            # The framework could not read the body at all (not UTF-8, cut short): the same
            # answer as a body that is not JSON.
            return HttpError(422, "request", detail="the body is not valid JSON")
        return HttpError(status, "request", detail=refusal_detail(status))

    def invalid_request(self, errors: Sequence[Any]) -> HttpError:
        """A parameter or body of the wrong shape (422), said in one line, with what would
        have been accepted where that is a list (topic values, states, keys)."""
        problems: list[str] = []
        allowed: list[str] = []
        for error in errors:
            loc = tuple(error.get("loc", ()))
            where = ".".join(str(part) for part in loc[1:]) if loc[:1] == ("body",) else ""
            if error.get("type") == "json_invalid":
                problems.append("the body is not valid JSON")
                continue
            problems.append(f"{where or 'body'}: {error.get('msg', 'not valid')}")
            allowed = allowed or self._allowed_at(loc, error.get("type", ""))
        message = "; ".join(problems[:3]) or "the request is not valid"
        return HttpError(422, "request", detail=message, allowed=allowed)

    def _allowed_at(self, loc: tuple[Any, ...], kind: str) -> list[str]:
        """What a body value or key at ``loc`` may be, if it is one of a known list."""
        contexts = {c.id: [v.id for v in c.values] for c in self.pathway.contexts}
        if loc == ("body", "at") and kind == "literal_error":
            return list(self.pathway.state_ids)
        if len(loc) == 3 and loc[:2] == ("body", "context"):
            if kind == "literal_error" and loc[2] in contexts:
                return contexts[loc[2]]
            if kind == "extra_forbidden":
                return list(contexts)
        if len(loc) == 2 and kind == "extra_forbidden":
            return ["context", "at"]
        return []

    def server_error_body(self) -> bytes:
        """The answer to a bug (500), made in advance: problem details like every error."""
        error = HttpError(
            500, "bug", detail="the guide could not answer: a fault in the guide, not the request"
        )
        answer = ProblemAnswer.model_validate(self.problem_body(error, None))
        return answer.model_dump_json(exclude_none=True).encode("utf-8")

    def addresses(self) -> list[str]:
        """The API's addresses, as a client asks for them (under the app's mount)."""
        return [
            at_root(address)
            for address in (
                f"{PREFIX}/pathway",
                f"{PREFIX}/states/{{state_id}}",
                f"{PREFIX}/journeys",
                f"{PREFIX}/journeys/{{token}}",
                f"{PREFIX}/journeys/{{token}}/step/{{trigger}}",
                f"{PREFIX}/journeys/{{token}}/back",
                f"{PREFIX}/journeys/{{token}}/restart",
                f"{PREFIX}/journeys/{{token}}/jump/{{state_id}}",
                f"{PREFIX}/journeys/{{token}}/topics",
                f"{PREFIX}/fhir",
            )
        ]

    def journey_answer(self, journey: Journey) -> dict[str, Any]:
        token = journey.token
        at = at_root(f"{PREFIX}/journeys/{token}")
        return {
            **self.framing,
            "journey": {
                "token": token,
                "state": journey.state,
                "history": list(journey.history),
                "path": list(journey.path),
                "jumped": list(journey.jumps),
                "walked": list(journey.walked),
                "context": journey.context,
                "can_go_back": journey.can_go_back,
                "earlier": journey.earlier,
                "max_places": MAX_PATH,
            },
            "state": journey_view(journey),
            "links": {
                "self": at,
                "back": at_root(f"{PREFIX}/journeys/{journey.back().token}")
                if journey.can_go_back
                else None,
                "restart": at_root(f"{PREFIX}/journeys/{journey.restart().token}"),
                "steps": [
                    {"trigger": s.trigger, "href": f"{at}/step/{s.trigger}"}
                    for s in journey.next_steps()
                ],
                "page": at_root(journey_path(token)),
                "embed": at_root(f"{EMBED_PREFIX}/{token}"),
            },
        }

    def journey_of(self, token: str) -> Journey:
        return Journey.from_token(self.pathway, token)

    def topics_of(self, chosen: Mapping[str, str | None]) -> dict[str, str]:
        return {name: value for name, value in chosen.items() if value is not None}

    # ------------------------------------------------------------------ parameters

    def topic_query(self) -> Callable[..., Awaitable[dict[str, str]]]:
        """A dependency reading each topic of this pathway from the query string.

        The parameters are made from the pathway's contexts, so the OpenAPI document lists
        each by name with its values. Values are checked by the journey (a 400 that lists
        the allowed ones), not by the framework.
        """
        parameters = [
            inspect.Parameter(
                f"topic_{index}",
                inspect.Parameter.KEYWORD_ONLY,
                default=Query(
                    None,
                    alias=context.id,
                    description=f"Show information for one topic ({context.label}):"
                    f" {', '.join(f'{v.id} ({v.label})' for v in context.values)}."
                    f" Default: {context.default}, which narrows nothing.",
                    json_schema_extra={"enum": [v.id for v in context.values]},
                ),
                annotation=str | None,
            )
            for index, context in enumerate(self.pathway.contexts)
        ]
        names = {f"topic_{i}": c.id for i, c in enumerate(self.pathway.contexts)}

        async def topics(**values: str | None) -> dict[str, str]:
            return {names[key]: value for key, value in values.items() if value is not None}

        topics.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        return topics

    def begin_model(self) -> type[BaseModel]:
        """The body of POST /api/journeys, with this pathway's topics and states."""
        topic_fields: dict[str, Any] = {
            f"topic_{index}": (
                _one_of([v.id for v in context.values]) | None,
                Field(None, alias=context.id, description=context.label),
            )
            for index, context in enumerate(self.pathway.contexts)
        }
        topics: type[BaseModel] = create_model(
            "Topics",
            __config__=ConfigDict(extra="forbid", populate_by_name=False),
            __doc__="The topic to show information for, by topic name (default: all).",
            **topic_fields,
        )
        at: Any = (
            _one_of(list(self.pathway.state_ids)) | None,
            Field(None, description="A state to begin at instead of the start."),
        )
        return create_model(
            "BeginJourney",
            __config__=ConfigDict(extra="forbid"),
            __doc__="How to begin: the topics to show, and where (default: the start).",
            context=(topics, Field(default_factory=topics)),
            at=at,
        )


class FhirResponse(Response):
    media_type = fhir.MEDIA_TYPE


def _one_of(values: Sequence[str]) -> Any:
    """``Literal[values]`` for values known only at run time (this pathway's ids)."""
    return Literal.__getitem__(tuple(values))


def install(app: FastAPI, pathway: PathwayDocument) -> JsonApi:
    """Add the JSON API's routes and its error answers to the app."""
    api = JsonApi(pathway)
    topics = api.topic_query()
    state_ids = list(pathway.state_ids)
    triggers = list(dict.fromkeys(t.trigger for t in pathway.transitions))
    start = Journey.begin(pathway)
    walked = start
    for _ in range(3):  # an example a few steps in, so that back and steps have somewhere to go
        steps = walked.next_steps()
        if steps:
            walked = walked.step(steps[0].trigger)
    token_param = Path(
        description="A journey token, from an earlier answer.",
        json_schema_extra={"pattern": TOKEN_PATTERN},
        openapi_examples={
            "start": {"summary": "At the start", "value": start.token},
            "walked": {"summary": f"At '{walked.state}'", "value": walked.token},
        },
    )
    # Operation ids are the handlers' names (get_state, take_step): what client generators
    # turn into method names.
    common: dict[str, Any] = {
        "tags": [TAG],
        "generate_unique_id_function": lambda route: route.name,
    }

    # Every journey problem in an API route (a bad token, topic, state or step) is answered
    # here, once, as its HttpError; the web pages catch theirs where they happen.
    @app.exception_handler(JourneyError)
    async def journey_error(request: Request, exc: JourneyError) -> Response:
        if not is_api_path(route_path(request.scope)):
            raise exc  # a page route lets none escape: a bug, answered as one
        error = from_journey_error(exc)
        if isinstance(exc, PathTooLongError):  # the ways on from its step, as addresses
            error.allowed = tuple(
                at_root(f"{PREFIX}/journeys/{journey.token}") for journey in (exc.kept, exc.fresh)
            )
        token = request.path_params.get("token")
        owner = getattr(app.state, "token_owner", None)
        if isinstance(exc, TokenError) and owner is not None and token:
            title = owner(token)
            if title is not None:  # a catalogue's other pathway: say where it belongs
                error.detail = (
                    f"this journey link belongs to another pathway served here, '{title}':"
                    " ask that pathway's address for it"
                )
        return api.problem(error, request.url.path)

    @app.get(
        f"{PREFIX}/pathway",
        response_model=PathwayAnswer,
        summary="The whole pathway",
        description="Metadata, sources, support contacts, glossary, topics (contexts),"
        " states and transitions: the same as `pathways export json`, under `pathway`.",
        response_description="The whole pathway.",
        responses=_errors(),
        **common,
    )
    async def get_pathway() -> Response:
        return Response(api.pathway_body, media_type="application/json")

    @app.get(
        f"{PREFIX}/states/{{state_id}}",
        response_model=StateView,
        summary="One state, rendered",
        description="One state as `pathways show STATE --format json`: its words, facts,"
        " questions and every way on (`next`), filtered by the topics chosen. `token` is a"
        " journey begun at this state.",
        response_description="The state.",
        responses=_errors(e400=BAD_TOPIC, e404="No state has that id."),
        **common,
    )
    async def get_state(
        state_id: str = Path(description="A state id.", json_schema_extra={"enum": state_ids}),
        chosen: dict[str, str] = Depends(topics),  # noqa: B008 - how FastAPI declares it
    ) -> Any:
        journey = Journey.begin(pathway, chosen, at=state_id)
        return journey_view(journey)

    begin_body = api.begin_model()

    async def begin_journey(body: Any = Body(default=None)) -> Response:  # noqa: B008 - as above
        data = body.model_dump(by_alias=True) if body is not None else {}
        chosen = api.topics_of(data.get("context") or {})
        journey = Journey.begin(pathway, chosen, at=data.get("at"))
        answer = JourneyAnswer.model_validate(api.journey_answer(journey))
        return JSONResponse(
            answer.model_dump(mode="json"),
            status_code=201,
            headers={"location": answer.links.self},
        )

    # The body's model is made from this pathway's topics and states, so it is given here.
    begin_journey.__annotations__["body"] = begin_body | None
    app.post(
        f"{PREFIX}/journeys",
        response_model=JourneyAnswer,
        status_code=201,
        summary="Begin a journey",
        description="A new journey at the start (or at `at`), showing the topics chosen."
        " Without a body: at the start, every topic shown. The answer's `journey.token` is"
        " the journey; `Location` is its address.",
        response_description="The new journey, at its first state.",
        responses=_errors(
            e413="A body larger than the limit, however it is sent (chunked too).",
            e422="The body is not JSON of this shape: unknown keys, topic values or states.",
        ),
        **common,
    )(begin_journey)

    def journey_route(
        tail: str, summary: str, description: str, **errors: str
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return app.get(
            f"{PREFIX}/journeys/{{token}}{tail}",
            response_model=JourneyAnswer,
            summary=summary,
            description=description,
            response_description="The journey and its current state.",
            responses=_errors(e400=BAD_TOKEN, e410=TOO_LONG, **errors),
            **common,
        )

    @journey_route("", "A journey", "The journey a token stands for, and its current state.")
    async def get_journey(token: str = token_param) -> Any:
        return api.journey_answer(api.journey_of(token))

    @journey_route(
        "/step/{trigger}",
        "Take a step",
        "Take one of the current state's ways on (`state.next[].trigger`).",
        e404="That step does not lead on from here (`allowed` lists the ones that do).",
    )
    async def take_step(
        token: str = token_param,
        trigger: str = Path(
            description="A trigger from `state.next`.", json_schema_extra={"enum": triggers}
        ),
    ) -> Any:
        journey = api.journey_of(token)
        return api.journey_answer(journey.step(trigger))

    @journey_route(
        "/back",
        "Go back",
        "The journey as it was before its last step (the same journey at its beginning).",
    )
    async def go_back(token: str = token_param) -> Any:
        return api.journey_answer(api.journey_of(token).back())

    @journey_route(
        "/restart", "Start again", "Back to the start with an empty path; topics are kept."
    )
    async def restart_journey(token: str = token_param) -> Any:
        return api.journey_answer(api.journey_of(token).restart())

    @journey_route(
        "/jump/{state_id}",
        "Jump to a state",
        "Go straight to any state (as a nurse does from the map); back returns here.",
        e404="No state has that id.",
    )
    async def jump_to_state(
        token: str = token_param,
        state_id: str = Path(description="A state id.", json_schema_extra={"enum": state_ids}),
    ) -> Any:
        journey = api.journey_of(token)
        return api.journey_answer(journey.jump(state_id))

    @journey_route(
        "/topics",
        "Change the topics",
        "The same place and path, showing information for the topics given (the others"
        " stay as they were).",
    )
    async def change_topics(
        token: str = token_param,
        chosen: dict[str, str] = Depends(topics),  # noqa: B008 - how FastAPI declares it
    ) -> Any:
        journey = api.journey_of(token)
        return api.journey_answer(journey.with_context(**chosen))

    @app.get(
        f"{PREFIX}/fhir",
        response_class=FhirResponse,
        summary="The pathway as HL7 FHIR R4",
        description="The whole pathway as a FHIR R4 Bundle (type `collection`): a"
        " PlanDefinition, a Questionnaire and code systems, the same as `pathways export"
        " fhir`. The intended-purpose statement is the PlanDefinition's `usage` and the"
        " support line its first `contact`. See docs/fhir.md.",
        response_description="A FHIR R4 Bundle.",
        responses={
            200: {"content": {fhir.MEDIA_TYPE: {"schema": {"type": "object"}}}},
            **_errors(),
        },
        **common,
    )
    async def get_fhir() -> Response:
        body = pathway.derived("fhir-json", lambda: fhir.to_fhir_json(pathway).encode())
        return FhirResponse(body)

    # The routes' error answers refer to the Problem schema (under application/problem+json,
    # which FastAPI's `responses` models cannot say): it joins the document's components.
    make_openapi = app.openapi

    def openapi_document() -> dict[str, Any]:
        document = make_openapi()  # made once, then kept by FastAPI (so changed once here)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        if "Problem" not in schemas:
            problem = ProblemAnswer.model_json_schema(
                ref_template="#/components/schemas/{model}", mode="serialization"
            )
            for name, schema in problem.pop("$defs", {}).items():
                schemas.setdefault(name, schema)
            schemas["Problem"] = problem
        return document

    app.openapi = openapi_document  # type: ignore[method-assign]

    # HEAD for every GET (monitors and link checkers use it), kept out of the OpenAPI
    # document, which describes what a client reads.
    for route in list(app.routes):
        if not isinstance(route, APIRoute) or not route.path.startswith(PREFIX + "/"):
            continue
        if "GET" in (route.methods or ()):
            app.add_api_route(
                route.path,
                route.endpoint,
                methods=["HEAD"],
                response_model=route.response_model,
                include_in_schema=False,
            )
    return api
