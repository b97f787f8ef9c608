"""Export: the graph as files researchers can take away, described in DCAT 3 and VoID.

:func:`export` writes into one folder:

============================  ===========================================================
``cqc-kg.{ttl,nt,nq,trig,jsonld}``  the whole graph (Turtle and N-Triples: the union of the
                                    named graphs; N-Quads, TriG and JSON-LD keep them)
``assessments/{gss}-{date}.*``      each assessment's named graph, in the same five formats
``tables/{question}.csv``           every named question's answer over all councils
``tables/data-dictionary.csv``      question, column, description, type of every table column
``context.jsonld``                  the JSON-LD context the ``.jsonld`` files are compacted with
``void.ttl``, ``void.jsonld``       the dataset description (:func:`describe`)
============================  ===========================================================

The description (https://www.w3.org/TR/vocab-dcat-3/, https://www.w3.org/TR/void/) gives the
dataset's licence (Open Government Licence v3.0 for the CQC-derived data), triple counts for the
whole and each named graph (``void:subset``), entity counts per class, the creation time and the
software version, and one ``dcat:Distribution`` per file with its byte size, SHA-256
(``spdx:checksum``), media type and download URL.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from cqckg import __version__
from cqckg.core.formats import Format
from cqckg.core.namespaces import BASE, ID
from cqckg.questions import list_questions, run_question_serialized
from cqckg.store import GraphStore

OGL = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
DATASET = f"{ID}dataset/cqc-kg"
DEFAULT_DOWNLOAD_BASE = f"{BASE}downloads/"
CONTEXT_FILE = Path(__file__).with_name("context.jsonld")

_DCAT = "http://www.w3.org/ns/dcat#"
_DCT = "http://purl.org/dc/terms/"
_VOID = "http://rdfs.org/ns/void#"
_SPDX = "http://spdx.org/rdf/terms#"
_PROV = "http://www.w3.org/ns/prov#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_IANA = "https://www.iana.org/assignments/media-types/"

# suffix -> (engine format, media type, keeps named graphs), from the formats table
RDF_FILES: dict[str, tuple[ox.RdfFormat, str, bool]] = {
    f.suffix: (f.rdf, f.media_type, f.keeps_graphs)
    for f in (Format.TURTLE, Format.N_TRIPLES, Format.N_QUADS, Format.TRIG, Format.JSON_LD)
}

# Classes counted in the description (void:classPartition with void:entities).
COUNTED_CLASSES = (
    "LocalAuthority",
    "Assessment",
    "StatementScore",
    "Gap",
    "Strength",
    "UnknownPolarityFinding",
    "Statistic",
    "Figure",
    "Strategy",
    "PartnerOrganisation",
    "SourceDocument",
    "TextAnchor",
)

# The data dictionary: column -> (description, type); (question, column) where it differs.
COLUMNS: dict[str | tuple[str, str], tuple[str, str]] = {
    "authority_gss": ("ONS GSS code of the council", "string"),
    "authority": ("the council's name", "string"),
    "authorities": ("how many councils", "integer"),
    "authority_gss_list": ("GSS codes of those councils, separated by '; '", "string"),
    "published": (
        "publication date of the assessment (ISO 8601: YYYY-MM-DD, or YYYY-MM when only the "
        "month is known)",
        "string",
    ),
    "kind": ("kind of assessment, or of strategy (a concept's label)", "string"),
    "rating": ("overall rating (Outstanding, Good, Requires improvement, Inadequate)", "string"),
    "percentage": (
        "the overall percentage as CQC shows it: as stated, or the sum of scores / (4 x "
        "statements scored) rounded up",
        "decimal",
    ),
    "statements_scored": ("how many quality statements have a score in the graph", "integer"),
    "document_kinds": ("the kinds of document the assessment was read from", "string"),
    "theme": ("the framework theme of the quality statement", "string"),
    "quality_statement": ("the quality statement of the framework", "string"),
    "score": ("the quality statement's score, 1 to 4", "integer"),
    "indicative": ("whether the score is indicative (pilot assessments)", "boolean"),
    "mean_score": ("mean score of every assessed council (latest assessments)", "decimal"),
    "rank": ("rank among councils, 1 = highest; ties share a rank", "integer"),
    "difference": ("the council's score minus the mean score", "decimal"),
    ("below-england-average", "difference"): ("value minus the England average", "decimal"),
    "measure": ("the statistic's measure", "string"),
    ("similar-councils", "measure"): (
        "how score_distance and gap_topic_jaccard are defined",
        "string",
    ),
    ("figures", "measure"): (
        "what the figure measures: the measure's label, or the figure's own words when the "
        "vocabulary has no measure for it",
        "string",
    ),
    "figure": ("what the figure counts, in the report's words", "string"),
    "value": ("the council's value", "decimal"),
    "unit": ("unit of the value", "string"),
    "comparator": ("the average it is compared with (England, London or regional)", "string"),
    "comparator_value": ("the average's value", "decimal"),
    "direction": ("whether the value is higher or lower than the average, as stated", "string"),
    "source": ("the data source cited (survey or collection)", "string"),
    "year": ("the period the data covers, as cited", "string"),
    "period": ("the period the figure refers to, as written (a year or financial year)", "string"),
    "quote": ("the report's own words (a verbatim quote)", "string"),
    "topic": ("a care topic", "string"),
    "topics": ("care topics, separated by '; '", "string"),
    "gap": ("an area for development the report names", "string"),
    "strength": ("a strength the report names", "string"),
    "partner": ("a partner organisation's name", "string"),
    "partner_type": ("kind of partner organisation", "string"),
    "strategy": ("title of a strategy, plan, programme or fund", "string"),
    "start_year": ("first year the strategy covers", "gYear"),
    "end_year": ("last year the strategy covers", "gYear"),
    "basis": (
        "why the strategy is linked to the gap (stated, same passage, shared topic)",
        "string",
    ),
    "confidence": ("confidence in the link, 0 to 1", "decimal"),
    "other_gss": ("GSS code of the other council", "string"),
    "other_authority": ("the other council's name", "string"),
    "score_distance": ("sum of absolute score differences over shared statements", "integer"),
    "shared_gap_topics": ("care topics both councils have gaps about, separated by '; '", "string"),
    "gap_topic_jaccard": ("shared gap topics / gap topics of either, 0 to 1", "decimal"),
    "document": ("the source document (IRI)", "IRI"),
    "section": ("the section heading the quote is under", "string"),
    "start": ("start offset of the quote in the document text", "integer"),
    "end": ("end offset of the quote in the document text", "integer"),
}


@dataclass(frozen=True)
class ExportedFile:
    """One file written: its path (relative to the export folder), media type, size and hash."""

    path: str
    media_type: str
    size: int
    sha256: str
    graph: str | None = None  # the named graph it holds, for per-assessment files


@dataclass
class ExportResult:
    """What :func:`export` wrote."""

    folder: Path
    files: list[ExportedFile] = field(default_factory=list)
    triples: int = 0
    graphs: int = 0

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


@cache
def context() -> dict[str, Any]:
    """The JSON-LD context (``@context`` object) published with the exports."""
    loaded: dict[str, Any] = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    return loaded


def prefix_map() -> dict[str, str]:
    """The context's prefixes (the project's, plus ``spdx`` and ONS ``geography``)."""
    return {k: v for k, v in context().items() if isinstance(v, str) and not k.startswith("@")}


def _compact_iri(iri: str, prefixes: list[tuple[str, str]]) -> str:
    for prefix, namespace in prefixes:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if not local.startswith("//"):
                return f"{prefix}:{local}"
    return iri


def compact_jsonld(expanded: bytes) -> dict[str, Any]:
    """Expanded JSON-LD (as the engine writes it) compacted with :func:`context`'s prefixes.

    Only IRIs change: property keys, ``@id`` and ``@type`` values become compact IRIs
    (``cqc:score``); literal values are left alone, so the document reads back to the same RDF.

    >>> doc = compact_jsonld(b'[{"@id": "https://w3id.org/cqc-kg/id/x", '
    ...     b'"https://w3id.org/cqc-kg/def#score": [{"@value": "3"}]}]')
    >>> doc["@graph"]
    [{'@id': 'id:x', 'cqc:score': [{'@value': '3'}]}]
    """
    prefixes = sorted(prefix_map().items(), key=lambda kv: -len(kv[1]))

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(n) for n in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "@id" or (key == "@type" and "@value" not in node):
                out[key] = (
                    [_compact_iri(v, prefixes) for v in value]
                    if isinstance(value, list)
                    else _compact_iri(value, prefixes)
                )
            elif key == "@type":
                out[key] = _compact_iri(value, prefixes)
            elif key.startswith("@"):
                out[key] = walk(value) if key == "@graph" else value
            else:
                out[_compact_iri(key, prefixes)] = walk(value)
        return out

    return {"@context": context(), "@graph": walk(json.loads(expanded))}


def serialize(quads: list[ox.Quad], suffix: str) -> bytes:
    """Quads written as one of :data:`RDF_FILES` (triple formats get the union, deduplicated)."""
    fmt, _, keeps_graphs = RDF_FILES[suffix]
    items: list[ox.Quad] | list[ox.Triple] = (
        quads if keeps_graphs else sorted({q.triple for q in quads}, key=str)
    )
    if fmt is ox.RdfFormat.JSON_LD:
        expanded = ox.serialize(items, format=fmt) or b"[]"
        return json.dumps(compact_jsonld(expanded), ensure_ascii=False, indent=1).encode()
    prefixes = prefix_map() if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    return ox.serialize(items, format=fmt, prefixes=prefixes) or b""


class _Writer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: list[ExportedFile] = []

    def write(self, path: str, data: bytes, media_type: str, graph: str | None = None) -> None:
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        self.files.append(ExportedFile(path, media_type, len(data), digest, graph))


def assessment_file_stem(graph: str) -> str | None:
    """``E08000035-2024-11-08`` for an assessment's named graph, ``None`` for other graphs."""
    marker = f"{BASE}doc/assessment/"
    if not graph.startswith(marker):
        return None
    return graph[len(marker) :].replace("/", "-")


def write_tables(store: GraphStore, writer: _Writer) -> None:
    """One CSV per named question (all councils) and the data dictionary."""
    rows = [("question", "column", "description", "type")]
    for question in list_questions():
        if any(p.required for p in question.parameters):
            continue  # e.g. 'evidence', which is about one fact
        data = run_question_serialized(store, question.name, None, "text/csv")
        writer.write(f"tables/{question.name}.csv", data, "text/csv")
        for column in question.columns:
            description, kind = COLUMNS.get((question.name, column)) or COLUMNS[column]
            rows.append((question.name, column, description, kind))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    writer.write("tables/data-dictionary.csv", buffer.getvalue().encode(), "text/csv")


def export(
    store: GraphStore,
    folder: Path,
    *,
    download_base: str = DEFAULT_DOWNLOAD_BASE,
    created: dt.datetime | None = None,
) -> ExportResult:
    """Write the whole graph, each assessment, the researcher tables and the dataset description.

    ``download_base`` is where the files will be published (their ``dcat:downloadURL`` is it
    plus the file's path). Raises :class:`~cqckg.core.errors.StoreError` if the store cannot be read
    and :class:`OSError` if the folder cannot be written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    quads = list(ox.parse(store.dump_nquads(), format=ox.RdfFormat.N_QUADS))
    writer = _Writer(folder)
    for suffix, (_, media_type, _) in RDF_FILES.items():
        writer.write(f"cqc-kg.{suffix}", serialize(quads, suffix), media_type)
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for q in quads:
        if isinstance(q.graph_name, ox.NamedNode):
            by_graph[q.graph_name.value].append(q)
    for graph, graph_quads in sorted(by_graph.items()):
        stem = assessment_file_stem(graph)
        if stem is None:
            continue
        for suffix, (_, media_type, _) in RDF_FILES.items():
            data = serialize(graph_quads, suffix)
            writer.write(f"assessments/{stem}.{suffix}", data, media_type, graph)
    write_tables(store, writer)
    context_text = json.dumps({"@context": context()}, indent=2).encode()
    writer.write("context.jsonld", context_text, "application/ld+json")
    result = ExportResult(folder, writer.files, len(quads), len(by_graph))
    description = describe(result, quads, download_base, created or dt.datetime.now(dt.UTC))
    for suffix in ("ttl", "jsonld"):
        writer.write(f"void.{suffix}", serialize(description, suffix), RDF_FILES[suffix][1])
    result.files = writer.files
    return result


def _n(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _typed(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(_XSD + datatype))


def describe(
    result: ExportResult, quads: list[ox.Quad], download_base: str, created: dt.datetime
) -> list[ox.Quad]:
    """The DCAT 3 / VoID description of an export, as quads in the default graph."""
    triples: list[tuple[ox.NamedNode | ox.BlankNode, str, ox.NamedNode | ox.BlankNode | ox.Literal]]
    triples = []
    ds = _n(DATASET)

    def add(
        s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal
    ) -> None:
        triples.append((s, p, o))

    for kind in (_DCAT + "Dataset", _VOID + "Dataset"):
        add(ds, _RDF_TYPE, _n(kind))
    add(
        ds,
        _DCT + "title",
        ox.Literal("cqc-kg: CQC assessments of councils' adult social care", language="en"),
    )
    add(
        ds,
        _DCT + "description",
        ox.Literal(
            "A knowledge graph of the Care Quality Commission's assessments of English councils' "
            "adult social care: ratings, quality statement scores, findings, statistics, partners "
            "and strategies, each fact anchored to the words of the published reports.",
            language="en",
        ),
    )
    add(ds, _DCT + "license", _n(OGL))
    add(
        ds,
        _DCT + "rights",
        ox.Literal(
            "Contains CQC text and data licensed under the Open Government Licence v3.0. "
            "The list of councils (graph doc/authorities) carries its own licence.",
            language="en",
        ),
    )
    add(ds, _DCT + "created", _typed(created.replace(microsecond=0).isoformat(), "dateTime"))
    add(ds, _VOID + "uriSpace", ox.Literal(str(ID)))
    add(ds, _VOID + "triples", _typed(len(quads), "integer"))
    add(ds, _VOID + "feature", _n("http://www.w3.org/ns/formats/N-Quads"))
    agent = _n(f"{ID}software/cqckg/{__version__}")
    activity = ox.BlankNode()
    add(ds, _PROV + "wasGeneratedBy", activity)
    add(activity, _RDF_TYPE, _n(_PROV + "Activity"))
    add(activity, _PROV + "wasAssociatedWith", agent)
    add(agent, _RDF_TYPE, _n(_PROV + "SoftwareAgent"))
    add(agent, "http://www.w3.org/2000/01/rdf-schema#label", ox.Literal(f"cqc-kg {__version__}"))
    add(agent, f"{BASE}def#softwareVersion", ox.Literal(__version__))
    instances: dict[str, set[ox.NamedNode | ox.BlankNode | ox.Triple]] = defaultdict(set)
    for q in quads:
        if q.predicate.value == _RDF_TYPE and isinstance(q.object, ox.NamedNode):
            instances[q.object.value].add(q.subject)
    for name in COUNTED_CLASSES:
        partition = ox.BlankNode()
        add(ds, _VOID + "classPartition", partition)
        add(partition, _VOID + "class", _n(f"{BASE}def#{name}"))
        add(partition, _VOID + "entities", _typed(len(instances[f"{BASE}def#{name}"]), "integer"))
    per_graph = Counter(q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode))
    for graph, count in sorted(per_graph.items()):
        add(ds, _VOID + "subset", _n(graph))
        add(_n(graph), _RDF_TYPE, _n(_VOID + "Dataset"))
        add(_n(graph), _VOID + "triples", _typed(count, "integer"))
    for f in result.files:
        owner = _n(f.graph) if f.graph else ds
        if f.graph:
            add(owner, _RDF_TYPE, _n(_DCAT + "Dataset"))
            add(owner, _DCT + "license", _n(OGL))
        dist = _n(f"{DATASET}/distribution/{f.path}")
        add(owner, _DCAT + "distribution", dist)
        add(dist, _RDF_TYPE, _n(_DCAT + "Distribution"))
        add(dist, _DCT + "title", ox.Literal(f.path))
        add(dist, _DCAT + "downloadURL", _n(download_base + f.path))
        add(dist, _DCAT + "mediaType", _n(_IANA + f.media_type))
        add(dist, _DCAT + "byteSize", _typed(f.size, "nonNegativeInteger"))
        add(dist, _DCT + "license", _n(OGL))
        checksum = ox.BlankNode()
        add(dist, _SPDX + "checksum", checksum)
        add(checksum, _RDF_TYPE, _n(_SPDX + "Checksum"))
        add(checksum, _SPDX + "algorithm", _n(_SPDX + "checksumAlgorithm_sha256"))
        add(checksum, _SPDX + "checksumValue", _typed(f.sha256, "hexBinary"))
    return [ox.Quad(s, _n(p), o, ox.DefaultGraph()) for s, p, o in triples]
