"""Ingestion's worker processes: documents read, and assessments built and validated, side by
side on the machine's cores (forked, so they inherit the documents instead of receiving them
pickled)."""

from __future__ import annotations

import dataclasses
import functools
import gc
import multiprocessing
import os
import threading
import time
from collections.abc import Generator, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import Graph

from cqckg.build import AssessmentInput, build_assessment, gc_paused
from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.vocabulary import load_vocabulary
from cqckg.ingest.assemble import assemble_groups
from cqckg.read import read_document
from cqckg.read.model import Document
from cqckg.store import to_ox
from cqckg.validate import ensure_valid

T = TypeVar("T")
Groups = dict[tuple[str, str], list[tuple[Document, str]]]


def progress_bar(
    items: Iterable[T], enabled: bool, what: str, total: int | None = None, unit: str = "doc"
) -> Iterable[T]:
    count = total if total is not None else len(items) if isinstance(items, list) else 2
    if not enabled or count < 2:
        return items
    from tqdm import tqdm

    bar: Iterable[T] = tqdm(items, desc=what, unit=unit, leave=False, total=total)
    return bar


def read_documents(files: list[Path], *, progress: bool, jobs: int) -> list[Document]:
    """Read every file, in ``jobs`` processes when there are enough files to be worth it (a
    document crosses back pickled in a twentieth of the time it takes to read it)."""
    if jobs <= 1 or len(files) < 4 * jobs:
        return [read_document(f) for f in progress_bar(files, progress, "reading")]
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=fork, initializer=_start_worker) as pool:
        docs = pool.map(read_document, files, chunksize=max(1, min(16, len(files) // (4 * jobs))))
        return list(progress_bar(docs, progress, "reading", total=len(files)))


def _start_worker() -> None:
    """Set up an ingest worker process.

    - ``gc.freeze()``: what it inherits (every document, the vocabularies) is never scanned by
      its cycle collector, nor are those memory pages touched (and copied) by the scan.
    - It ends when the ingest that started it does: killed (SIGKILL, the OOM killer), the ingest
      cannot stop its workers, and they would wait for work forever, since each also holds the
      pipe the work arrives on open.
    """
    gc.freeze()
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


# Seconds between a worker's checks that the ingest which started it is still running.
_PARENT_CHECK_S = 0.5

# The groups a parallel build works on: set before the worker processes fork, so they inherit
# the documents instead of receiving them pickled.
_GROUPS: dict[tuple[str, str], list[tuple[Document, str]]] = {}


def _build_group(key: tuple[str, str]) -> tuple[AssessmentInput, bytes]:
    """In a worker: extract, reconcile, build and validate one assessment; its graph returned as
    N-Triples (pickling rdflib terms costs more than building them). The cycle collector is
    paused throughout (see :func:`~cqckg.build.gc_paused`): a worker does nothing else."""
    with gc_paused():
        vocab, registry = load_vocabulary(), AuthorityRegistry.load()
        a = assemble_groups({key: _GROUPS[key]}, vocab, registry)[0]
        g = build_assessment(a, vocab)
        ensure_valid(g)
        body = as_ntriples(g)
    return dataclasses.replace(a, documents=[]), body


def as_ntriples(g: Graph) -> bytes:
    """An assessment graph as N-Triples. Terms repeat (every anchor names its source, every fact
    its assessment): each is converted once."""
    term = functools.lru_cache(maxsize=None)(to_ox)
    body = ox.serialize(
        (ox.Triple(term(s), term(p), term(o)) for s, p, o in g),  # type: ignore[arg-type]
        format=ox.RdfFormat.N_TRIPLES,
    )
    return body or b""


def built_in_parallel(
    groups: Groups, jobs: int
) -> Generator[tuple[AssessmentInput, bytes], None, None]:
    """Build and validate assessments in ``jobs`` processes, yielding each (with its graph as
    N-Triples) in key order as soon as it and those before it are done: they are independent, so
    the work spreads over the cores while the result is the same as building them one after
    another. The first failure is raised where its assessment would have been yielded, and the
    work not yet started is cancelled."""
    _GROUPS.clear()
    _GROUPS.update(groups)
    pool = ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker
    )
    finished = False
    try:
        for key, (a, body) in zip(
            sorted(groups), pool.map(_build_group, sorted(groups)), strict=True
        ):
            a.documents = sorted(groups[key], key=lambda p: p[1])
            yield a, body
        finished = True
    finally:
        pool.shutdown(wait=True, cancel_futures=not finished)
        _GROUPS.clear()
