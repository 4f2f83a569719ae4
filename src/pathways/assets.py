"""The web pages' static files (stylesheet, scripts, icon): held in memory, addressed by a
hash of their content. The packaged ``templates/web/static/`` files, replaced by a user's
templates folder's files of the same name."""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from pathways import resources

_STATIC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Asset:
    """A static file held in memory, addressed by a hash of its content."""

    name: str
    body: bytes
    media_type: str
    digest: str

    @property
    def url(self) -> str:
        return f"/static/{self.name}?v={self.digest}"


def load_assets(templates_dir: Path | None) -> dict[str, Asset]:
    """The files of ``web/static/``: the packaged ones, replaced by a user's of the same name."""
    assets: dict[str, Asset] = {}
    # Packaged first, so that a user's file of the same name replaces it.
    for templates in reversed(resources.template_dirs(templates_dir)):
        folder = templates / "web" / "static"
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if not path.is_file() or not _STATIC_NAME.match(path.name):
                continue
            body = path.read_bytes()
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if media_type.startswith("text/") or media_type in (
                "application/javascript",
                "image/svg+xml",
            ):
                media_type += "; charset=utf-8"
            digest = hashlib.sha256(body).hexdigest()[:12]
            assets[path.name] = Asset(path.name, body, media_type, digest)
    return assets
