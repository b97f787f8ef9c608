"""Extraction measured against the hand-annotated gold set (tests/data/annotations).

The gold set covers the shipped graph's documents (graph/sources) and 14 held-out pages of nine
councils the graph does not hold (tests/data/sources), annotated before any extractor was run on
them. The floors below are what the extractors reach today, each at or above the quality bar of
the issues that set them except where a comment says otherwise; a change that lowers any of them
fails here. The full table (per document, per council, per kind) is printed by
``benchmarks/extraction_quality.py``.
"""

from __future__ import annotations

import pytest
from evaluate import KindScore, evaluate, load_gold, overall, source_path

from cqckg.ingest import extract_documents, source_files

# kind: (precision floor, recall floor)
FLOORS = {
    "scores": (1.0, 1.0),
    "rating": (1.0, 1.0),
    "statistics": (0.95, 0.95),
    "strategies": (0.85, 0.85),
    "partners": (0.95, 0.95),  # issue 14: partners precision 0.95
    "gaps": (0.90, 0.85),  # issue 14: gaps precision 0.9, recall 0.85
    "strengths": (0.90, 0.70),  # issue 14: strengths precision 0.9, recall 0.7
    "statement_texts": (0.90, 0.90),
    "links": (0.90, 0.42),  # precision target met; the recall target is for stated links
}


@pytest.fixture(scope="module")
def totals() -> dict[str, KindScore]:
    gold = load_gold()
    paths = {doc: source_path(doc) for doc in gold}
    extracted = extract_documents(list(paths.values()))
    by_path = dict(zip(source_files(paths.values()), extracted.values(), strict=True))
    reports = [
        evaluate(by_path[paths[doc]], ann, paths[doc].read_bytes().decode("utf-8"), doc)
        for doc, ann in gold.items()
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
    "stated": (0.95, 0.65),  # issue 14: stated links precision 0.9, recall 0.6
    "same-passage": (0.80, 0.60),
    # restricted on purpose (see src/cqckg/extract/links.py); 5 of 6 right since gaps found in
    # other words (", however we also heard ...") can now share a topic with a strategy
    "shared-topic": (0.80, 0.25),
}


@pytest.mark.parametrize("basis", sorted(LINK_FLOORS))
def test_link_floor_by_basis(totals: dict[str, KindScore], basis: str) -> None:
    b = totals["links"].by_basis[basis]
    precision_floor, recall_floor = LINK_FLOORS[basis]
    assert b.precision is not None and b.precision >= precision_floor, b
    assert b.recall is not None and b.recall >= recall_floor, b


def test_no_finding_is_listed_twice(totals: dict[str, KindScore]) -> None:
    # two extracted findings on one annotated finding: three two-sentence gold gaps whose
    # sentences are found apart ("... For example, ...")
    assert totals["gaps"].duplicates <= 3
    assert totals["strengths"].duplicates == 0
