"""The JSON API's documentation in words: the text at the top of the OpenAPI document and
the data of its page (``/api/docs``), each operation with an example address that works
on this pathway.

Made from the OpenAPI document ``api.py`` describes, with no web framework. Layer 4.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pathways.journey import Journey
from pathways.links import at_root
from pathways.schema import Pathway as PathwayDocument

__all__ = ["describe", "openapi_description"]


def openapi_description(pathway: PathwayDocument) -> str:
    """The text at the top of the OpenAPI document."""
    return (
        f"{pathway.metadata.intended_purpose}\n\n"
        "The JSON API of pathways: the whole pathway, one state, and a journey walked by"
        " its token. The server keeps nothing: a journey is its token, so every move is a"
        " safe GET that computes a new token (only beginning a journey is a POST, with a"
        " JSON body). Every answer carries `intended_purpose` and `support`: show them"
        ' beside anything you show. Errors are `{"error": {"code", "message",'
        ' "allowed"}}` with status 400, 404, 405 or 422. No cookies; no CORS headers'
        " (call the API from a server, or embed `/embed/` in an iframe)."
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
    }


def _code_pieces(text: str) -> list[tuple[str, bool]]:
    """Text with `code` marked as in Markdown, as pieces ``(text, is_code)``."""
    return [(piece, index % 2 == 1) for index, piece in enumerate(text.split("`")) if piece]
