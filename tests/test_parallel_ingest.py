"""A parallel ingest (``--jobs N``: documents read and assessments built in worker processes,
graphs written as N-Triples) stores the same quads as a serial one, and fails the same way."""

from __future__ import annotations

import pickle
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from cqckg.errors import DocumentError, SourceLocation, ValidationFailed
from cqckg.paths import sources_dir
from cqckg.pipeline import ingest, source_files
from cqckg.store import OxigraphStore
from cqckg.verify import verify_store

SOURCES = sources_dir()


def _quads(store: OxigraphStore) -> Counter[bytes]:
    """The store's quads, blank node labels aside (the ontology's are fresh on every load)."""
    return Counter(
        re.sub(rb"_:[0-9A-Za-z]+", b"_:b", line) for line in store.dump_nquads().split(b"\n")
    )


def test_errors_cross_process_boundaries_intact() -> None:
    err = pickle.loads(pickle.dumps(DocumentError(SourceLocation("a.md", 3), "rule", "what")))
    assert (str(err.location), err.rule, err.message) == ("a.md:3", "rule", "what")
    failed = pickle.loads(pickle.dumps(ValidationFailed("report", 2)))
    assert (failed.report_text, failed.violations) == ("report", 2)


def test_parallel_ingest_stores_what_a_serial_one_does(tmp_path: Path) -> None:
    assert len(source_files([SOURCES])) >= 8  # enough files for the reading to go parallel too
    serial, parallel = OxigraphStore(tmp_path / "serial"), OxigraphStore(tmp_path / "parallel")
    ingest([SOURCES], serial, jobs=1)
    ingest([SOURCES], parallel, jobs=2)
    assert _quads(parallel) == _quads(serial)
    assert verify_store(parallel).ok
    # again: every graph exists now, so the write replaces them
    ingest([SOURCES], serial, jobs=1)
    ingest([SOURCES], parallel, jobs=2)
    assert _quads(parallel) == _quads(serial)


def test_a_bad_document_in_a_parallel_ingest_is_reported_and_nothing_written(
    tmp_path: Path,
) -> None:
    store = OxigraphStore(tmp_path / "store")
    shutil.copytree(SOURCES, tmp_path / "batch", ignore=shutil.ignore_patterns("README*"))
    (tmp_path / "batch" / "broken.txt").write_text(
        "Westminster City Council: local authority assessment\nAssessing needs\nScore: 5\n",
        encoding="utf-8",
    )
    with pytest.raises(DocumentError) as caught:
        ingest([tmp_path / "batch"], store, jobs=2)
    assert Path(caught.value.location.path).name == "broken.txt"
    assert caught.value.location.line == 3
    assert store.is_empty()
