"""A statistic of the authority set against a comparator (England, London or regional average),
as two Data Cube observations."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Literal, URIRef

from cqckg.build.builder import Builder, short_hash
from cqckg.build.fact_kind import FactKind, merge_anchors
from cqckg.build.terms import CQC, RDF, SDMX_DIMENSION, area_iri, concept_iri
from cqckg.build.terms import quality_statement_iri as qs_iri
from cqckg.core.namespaces import ENGLAND_GSS, LONDON_GSS, REGION_GSS
from cqckg.extract.records import StatisticRecord
from cqckg.extract.statistics import extract_statistics


def _comparator_area(b: Builder, st: StatisticRecord) -> URIRef | None:
    if st.comparator is None:
        return None
    if st.comparator.value in ("england", "national"):
        return area_iri(ENGLAND_GSS)
    if st.comparator.value == "london":
        return area_iri(LONDON_GSS)
    code = REGION_GSS.get(b.a.region or "")
    return area_iri(code) if code else None


def triples(b: Builder, statistics: Sequence[StatisticRecord]) -> None:
    for st in statistics:
        key = short_hash(
            str(st.value), str(st.comparator_value), st.comparator or "", st.measure_label
        )
        s = b.iri("statistic", key)
        measure = b.measure(st.measure, st.measure_label)
        b.add(s, RDF.type, CQC.Statistic)
        b.add(s, SDMX_DIMENSION.refArea, b.area)
        b.observation(s, measure, st.value, st.unit, st.period)
        b.add(s, CQC.measureLabel, Literal(st.measure_label))
        if st.direction is not None:
            b.add(s, CQC.direction, concept_iri("direction", st.direction.value))
        if st.source_text:
            b.add(s, CQC.citedSource, Literal(st.source_text))
        if st.source:
            b.add(s, CQC.dataSource, concept_iri("data-source", st.source))
        if st.quality_statement:
            b.add(s, CQC.aboutStatement, qs_iri(st.quality_statement))
        b.fact(s, st.anchors)
        if st.comparator is not None and st.comparator_value is not None:
            c = URIRef(f"{s}/comparator")
            b.add(s, CQC.comparator, c)
            b.add(c, RDF.type, CQC.Statistic)
            area = _comparator_area(b, st)
            if area is not None:
                b.add(c, SDMX_DIMENSION.refArea, area)
            b.observation(c, measure, st.comparator_value, st.unit, st.period)
            b.add(c, CQC.comparatorKind, concept_iri("comparator", st.comparator.value))
            b.fact(c, st.anchors)


STATISTICS = FactKind(
    name="statistics",
    record=StatisticRecord,
    extract=lambda found: extract_statistics(found.document, found.vocab),
    merge=merge_anchors(lambda r: (r.value, r.comparator, r.comparator_value, r.unit)),
    triples=triples,
    term="cqc:Statistic",
    shapes=("Statistic", "ComparedStatistic", "Comparator", "StatisticHasComparator"),
    questions=("statistics", "below-england-average", "statistic-across-councils"),
)
