"""Importing a table of published ratings and scores (CSV) for many councils.

A row is one assessment: the council (any spelling of its name, or its GSS code, matched as
ingestion matches names), the publication date, the overall rating, any of the nine quality
statement scores and an optional pilot flag. Header names are matched loosely (``Assessing
needs`` or ``assessing-needs``; ``council``, ``authority`` or ``gss``; ``published`` or
``date``; ``overall rating`` or ``rating``; ``pilot``). Lines starting with ``#`` are comments.

A row goes the way a report goes in ingestion: it becomes records (a rating, scores, and the
disagreements with what the store holds), :func:`cqckg.build.build_assessment` makes the named
graph of its assessment from them, the graph is validated, then stored. The table is a
``cqc:SourceDocument`` (its SHA-256, path and full text, stored as any source text is) of kind
``document-kind/ratings-table`` (``graph/reference/ratings-table.ttl``), and every imported fact
is anchored to its row (offsets into the table's text), so ``cqckg verify`` checks imported facts
too.

When the store already holds the assessment (extracted from its report), the two are reconciled
before building: a value both state keeps both anchors (the graph built from the row is added to
the stored one); a value they state differently is reported as a conflict and becomes a
``cqc:Disagreement`` record, and **the value already in the graph (the report's) wins**: the
row's record of it is left out. The report is CQC's own publication, a table is a copy of it.
Rows that cannot be read (unknown council, bad date, score or rating) are refused one by one with
``FILE:LINE`` errors; each assessment is validated against the SHACL shapes before anything is
written.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from cqckg.build import AssessmentInput, build_assessment, slugify
from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.errors import DocumentError, SourceLocation, ValidationFailed
from cqckg.core.namespaces import (
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
from cqckg.core.paths import graph_dir
from cqckg.core.vocabulary import load_vocabulary
from cqckg.extract.records import (
    Anchor,
    Disagreement,
    Extraction,
    RatingRecord,
    StatementScoreRecord,
)
from cqckg.read.model import Document, DocumentKind
from cqckg.store import GraphStore
from cqckg.validate import ensure_valid, reference_graph


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


def ratings_table_kind() -> Graph:
    """The ``document-kind/ratings-table`` concept, stored in its own named graph
    (:data:`KIND_GRAPH`): the shipped vocabulary knows only the kinds of report."""
    return Graph().parse(graph_dir() / "reference" / "ratings-table.ttl", format="turtle")


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


@dataclass
class _Reconciled:
    """A row's records, reconciled with what the store holds of its assessment."""

    extraction: Extraction
    pilot: bool
    complete_scores: bool
    conflicts: list[Conflict] = field(default_factory=list)


def reconcile(existing: Graph, anchor: Anchor, row: RatingsRow, rel: str) -> _Reconciled:
    """The row's records against ``existing`` (the assessment's stored graph, maybe empty):
    where the two differ the stored value stays, the row's record of it is left out and a
    disagreement records both values; a flag the graph already states (pilot, indicative) is
    taken from it."""
    assessment = assessment_iri(row.gss, row.published)
    conflicts: list[Conflict] = []
    disagreements: list[Disagreement] = []

    def disagree(fact: str, kept: object, where: str, table: str) -> None:
        conflicts.append(Conflict(row.line, row.gss, row.published, fact, table, _plain(kept)))
        stated = ((_plain(kept), where), (table, f"{rel}:{row.line}"))
        disagreements.append(Disagreement(fact=fact, values=stated))

    def flag(node: URIRef, predicate: URIRef) -> bool:
        stated = existing.value(node, predicate)
        return row.pilot if not isinstance(stated, Literal) else bool(stated.toPython())

    pilot = row.pilot
    kind = existing.value(assessment, CQC.assessmentKind)
    if kind is not None and _plain(kind) != ("pilot" if row.pilot else "formal"):
        pilot = _plain(kind) == "pilot"
        where = _where(existing, assessment, CQC.anchor)
        disagree("the assessment kind", kind, where, "pilot" if row.pilot else "formal")
    rating = None
    if row.rating is not None:
        old = existing.value(assessment, CQC.overallRating)
        if old is not None and _plain(old) != row.rating:
            where = _where(existing, assessment, CQC.ratingAnchor)
            disagree("the overall rating", old, where, row.rating)
        else:
            indicative = flag(assessment, CQC.ratingIndicative)
            rating = RatingRecord(row.rating, indicative, (anchor,))
    scores = []
    for qs, score in row.scores.items():
        node = URIRef(f"{assessment}/score/{qs}")
        old = existing.value(node, CQC.score)
        if old is not None and _plain(old) != str(score):
            disagree(f"the score of {qs}", old, _where(existing, node, CQC.anchor), str(score))
            continue
        scores.append(StatementScoreRecord(qs, score, flag(node, CQC.indicative), (anchor,)))
    # The percentage and count follow from the row's scores unless the graph states them.
    complete = len(scores) == len(row.scores) and existing.value(assessment, CQC.percentage) is None
    extraction = Extraction(rating=rating, scores=scores, disagreements=disagreements)
    return _Reconciled(extraction, pilot, complete, conflicts)


def table_graph(
    document: Document, rel: str, row: RatingsRow, existing: Graph | None = None
) -> tuple[Graph, list[Conflict]]:
    """The named graph of one row's assessment (``existing`` plus what the row adds, built by
    build.py from the row's records) and the row's conflicts with ``existing``."""
    anchor = _anchor(document.text, document.sha256, row)
    stored = Graph() if existing is None else existing
    reconciled = reconcile(stored, anchor, row, rel)
    registry = AuthorityRegistry.load()
    a = AssessmentInput(
        gss=row.gss,
        published=row.published,
        pilot=reconciled.pilot,
        region=registry.get(row.gss).region,
        authority_name=registry.get(row.gss).name,
        documents=[(document, rel)],
        extraction=reconciled.extraction,
        complete_scores=reconciled.complete_scores,
        document_kinds={document.sha256: "ratings-table"},
    )
    graph = Graph()
    graph += stored
    graph += build_assessment(a, load_vocabulary())
    # how complete the assessment is counts the scores of both, the stored and the row's
    assessment = assessment_iri(row.gss, row.published)
    graph.set(
        (
            assessment,
            CQC.statementsScored,
            Literal(len(set(graph.objects(assessment, CQC.hasScore)))),
        )
    )
    return graph, reconciled.conflicts


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
        existing = _plain_strings(store.graph(name))
        graph, conflicts = table_graph(document, rel, row, existing)
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
