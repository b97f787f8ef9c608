"""Records to triples: the only place the graph is made (docs/decisions/0001-graph-shape.md).

:func:`build_assessment` turns one assembled assessment (its documents and the records extracted
from them, already reconciled) into its named graph. IRIs are derived from content, and no time
stamps are written, so building the same documents twice gives the same triples.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, QB, RDF, RDFS, SKOS, XSD

from cqckg import __version__
from cqckg.core.collector import gc_paused as gc_paused  # re-exported for the pipeline
from cqckg.core.namespaces import (
    CQC,
    ENGLAND_GSS,
    ID,
    LONDON_GSS,
    OA,
    REGION_GSS,
    SDMX_ATTRIBUTE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    area_iri,
    assessment_iri,
    authority_iri,
    concept_iri,
    quality_statement_iri,
    source_iri,
)
from cqckg.core.vocabulary import Vocabulary
from cqckg.extract.framework import displayed_percentage
from cqckg.extract.records import Anchor, Extraction, FindingKind, StatisticRecord, StrategyRecord
from cqckg.read.dates import is_month
from cqckg.read.model import Document


class _CachedNamespace:
    """The terms of a namespace, each made once.

    rdflib makes and checks a new ``URIRef`` on every attribute access of a namespace
    (``CQC.anchor``), many thousand times for a large assessment."""

    def __init__(self, namespace: object) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):
            raise AttributeError(name)
        term = URIRef(getattr(self._namespace, name))
        setattr(self, name, term)
        return term


_CQC, _OA, _PROV, _RDF, _RDFS = map(_CachedNamespace, (CQC, OA, PROV, RDF, RDFS))
# a finding's class says its polarity
_FINDING_CLASS = {
    FindingKind.GAP: _CQC.Gap,
    FindingKind.STRENGTH: _CQC.Strength,
    FindingKind.UNKNOWN: _CQC.UnknownPolarityFinding,
}
_DCTERMS, _SKOS, _QB, _OWL, _XSD = map(_CachedNamespace, (DCTERMS, SKOS, QB, OWL, XSD))
_SDMX_MEASURE, _SDMX_DIMENSION, _SDMX_ATTR = map(
    _CachedNamespace, (SDMX_MEASURE, SDMX_DIMENSION, SDMX_ATTRIBUTE)
)


# Documents, concepts, quality statements and councils are named by many facts: each IRI is
# made once (a URIRef checks its text each time it is made).
_area_iri = functools.lru_cache(maxsize=4096)(area_iri)
_authority_iri = functools.lru_cache(maxsize=4096)(authority_iri)
_concept_iri = functools.lru_cache(maxsize=4096)(concept_iri)
_quality_statement_iri = functools.lru_cache(maxsize=4096)(quality_statement_iri)
_source_iri = functools.lru_cache(maxsize=4096)(source_iri)

_MEDIA_TYPES = {
    ".csv": "text/csv",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".txt": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
}
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


# Many anchors and findings name the same section heading.
_heading_key = functools.lru_cache(maxsize=4096)(normalise_text)


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


class _Builder:
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
        self.area = _area_iri(a.gss)
        self.anchors_done: set[URIRef] = set()
        # Documents extracted from a PDF: each anchor in them also names its page.
        self.paged = {
            d.sha256: d.origin for d, _ in a.documents if d.origin and d.origin.page_starts
        }

    def iri(self, kind: str, key: str) -> URIRef:
        return URIRef(f"{self.prefix}{kind}/{key}")

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self._add_to_store((s, p, o), self.g)

    # -- shared pieces -------------------------------------------------------------------------

    def anchor(self, a: Anchor) -> URIRef:
        span = URIRef(f"{_source_iri(a.document_sha256)}/span/{a.start}-{a.end}")
        if span in self.anchors_done:
            return span
        self.anchors_done.add(span)
        quote, position = URIRef(f"{span}/quote"), URIRef(f"{span}/position")
        self.add(span, _RDF.type, _CQC.TextAnchor)
        self.add(span, _OA.hasSource, _source_iri(a.document_sha256))
        self.add(span, _OA.hasSelector, quote)
        self.add(span, _OA.hasSelector, position)
        if a.section:
            self.add(span, _CQC.sectionHeading, Literal(a.section))
        if a.line is not None:
            self.add(span, _CQC.line, Literal(a.line))
        self.add(quote, _RDF.type, _OA.TextQuoteSelector)
        self.add(quote, _OA.exact, Literal(a.exact))
        if a.prefix:
            self.add(quote, _OA.prefix, Literal(a.prefix))
        if a.suffix:
            self.add(quote, _OA.suffix, Literal(a.suffix))
        self.add(position, _RDF.type, _OA.TextPositionSelector)
        self.add(position, _OA.start, Literal(a.start))
        self.add(position, _OA.end, Literal(a.end))
        origin = self.paged.get(a.document_sha256)
        if origin is not None:
            page = URIRef(f"{span}/page")
            self.add(span, _OA.hasSelector, page)
            self.add(page, _RDF.type, _OA.FragmentSelector)
            self.add(page, _DCTERMS.conformsTo, _RFC3778)
            self.add(page, _RDF.value, Literal(f"page={origin.page_of(a.start)}"))
            self.add(page, _OA.refinedBy, quote)
        return span

    def fact(self, s: URIRef, anchors: Iterable[Anchor], *, with_assessment: bool = True) -> None:
        """Provenance every fact carries: its assessment, anchors, documents and extraction run."""
        if with_assessment:
            self.add(s, _CQC.assessment, self.assessment)
        for a in sorted(set(anchors)):
            self.add(s, _CQC.anchor, self.anchor(a))
            self.add(s, _PROV.wasDerivedFrom, _source_iri(a.document_sha256))
        self.add(s, _PROV.wasGeneratedBy, self.run)

    # -- the parts of an assessment ------------------------------------------------------------

    def assessment_node(self) -> None:
        a, s = self.a, self.assessment
        self.add(s, _RDF.type, _CQC.Assessment)
        who = a.authority_name or a.gss
        self.add(s, _RDFS.label, Literal(f"Assessment of {who} published {a.published}", lang="en"))
        self.add(s, _CQC.assessedAuthority, _authority_iri(a.gss))
        # a month when no document states the day (the report's address encodes the month)
        issued_type = _XSD.gYearMonth if is_month(a.published) else _XSD.date
        self.add(s, _DCTERMS.issued, Literal(a.published, datatype=issued_type))
        self.add(
            s,
            _CQC.assessmentKind,
            _concept_iri("assessment-kind", "pilot" if a.pilot else "formal"),
        )
        rating = a.extraction.rating
        if rating is not None:
            self.add(s, _CQC.overallRating, _concept_iri("rating", rating.rating))
            self.add(s, _CQC.ratingIndicative, Literal(rating.indicative))
            for anc in sorted(set(rating.anchors)):
                self.add(s, _CQC.ratingAnchor, self.anchor(anc))
        scores, stated = a.extraction.scores, a.extraction.percentage
        # how complete the assessment is: the statements scored (0 for a landing page alone)
        self.add(s, _CQC.statementsScored, Literal(len(scores)))
        if stated is not None:
            self.add(s, _CQC.percentage, Literal(Decimal(stated.value), datatype=_XSD.decimal))
            for anc in sorted(set(stated.anchors)):
                self.add(s, _CQC.percentageAnchor, self.anchor(anc))
        elif scores and a.complete_scores:
            pct = Decimal(displayed_percentage(scores))
            self.add(s, _CQC.percentage, Literal(pct, datatype=_XSD.decimal))
        for doc, _ in a.documents:
            self.add(s, _PROV.used, _source_iri(doc.sha256))

    def documents(self) -> None:
        for doc, rel in self.a.documents:
            d = _source_iri(doc.sha256)
            self.add(d, _RDF.type, _CQC.SourceDocument)
            self.add(d, _DCTERMS.title, Literal(doc.title))
            kind = self.a.document_kinds.get(doc.sha256, doc.kind.value)
            self.add(d, _CQC.documentKind, _concept_iri("document-kind", kind))
            self.add(d, _CQC.sha256, Literal(doc.sha256))
            self.add(d, _CQC.characterCount, Literal(len(doc.text)))
            self.add(d, _CQC.sourcePath, Literal(rel))
            media_type = _MEDIA_TYPES.get(doc.path.suffix.lower(), "text/plain")
            if doc.origin is not None:  # the text was extracted from a web page or a PDF
                media_type = doc.origin.media_type
                self.add(d, _CQC.fileSha256, Literal(doc.origin.file_sha256))
                if doc.origin.page_starts:
                    self.add(d, _CQC.pageStarts, Literal(doc.origin.page_starts_text()))
            self.add(d, _DCTERMS.format, Literal(media_type))
            if doc.source_url:
                self.add(d, _DCTERMS.source, URIRef(doc.source_url))
            if doc.published is not None:
                self.add(d, _DCTERMS.issued, Literal(doc.published.isoformat(), datatype=_XSD.date))
            self.add(d, _CQC.describes, self.assessment)
            self.add(d, _PROV.wasGeneratedBy, self.assessment)

    def provenance(self) -> None:
        agent = URIRef(ID[f"software/cqckg/{__version__}"])
        self.add(self.run, _RDF.type, _CQC.ExtractionRun)
        self.add(
            self.run,
            _RDFS.label,
            Literal(f"cqc-kg extraction of {self.a.gss} {self.a.published}", lang="en"),
        )
        self.add(self.run, _PROV.wasAssociatedWith, agent)
        for doc, _ in self.a.documents:
            self.add(self.run, _PROV.used, _source_iri(doc.sha256))
        self.add(agent, _RDF.type, _PROV.SoftwareAgent)
        self.add(agent, _RDFS.label, Literal(f"cqc-kg {__version__}"))
        self.add(agent, _CQC.softwareVersion, Literal(__version__))
        self.add(self.statistics_ds, _RDF.type, _QB.DataSet)
        self.add(self.statistics_ds, _QB.structure, _CQC.statisticsStructure)
        self.add(self.scores_ds, _RDF.type, _QB.DataSet)
        self.add(self.scores_ds, _QB.structure, _CQC.scoresStructure)

    def scores(self) -> None:
        cited: dict[str, list[URIRef]] = {}
        for st in self.a.extraction.statement_texts:
            found = self.vocab.framework_statement_for(st.quality_statement, st.text)
            if found is not None:
                cited.setdefault(st.quality_statement, []).append(URIRef(found))
        for sc in self.a.extraction.scores:
            s = self.iri("score", sc.quality_statement)
            self.add(self.assessment, _CQC.hasScore, s)
            self.add(s, _RDF.type, _CQC.StatementScore)
            self.add(s, _QB.dataSet, self.scores_ds)
            self.add(s, _CQC.qualityStatement, _quality_statement_iri(sc.quality_statement))
            self.add(s, _CQC.score, Literal(sc.score))
            self.add(s, _CQC.scoreLevel, _concept_iri("score", str(sc.score)))
            self.add(s, _CQC.indicative, Literal(sc.indicative))
            anchors = list(sc.anchors)
            for st in self.a.extraction.statement_texts:
                if st.quality_statement == sc.quality_statement:
                    anchors.extend(st.anchors)
            for fs in cited.get(sc.quality_statement, []):
                self.add(s, _CQC.citedStatement, fs)
            self.fact(s, anchors)

    def sections(self) -> dict[str, URIRef]:
        out: dict[str, URIRef] = {}
        for sec in self.a.extraction.sections:
            key = short_hash(sec.quality_statement or "", sec.heading)
            s = self.iri("section", key)
            out[normalise_text(sec.heading)] = s
            self.add(s, _RDF.type, _CQC.ReportSection)
            self.add(s, _DCTERMS.title, Literal(sec.heading))
            self.add(s, _CQC.headingLevel, Literal(sec.level))
            if sec.quality_statement:
                self.add(s, _CQC.aboutStatement, _quality_statement_iri(sec.quality_statement))
            if sec.parent:
                self.add(
                    s,
                    _DCTERMS.isPartOf,
                    self.iri("section", short_hash(sec.quality_statement or "", sec.parent)),
                )
            self.fact(s, sec.anchors)
        return out

    def findings(self, sections: dict[str, URIRef]) -> dict[str, URIRef]:
        out: dict[str, URIRef] = {}
        for f in self.a.extraction.findings:
            s = self.iri("finding", short_hash(f.text))
            out[normalise_text(f.text)] = s
            self.add(s, _RDF.type, _FINDING_CLASS[f.kind])
            self.add(s, _RDF.value, Literal(f.text))
            if f.quality_statement:
                self.add(s, _CQC.aboutStatement, _quality_statement_iri(f.quality_statement))
            if f.evidence_category is not None:
                self.add(
                    s,
                    _CQC.evidenceCategory,
                    _concept_iri("evidence-category", f.evidence_category.value),
                )
            if f.gap_kind is not None and f.kind is FindingKind.GAP:
                self.add(s, _CQC.gapKind, _concept_iri("gap-kind", f.gap_kind.value))
            for t in f.topics:
                self.add(s, _DCTERMS.subject, _concept_iri("topic", t))
            for anc in f.anchors:
                section = sections.get(_heading_key(anc.section)) if anc.section else None
                if section is not None:
                    self.add(s, _CQC.inSection, section)
            self.fact(s, f.anchors)
        return out

    def _observation(
        self, s: URIRef, measure: URIRef, value: Decimal, unit: str, period: str | None
    ) -> None:
        self.add(s, _QB.dataSet, self.statistics_ds)
        self.add(s, _CQC.measure, measure)
        self.add(s, _QB.measureType, _SDMX_MEASURE.obsValue)
        self.add(s, _SDMX_MEASURE.obsValue, Literal(value, datatype=_XSD.decimal))
        self.add(s, _SDMX_ATTR.unitMeasure, _concept_iri("unit", unit))
        if period:
            self.add(s, _SDMX_DIMENSION.refPeriod, Literal(period))

    def _measure(self, slug: str | None, label: str) -> URIRef:
        if slug:
            return _concept_iri("measure", slug)
        m = self.iri("measure", slugify(label))
        self.add(m, _RDF.type, _CQC.Measure)
        self.add(m, _SKOS.prefLabel, Literal(label, lang="en"))
        return m

    def _comparator_area(self, st: StatisticRecord) -> URIRef | None:
        if st.comparator is None:
            return None
        if st.comparator.value in ("england", "national"):
            return _area_iri(ENGLAND_GSS)
        if st.comparator.value == "london":
            return _area_iri(LONDON_GSS)
        code = REGION_GSS.get(self.a.region or "")
        return _area_iri(code) if code else None

    def statistics(self) -> None:
        for st in self.a.extraction.statistics:
            key = short_hash(
                str(st.value), str(st.comparator_value), st.comparator or "", st.measure_label
            )
            s = self.iri("statistic", key)
            measure = self._measure(st.measure, st.measure_label)
            self.add(s, _RDF.type, _CQC.Statistic)
            self.add(s, _SDMX_DIMENSION.refArea, self.area)
            self._observation(s, measure, st.value, st.unit, st.year)
            self.add(s, _CQC.measureLabel, Literal(st.measure_label))
            if st.direction is not None:
                self.add(s, _CQC.direction, _concept_iri("direction", st.direction.value))
            if st.source_text:
                self.add(s, _CQC.citedSource, Literal(st.source_text))
            if st.source:
                self.add(s, _CQC.dataSource, _concept_iri("data-source", st.source))
            if st.quality_statement:
                self.add(s, _CQC.aboutStatement, _quality_statement_iri(st.quality_statement))
            self.fact(s, st.anchors)
            if st.comparator is not None and st.comparator_value is not None:
                c = URIRef(f"{s}/comparator")
                self.add(s, _CQC.comparator, c)
                self.add(c, _RDF.type, _CQC.Statistic)
                area = self._comparator_area(st)
                if area is not None:
                    self.add(c, _SDMX_DIMENSION.refArea, area)
                self._observation(c, measure, st.comparator_value, st.unit, st.year)
                self.add(c, _CQC.comparatorKind, _concept_iri("comparator", st.comparator.value))
                self.fact(c, st.anchors)

    def figures(self) -> None:
        for fg in self.a.extraction.figures:
            s = self.iri("figure", short_hash(str(fg.value), fg.unit, fg.label, fg.period or ""))
            self.add(s, _RDF.type, _CQC.Figure)
            self.add(s, _RDFS.label, Literal(fg.label))
            self.add(s, _SDMX_DIMENSION.refArea, self.area)
            self._observation(s, self._measure(fg.measure, fg.label), fg.value, fg.unit, fg.period)
            if fg.quality_statement:
                self.add(s, _CQC.aboutStatement, _quality_statement_iri(fg.quality_statement))
            self.fact(s, fg.anchors)

    def partners(self) -> dict[str, URIRef]:
        out: dict[str, URIRef] = {}
        for p in self.a.extraction.partners:
            s = self.iri("partner", slugify(p.name))
            for n in (p.name, *p.alt_names):
                out[normalise_text(n)] = s
            self.add(s, _RDF.type, _CQC.PartnerOrganisation)
            self.add(s, _SKOS.prefLabel, Literal(p.name))
            for alt in p.alt_names:
                self.add(s, _SKOS.altLabel, Literal(alt))
            self.add(s, _CQC.partnerType, _concept_iri("partner-type", p.partner_type))
            if p.authority_gss:
                self.add(s, _OWL.sameAs, _authority_iri(p.authority_gss))
            self.add(_authority_iri(self.a.gss), _CQC.worksWith, s)
            self.fact(s, p.anchors)
        return out

    def strategies(self, partners: dict[str, URIRef]) -> dict[str, URIRef]:
        out: dict[str, URIRef] = {}
        for st in self.a.extraction.strategies:
            s = self.strategy_iri(st)
            for t in (st.title, *st.alt_titles):
                out[normalise_text(t)] = s
            self.add(s, _RDF.type, _CQC.Strategy)
            self.add(s, _DCTERMS.title, Literal(st.title))
            for alt in st.alt_titles:
                self.add(s, _SKOS.altLabel, Literal(alt))
            self.add(s, _CQC.strategyKind, _concept_iri("strategy-kind", st.kind))
            if st.start_year is not None:
                self.add(s, _CQC.startYear, Literal(str(st.start_year), datatype=_XSD.gYear))
            if st.end_year is not None:
                self.add(s, _CQC.endYear, Literal(str(st.end_year), datatype=_XSD.gYear))
            self.add(s, _DCTERMS.publisher, _authority_iri(self.a.gss))
            for cp in st.co_producers:
                named = partners.get(normalise_text(cp))
                if named is not None:
                    self.add(s, _CQC.coProducedWith, named)
                else:
                    self.add(s, _CQC.coProducer, Literal(cp))
            for t in st.topics:
                self.add(s, _DCTERMS.subject, _concept_iri("topic", t))
            self.fact(s, st.anchors)
        return out

    def strategy_iri(self, st: StrategyRecord) -> URIRef:
        return self.iri("strategy", slugify(st.title))

    def links(self, strategies: dict[str, URIRef], findings: dict[str, URIRef]) -> None:
        for ln in self.a.extraction.links:
            strategy = strategies.get(normalise_text(ln.strategy))
            gap = findings.get(normalise_text(ln.gap))
            if strategy is None or gap is None:
                self.a.warnings.append(
                    f"link dropped: {ln.strategy!r} -> {ln.gap[:60]!r} (unknown strategy or gap)"
                )
                continue
            s = self.iri("link", short_hash(str(strategy), str(gap)))
            self.add(strategy, _CQC.addresses, gap)
            self.add(strategy, _CQC.qualifiedAddressing, s)
            self.add(s, _RDF.type, _CQC.AddressingLink)
            self.add(s, _CQC.linkedStrategy, strategy)
            self.add(s, _CQC.linkedGap, gap)
            self.add(s, _CQC.basis, _concept_iri("link-basis", ln.basis.value))
            conf = Decimal(str(ln.confidence)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            self.add(s, _CQC.confidence, Literal(conf, datatype=_XSD.decimal))
            self.add(s, _CQC.inferred, Literal(ln.basis.value != "stated"))
            self.fact(s, ln.anchors)

    def disagreements(self) -> None:
        for d in self.a.extraction.disagreements:
            s = self.iri("disagreement", short_hash(d.fact, *(v for v, _ in d.values)))
            self.add(self.assessment, _CQC.disagreement, s)
            self.add(s, _RDF.type, _CQC.Disagreement)
            self.add(s, _RDFS.comment, Literal(f"The documents disagree on {d.fact}.", lang="en"))
            for value, path in d.values:
                self.add(s, _CQC.statedValue, Literal(f"{value} @ {path}"))


def build_assessment(a: AssessmentInput, vocab: Vocabulary) -> Graph:
    """The named graph of one assessment."""
    with gc_paused():
        b = _Builder(a, vocab)
        b.assessment_node()
        b.documents()
        b.provenance()
        b.scores()
        sections = b.sections()
        findings = b.findings(sections)
        b.statistics()
        b.figures()
        partners = b.partners()
        strategies = b.strategies(partners)
        b.links(strategies, findings)
        b.disagreements()
        return b.g
