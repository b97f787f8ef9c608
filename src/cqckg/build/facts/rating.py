"""The assessment's overall rating band, and whether it is indicative (a pilot's)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from rdflib import Literal

from cqckg.build.builder import Builder
from cqckg.build.fact_kind import FactKind, Merged, Stated, single_valued
from cqckg.build.terms import CQC, concept_iri
from cqckg.extract.framework import extract_rating, rating_disagreement
from cqckg.extract.records import Disagreement, Extraction, RatingRecord


def _band(r: RatingRecord) -> str:
    return r.rating


def _any_indicative(chosen: RatingRecord, said: Sequence[RatingRecord]) -> RatingRecord:
    return dataclasses.replace(chosen, indicative=any(r.indicative for r in said))


_one_rating = single_valued(_band, "the overall rating", shown=_band, combine=_any_indicative)


def merge(stated: Sequence[Stated[RatingRecord]], merged: Extraction) -> Merged[RatingRecord]:
    """The most trusted document's rating; and a document that rates two ways (a press release
    whose body differs from its headline) is a disagreement too."""
    out = _one_rating(stated, merged)
    for s in stated:
        inner = rating_disagreement(s.document)
        if inner is not None:
            out.disagreements.append(
                Disagreement("the overall rating", tuple((r, s.path) for r in inner))
            )
    return out


def triples(b: Builder, ratings: Sequence[RatingRecord]) -> None:
    for rating in ratings:
        b.add(b.assessment, CQC.overallRating, concept_iri("rating", rating.rating))
        b.add(b.assessment, CQC.ratingIndicative, Literal(rating.indicative))
        for anc in sorted(set(rating.anchors)):
            b.add(b.assessment, CQC.ratingAnchor, b.anchor(anc))


RATING = FactKind(
    name="rating",
    record=RatingRecord,
    extract=lambda found: [r] if (r := extract_rating(found.document, found.vocab)) else [],
    merge=merge,
    triples=triples,
    term="cqc:overallRating",
    shapes=(
        "Assessment-overallRating",
        "Assessment-ratingAnchor",
        "RatingMatchesPercentage",
        "RatingIsAnchored",
        "RatingIndicativeIffPilot",
    ),
    questions=("assessments",),
)
