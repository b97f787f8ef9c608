"""Python's cycle collector paused while a large graph is built or validated.

Shared by the pipeline's stages (build, validate, the ingest workers), so no stage imports
another for it.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["gc_paused"]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector off for the duration (as it was before, afterwards).

    Building and validating a graph allocate hundreds of thousands of small containers (a
    triple index entry, an rdflib term, a pyshacl result) and keep most of them: each few
    hundred allocations started a collection, and the older generations were scanned again and
    again along with everything else the process holds (the documents, the reference data;
    docs/decisions/0003-performance.md has the cost). Memory is still freed by reference counting;
    reference cycles made meanwhile are collected by the next collection after this."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
