"""Loading the shipped graph (ontology, reference vocabularies, built assessments, source texts).

The files under ``graph/`` map to named graphs as docs/decisions/0001-graph-shape.md lays out;
a built assessment file goes to the named graph of the assessment it describes, and each source
document's text goes to its own graph (``doc/source/{sha256}``) so the server can show and verify
it without reading files at query time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from cqckg.core.errors import DocumentError, SourceLocation, StoreError
from cqckg.core.namespaces import (
    AUTHORITIES_GRAPH,
    CNT,
    CQC,
    DOC,
    FRAMEWORK_GRAPH,
    MEASURES_GRAPH,
    ONTOLOGY_GRAPH,
    TOPICS_GRAPH,
    assessment_graph_iri,
    source_graph_iri,
    source_iri,
)
from cqckg.core.paths import assessments_dir, graph_dir, ontology_dir, sources_dir
from cqckg.store import GraphStore

VOCABULARIES_GRAPH = URIRef(DOC["vocabularies"])
CUES_GRAPH = URIRef(DOC["cues"])

REFERENCE_FILES: dict[str, URIRef] = {
    "framework.ttl": FRAMEWORK_GRAPH,
    "vocabularies.ttl": VOCABULARIES_GRAPH,
    "topics.ttl": TOPICS_GRAPH,
    "measures.ttl": MEASURES_GRAPH,
    "cues.ttl": CUES_GRAPH,
    "authorities.ttl": AUTHORITIES_GRAPH,
}


@dataclass(frozen=True)
class LoadSummary:
    graphs: int
    triples: int


def parse_turtle(path: Path) -> Graph:
    """Parse a Turtle file, turning parse errors into :class:`DocumentError` with file and line."""
    try:
        return Graph().parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise DocumentError(SourceLocation(path), "file-exists", "no such file") from exc
    except Exception as exc:
        line = getattr(exc, "lines", None) or getattr(exc, "line", None)
        raise DocumentError(
            SourceLocation(path, int(line) if isinstance(line, int) else None),
            "turtle-syntax",
            f"not valid Turtle: {exc}",
        ) from exc


def reference_graphs(root: Path | None = None) -> dict[URIRef, Graph]:
    """The ontology and the reference vocabularies, by named graph."""
    base = root or graph_dir()
    out: dict[URIRef, Graph] = {ONTOLOGY_GRAPH: parse_turtle(ontology_dir() / "cqc-kg.ttl")}
    for name, iri in REFERENCE_FILES.items():
        path = base / name
        if path.exists():
            out[iri] = parse_turtle(path)
    return out


def assessment_graph_name(g: Graph, path: Path) -> URIRef:
    """The named graph of a built assessment file: derived from the one cqc:Assessment in it."""
    found = list(g.subjects(RDF.type, CQC.Assessment))
    if len(found) != 1:
        raise DocumentError(
            SourceLocation(path),
            "one-assessment-per-file",
            f"expected 1 cqc:Assessment, found {len(found)}",
        )
    gss, published = str(found[0]).rstrip("/").split("/")[-2:]
    return assessment_graph_iri(gss, published)


def built_assessments(directory: Path | None = None) -> dict[URIRef, Graph]:
    """The committed assessment graphs under ``graph/assessments``."""
    folder = directory or assessments_dir()
    out: dict[URIRef, Graph] = {}
    for path in sorted(folder.glob("*.ttl")) if folder.is_dir() else []:
        g = parse_turtle(path)
        out[assessment_graph_name(g, path)] = g
    return out


def source_text_graphs(
    assessment_graphs: dict[URIRef, Graph], sources: Path | None = None
) -> dict[URIRef, Graph]:
    """One graph per source document named in the assessments, holding its verified text."""
    root = sources or sources_dir()
    out: dict[URIRef, Graph] = {}
    for g in assessment_graphs.values():
        for doc in g.subjects(RDF.type, CQC.SourceDocument):
            sha = str(g.value(doc, CQC.sha256))
            rel = g.value(doc, CQC.sourcePath)
            if rel is None:
                continue
            path = root / str(rel)
            text = path.read_text(encoding="utf-8") if path.exists() else None
            if text is None or hashlib.sha256(text.encode("utf-8")).hexdigest() != sha:
                raise StoreError(
                    f"{path}: source document missing or changed since the graph was built "
                    f"(sha256 {sha})"
                )
            tg = Graph()
            tg.add((source_iri(sha), CNT.chars, Literal(text)))
            out[source_graph_iri(sha)] = tg
    return out


def iter_shipped_graphs() -> Iterator[tuple[URIRef, Graph]]:
    yield from reference_graphs().items()
    assessments = built_assessments()
    yield from assessments.items()
    yield from source_text_graphs(assessments).items()


SHIPPED_GRAPH = URIRef(DOC["shipped"])


def shipped_fingerprint() -> str:
    """SHA-256 over every shipped file the store is loaded from (names and bytes)."""
    digest = hashlib.sha256()
    files = [ontology_dir() / "cqc-kg.ttl", *sorted(graph_dir().glob("*.ttl"))]
    files += sorted(assessments_dir().glob("*.ttl")) if assessments_dir().is_dir() else []
    files += sorted(p for p in sources_dir().rglob("*") if p.is_file())
    for path in files:
        digest.update(path.relative_to(path.parents[1]).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_shipped_graph(store: GraphStore) -> LoadSummary:
    """Load everything shipped under ``ontology/`` and ``graph/`` into ``store``, atomically,
    with a fingerprint of the files (graph ``doc/shipped``) so a later start can tell whether
    they changed."""
    graphs = dict(iter_shipped_graphs())
    marker = Graph()
    marker.add((SHIPPED_GRAPH, DCTERMS.identifier, Literal(shipped_fingerprint())))
    graphs[SHIPPED_GRAPH] = marker
    store.replace_graphs(graphs)
    return LoadSummary(graphs=len(graphs), triples=sum(len(g) for g in graphs.values()))


def ensure_shipped_graph(store: GraphStore) -> LoadSummary | None:
    """Load the shipped graph unless the store already holds this very version of it.

    The shipped graphs (ontology, vocabularies, councils, the assessments built from
    ``graph/sources``) are replaced when the files change, e.g. after an update of the
    project; assessments ingested from elsewhere, in graphs of their own, are left alone.
    """
    rows = store.select(f"SELECT ?id WHERE {{ <{SHIPPED_GRAPH}> <{DCTERMS.identifier}> ?id }}")
    stored = {row["id"].value for row in rows if row["id"] is not None}
    if stored == {shipped_fingerprint()}:
        return None
    return load_shipped_graph(store)
