"""Extraction measured against the hand-annotated gold set (tests/data/annotations).

The floors below are what the extractors reach today, each at or above the issue's quality bar
except where a comment says otherwise; a change that lowers any of them fails here. The full
table (per document, per kind) is printed by ``benchmarks/extraction_quality.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from evaluate import KindScore, evaluate, overall

from cqckg.paths import sources_dir
from cqckg.pipeline import extract_documents

ANNOTATIONS = Path(__file__).parent / "data" / "annotations"

# kind: (precision floor, recall floor)
FLOORS = {
    "scores": (1.0, 1.0),
    "rating": (1.0, 1.0),
    "statistics": (0.95, 0.95),
    "strategies": (0.85, 0.85),
    "partners": (0.95, 0.95),
    "gaps": (0.90, 0.80),
    "statement_texts": (0.90, 0.90),
    "links": (0.90, 0.42),  # precision target 0.85 met; recall target is for stated links
}


@pytest.fixture(scope="module")
def totals() -> dict[str, KindScore]:
    annotations = {}
    for f in sorted(ANNOTATIONS.glob("*.json")):
        ann = json.loads(f.read_text(encoding="utf-8"))
        annotations[ann["document"]] = ann
    extractions = extract_documents([sources_dir() / doc for doc in annotations])
    reports = [
        evaluate(extractions[doc], ann, (sources_dir() / doc).read_text(encoding="utf-8"), doc)
        for doc, ann in annotations.items()
    ]
    return overall(reports)


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_quality_floor(totals: dict[str, KindScore], kind: str) -> None:
    score = totals[kind]
    precision_floor, recall_floor = FLOORS[kind]
    assert score.annotated > 0
    assert score.precision is not None and score.precision >= precision_floor, score
    assert score.recall is not None and score.recall >= recall_floor, score


# links by basis: (precision of links given this basis, recall of gold links of this basis)
LINK_FLOORS = {
    "stated": (0.95, 0.65),  # the target: 60% of the stated links
    "same-passage": (0.80, 0.60),
    "shared-topic": (0.90, 0.25),  # restricted on purpose: see src/cqckg/extract/links.py
}


@pytest.mark.parametrize("basis", sorted(LINK_FLOORS))
def test_link_floor_by_basis(totals: dict[str, KindScore], basis: str) -> None:
    b = totals["links"].by_basis[basis]
    precision_floor, recall_floor = LINK_FLOORS[basis]
    assert b.precision is not None and b.precision >= precision_floor, b
    assert b.recall is not None and b.recall >= recall_floor, b


def test_strengths_precision(totals: dict[str, KindScore]) -> None:
    # strengths are annotated as a sample, so only precision can be judged
    s = totals["strengths"]
    assert s.precision is not None and s.precision >= 0.85, s
