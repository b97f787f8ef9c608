"""Importing a table of published ratings and scores (CSV) for many councils.

A row is one assessment: the council (any spelling of its name, or its GSS code, matched as
ingestion matches names), the publication date, the overall rating, any of the nine quality
statement scores and an optional pilot flag. Header names are matched loosely (``Assessing
needs`` or ``assessing-needs``; ``council``, ``authority`` or ``gss``; ``published`` or
``date``; ``overall rating`` or ``rating``; ``pilot``). Lines starting with ``#`` are comments.

Each row becomes the named graph of its assessment, shaped as build.py shapes an assessment read
from a report: the table is a ``cqc:SourceDocument`` (its SHA-256, path and full text, stored as
any source text is) of kind ``document-kind/ratings-table``, and every imported fact is anchored
to its row (offsets into the table's text), so ``cqckg verify`` checks imported facts too.

When the store already holds the assessment (extracted from its report), the two are reconciled:
a value both state keeps both anchors; a value they state differently is reported as a conflict
and recorded as a ``cqc:Disagreement``, and **the value already in the graph (the report's)
wins**: the report is CQC's own publication, a table is a copy of it. Rows that cannot be read
(unknown council, bad date, score or rating) are refused one by one with ``FILE:LINE`` errors;
each assessment is validated against the SHACL shapes before anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from cqckg.authorities import AuthorityRegistry
from cqckg.build import AssessmentInput, build_assessment, short_hash, slugify
from cqckg.errors import DocumentError, SourceLocation, ValidationFailed
from cqckg.extract.records import Anchor, Extraction, RatingRecord, ScoreRecord
from cqckg.ingest.model import Document, DocumentKind
from cqckg.namespaces import (
    BASE,
    CNT,
    CQC,
    OA,
    assessment_graph_iri,
    assessment_iri,
    concept_iri,
    source_graph_iri,
    source_iri,
)
from cqckg.store import GraphStore
from cqckg.validate import ensure_valid, reference_graph
from cqckg.vocabulary import load_vocabulary


def _statements() -> list[str]:
    """The quality statements' slugs in framework order (from graph/framework.ttl)."""
    statements = load_vocabulary().quality_statements.values()
    return [
        q.slug for q in sorted(statements, key=lambda q: tuple(map(int, q.notation.split("."))))
    ]


def _ratings() -> list[str]:
    return list(load_vocabulary().rating_bands)


RATINGS_TABLE = concept_iri("document-kind", "ratings-table")
KIND_GRAPH = URIRef(f"{BASE}doc/vocabularies/ratings-table")

_HEADERS = {
    "council": ("council", "council-name", "authority", "local-authority", "gss", "gss-code"),
    "published": ("published", "published-date", "publication-date", "date"),
    "rating": ("overall-rating", "rating", "overall"),
    "pilot": ("pilot", "pilot-flag", "indicative"),
}
_TRUE = {"yes", "y", "true", "1", "pilot"}
_FALSE = {"", "no", "n", "false", "0"}
_PREFIX_LENGTH = 32
# Facts only one value of which can stand: a table's differing value is dropped (and, for the
# first three, recorded as a disagreement).
_SINGLE_VALUED = (
    CQC.score,
    CQC.overallRating,
    CQC.assessmentKind,
    CQC.scoreLevel,
    CQC.indicative,
    CQC.ratingIndicative,
    CQC.percentage,
    CQC.statementsScored,
)


@dataclass(frozen=True)
class RatingsRow:
    """One row of the table, checked: an assessment's rating and scores, and where it is."""

    line: int
    gss: str
    published: str
    rating: str | None
    scores: dict[str, int]
    pilot: bool
    start: int
    end: int


@dataclass(frozen=True)
class Conflict:
    """The table and the graph state different values for one fact of one assessment."""

    line: int
    gss: str
    published: str
    fact: str
    table: str
    graph: str

    def __str__(self) -> str:
        return (
            f"line {self.line}: {self.gss} {self.published}: {self.fact}: the table says "
            f"{self.table}, the graph (kept) says {self.graph}"
        )


@dataclass
class ImportResult:
    """What :func:`import_scores` did: rows imported, rows refused, conflicts found."""

    imported: list[RatingsRow] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


def _parse_date(text: str) -> str:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"published date {text!r} is not YYYY-MM-DD, DD/MM/YYYY or '8 November 2024'")


def _columns(header: list[str], where: SourceLocation) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = slugify(name)
        role = next((r for r, names in _HEADERS.items() if key in names), None)
        if role is None and key in _statements():
            role = key
        if role is None:
            raise DocumentError(where, "ratings-header", f"unknown column {name!r}")
        found[role] = index
    if "council" not in found or "published" not in found:
        raise DocumentError(
            where, "ratings-header", "the table needs council and published columns"
        )
    return found


def _row(
    cells: list[str], columns: dict[str, int], registry: AuthorityRegistry
) -> tuple[str, str, str | None, dict[str, int], bool]:
    def cell(role: str) -> str:
        index = columns.get(role)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    authority = registry.match(cell("council"))
    if authority is None:
        raise ValueError(f"no council matches {cell('council')!r}")
    published = _parse_date(cell("published"))
    rating = slugify(cell("rating")) if cell("rating") else None
    if rating is not None and rating not in _ratings():
        raise ValueError(f"overall rating {cell('rating')!r} is not one of {', '.join(_ratings())}")
    scores: dict[str, int] = {}
    for slug in _statements():
        text = cell(slug)
        if text:
            if text not in ("1", "2", "3", "4"):
                raise ValueError(f"{slug} score {text!r} is not 1, 2, 3 or 4")
            scores[slug] = int(text)
    flag = cell("pilot").lower()
    if flag not in _TRUE | _FALSE:
        raise ValueError(f"pilot flag {cell('pilot')!r} is not yes or no")
    if not scores and rating is None:
        raise ValueError("the row has neither a rating nor any score")
    return authority.gss, published, rating, scores, flag in _TRUE


def read_table(
    path: Path, text: str, registry: AuthorityRegistry
) -> tuple[list[RatingsRow], list[str]]:
    """The rows of a ratings table that can be read, and an error for each that cannot.

    Raises:
        DocumentError: the header is missing or names an unknown column.
    """
    rows: list[RatingsRow] = []
    refused: list[str] = []
    columns: dict[str, int] | None = None
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        start, offset = offset, offset + len(line)
        body = line.rstrip("\r\n")
        if not body.strip() or body.lstrip().startswith("#"):
            continue
        cells = next(csv.reader([body]))
        if columns is None:
            columns = _columns(cells, SourceLocation(path, number))
            continue
        try:
            gss, published, rating, scores, pilot = _row(cells, columns, registry)
        except ValueError as exc:
            refused.append(f"{path}:{number}: {exc}")
            continue
        rows.append(
            RatingsRow(number, gss, published, rating, scores, pilot, start, start + len(body))
        )
    if columns is None:
        raise DocumentError(SourceLocation(path), "ratings-header", "the table has no header row")
    return rows, refused


def _anchor(text: str, sha: str, row: RatingsRow) -> Anchor:
    return Anchor(
        document_sha256=sha,
        start=row.start,
        end=row.end,
        exact=text[row.start : row.end],
        prefix=text[max(0, row.start - _PREFIX_LENGTH) : row.start],
        suffix=text[row.end : row.end + _PREFIX_LENGTH],
        line=row.line,
    )


def table_graph(document: Document, rel: str, row: RatingsRow) -> Graph:
    """The named graph of one row's assessment, as build.py makes it, with the table as source."""
    anchor = (_anchor(document.text, document.sha256, row),)
    extraction = Extraction(
        rating=None if row.rating is None else RatingRecord(row.rating, row.pilot, anchor),
        scores=[ScoreRecord(qs, score, row.pilot, anchor) for qs, score in row.scores.items()],
    )
    registry = AuthorityRegistry.load()
    a = AssessmentInput(
        gss=row.gss,
        published=row.published,
        pilot=row.pilot,
        region=registry.get(row.gss).region,
        authority_name=registry.get(row.gss).name,
        documents=[(document, rel)],
        extraction=extraction,
        complete_scores=True,
    )
    g = build_assessment(a, load_vocabulary())
    doc = source_iri(document.sha256)
    # build.py knows the kinds of report; a table is a kind of its own (ratings_table_kind).
    g.remove((doc, CQC.documentKind, None))
    g.remove((doc, DCTERMS.format, None))
    g.add((doc, CQC.documentKind, RATINGS_TABLE))
    g.add((doc, DCTERMS.format, Literal("text/csv")))
    return g


def ratings_table_kind() -> Graph:
    """The ``document-kind/ratings-table`` concept, in its own named graph
    (:data:`KIND_GRAPH`): the shipped vocabulary knows only the kinds of report."""
    g = Graph()
    g.add((RATINGS_TABLE, RDF.type, CQC.DocumentKind))
    g.add((RATINGS_TABLE, RDF.type, SKOS.Concept))
    g.add((RATINGS_TABLE, SKOS.prefLabel, Literal("Ratings table", lang="en")))
    g.add((RATINGS_TABLE, SKOS.inScheme, URIRef(str(concept_iri("document-kind", "")).rstrip("/"))))
    g.add(
        (
            RATINGS_TABLE,
            SKOS.definition,
            Literal("A table of published ratings and scores, one row per assessment.", lang="en"),
        )
    )
    return g


def _plain(term: object) -> str:
    """A value as a table would write it: a score, or a concept's last segment (``good``)."""
    return str(term).rsplit("/", 1)[-1]


def _where(graph: Graph, node: URIRef, predicate: URIRef) -> str:
    """The source paths of the documents behind ``node``'s anchors (via ``predicate``)."""
    paths: set[str] = set()
    for anchor in graph.objects(node, predicate):
        for doc in graph.objects(anchor, OA.hasSource):
            paths.update(str(p) for p in graph.objects(doc, CQC.sourcePath))
    return ", ".join(sorted(paths)) or "the graph"


def _plain_strings(graph: Graph) -> Graph:
    """``graph`` with ``"x"^^xsd:string`` written ``"x"``, as build.py writes it (the store gives
    every simple literal its datatype; rdflib would count the two forms as different values)."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        out.add((s, p, o))
    return out


def reconcile(
    existing: Graph, new: Graph, row: RatingsRow, rel: str
) -> tuple[Graph, list[Conflict]]:
    """``existing`` plus what the table adds; where they differ the existing value stays, the
    table's anchor is not attached to it, and a ``cqc:Disagreement`` records both values."""
    assessment = assessment_iri(row.gss, row.published)
    merged = Graph()
    merged += existing
    conflicts: list[Conflict] = []
    dropped: set[tuple[URIRef, URIRef]] = set()
    for s, p, o in new:
        if p not in _SINGLE_VALUED:
            continue
        old = existing.value(s, p)
        if old is None or old == o:
            continue
        dropped.add((s, p))  # type: ignore[arg-type]
        if p in (CQC.score, CQC.overallRating, CQC.assessmentKind):
            if p == CQC.score:
                fact = f"the score of {_plain(s)}"
            else:
                fact = "the overall rating" if p == CQC.overallRating else "the assessment kind"
            anchored_by = CQC.ratingAnchor if p == CQC.overallRating else CQC.anchor
            graph_side = f"{_plain(old)} @ {_where(existing, s, anchored_by)}"  # type: ignore[arg-type]
            table_side = f"{_plain(o)} @ {rel}:{row.line}"
            conflict = Conflict(row.line, row.gss, row.published, fact, _plain(o), _plain(old))
            conflicts.append(conflict)
            d = URIRef(f"{assessment}/disagreement/{short_hash(fact, graph_side, table_side)}")
            merged.add((assessment, CQC.disagreement, d))
            merged.add((d, RDF.type, CQC.Disagreement))
            merged.add((d, RDFS.comment, Literal(f"The documents disagree on {fact}.", lang="en")))
            merged.add((d, CQC.statedValue, Literal(graph_side)))
            merged.add((d, CQC.statedValue, Literal(table_side)))
    conflicting_scores = {s for s, p in dropped if p == CQC.score}
    for s, p, o in new:
        if (s, p) in dropped:
            continue
        if s in conflicting_scores and p in (CQC.anchor, PROV.wasDerivedFrom):
            continue
        if (s, p) == (assessment, CQC.ratingAnchor) and (assessment, CQC.overallRating) in dropped:
            continue
        derived = p in (CQC.percentage, CQC.statementsScored)
        if derived and (conflicting_scores or existing.value(s, p) is not None):
            continue
        merged.add((s, p, o))
    return merged, conflicts


def import_scores(path: Path, store: GraphStore, *, rel: str | None = None) -> ImportResult:
    """Import a ratings table into ``store``: one named graph per row, plus the table's text.

    ``rel`` is the path recorded for the table (default: as given). Every graph is validated
    first; rows whose graph breaks a shape are refused with the report, the rest are written.

    Raises:
        DocumentError: the file cannot be read or its header is wrong.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentError(SourceLocation(path), "file-readable", str(exc)) from exc
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    rel = rel or str(path)
    registry = AuthorityRegistry.load()
    rows, refused = read_table(path, text, registry)
    result = ImportResult(refused=refused)
    document = Document(
        path=path,
        text=text,
        sha256=sha,
        kind=DocumentKind.FULL_REPORT,  # replaced by ratings-table in table_graph
        authority_gss="",
        authority_name="",
        published=None,
        pilot=False,
        title=f"Ratings table {path.name}",
    )
    writes: dict[URIRef, Iterable[tuple[object, object, object]]] = {}
    text_graph = Graph()
    text_graph.add((source_iri(sha), CNT.chars, Literal(text)))
    writes[source_graph_iri(sha)] = text_graph
    kind = ratings_table_kind()
    writes[KIND_GRAPH] = kind
    reference = Graph()
    reference += reference_graph()
    reference += kind
    for row in rows:
        name = assessment_graph_iri(row.gss, row.published)
        new = table_graph(document, rel, row)
        existing = _plain_strings(store.graph(name))
        graph, conflicts = (new, []) if len(existing) == 0 else reconcile(existing, new, row, rel)
        try:
            ensure_valid(graph, extra=reference)
        except ValidationFailed as exc:
            result.refused.append(f"{path}:{row.line}: {exc}")
            continue
        writes[name] = graph
        result.imported.append(row)
        result.conflicts.extend(conflicts)
    if result.imported:
        store.replace_graphs(writes)  # type: ignore[arg-type]
    return result


__all__ = [
    "Conflict",
    "ImportResult",
    "RatingsRow",
    "import_scores",
    "ratings_table_kind",
    "read_table",
    "reconcile",
    "table_graph",
]
