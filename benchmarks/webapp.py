"""The server the web benchmark measures: `pathways serve`'s app on `pathways serve`'s
server (``server.serve``: one uvicorn worker behind the slow-client guard, no access log,
no server header), the cycle collector frozen after start-up, as the serve command does.

    .venv/bin/python benchmarks/webapp.py --port 8765 --page /j/<token> [--pathway FILE]
        [--write-page FILE] [--http h11|httptools]

One extra address, for comparison only: ``/preloaded``, the page at --page rendered once
at start-up and answered from memory through the app's routing (the cheapest answer a
route of this stack can give). ``--write-page`` writes the same bytes to a file, for
nginx to serve (benchmarks/web.py).
"""

from __future__ import annotations

import argparse
import gc
from pathlib import Path

from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from pathways import server
from pathways.middleware.headers import SECURITY_HEADERS
from pathways.web import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--page", required=True, help="the address of the page to pre-render")
    parser.add_argument("--pathway", default=None)
    parser.add_argument("--write-page", type=Path, default=None, help="write the page's bytes here")
    parser.add_argument(
        "--http",
        default=server.ServerSettings.http,
        choices=["h11", "httptools"],
        help="uvicorn's parser",
    )
    args = parser.parse_args()
    app = create_app(args.pathway)
    with TestClient(app) as client:
        response = client.get(args.page)
        assert response.status_code == 200, response.status_code
        body = response.content
    if args.write_page is not None:
        args.write_page.write_bytes(body)

    @app.get("/preloaded", include_in_schema=False)
    async def preloaded() -> HTMLResponse:
        return HTMLResponse(body)

    gc.freeze()
    server.serve(
        app,
        host="127.0.0.1",
        port=args.port,
        settings=server.ServerSettings(http=args.http),
        headers=SECURITY_HEADERS,
    )


if __name__ == "__main__":
    main()
