"""The score (1-4) an assessment gives each quality statement it scored."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from rdflib import Literal

from cqckg.build.builder import Builder
from cqckg.build.fact_kind import FactKind, single_valued
from cqckg.build.terms import CQC, QB, RDF, concept_iri, quality_statement_iri
from cqckg.extract.framework import extract_scores
from cqckg.extract.records import StatementScoreRecord


def _any_indicative(
    chosen: StatementScoreRecord, said: Sequence[StatementScoreRecord]
) -> StatementScoreRecord:
    return dataclasses.replace(chosen, indicative=any(s.indicative for s in said))


def triples(b: Builder, scores: Sequence[StatementScoreRecord]) -> None:
    # how complete the assessment is: the statements scored (0 for a landing page alone)
    b.add(b.assessment, CQC.statementsScored, Literal(len(scores)))
    for sc in scores:
        s = b.iri("score", sc.quality_statement)
        b.name("scores", sc.quality_statement, s)
        b.add(b.assessment, CQC.hasScore, s)
        b.add(s, RDF.type, CQC.StatementScore)
        b.add(s, QB.dataSet, b.scores_ds)
        b.add(s, CQC.qualityStatement, quality_statement_iri(sc.quality_statement))
        b.add(s, CQC.score, Literal(sc.score))
        b.add(s, CQC.scoreLevel, concept_iri("score", str(sc.score)))
        b.add(s, CQC.indicative, Literal(sc.indicative))
        b.fact(s, sc.anchors)


SCORES = FactKind(
    name="scores",
    record=StatementScoreRecord,
    extract=lambda found: extract_scores(found.document, found.vocab),
    merge=single_valued(
        value=lambda s: s.score,
        fact="the score of {key}",
        shown=lambda s: str(s.score),
        key=lambda s: s.quality_statement,
        combine=_any_indicative,
    ),
    triples=triples,
    term="cqc:StatementScore",
    shapes=("StatementScore", "OneScorePerStatement", "StatementsScoredMatchesScores"),
    questions=("scores", "compare-scores", "scores-vs-mean", "similar-councils"),
)
