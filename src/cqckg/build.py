"""Records to triples: the only place the graph is made (docs/decisions/0001-graph-shape.md).

:func:`build_assessment` turns one assembled assessment (its documents and the records extracted
from them, already reconciled) into its named graph. IRIs are derived from content, and no time
stamps are written, so building the same documents twice gives the same triples.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, QB, RDF, RDFS, SKOS, XSD

from cqckg import __version__
from cqckg.extract.records import Anchor, Extraction, FindingKind, StatisticRecord, StrategyRecord
from cqckg.ingest.model import Document
from cqckg.namespaces import (
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
from cqckg.vocabulary import Vocabulary

_MEDIA_TYPES = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".txt": "text/plain",
    ".html": "text/html",
}


_FOLD = str.maketrans("’‘“”–—", "''\"\"--")


def normalise_text(text: str) -> str:
    """The identifying form of a text: case, quotes, dashes and white space folded.

    >>> normalise_text("The  Carers’ Strategy – 2023")
    "the carers' strategy - 2023"
    """
    t = unicodedata.normalize("NFKC", text).casefold()
    t = t.translate(_FOLD)
    return re.sub(r"\s+", " ", t).strip()


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
    warnings: list[str] = field(default_factory=list)


class _Builder:
    def __init__(self, a: AssessmentInput, vocab: Vocabulary) -> None:
        self.a = a
        self.vocab = vocab
        # rdflib's default store also indexes every triple by context, which an assessment graph
        # never uses: building the largest report took three times as long with it.
        self.g = Graph(store="SimpleMemory")
        self.assessment = assessment_iri(a.gss, a.published)
        self.prefix = f"{self.assessment}/"
        self.run = URIRef(self.prefix + "extraction")
        self.statistics_ds = URIRef(self.prefix + "statistics")
        self.scores_ds = URIRef(self.prefix + "scores")
        self.area = area_iri(a.gss)
        self.anchors_done: set[URIRef] = set()

    def iri(self, kind: str, key: str) -> URIRef:
        return URIRef(f"{self.prefix}{kind}/{key}")

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.g.add((s, p, o))

    # -- shared pieces -------------------------------------------------------------------------

    def anchor(self, a: Anchor) -> URIRef:
        span = URIRef(f"{source_iri(a.document_sha256)}/span/{a.start}-{a.end}")
        if span in self.anchors_done:
            return span
        self.anchors_done.add(span)
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
        return span

    def fact(self, s: URIRef, anchors: Iterable[Anchor], *, with_assessment: bool = True) -> None:
        """Provenance every fact carries: its assessment, anchors, documents and extraction run."""
        if with_assessment:
            self.add(s, CQC.assessment, self.assessment)
        for a in sorted(set(anchors)):
            self.add(s, CQC.anchor, self.anchor(a))
            self.add(s, PROV.wasDerivedFrom, source_iri(a.document_sha256))
        self.add(s, PROV.wasGeneratedBy, self.run)

    # -- the parts of an assessment ------------------------------------------------------------

    def assessment_node(self) -> None:
        a, s = self.a, self.assessment
        self.add(s, RDF.type, CQC.Assessment)
        who = a.authority_name or a.gss
        self.add(s, RDFS.label, Literal(f"Assessment of {who} published {a.published}", lang="en"))
        self.add(s, CQC.assessedAuthority, authority_iri(a.gss))
        self.add(s, DCTERMS.issued, Literal(a.published, datatype=XSD.date))
        self.add(
            s, CQC.assessmentKind, concept_iri("assessment-kind", "pilot" if a.pilot else "formal")
        )
        rating = a.extraction.rating
        if rating is not None:
            self.add(s, CQC.overallRating, concept_iri("rating", rating.rating))
            self.add(s, CQC.ratingIndicative, Literal(rating.indicative))
            for anc in sorted(set(rating.anchors)):
                self.add(s, CQC.ratingAnchor, self.anchor(anc))
        scores = a.extraction.scores
        if scores and a.complete_scores:
            total = sum(sc.score for sc in scores)
            pct = (Decimal(total) * 100 / (4 * len(scores))).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
            self.add(s, CQC.percentage, Literal(pct, datatype=XSD.decimal))
            self.add(s, CQC.statementsScored, Literal(len(scores)))
        for doc, _ in a.documents:
            self.add(s, PROV.used, source_iri(doc.sha256))

    def documents(self) -> None:
        for doc, rel in self.a.documents:
            d = source_iri(doc.sha256)
            self.add(d, RDF.type, CQC.SourceDocument)
            self.add(d, DCTERMS.title, Literal(doc.title))
            self.add(d, CQC.documentKind, concept_iri("document-kind", doc.kind.value))
            self.add(d, CQC.sha256, Literal(doc.sha256))
            self.add(d, CQC.characterCount, Literal(len(doc.text)))
            self.add(d, CQC.sourcePath, Literal(rel))
            self.add(
                d, DCTERMS.format, Literal(_MEDIA_TYPES.get(doc.path.suffix.lower(), "text/plain"))
            )
            if doc.source_url:
                self.add(d, DCTERMS.source, URIRef(doc.source_url))
            if doc.published is not None:
                self.add(d, DCTERMS.issued, Literal(doc.published.isoformat(), datatype=XSD.date))
            self.add(d, CQC.describes, self.assessment)
            self.add(d, PROV.wasGeneratedBy, self.assessment)

    def provenance(self) -> None:
        agent = URIRef(ID[f"software/cqckg/{__version__}"])
        self.add(self.run, RDF.type, CQC.ExtractionRun)
        self.add(
            self.run,
            RDFS.label,
            Literal(f"cqc-kg extraction of {self.a.gss} {self.a.published}", lang="en"),
        )
        self.add(self.run, PROV.wasAssociatedWith, agent)
        for doc, _ in self.a.documents:
            self.add(self.run, PROV.used, source_iri(doc.sha256))
        self.add(agent, RDF.type, PROV.SoftwareAgent)
        self.add(agent, RDFS.label, Literal(f"cqc-kg {__version__}"))
        self.add(agent, CQC.softwareVersion, Literal(__version__))
        self.add(self.statistics_ds, RDF.type, QB.DataSet)
        self.add(self.statistics_ds, QB.structure, CQC.statisticsStructure)
        self.add(self.scores_ds, RDF.type, QB.DataSet)
        self.add(self.scores_ds, QB.structure, CQC.scoresStructure)

    def scores(self) -> None:
        cited: dict[str, list[URIRef]] = {}
        for st in self.a.extraction.statement_texts:
            found = self.vocab.framework_statement_for(st.quality_statement, st.text)
            if found is not None:
                cited.setdefault(st.quality_statement, []).append(URIRef(found))
        for sc in self.a.extraction.scores:
            s = self.iri("score", sc.quality_statement)
            self.add(self.assessment, CQC.hasScore, s)
            self.add(s, RDF.type, CQC.StatementScore)
            self.add(s, QB.dataSet, self.scores_ds)
            self.add(s, CQC.qualityStatement, quality_statement_iri(sc.quality_statement))
            self.add(s, CQC.score, Literal(sc.score))
            self.add(s, CQC.scoreLevel, concept_iri("score", str(sc.score)))
            self.add(s, CQC.indicative, Literal(sc.indicative))
            anchors = list(sc.anchors)
            for st in self.a.extraction.statement_texts:
                if st.quality_statement == sc.quality_statement:
                    anchors.extend(st.anchors)
            for fs in cited.get(sc.quality_statement, []):
                self.add(s, CQC.citedStatement, fs)
            self.fact(s, anchors)

    def sections(self) -> dict[str, URIRef]:
        out: dict[str, URIRef] = {}
        for sec in self.a.extraction.sections:
            key = short_hash(sec.quality_statement or "", sec.heading)
            s = self.iri("section", key)
            out[normalise_text(sec.heading)] = s
            self.add(s, RDF.type, CQC.ReportSection)
            self.add(s, DCTERMS.title, Literal(sec.heading))
            self.add(s, CQC.headingLevel, Literal(sec.level))
            if sec.quality_statement:
                self.add(s, CQC.aboutStatement, quality_statement_iri(sec.quality_statement))
            if sec.parent:
                self.add(
                    s,
                    DCTERMS.isPartOf,
                    self.iri("section", short_hash(sec.quality_statement or "", sec.parent)),
                )
            self.fact(s, sec.anchors)
        return out

    def findings(self, sections: dict[str, URIRef]) -> dict[str, URIRef]:
        out: dict[str, URIRef] = {}
        for f in self.a.extraction.findings:
            s = self.iri("finding", short_hash(f.text))
            out[normalise_text(f.text)] = s
            self.add(s, RDF.type, CQC.Gap if f.kind is FindingKind.GAP else CQC.Strength)
            self.add(s, RDF.value, Literal(f.text))
            if f.quality_statement:
                self.add(s, CQC.aboutStatement, quality_statement_iri(f.quality_statement))
            if f.evidence_category is not None:
                self.add(
                    s,
                    CQC.evidenceCategory,
                    concept_iri("evidence-category", f.evidence_category.value),
                )
            if f.gap_kind is not None and f.kind is FindingKind.GAP:
                self.add(s, CQC.gapKind, concept_iri("gap-kind", f.gap_kind.value))
            for t in f.topics:
                self.add(s, DCTERMS.subject, concept_iri("topic", t))
            for anc in f.anchors:
                if anc.section and normalise_text(anc.section) in sections:
                    self.add(s, CQC.inSection, sections[normalise_text(anc.section)])
            self.fact(s, f.anchors)
        return out

    def _observation(
        self, s: URIRef, measure: URIRef, value: Decimal, unit: str, period: str | None
    ) -> None:
        self.add(s, QB.dataSet, self.statistics_ds)
        self.add(s, CQC.measure, measure)
        self.add(s, QB.measureType, SDMX_MEASURE.obsValue)
        self.add(s, SDMX_MEASURE.obsValue, Literal(value, datatype=XSD.decimal))
        self.add(s, SDMX_ATTRIBUTE.unitMeasure, concept_iri("unit", unit))
        if period:
            self.add(s, SDMX_DIMENSION.refPeriod, Literal(period))

    def _measure(self, slug: str | None, label: str) -> URIRef:
        if slug:
            return concept_iri("measure", slug)
        m = self.iri("measure", slugify(label))
        self.add(m, RDF.type, CQC.Measure)
        self.add(m, SKOS.prefLabel, Literal(label, lang="en"))
        return m

    def _comparator_area(self, st: StatisticRecord) -> URIRef | None:
        if st.comparator is None:
            return None
        if st.comparator.value in ("england", "national"):
            return area_iri(ENGLAND_GSS)
        if st.comparator.value == "london":
            return area_iri(LONDON_GSS)
        code = REGION_GSS.get(self.a.region or "")
        return area_iri(code) if code else None

    def statistics(self) -> None:
        for st in self.a.extraction.statistics:
            key = short_hash(
                str(st.value), str(st.comparator_value), st.comparator or "", st.measure_label
            )
            s = self.iri("statistic", key)
            measure = self._measure(st.measure, st.measure_label)
            self.add(s, RDF.type, CQC.Statistic)
            self.add(s, SDMX_DIMENSION.refArea, self.area)
            self._observation(s, measure, st.value, st.unit, st.year)
            self.add(s, CQC.measureLabel, Literal(st.measure_label))
            if st.direction is not None:
                self.add(s, CQC.direction, concept_iri("direction", st.direction.value))
            if st.source_text:
                self.add(s, CQC.citedSource, Literal(st.source_text))
            if st.source:
                self.add(s, CQC.dataSource, concept_iri("data-source", st.source))
            if st.quality_statement:
                self.add(s, CQC.aboutStatement, quality_statement_iri(st.quality_statement))
            self.fact(s, st.anchors)
            if st.comparator is not None and st.comparator_value is not None:
                c = URIRef(f"{s}/comparator")
                self.add(s, CQC.comparator, c)
                self.add(c, RDF.type, CQC.Statistic)
                area = self._comparator_area(st)
                if area is not None:
                    self.add(c, SDMX_DIMENSION.refArea, area)
                self._observation(c, measure, st.comparator_value, st.unit, st.year)
                self.add(c, CQC.comparatorKind, concept_iri("comparator", st.comparator.value))
                self.fact(c, st.anchors)

    def figures(self) -> None:
        for fg in self.a.extraction.figures:
            s = self.iri("figure", short_hash(str(fg.value), fg.unit, fg.label, fg.period or ""))
            self.add(s, RDF.type, CQC.Figure)
            self.add(s, RDFS.label, Literal(fg.label))
            self.add(s, SDMX_DIMENSION.refArea, self.area)
            self._observation(s, self._measure(fg.measure, fg.label), fg.value, fg.unit, fg.period)
            if fg.quality_statement:
                self.add(s, CQC.aboutStatement, quality_statement_iri(fg.quality_statement))
            self.fact(s, fg.anchors)

    def partners(self) -> dict[str, URIRef]:
        out: dict[str, URIRef] = {}
        for p in self.a.extraction.partners:
            s = self.iri("partner", slugify(p.name))
            for n in (p.name, *p.alt_names):
                out[normalise_text(n)] = s
            self.add(s, RDF.type, CQC.PartnerOrganisation)
            self.add(s, SKOS.prefLabel, Literal(p.name))
            for alt in p.alt_names:
                self.add(s, SKOS.altLabel, Literal(alt))
            self.add(s, CQC.partnerType, concept_iri("partner-type", p.partner_type))
            if p.authority_gss:
                self.add(s, OWL.sameAs, authority_iri(p.authority_gss))
            self.add(authority_iri(self.a.gss), CQC.worksWith, s)
            self.fact(s, p.anchors)
        return out

    def strategies(self, partners: dict[str, URIRef]) -> dict[str, URIRef]:
        out: dict[str, URIRef] = {}
        for st in self.a.extraction.strategies:
            s = self.strategy_iri(st)
            for t in (st.title, *st.alt_titles):
                out[normalise_text(t)] = s
            self.add(s, RDF.type, CQC.Strategy)
            self.add(s, DCTERMS.title, Literal(st.title))
            for alt in st.alt_titles:
                self.add(s, SKOS.altLabel, Literal(alt))
            self.add(s, CQC.strategyKind, concept_iri("strategy-kind", st.kind))
            if st.start_year is not None:
                self.add(s, CQC.startYear, Literal(str(st.start_year), datatype=XSD.gYear))
            if st.end_year is not None:
                self.add(s, CQC.endYear, Literal(str(st.end_year), datatype=XSD.gYear))
            self.add(s, DCTERMS.publisher, authority_iri(self.a.gss))
            for cp in st.co_producers:
                named = partners.get(normalise_text(cp))
                if named is not None:
                    self.add(s, CQC.coProducedWith, named)
                else:
                    self.add(s, CQC.coProducer, Literal(cp))
            for t in st.topics:
                self.add(s, DCTERMS.subject, concept_iri("topic", t))
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
            self.add(strategy, CQC.addresses, gap)
            self.add(strategy, CQC.qualifiedAddressing, s)
            self.add(s, RDF.type, CQC.AddressingLink)
            self.add(s, CQC.linkedStrategy, strategy)
            self.add(s, CQC.linkedGap, gap)
            self.add(s, CQC.basis, concept_iri("link-basis", ln.basis.value))
            conf = Decimal(str(ln.confidence)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            self.add(s, CQC.confidence, Literal(conf, datatype=XSD.decimal))
            self.add(s, CQC.inferred, Literal(ln.basis.value != "stated"))
            self.fact(s, ln.anchors)

    def disagreements(self) -> None:
        for d in self.a.extraction.disagreements:
            s = self.iri("disagreement", short_hash(d.fact, *(v for v, _ in d.values)))
            self.add(self.assessment, CQC.disagreement, s)
            self.add(s, RDF.type, CQC.Disagreement)
            self.add(s, RDFS.comment, Literal(f"The documents disagree on {d.fact}.", lang="en"))
            for value, path in d.values:
                self.add(s, CQC.statedValue, Literal(f"{value} @ {path}"))


def build_assessment(a: AssessmentInput, vocab: Vocabulary) -> Graph:
    """The named graph of one assessment."""
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
