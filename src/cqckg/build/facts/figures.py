"""A local figure a report states without a comparator (population, spend, a count...)."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Literal

from cqckg.build.builder import Builder, normalise_text, short_hash
from cqckg.build.fact_kind import FactKind, merge_anchors
from cqckg.build.terms import CQC, RDF, RDFS, SDMX_DIMENSION, quality_statement_iri
from cqckg.extract.figures import extract_figures
from cqckg.extract.records import FigureRecord


def triples(b: Builder, figures: Sequence[FigureRecord]) -> None:
    for fg in figures:
        s = b.iri("figure", short_hash(str(fg.value), fg.unit, fg.label, fg.period or ""))
        b.add(s, RDF.type, CQC.Figure)
        b.add(s, RDFS.label, Literal(fg.label))
        b.add(s, SDMX_DIMENSION.refArea, b.area)
        b.observation(s, b.measure(fg.measure, fg.label), fg.value, fg.unit, fg.period)
        if fg.quality_statement:
            b.add(s, CQC.aboutStatement, quality_statement_iri(fg.quality_statement))
        b.fact(s, fg.anchors)


FIGURES = FactKind(
    name="figures",
    record=FigureRecord,
    extract=lambda found: extract_figures(found.document, found.vocab, found.earlier.statistics),
    merge=merge_anchors(lambda r: (r.value, r.unit, normalise_text(r.label), r.period)),
    triples=triples,
    term="cqc:Figure",
    shapes=("Figure", "FigureValue"),
    questions=("figures", "evidence"),
    needs=("statistics",),
)
