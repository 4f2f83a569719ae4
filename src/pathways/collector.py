"""Pausing Python's cycle collector while a large structure with no reference cycle is made.

Reading a document and building a pathway's state machine each make hundreds of
thousands of objects and no cycle: the collector's passes over the growing heap find
nothing, yet they cost up to half of the work at 5,000 states (benchmarks/scale.py).
Reference counting still frees everything; the collector resumes afterwards. Layer 1.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off inside the block, and on again after it if it was on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
