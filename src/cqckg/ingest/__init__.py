"""Ingestion: documents -> assessments -> extraction -> graphs -> validated store.

* ``group``: which files are documents, and the assessment (authority and publication date)
  each document belongs to.
* ``assemble``: each document's facts extracted, then reconciled kind by kind into what the
  assessment states: each fact keeps the anchors of every document stating it; documents that
  disagree on a single-valued fact (a score, the rating) give a
  :class:`~cqckg.extract.records.Disagreement`, reported, never silently overwritten.
* here, :func:`ingest`: every assessment graph is validated before it is written, and written
  with its source texts in one store transaction: a failure anywhere leaves the store as it was.
* ``workers``: the same, side by side in worker processes (``--jobs``).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from cqckg.build import AssessmentInput, build_assessment
from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.namespaces import (
    CNT,
    CQC,
    assessment_graph_iri,
    authority_iri,
    source_graph_iri,
    source_iri,
)
from cqckg.core.vocabulary import load_vocabulary
from cqckg.ingest.assemble import (
    assemble,
    assemble_groups,
    extract_document,
    extract_documents,
    reconcile,
)
from cqckg.ingest.group import (
    group_documents,
    refuse_duplicates,
    relative_source_path,
    source_files,
)
from cqckg.ingest.stored import stored_origins
from cqckg.ingest.workers import (
    Groups,
    as_ntriples,
    built_in_parallel,
    progress_bar,
    read_documents,
)
from cqckg.read import dates, parse_document
from cqckg.store import GraphStore
from cqckg.validate import ensure_valid

__all__ = [
    "IngestResult",
    "assemble",
    "assemble_groups",
    "build_graphs",
    "extract_document",
    "extract_documents",
    "group_documents",
    "ingest",
    "reconcile",
    "relative_source_path",
    "source_files",
]


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


def _build(groups: Groups, result: IngestResult, jobs: int) -> IngestResult:
    """Build and validate the prepared assessments into ``result`` (see :func:`build_graphs`)."""
    if jobs > 1 and len(groups) > 1:
        for a, body in built_in_parallel(groups, jobs):
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


def _prepare(
    paths: Sequence[Path],
    *,
    root: Path | None,
    progress: bool,
    store: GraphStore | None,
    jobs: int,
    published: str | None = None,
) -> tuple[Groups, IngestResult]:
    """Read every document and group them into assessments, with the documents ``store``
    already holds for each (see :func:`build_graphs`). Raises on a document that cannot be read,
    before anything is built."""
    files = source_files(paths)
    docs = read_documents(files, progress=progress, jobs=jobs)
    refuse_duplicates(docs)
    registry = AuthorityRegistry.load()
    authorities = sorted({d.authority_gss for d in docs})
    known = _stored_dates(store, authorities) if store is not None else {}
    groups: Groups = {}
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
            body = as_ntriples(result.graphs[iri])
        store.replace_graphs_ntriples(_serialized_graphs(iri, body, a, result))
    return result


def _write_while_building(
    groups: Groups, result: IngestResult, store: GraphStore, *, jobs: int, progress: bool
) -> None:
    """Write each assessment as soon as the workers have built and validated it, keeping what
    each write replaced; on any failure, put every graph written back as it was (newest first,
    one transaction per assessment) and raise. The store's write is serial and costs about as
    much as a fifth of the build, so it runs while the workers build the next assessments
    instead of after the last one."""
    undo: list[dict[URIRef, bytes]] = []
    built = built_in_parallel(groups, jobs)
    try:
        for a, body in progress_bar(built, progress, "ingesting", len(groups), "assessment"):
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
