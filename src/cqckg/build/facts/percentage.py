"""The overall percentage: as a document states it, or computed from a complete set of scores
the way CQC shows it (rounded up)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rdflib import Literal

from cqckg.build.builder import Builder
from cqckg.build.fact_kind import FactKind, single_valued
from cqckg.build.terms import CQC, XSD
from cqckg.extract.framework import displayed_percentage, extract_percentage
from cqckg.extract.records import PercentageRecord


def triples(b: Builder, stated: Sequence[PercentageRecord]) -> None:
    scores = b.a.extraction.scores
    for pct in stated:
        b.add(b.assessment, CQC.percentage, Literal(Decimal(pct.value), datatype=XSD.decimal))
        for anc in sorted(set(pct.anchors)):
            b.add(b.assessment, CQC.percentageAnchor, b.anchor(anc))
    if not stated and scores and b.a.complete_scores:
        computed = Decimal(displayed_percentage(scores))
        b.add(b.assessment, CQC.percentage, Literal(computed, datatype=XSD.decimal))


PERCENTAGE = FactKind(
    name="percentage",
    record=PercentageRecord,
    extract=lambda found: [p] if (p := extract_percentage(found.document)) else [],
    merge=single_valued(
        value=lambda p: p.value, fact="the percentage score", shown=lambda p: f"{p.value}%"
    ),
    triples=triples,
    term="cqc:percentage",
    shapes=(
        "Assessment-percentage",
        "PercentageInRange",
        "Assessment-percentageAnchor",
        "PercentageMatchesScores",
    ),
    questions=("assessments",),
    needs=("scores",),
)
