"""The formats cqc-kg reads and writes: one table, looked up by media type or short name.

Every reader, writer and negotiator uses it: the HTTP API's content negotiation
(:mod:`cqckg.serve.negotiation`), the stores' engine-side serialisation (:mod:`cqckg.store`,
:mod:`cqckg.store.remote`) and the query workers.

>>> Format.from_media_type("application/sparql-results+json; charset=utf-8")
<Format.JSON: 'json'>
>>> Format.from_name("n-triples").rdf
<RdfFormat N-Triples>
>>> results_format("application/json")
<QueryResultsFormat SPARQL Results in JSON>
"""

from __future__ import annotations

from enum import Enum

import pyoxigraph as ox

__all__ = [
    "DOCUMENT_SUFFIXES",
    "EXTRACTED_SUFFIXES",
    "Format",
    "Kind",
    "media_type_of",
    "rdf_format",
    "results_format",
    "source_media_type",
    "source_suffix",
]


class Kind(Enum):
    """What a format can carry: solutions/booleans, or triples (or quads)."""

    RESULTS = "results"
    GRAPH = "graph"


# name: (kind, media type sent, other media types accepted, engine format)
_TABLE: dict[str, tuple[Kind, str, tuple[str, ...], ox.QueryResultsFormat | ox.RdfFormat]] = {
    "json": (
        Kind.RESULTS,
        "application/sparql-results+json",
        ("application/json", "text/javascript", "application/javascript"),
        ox.QueryResultsFormat.JSON,
    ),
    "xml": (
        Kind.RESULTS,
        "application/sparql-results+xml",
        ("application/xml", "text/xml"),
        ox.QueryResultsFormat.XML,
    ),
    "csv": (Kind.RESULTS, "text/csv", (), ox.QueryResultsFormat.CSV),
    "tsv": (Kind.RESULTS, "text/tab-separated-values", (), ox.QueryResultsFormat.TSV),
    "turtle": (Kind.GRAPH, "text/turtle", ("application/x-turtle",), ox.RdfFormat.TURTLE),
    "ntriples": (Kind.GRAPH, "application/n-triples", ("text/plain",), ox.RdfFormat.N_TRIPLES),
    "jsonld": (Kind.GRAPH, "application/ld+json", (), ox.RdfFormat.JSON_LD),
    "rdfxml": (Kind.GRAPH, "application/rdf+xml", (), ox.RdfFormat.RDF_XML),
    "trig": (Kind.GRAPH, "application/trig", (), ox.RdfFormat.TRIG),
    "nquads": (Kind.GRAPH, "application/n-quads", (), ox.RdfFormat.N_QUADS),
}


class Format(Enum):
    """A serialisation the server writes (and, for RDF, reads)."""

    JSON = "json"
    XML = "xml"
    CSV = "csv"
    TSV = "tsv"
    TURTLE = "turtle"
    N_TRIPLES = "ntriples"
    JSON_LD = "jsonld"
    RDF_XML = "rdfxml"
    TRIG = "trig"
    N_QUADS = "nquads"

    @property
    def kind(self) -> Kind:
        return _TABLE[self.value][0]

    @property
    def media_type(self) -> str:
        return _TABLE[self.value][1]

    @property
    def suffix(self) -> str:
        """The file name suffix of a file in this format (``ttl``, ``csv``)."""
        engine = _TABLE[self.value][3]
        return engine.file_extension if isinstance(engine, ox.RdfFormat) else self.value

    @property
    def keeps_graphs(self) -> bool:
        """Whether the format writes named graphs (N-Quads, TriG, JSON-LD)."""
        engine = _TABLE[self.value][3]
        return isinstance(engine, ox.RdfFormat) and engine.supports_datasets

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value (text formats say UTF-8)."""
        return f"{self.media_type}; charset=utf-8"

    @property
    def rdf(self) -> ox.RdfFormat:
        """The engine's RDF format (for graph formats only)."""
        engine = _TABLE[self.value][3]
        if not isinstance(engine, ox.RdfFormat):
            raise ValueError(f"{self.value} is not an RDF format")
        return engine

    @property
    def results(self) -> ox.QueryResultsFormat:
        """The engine's query results format (for results formats only)."""
        engine = _TABLE[self.value][3]
        if not isinstance(engine, ox.QueryResultsFormat):
            raise ValueError(f"{self.value} is not a query results format")
        return engine

    @classmethod
    def from_media_type(cls, media_type: str) -> Format | None:
        """The format for a media type (parameters ignored), or ``None``."""
        return _BY_MEDIA_TYPE.get(media_type.split(";")[0].strip().lower())

    @classmethod
    def from_name(cls, name: str) -> Format | None:
        """The format for a ``format=`` parameter: a short name or a media type."""
        key = name.strip().lower()
        return _BY_NAME.get(key) or cls.from_media_type(key)


_BY_MEDIA_TYPE = {
    mt: Format(name) for name, (_, main, others, _) in _TABLE.items() for mt in (main, *others)
}
_BY_NAME = {f.value: f for f in Format} | {"n-triples": Format.N_TRIPLES, "json-ld": Format.JSON_LD}


def media_type_of(content_type: str) -> str:
    """The media type of a ``Content-Type`` value: parameters off, lower case.

    >>> media_type_of("Text/Turtle; charset=utf-8")
    'text/turtle'
    """
    return content_type.split(";")[0].strip().lower()


def results_format(media_type: str) -> ox.QueryResultsFormat | None:
    """The engine's query results format for a media type, or ``None`` (not a results format)."""
    found = Format.from_media_type(media_type)
    return found.results if found is not None and found.kind is Kind.RESULTS else None


def rdf_format(media_type: str) -> ox.RdfFormat | None:
    """The engine's RDF format for a media type, or ``None``: the formats of the table, then
    any other the engine reads (another store may answer in one, e.g. N3)."""
    found = Format.from_media_type(media_type)
    if found is not None:
        return found.rdf if found.kind is Kind.GRAPH else None
    return ox.RdfFormat.from_media_type(media_type_of(media_type))


# The source documents cqc-kg reads, by file suffix: (media type, how it is read). "text" is read
# as it is; "extracted" is a web page or PDF report whose text is extracted first
# (cqckg.read.convert); "table" is a ratings table, read only by ``cqckg import-scores``.
_SOURCES: dict[str, tuple[str, str]] = {
    ".txt": ("text/plain", "text"),
    ".md": ("text/markdown", "text"),
    ".markdown": ("text/markdown", "text"),
    ".html": ("text/html", "extracted"),
    ".htm": ("text/html", "extracted"),
    ".pdf": ("application/pdf", "extracted"),
    ".csv": ("text/csv", "table"),
}
# What a folder of documents is expanded to, and which of them are extracted (with media type).
DOCUMENT_SUFFIXES = frozenset(s for s, (_, how) in _SOURCES.items() if how != "table")
EXTRACTED_SUFFIXES = {s: mt for s, (mt, how) in _SOURCES.items() if how == "extracted"}
# The suffix a download is saved with: the first of its media type (".html", not ".htm"); a
# page served as XHTML is a web page.
_SAVED_AS = {"application/xhtml+xml": ".html"} | {
    mt: s for s, (mt, how) in reversed(_SOURCES.items()) if how != "table"
}


def source_media_type(suffix: str) -> str:
    """The media type of a source document by its file suffix (plain text when unknown).

    >>> source_media_type(".PDF")
    'application/pdf'
    """
    found = _SOURCES.get(suffix.lower())
    return found[0] if found else "text/plain"


def source_suffix(media_type: str) -> str | None:
    """The suffix a downloaded document of this media type is saved with so that it is read as
    one (``None``: not a document cqc-kg reads).

    >>> source_suffix("text/html"), source_suffix("image/png")
    ('.html', None)
    """
    return _SAVED_AS.get(media_type_of(media_type))
