"""Content negotiation: one table of formats, looked up by media type, short name or Accept.

>>> Format.from_media_type("application/sparql-results+json; charset=utf-8")
<Format.JSON: 'json'>
>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", Kind.RESULTS)
<Format.XML: 'xml'>
>>> negotiate("*/*", Kind.GRAPH)
<Format.TURTLE: 'turtle'>
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache

import pyoxigraph as ox


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

_DEFAULT = {Kind.RESULTS: "json", Kind.GRAPH: "turtle"}


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


def _accept_ranges(accept: str) -> list[tuple[float, int, str]]:
    ranges: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in item.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranges.append((-q, position, media.lower()))
    return sorted(ranges)


@lru_cache(maxsize=512)
def negotiate(accept: str | None, kind: Kind) -> Format | None:
    """The best format of ``kind`` for an Accept header; ``None`` if none is acceptable.

    An absent or empty header, and ``*/*``, get the default (JSON results, Turtle graphs).
    Remembered per header: a client sends the same few headers on every request.
    """
    if not accept or not accept.strip():
        return Format(_DEFAULT[kind])
    for _, _, media in _accept_ranges(accept):
        if media in ("*/*", f"{'application' if kind is Kind.RESULTS else 'text'}/*"):
            return Format(_DEFAULT[kind])
        found = Format.from_media_type(media)
        if found is not None and found.kind is kind:
            return found
    return None
