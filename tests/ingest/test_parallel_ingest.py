"""A parallel ingest (``--jobs N``: documents read and assessments built in worker processes,
graphs written as N-Triples) stores the same quads as a serial one, and fails the same way."""

from __future__ import annotations

import pickle
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef

from cqckg.core.errors import DocumentError, SourceLocation, ValidationFailed
from cqckg.core.namespaces import CQC, authority_iri
from cqckg.core.paths import sources_dir
from cqckg.ingest import ingest, source_files, workers
from cqckg.ingest.verify import verify_store
from cqckg.read import read_document
from cqckg.store import OxigraphStore

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


def _seeded(tmp_path: Path) -> OxigraphStore:
    """A store holding a smaller version of one assessment (all its documents but the first), so
    that the run below replaces it with a different graph rather than the same one."""
    store = OxigraphStore(tmp_path / "store")
    _, *some = sorted((SOURCES / "camden").glob("*.txt"))
    ingest(some, store, jobs=1)
    assert not store.is_empty()
    return store


def _record_writes(store: OxigraphStore, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The graphs of each write the store is asked for (the writes still happen)."""
    writes: list[list[str]] = []
    real = store.replace_graphs_ntriples

    def recording(graphs: dict[URIRef, bytes]) -> None:
        writes.append(sorted(map(str, graphs)))
        real(graphs)

    monkeypatch.setattr(store, "replace_graphs_ntriples", recording)
    return writes


def test_a_later_assessment_breaking_a_rule_undoes_the_writes_made_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _seeded(tmp_path)
    before = _quads(store)
    last = max((d.authority_gss for d in map(read_document, source_files([SOURCES]))), key=str)
    real_check = workers.ensure_valid

    def breaks_a_rule_for_the_last(graph: Graph, **kwargs: Any) -> object:
        # A fault injected into the real validation (the workers fork with it): the last
        # assessment built fails as a graph breaking a shape would.
        if (None, CQC.assessedAuthority, authority_iri(last)) in graph:
            raise ValidationFailed("injected: the last assessment breaks a rule", 1)
        return real_check(graph, **kwargs)

    monkeypatch.setattr(workers, "ensure_valid", breaks_a_rule_for_the_last)
    writes = _record_writes(store, monkeypatch)
    with pytest.raises(ValidationFailed, match="injected"):
        ingest([SOURCES], store, jobs=2)
    # the assessments before the failing one were written while it was built, then undone
    written = [w for w in writes if any("/doc/assessment/" in g for g in w)]
    assert len(written) >= 2 * 3  # three written, three put back
    assert _quads(store) == before
    assert verify_store(store).ok


def test_an_interrupt_while_writing_puts_the_store_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _seeded(tmp_path)
    before = _quads(store)
    real = store.replace_graphs_ntriples
    calls = []

    def interrupted_on_the_third(graphs: dict[URIRef, bytes]) -> None:
        calls.append(graphs)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real(graphs)

    monkeypatch.setattr(store, "replace_graphs_ntriples", interrupted_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        ingest([SOURCES], store, jobs=2)
    # two writes made and the third interrupted; all three put back (what a write replaces is
    # kept before it starts, so one interrupted just after it finished is undone too)
    assert len(calls) == 3 + 3
    assert _quads(store) == before
