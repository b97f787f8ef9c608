"""The builder every fact kind writes its triples with, and the identifying forms of text.

One :class:`Builder` makes one assessment's named graph: it names the nodes of the assessment
(``iri``), writes a fact's provenance (``fact``: its assessment, anchors, documents and run) and
the shared shapes of data (anchors, observations, measures). Each fact kind's own triples are in
``cqckg.build.facts``.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import Graph, Literal, URIRef

from cqckg.build.terms import (
    CQC,
    DCTERMS,
    OA,
    PROV,
    QB,
    RDF,
    SDMX_ATTRIBUTE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    SKOS,
    XSD,
    area_iri,
    concept_iri,
    source_iri,
)
from cqckg.core.namespaces import assessment_iri
from cqckg.core.vocabulary import Vocabulary
from cqckg.extract.records import Anchor, Extraction
from cqckg.read.model import Document

# A Web Annotation fragment selector for a PDF page ("page=N") conforms to RFC 3778.
_RFC3778 = URIRef("http://tools.ietf.org/rfc/rfc3778")

_FOLD = str.maketrans("’‘“”–—", "''\"\"--")


def normalise_text(text: str) -> str:
    """The identifying form of a text: case, quotes, dashes and white space folded.

    >>> normalise_text("The  Carers’ Strategy – 2023")
    "the carers' strategy - 2023"
    """
    t = unicodedata.normalize("NFKC", text).casefold()
    t = t.translate(_FOLD)
    return re.sub(r"\s+", " ", t).strip()


# Many names are looked up again and again (each anchor names its section's heading).
_name_key = functools.lru_cache(maxsize=8192)(normalise_text)


def short_hash(*parts: str) -> str:
    """First 16 hex digits of the SHA-256 of the normalised parts."""
    joined = "\x1f".join(normalise_text(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def slugify(text: str, limit: int = 80) -> str:
    """A readable IRI segment.

    >>> slugify("'#2035' project")
    '2035-project'
    >>> slugify("Carers Strategy 2023-2028")
    'carers-strategy-2023-2028'
    """
    t = unicodedata.normalize("NFKD", normalise_text(text)).encode("ascii", "ignore").decode()
    t = re.sub(r"[^a-z0-9]+", "-", t).strip("-")
    return (t[:limit].rstrip("-") or "item") if t else "item"


@dataclass
class AssessmentInput:
    """One assessment assembled from its documents, ready to build."""

    gss: str
    published: str  # ISO date
    pilot: bool
    region: str | None
    documents: list[tuple[Document, str]]  # (document, path relative to the sources folder)
    extraction: Extraction
    complete_scores: bool = False  # a document lists every score the assessment gave
    authority_name: str | None = None
    # The document-kind slug of a document that is none of the kinds of report (a ratings
    # table, ``cqckg import-scores``), by SHA-256.
    document_kinds: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class Builder:
    """The graph of one assessment while it is being made."""

    def __init__(self, a: AssessmentInput, vocab: Vocabulary) -> None:
        self.a = a
        self.vocab = vocab
        # rdflib's default store also indexes every triple by context, which an assessment graph
        # never uses (docs/decisions/0003-performance.md, point 3).
        self.g = Graph(store="SimpleMemory")
        # Graph.add checks that each term is an rdflib term, which the types of add() ensure.
        self._add_to_store = self.g.store.add
        self.assessment = assessment_iri(a.gss, a.published)
        self.prefix = f"{self.assessment}/"
        self.run = URIRef(self.prefix + "extraction")
        self.statistics_ds = URIRef(self.prefix + "statistics")
        self.scores_ds = URIRef(self.prefix + "scores")
        self.area = area_iri(a.gss)
        self._anchors_done: set[URIRef] = set()
        # The node each name stands for, by fact kind (a section's heading, a finding's text, a
        # partner's names, a strategy's titles), for the kinds built after it.
        self._names: dict[str, dict[str, URIRef]] = {}
        # Documents extracted from a PDF: each anchor in them also names its page.
        self.paged = {
            d.sha256: d.origin for d, _ in a.documents if d.origin and d.origin.page_starts
        }

    def iri(self, kind: str, key: str) -> URIRef:
        """A node of this assessment: ``{assessment}/{kind}/{key}``."""
        return URIRef(f"{self.prefix}{kind}/{key}")

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self._add_to_store((s, p, o), self.g)

    def name(self, kind: str, text: str, node: URIRef) -> None:
        """Record that ``text`` (a heading, title, name...) names ``node`` of the fact kind."""
        self._names.setdefault(kind, {})[_name_key(text)] = node

    def named(self, kind: str, text: str) -> URIRef | None:
        """The node of the fact kind that ``text`` names, if one was built."""
        return self._names.get(kind, {}).get(_name_key(text))

    def anchor(self, a: Anchor) -> URIRef:
        span = URIRef(f"{source_iri(a.document_sha256)}/span/{a.start}-{a.end}")
        if span in self._anchors_done:
            return span
        self._anchors_done.add(span)
        quote, position = URIRef(f"{span}/quote"), URIRef(f"{span}/position")
        self.add(span, RDF.type, CQC.TextAnchor)
        self.add(span, OA.hasSource, source_iri(a.document_sha256))
        self.add(span, OA.hasSelector, quote)
        self.add(span, OA.hasSelector, position)
        if a.section:
            self.add(span, CQC.sectionHeading, Literal(a.section))
        if a.line is not None:
            self.add(span, CQC.line, Literal(a.line))
        self.add(quote, RDF.type, OA.TextQuoteSelector)
        self.add(quote, OA.exact, Literal(a.exact))
        if a.prefix:
            self.add(quote, OA.prefix, Literal(a.prefix))
        if a.suffix:
            self.add(quote, OA.suffix, Literal(a.suffix))
        self.add(position, RDF.type, OA.TextPositionSelector)
        self.add(position, OA.start, Literal(a.start))
        self.add(position, OA.end, Literal(a.end))
        origin = self.paged.get(a.document_sha256)
        if origin is not None:
            page = URIRef(f"{span}/page")
            self.add(span, OA.hasSelector, page)
            self.add(page, RDF.type, OA.FragmentSelector)
            self.add(page, DCTERMS.conformsTo, _RFC3778)
            self.add(page, RDF.value, Literal(f"page={origin.page_of(a.start)}"))
            self.add(page, OA.refinedBy, quote)
        return span

    def fact(self, s: URIRef, anchors: Iterable[Anchor], *, with_assessment: bool = True) -> None:
        """Provenance every fact carries: its assessment, anchors, documents and extraction run."""
        if with_assessment:
            self.add(s, CQC.assessment, self.assessment)
        for a in sorted(set(anchors)):
            self.add(s, CQC.anchor, self.anchor(a))
            self.add(s, PROV.wasDerivedFrom, source_iri(a.document_sha256))
        self.add(s, PROV.wasGeneratedBy, self.run)

    def observation(
        self, s: URIRef, measure: URIRef, value: Decimal, unit: str, period: str | None
    ) -> None:
        """A Data Cube observation of the assessment's statistics data set."""
        self.add(s, QB.dataSet, self.statistics_ds)
        self.add(s, CQC.measure, measure)
        self.add(s, QB.measureType, SDMX_MEASURE.obsValue)
        self.add(s, SDMX_MEASURE.obsValue, Literal(value, datatype=XSD.decimal))
        self.add(s, SDMX_ATTRIBUTE.unitMeasure, concept_iri("unit", unit))
        if period:
            self.add(s, SDMX_DIMENSION.refPeriod, Literal(period))

    def measure(self, slug: str | None, label: str) -> URIRef:
        """A measure of the vocabulary, or one of this assessment named by its label."""
        if slug:
            return concept_iri("measure", slug)
        m = self.iri("measure", slugify(label))
        self.add(m, RDF.type, CQC.Measure)
        self.add(m, SKOS.prefLabel, Literal(label, lang="en"))
        return m
