"""Where the tests find the repository and their data: defined once, here."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
"""The repository: pathways.yaml, templates/, docs/."""
DATA = ROOT / "tests" / "data"
"""The tests' own documents."""
MINIMAL = DATA / "minimal.yaml"
"""The smallest valid pathway."""
