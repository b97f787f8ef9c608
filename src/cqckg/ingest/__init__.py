"""Ingestion: documents -> per-document extraction -> assessments -> graphs -> validated store.

* :func:`extract_document` runs every extractor over one document (pure; no RDF).
* :func:`assemble` groups documents into assessments (authority + publication) and reconciles
  what several documents say about the same assessment: each fact keeps the anchors of every
  document stating it; disagreements on single-valued facts (scores, rating) are kept as
  :class:`~cqckg.extract.records.Disagreement` records and reported, never silently overwritten.
* :func:`ingest` validates every assessment graph before writing it and writes each, with its
  source texts, in one store transaction: a failure anywhere leaves the store as it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import multiprocessing
import os
import threading
import time
from collections import defaultdict
from collections.abc import Generator, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from cqckg.build import FACT_KINDS, AssessmentInput, build_assessment, gc_paused
from cqckg.build.fact_kind import Found, Stated
from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.errors import DocumentError, SourceLocation
from cqckg.core.namespaces import (
    CNT,
    CQC,
    assessment_graph_iri,
    authority_iri,
    source_graph_iri,
    source_iri,
)
from cqckg.core.paths import sources_dir
from cqckg.core.vocabulary import Vocabulary, load_vocabulary
from cqckg.extract.framework import displayed_percentage
from cqckg.extract.records import Disagreement, Extraction
from cqckg.ingest.stored import stored_origins
from cqckg.read import dates, parse_document, read_document
from cqckg.read.model import Document, DocumentKind
from cqckg.read.reader import SUFFIXES
from cqckg.store import GraphStore, to_ox
from cqckg.validate import ensure_valid

R = TypeVar("R")
T = TypeVar("T")

# Which document to believe first when documents disagree on a single-valued fact.
_PRIORITY = {
    DocumentKind.FULL_REPORT: 0,
    DocumentKind.QUALITY_STATEMENT_PAGE: 1,
    DocumentKind.OVERALL_SUMMARY: 2,
    DocumentKind.LANDING_PAGE: 3,
    DocumentKind.PRESS_RELEASE: 4,
}
_RELEASE = DocumentKind.PRESS_RELEASE
_SOURCE_SUFFIXES = SUFFIXES


def extract_document(doc: Document, vocab: Vocabulary, registry: AuthorityRegistry) -> Extraction:
    """Everything one document states, as typed records anchored in it: each kind of fact in
    turn (``FACT_KINDS``), each given what the kinds before it found."""
    found = Extraction()
    for kind in FACT_KINDS:
        kind.put(found, kind.extract(Found(doc, vocab, registry, found)))
    return found


def relative_source_path(path: Path, root: Path | None = None) -> str:
    """Where a document sits relative to the sources folder (or its own folder when outside)."""
    base = (root or sources_dir()).resolve()
    p = path.resolve()
    try:
        return p.relative_to(base).as_posix()
    except ValueError:
        return f"{p.parent.name}/{p.name}"


def source_files(paths: Iterable[Path]) -> list[Path]:
    """The document files named by ``paths`` (folders expanded, README files skipped), sorted."""
    out: set[Path] = set()
    for p in paths:
        if p.is_dir():
            out.update(
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() in _SOURCE_SUFFIXES
                and f.stem.upper() != "README"
            )
        elif p.exists():
            out.add(p)
        else:
            raise DocumentError(SourceLocation(p), "file-exists", "no such file or folder")
    return sorted(out)


def extract_documents(paths: Sequence[Path | str]) -> dict[str, Extraction]:
    """Per-document extraction keyed by the path relative to the sources folder (for evaluation)."""
    vocab, registry = load_vocabulary(), AuthorityRegistry.load()
    return {
        relative_source_path(f): extract_document(read_document(f), vocab, registry)
        for f in source_files(Path(p) for p in paths)
    }


# -- grouping and reconciling -------------------------------------------------------------------


def group_documents(
    docs: list[Document],
    known: Mapping[str, Sequence[str]] | None = None,
    published: str | None = None,
) -> dict[tuple[str, str], list[Document]]:
    """Documents grouped into assessments: an authority and the date its assessment was published
    (ISO text, ``YYYY-MM-DD``, or ``YYYY-MM`` when only the month is known).

    A document's date is, in this order: the date it states; ``published`` (a date the user
    gives for the documents that state none); the month its report address encodes, which joins
    the authority's assessment published that month when the batch or the store (``known``, by
    GSS code) has one, and otherwise makes a month-dated assessment; the authority's one
    assessment in the batch, or else in the store. Press releases state dates that may differ
    from the report's by days: they join the authority's nearest assessment.
    """
    by_authority: dict[str, list[Document]] = defaultdict(list)
    for d in docs:
        by_authority[d.authority_gss].append(d)
    groups: dict[tuple[str, str], list[Document]] = defaultdict(list)
    for gss, authority_docs in sorted(by_authority.items()):
        for d, date in _dated(authority_docs, list((known or {}).get(gss, ())), published):
            groups[(gss, date)].append(d)
    return dict(groups)


def _dated(
    docs: list[Document], known: list[str], published: str | None
) -> list[tuple[Document, str]]:
    """Each of one authority's documents with the date of the assessment it belongs to."""
    stated = sorted(
        {d.published.isoformat() for d in docs if d.published and d.kind is not _RELEASE}
    ) or sorted({d.published.isoformat() for d in docs if d.published})
    days = sorted({*stated, *(k for k in known if not dates.is_month(k))})
    if published is not None and not dates.is_month(published):
        days = sorted({*days, published})

    def joined(month: str) -> str:
        """A month's assessment: the day-dated one of that month if any, else the month."""
        return next((day for day in days if dates.month_of(day) == month), month)

    out: list[tuple[Document, str]] = []
    undated: list[Document] = []
    for d in docs:
        if d.published is not None:
            day = d.published.isoformat()
            if day not in days:
                day = min(days, key=lambda x: abs(_ordinal(x) - d.published.toordinal()))  # type: ignore[union-attr]
            out.append((d, day))
        elif published is not None:
            if d.address_month not in (None, dates.month_of(published)):
                raise DocumentError(
                    SourceLocation(d.path, 1),
                    "publication-date",
                    f"--published {published} but the document's address says it was "
                    f"published in {d.address_month}; give the date of its month or leave "
                    "--published out",
                )
            out.append((d, published if not dates.is_month(published) else joined(published)))
        elif d.address_month is not None:
            out.append((d, joined(d.address_month)))
        else:
            undated.append(d)
    if undated:
        # the run's own assessment of the authority first; the store's only when the run has none
        found = sorted(
            {date for _, date in out} or {joined(k[:7]) for k in known}, key=dates.sort_key
        )
        if not found:
            raise DocumentError(
                SourceLocation(undated[0].path, 1),
                "publication-date",
                "nothing says when this assessment was published: no document states it "
                "('Assessment published: <date>', 'Published: <date>') and no report address "
                "encodes it ('<name>-MMYY'); give it with 'cqckg ingest --published YYYY-MM[-DD]' "
                "or ingest the document with its assessment's landing page, summary or report",
            )
        if len(found) > 1:
            raise DocumentError(
                SourceLocation(undated[0].path, 1),
                "ambiguous-assessment",
                f"undated document of a council with {len(found)} assessments "
                f"({', '.join(found)}); ingest each assessment separately or give its date "
                "with 'cqckg ingest --published YYYY-MM[-DD]'",
            )
        out.extend((d, found[0]) for d in undated)
    return out


def _ordinal(iso: str) -> int:
    """Days since year 1 of a date, a month counted from its first day."""
    return dt.date.fromisoformat(iso if len(iso) > 7 else f"{iso}-01").toordinal()


def reconcile(parts: list[tuple[Document, str, Extraction]]) -> Extraction:
    """One assessment's extraction from its documents' extractions: each kind of fact merged by
    its own rule (``FactKind.merge``), the most trusted document first."""
    ordered = sorted(parts, key=lambda p: (_PRIORITY[p[0].kind], p[1]))
    out = Extraction()
    for kind in FACT_KINDS:
        stated = [Stated(doc, rel, kind.records_in(ex)) for doc, rel, ex in ordered]
        merged = kind.merge(stated, out)
        kind.put(out, merged.records)
        out.disagreements.extend(merged.disagreements)
    return out


@dataclass
class IngestResult:
    """What an ingest or build did."""

    assessments: list[AssessmentInput] = field(default_factory=list)
    graphs: dict[URIRef, Graph] = field(default_factory=dict)
    # SHA-256 of the stored documents newer versions replace, by assessment graph
    replaced: dict[URIRef, list[str]] = field(default_factory=dict)
    serialized: dict[URIRef, bytes] = field(
        default_factory=dict
    )  # N-Triples, from a parallel build
    # month-dated assessment graphs that a day-dated assessment of the same month takes in,
    # by the graph that takes them in (they are emptied in the same transaction)
    retired: dict[URIRef, list[URIRef]] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        return [w for a in self.assessments for w in a.warnings]


def assemble(
    docs: list[Document], vocab: Vocabulary, registry: AuthorityRegistry, root: Path | None = None
) -> list[AssessmentInput]:
    """Group documents into assessments and reconcile their extractions."""
    groups = {
        key: [(d, relative_source_path(d.path, root)) for d in group]
        for key, group in group_documents(docs).items()
    }
    return assemble_groups(groups, vocab, registry)


def assemble_groups(
    groups: Mapping[tuple[str, str], Sequence[tuple[Document, str]]],
    vocab: Vocabulary,
    registry: AuthorityRegistry,
) -> list[AssessmentInput]:
    """Reconcile the extractions of each assessment's documents (with their source paths)."""
    out = []
    for (gss, published), group in sorted(groups.items()):
        parts = [(d, rel, extract_document(d, vocab, registry)) for d, rel in group]
        extraction = reconcile(parts)
        complete = (
            any(
                d.kind in (DocumentKind.FULL_REPORT, DocumentKind.PRESS_RELEASE)
                and len(ex.scores) >= 2
                for d, _, ex in parts
            )
            or len(extraction.scores) == 9
        )
        a = AssessmentInput(
            gss=gss,
            published=published,
            pilot=any(d.pilot for d, _ in group),
            region=registry.get(gss).region,
            authority_name=registry.get(gss).name,
            documents=sorted(((d, rel) for d, rel, _ in parts), key=lambda p: p[1]),
            extraction=extraction,
            complete_scores=complete,
        )
        if a.complete_scores and extraction.percentage and extraction.scores:
            computed = displayed_percentage(extraction.scores)
            if computed != extraction.percentage.value:
                extraction.disagreements.append(
                    Disagreement(
                        "the percentage score",
                        (
                            (f"{extraction.percentage.value}%", "as stated"),
                            (f"{computed}%", "from the scores"),
                        ),
                    )
                )
        a.warnings.extend(w for d, _ in group for w in d.warnings)
        a.warnings.extend(
            f"{gss} {a.published}: documents disagree on {d.fact}: "
            + "; ".join(f"{v} in {p}" for v, p in d.values)
            for d in extraction.disagreements
        )
        out.append(a)
    return out


def build_graphs(
    paths: Sequence[Path],
    *,
    root: Path | None = None,
    progress: bool = False,
    store: GraphStore | None = None,
    jobs: int = 1,
    published: str | None = None,
) -> IngestResult:
    """Read, extract, build and validate; nothing is written. Raises on the first problem.

    With ``jobs`` above 1, assessments are built in that many processes and their graphs are
    kept as N-Triples (``IngestResult.serialized``) rather than as rdflib graphs.

    With a ``store``, each assessment also keeps the documents the store already holds for it
    (re-read from their stored text), except those a new document replaces: a document with the
    same source path is a newer version of it.
    """
    groups, result = _prepare(
        paths, root=root, progress=progress, store=store, jobs=jobs, published=published
    )
    return _build(groups, result, jobs)


def _build(groups: _Groups, result: IngestResult, jobs: int) -> IngestResult:
    """Build and validate the prepared assessments into ``result`` (see :func:`build_graphs`)."""
    if jobs > 1 and len(groups) > 1:
        for a, body in _built_in_parallel(groups, jobs):
            result.assessments.append(a)
            result.serialized[assessment_graph_iri(a.gss, a.published)] = body
        return result
    vocab, registry = load_vocabulary(), AuthorityRegistry.load()
    result.assessments = assemble_groups(groups, vocab, registry)
    for a in result.assessments:
        g = build_assessment(a, vocab)
        ensure_valid(g)
        result.graphs[assessment_graph_iri(a.gss, a.published)] = g
    return result


_Groups = dict[tuple[str, str], list[tuple[Document, str]]]


def _prepare(
    paths: Sequence[Path],
    *,
    root: Path | None,
    progress: bool,
    store: GraphStore | None,
    jobs: int,
    published: str | None = None,
) -> tuple[_Groups, IngestResult]:
    """Read every document and group them into assessments, with the documents ``store``
    already holds for each (see :func:`build_graphs`). Raises on a document that cannot be read,
    before anything is built."""
    files = source_files(paths)
    docs = _read_documents(files, progress=progress, jobs=jobs)
    _refuse_duplicates(docs)
    registry = AuthorityRegistry.load()
    authorities = sorted({d.authority_gss for d in docs})
    known = _stored_dates(store, authorities) if store is not None else {}
    groups: _Groups = {}
    result = IngestResult()
    for key, group in group_documents(docs, known, published).items():
        members = [(d, relative_source_path(d.path, root)) for d in group]
        if store is not None:
            graph = assessment_graph_iri(*key)
            # a month-dated assessment in the store joins the day-dated one of its month
            absorbed = [
                (key[0], k)
                for k in known.get(key[0], ())
                if dates.is_month(k) and not dates.is_month(key[1]) and dates.month_of(key[1]) == k
            ]
            new_paths = {rel for _, rel in members}
            for stored in [key, *absorbed]:
                origins = stored_origins(store, *stored)
                for rel, text in _stored_documents(store, *stored):
                    if rel in new_paths:
                        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
                        result.replaced.setdefault(graph, []).append(sha)
                    else:
                        doc = parse_document(text, rel, registry=registry, origin=origins.get(rel))
                        members.append((doc, rel))
                        new_paths.add(rel)
            if absorbed:
                result.retired[graph] = [assessment_graph_iri(*k) for k in absorbed]
        groups[key] = members
    return groups, result


def _refuse_duplicates(docs: Sequence[Document]) -> None:
    """The same text twice in one run is a mistake (a copied file), not two sources."""
    seen: dict[str, Path] = {}
    for d in docs:
        first = seen.setdefault(d.sha256, d.path)
        if first != d.path:
            raise DocumentError(
                SourceLocation(d.path, 1),
                "duplicate-document",
                f"the same text as {first}; expected each document once",
            )


def _read_documents(files: list[Path], *, progress: bool, jobs: int) -> list[Document]:
    """Read every file, in ``jobs`` processes when there are enough files to be worth it (a
    document crosses back pickled in a twentieth of the time it takes to read it)."""
    if jobs <= 1 or len(files) < 4 * jobs:
        return [read_document(f) for f in _progress(files, progress, "reading")]
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=fork, initializer=_start_worker) as pool:
        docs = pool.map(read_document, files, chunksize=max(1, min(16, len(files) // (4 * jobs))))
        return list(_progress(docs, progress, "reading", total=len(files)))


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
        body = _as_ntriples(g)
    return dataclasses.replace(a, documents=[]), body


def _as_ntriples(g: Graph) -> bytes:
    """An assessment graph as N-Triples. Terms repeat (every anchor names its source, every fact
    its assessment): each is converted once."""
    term = functools.lru_cache(maxsize=None)(to_ox)
    body = ox.serialize(
        (ox.Triple(term(s), term(p), term(o)) for s, p, o in g),  # type: ignore[arg-type]
        format=ox.RdfFormat.N_TRIPLES,
    )
    return body or b""


def _built_in_parallel(
    groups: _Groups, jobs: int
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


def _stored_dates(store: GraphStore, authorities: Sequence[str]) -> dict[str, list[str]]:
    """Publication dates of the assessments the store holds for these authorities."""
    if not authorities:
        return {}
    values = " ".join(f"<{authority_iri(gss)}>" for gss in authorities)
    rows = store.select(
        f"""SELECT ?authority ?date WHERE {{
              VALUES ?authority {{ {values} }}
              ?a <{CQC.assessedAuthority}> ?authority ; <{DCTERMS.issued}> ?date }}"""
    )
    out: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        authority, date = row["authority"], row["date"]
        if authority is not None and date is not None:
            out[authority.value.rsplit("/", 1)[-1]].append(date.value)
    return out


def _stored_documents(store: GraphStore, gss: str, published: str) -> list[tuple[str, str]]:
    """(source path, text) of the documents stored for one assessment."""
    graph = assessment_graph_iri(gss, published)
    rows = store.select(
        f"""SELECT ?path ?text WHERE {{
              GRAPH <{graph}> {{ ?doc a <{CQC.SourceDocument}> ; <{CQC.sourcePath}> ?path }}
              ?doc <{CNT.chars}> ?text }}"""
    )
    return sorted(
        (row["path"].value, row["text"].value)
        for row in rows
        if row["path"] is not None and row["text"] is not None
    )


def _progress(
    items: Iterable[T], enabled: bool, what: str, total: int | None = None, unit: str = "doc"
) -> Iterable[T]:
    count = total if total is not None else len(items) if isinstance(items, list) else 2
    if not enabled or count < 2:
        return items
    from tqdm import tqdm

    bar: Iterable[T] = tqdm(items, desc=what, unit=unit, leave=False, total=total)
    return bar


def ingest(
    paths: Sequence[Path],
    store: GraphStore,
    *,
    progress: bool = False,
    jobs: int = 1,
    published: str | None = None,
) -> IngestResult:
    """Ingest documents: all-or-nothing for the run's input, atomic per assessment in the store.

    Every document is read and grouped before anything is written, so a document that cannot be
    read or recognised leaves the store as it was. Each assessment is validated before it is
    written, and written in one transaction with its source texts: were the process killed while
    writing, every assessment is either its old version or its new one. An assessment already in
    the store is rebuilt from its stored documents and the new ones; the text of a document a
    newer version replaces goes with it.

    ``jobs`` processes build and validate assessments side by side. On the embedded store each
    assessment is then written as soon as it is valid, while the next ones are still being
    built, and a later assessment that breaks a rule (or any other failure, an interrupt
    included) undoes the writes already made: the store ends as it was. With one job, or a
    remote store, every assessment is validated before the first is written.
    """
    groups, result = _prepare(
        paths, root=None, progress=progress, store=store, jobs=jobs, published=published
    )
    if jobs > 1 and len(groups) > 1 and store.atomic_writes:
        _write_while_building(groups, result, store, jobs=jobs, progress=progress)
        return result
    result = _build(groups, result, jobs)
    for a in result.assessments:
        iri = assessment_graph_iri(a.gss, a.published)
        body = result.serialized.get(iri)
        if body is None:
            body = _as_ntriples(result.graphs[iri])
        store.replace_graphs_ntriples(_serialized_graphs(iri, body, a, result))
    return result


def _write_while_building(
    groups: _Groups, result: IngestResult, store: GraphStore, *, jobs: int, progress: bool
) -> None:
    """Write each assessment as soon as the workers have built and validated it, keeping what
    each write replaced; on any failure, put every graph written back as it was (newest first,
    one transaction per assessment) and raise. The store's write is serial and costs about as
    much as a fifth of the build, so it runs while the workers build the next assessments
    instead of after the last one."""
    undo: list[dict[URIRef, bytes]] = []
    built = _built_in_parallel(groups, jobs)
    try:
        for a, body in _progress(built, progress, "ingesting", len(groups), "assessment"):
            iri = assessment_graph_iri(a.gss, a.published)
            graphs = _serialized_graphs(iri, body, a, result)
            undo.append({g: store.graph_ntriples(g) for g in graphs})
            store.replace_graphs_ntriples(graphs)
            result.assessments.append(a)
    except BaseException:
        built.close()  # stops the workers before the store is put back
        for before in reversed(undo):
            store.replace_graphs_ntriples(before)
        raise


def _serialized_graphs(
    iri: URIRef, ntriples: bytes, a: AssessmentInput, result: IngestResult
) -> dict[URIRef, bytes]:
    """Every graph one assessment's write sets, as N-Triples: the assessment graph, the text of
    each of its documents, and nothing (``b""``) for the texts newer versions replace and the
    month-dated assessments it takes in."""
    replaced = result.replaced.get(iri, ())
    texts = {doc.sha256: doc.text for doc, _rel in a.documents}
    graphs: dict[URIRef, bytes] = {iri: ntriples}
    for sha, text in texts.items():
        quote = ox.Triple(
            ox.NamedNode(str(source_iri(sha))), ox.NamedNode(str(CNT.chars)), ox.Literal(text)
        )
        graphs[source_graph_iri(sha)] = ox.serialize([quote], format=ox.RdfFormat.N_TRIPLES) or b""
    for sha in set(replaced) - set(texts):
        graphs[source_graph_iri(sha)] = b""
    for old in result.retired.get(iri, ()):
        graphs[old] = b""
    return graphs
