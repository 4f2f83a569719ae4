"""The JSON API's documentation in words: the text at the top of the OpenAPI document and
the data of its page (``/api/docs``), each operation with an example address that works
on this pathway; and every kind of problem the API answers, with its status, title and hint.

Made from the OpenAPI document ``api.py`` describes, with no web framework. Layer 4.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pathways.journey import Journey
from pathways.links import at_root
from pathways.middleware.limits import MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_URL_BYTES
from pathways.schema import Pathway as PathwayDocument

__all__ = ["PROBLEM_STATUS", "PROBLEM_TYPES", "describe", "openapi_description", "problem_anchor"]


# --------------------------------------------------------------------------- problems

PROBLEM_TYPES: Mapping[str, tuple[str, str]] = {
    "bad-token": (
        "Damaged journey token",
        "Begin a journey (`POST /api/journeys`) and use the token its answer gives.",
    ),
    "journey-too-long": (
        "Journey longer than a token keeps",
        "Go on with the first address in `allowed` (the same step and topics, with the most"
        " recent places kept) or the second (a journey begun afresh at that step).",
    ),
    "unknown-topic": ("Unknown topic", "Use one of `allowed`, or leave the topic out."),
    "unknown-state": ("No such state", "Use one of the state ids in `allowed`."),
    "step-not-available": (
        "Step not available here",
        "Take one of the steps in `allowed` (the state's `next`).",
    ),
    "not-found": ("No such address", "Use one of the addresses in `allowed`."),
    "method-not-allowed": (
        "Method not allowed",
        "Use one of the methods in `allowed` (the `Allow` header says the same).",
    ),
    "invalid-request": (
        "Request not valid",
        "Send what /openapi.json describes; `allowed` lists the accepted values where known.",
    ),
    "body-too-large": (
        "Request body too large",
        f"Send a body of at most {MAX_BODY_BYTES} bytes, with or without Content-Length.",
    ),
    "address-too-long": (
        "Address too long",
        f"Use an address of at most {MAX_URL_BYTES} bytes (path and query).",
    ),
    "headers-too-large": (
        "Request headers too large",
        f"Send at most {MAX_HEADER_BYTES} bytes of headers in all.",
    ),
    "pathway-withdrawn": (
        "Pathway withdrawn for review",
        "The pathway is not served until it is reviewed again; `/api/pathways` lists the"
        " pathways served here.",
    ),
    "server-error": (
        "Fault in the guide",
        "The request was not at fault: try again later, or tell whoever runs this guide.",
    ),
}
"""Every kind of problem the API answers, by the name in its ``type``: (title, hint)."""

PROBLEM_STATUS: Mapping[str, int] = {
    "bad-token": 400,
    "journey-too-long": 410,
    "unknown-topic": 400,
    "unknown-state": 404,
    "step-not-available": 404,
    "not-found": 404,
    "method-not-allowed": 405,
    "invalid-request": 422,
    "body-too-large": 413,
    "address-too-long": 414,
    "headers-too-large": 431,
    "pathway-withdrawn": 410,
    "server-error": 500,
}
"""The status each kind of problem is answered with."""


def problem_anchor(name: str) -> str:
    """The id of a problem type's section on the API's documentation page."""
    return f"problem-{name}"


def openapi_description(pathway: PathwayDocument) -> str:
    """The text at the top of the OpenAPI document."""
    return (
        f"{pathway.metadata.intended_purpose}\n\n"
        "The JSON API of pathways: the whole pathway, one state, and a journey walked by"
        " its token. The server keeps nothing: a journey is its token, so every move is a"
        " safe GET that computes a new token (only beginning a journey is a POST, with a"
        " JSON body). Every answer carries `intended_purpose` and `support`: show them"
        " beside anything you show. Errors are problem details (RFC 9457,"
        " `application/problem+json`: `type`, `title`, `status`, `detail`, `instance`,"
        " `allowed`, `hint`) with status 400, 404, 405, 410, 413, 414, 431 or 422. No cookies;"
        " no CORS headers (call the API from a server, or embed `/embed/` in an iframe)."
    )


def describe(openapi: Mapping[str, Any], pathway: PathwayDocument) -> dict[str, Any]:
    """The API's own documentation page: each operation of the OpenAPI document, said in
    words, with an example address that works on this pathway."""
    journey = Journey.begin(pathway)
    token = journey.token
    steps = journey.next_steps()
    examples = {
        "token": token,
        "state_id": pathway.start,
        "trigger": steps[0].trigger if steps else "",
    }
    operations = []
    for path, item in openapi.get("paths", {}).items():
        for method, operation in item.items():
            parameters = [
                {
                    "name": parameter["name"],
                    "where": parameter["in"],
                    "required": parameter.get("required", False),
                    "description": _code_pieces(parameter.get("description", "")),
                    "allowed": parameter.get("schema", {}).get("enum", []),
                }
                for parameter in operation.get("parameters", [])
            ]
            example = path
            for name, value in examples.items():
                example = example.replace(f"{{{name}}}", value)
            operations.append(
                {
                    "id": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": _code_pieces(operation.get("description", "")),
                    "parameters": parameters,
                    "body": method == "post",
                    "responses": [
                        {
                            "status": status,
                            "description": _code_pieces(response.get("description", "")),
                        }
                        for status, response in sorted(operation.get("responses", {}).items())
                    ],
                    "example": (
                        at_root(example) if method == "get" and "{" not in example else None
                    ),
                }
            )
    return {
        "page": "api",
        "mode": "patient",
        "operations": operations,
        "openapi_url": at_root("/openapi.json"),
        "body_topics": [
            {"id": c.id, "options": [v.id for v in c.values], "default": c.default}
            for c in pathway.contexts
        ],
        "example_token": token,
        "problems": [
            {
                "anchor": problem_anchor(name),
                "status": PROBLEM_STATUS[name],
                "title": title,
                "hint": _code_pieces(hint),
            }
            for name, (title, hint) in PROBLEM_TYPES.items()
        ],
    }


def _code_pieces(text: str) -> list[tuple[str, bool]]:
    """Text with `code` marked as in Markdown, as pieces ``(text, is_code)``."""
    return [(piece, index % 2 == 1) for index, piece in enumerate(text.split("`")) if piece]
