"""Every output is the same in every process: diagrams, exports, renders and the static
site do not depend on Python's string hash seed (set iteration order), so diffs of them
stay small and a build is reproducible.

A test in one process cannot see this (the seed is fixed for its life), so the outputs
are made in child processes with different ``PYTHONHASHSEED`` values and compared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from paths import ROOT

SEEDS = ("0", "1", "2", "31337")

_OUTPUTS = r"""
import hashlib, json, sys, tempfile
from pathlib import Path

from pathways.diagram import to_dot, to_mermaid
from pathways.export import to_json
from pathways.interchange import to_scxml, to_xstate
from pathways.journey import Journey
from pathways.lint import document_schema
from pathways.loader import load_pathway
from pathways.mapsvg import map_svg
from pathways.site import build_site
from pathways.templating import Renderer

pathway = load_pathway(sys.argv[1])
out = {}
out["mermaid"] = to_mermaid(pathway)
out["dot"] = to_dot(pathway)
for context in pathway.contexts:
    for value in context.values:
        reading = {context.id: value.id}
        out[f"mermaid {value.id}"] = to_mermaid(pathway, pathway.start, reading)
        out[f"dot {value.id}"] = to_dot(pathway, pathway.start, reading)
out["map"] = map_svg(pathway)
out["json"] = to_json(pathway)
out["scxml"] = to_scxml(pathway)
out["xstate"] = to_xstate(pathway)
out["schema"] = json.dumps(document_schema())
renderer = Renderer()
for state in pathway.state_ids:
    journey = Journey.begin(pathway, at=state)
    out[f"map {state}"] = map_svg(pathway, state, [s.dest for s in journey.next_steps()])
    for fmt in ("text", "markdown", "html", "json"):
        out[f"{fmt} {state}"] = renderer.render(journey, fmt)
with tempfile.TemporaryDirectory() as folder:
    build_site(pathway, Path(folder) / "site")
    for file in sorted((Path(folder) / "site").rglob("*")):
        if file.is_file():
            out[f"site {file.relative_to(folder)}"] = file.read_bytes().decode("latin-1")
print(json.dumps({k: hashlib.sha256(v.encode()).hexdigest() for k, v in out.items()}))
"""


def outputs(pathway_file: Path, seed: str) -> dict[str, str]:
    """A digest of every output, made in a fresh process with this hash seed."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    result = subprocess.run(
        [sys.executable, "-c", _OUTPUTS, str(pathway_file)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    digests: dict[str, str] = json.loads(result.stdout)
    return digests


@pytest.mark.parametrize(
    "pathway_file",
    [ROOT / "pathways.yaml", ROOT / "tests" / "data" / "minimal.yaml"],
    ids=["real", "minimal"],
)
def test_every_output_is_the_same_whatever_the_hash_seed(pathway_file: Path) -> None:
    """Diagrams, maps, exports, renders and the static site are byte for byte the same in
    processes with different PYTHONHASHSEED."""
    first, *others = (outputs(pathway_file, seed) for seed in SEEDS)
    assert any(key.startswith("site ") for key in first)
    assert len(first) > 20
    for seed, other in zip(SEEDS[1:], others, strict=True):
        differ = sorted(k for k in first.keys() | other.keys() if first.get(k) != other.get(k))
        assert not differ, f"PYTHONHASHSEED={seed} changes: {differ}"
