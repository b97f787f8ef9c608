"""Scores, rating, I/We statements and sections from the real corpus documents."""

from __future__ import annotations

import pytest

from cqckg.core.paths import sources_dir
from cqckg.core.vocabulary import Vocabulary, load_vocabulary
from cqckg.extract.framework import (
    extract_framework_statements,
    extract_rating,
    extract_scores,
    extract_sections,
)
from cqckg.read import read_document
from cqckg.read.model import Document

SOURCES = sources_dir()
QS = [
    "assessing-needs",
    "supporting-people-to-live-healthier-lives",
    "equity-in-experience-and-outcomes",
    "care-provision-integration-and-continuity",
    "partnerships-and-communities",
    "safe-pathways-systems-and-transitions",
    "safeguarding",
    "governance-management-and-sustainability",
    "learning-improvement-and-innovation",
]


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary()


def doc(rel: str) -> Document:
    return read_document(SOURCES / rel)


# (document, {quality statement: score}, indicative) read off each page by hand.
SCORES = [
    ("westminster-2024/full-report.md", dict.fromkeys(QS, 3), False),
    ("westminster-2024/press-release.txt", dict.fromkeys(QS, 3), False),
    (
        "westminster-2024/qs-equity-experience-outcomes.txt",
        {"equity-in-experience-and-outcomes": 3},
        False,
    ),
    (
        "westminster-2024/qs-governance-management-sustainability.txt",
        {"governance-management-and-sustainability": 3},
        False,
    ),
    (
        "hammersmith-and-fulham/press-release.txt",
        {**dict.fromkeys(QS, 2), "safe-pathways-systems-and-transitions": 3},
        False,
    ),
    (
        "hammersmith-and-fulham/hammersmithfulham-0525-theme3-pathways.txt",
        {"safe-pathways-systems-and-transitions": 3},
        False,
    ),
    (
        "hammersmith-and-fulham/hammersmithfulham-0525-theme2-care.txt",
        {"care-provision-integration-and-continuity": 2},
        False,
    ),
    ("camden/camden-0225-theme2-partnerships.txt", {"partnerships-and-communities": 4}, False),
    ("camden/camden-0225-theme1-needs.txt", {"assessing-needs": 3}, False),
    (
        "birmingham/birmingham-cc-1-how-local-authority-works-people-assessing-needs.txt",
        {"assessing-needs": 2},
        True,
    ),
    (
        "birmingham/birmingham-cc-1-how-local-authority-works-people-equity-experience-and.txt",
        {"equity-in-experience-and-outcomes": 3},
        True,
    ),
    ("birmingham/birmingham-cc-3-safety-within-system-safeguarding.txt", {"safeguarding": 2}, True),
    ("birmingham/birmingham-cc-overall-summary.txt", {}, True),
    ("camden/camden-0225.txt", {}, False),
]


@pytest.mark.parametrize(("rel", "expected", "indicative"), SCORES, ids=[s[0] for s in SCORES])
def test_scores(vocab: Vocabulary, rel: str, expected: dict[str, int], indicative: bool) -> None:
    d = doc(rel)
    found = extract_scores(d, vocab)
    assert {s.quality_statement: s.score for s in found} == expected
    assert all(s.indicative is indicative for s in found)
    for s in found:
        a = s.anchors[0]
        assert d.text[a.start : a.end] == a.exact
        assert str(s.score) in a.exact


RATINGS = [
    ("westminster-2024/full-report.md", "good", False, "Good"),
    ("westminster-2024/press-release.txt", "good", False, "as good"),
    (
        "hammersmith-and-fulham/press-release.txt",
        "requires-improvement",
        False,
        "requires improvement",
    ),
    ("birmingham/birmingham-cc-overall-summary.txt", "good", True, "indicative rating"),
    ("westminster-2024/qs-equity-experience-outcomes.txt", None, False, ""),
    ("camden/camden-0225.txt", None, False, ""),
]


@pytest.mark.parametrize(
    ("rel", "rating", "indicative", "quoted"), RATINGS, ids=[r[0] for r in RATINGS]
)
def test_rating(
    vocab: Vocabulary, rel: str, rating: str | None, indicative: bool, quoted: str
) -> None:
    d = doc(rel)
    found = extract_rating(d, vocab)
    if rating is None:
        assert found is None
        return
    assert found is not None
    assert (found.rating, found.indicative) == (rating, indicative)
    a = found.anchors[0]
    assert d.text[a.start : a.end] == a.exact
    assert quoted in a.exact


def test_framework_statements_full_report(vocab: Vocabulary) -> None:
    d = doc("westminster-2024/full-report.md")
    found = extract_framework_statements(d, vocab)
    we = {t.quality_statement for t in found if t.person == "We"}
    assert we == set(QS)  # every statement prints its commitment
    i_statements = {(t.quality_statement, t.text) for t in found if t.person == "I"}
    assert (
        "safe-pathways-systems-and-transitions",
        "I feel safe and am supported to understand and manage any risks.",
    ) in i_statements
    assert any(t.startswith("When I move between services") for _, t in i_statements)
    # The report prints no "What people expect" for the two leadership statements.
    assert not {qs for qs, _ in i_statements} & {
        "governance-management-and-sustainability",
        "learning-improvement-and-innovation",
    }
    for t in found:
        a = t.anchors[0]
        assert d.text[a.start : a.end] == a.exact == t.text


def test_framework_statements_every_one_matches_the_framework(vocab: Vocabulary) -> None:
    for path in [*sorted(SOURCES.rglob("*.txt")), SOURCES / "westminster-2024/full-report.md"]:
        d = read_document(path)
        for t in extract_framework_statements(d, vocab):
            assert vocab.framework_statement_for(t.quality_statement, t.text), (path, t.text)


def test_sections_of_full_report(vocab: Vocabulary) -> None:
    d = doc("westminster-2024/full-report.md")
    found = extract_sections(d)
    by_qs: dict[str | None, list[str]] = {}
    for s in found:
        by_qs.setdefault(s.quality_statement, []).append(s.heading)
    assert set(by_qs) == {None, *QS}
    assert "Direct payments" in by_qs["supporting-people-to-live-healthier-lives"]
    assert "Contingency planning" in by_qs["safe-pathways-systems-and-transitions"]
    assert by_qs[None] == [
        "Summary of people's experiences",
        "Summary of strengths, areas for development and next steps",
    ]
    # Template headings are not key-findings sections.
    headings = {s.heading for s in found}
    assert not headings & {"What people expect", "The local authority commitment", "Score: 3"}
    assert len(found) == 37


def test_press_release_scores_in_a_hyphen_bulleted_list() -> None:
    # Haringey's and Medway's releases: "- Partnership and communities – 3", hyphen or en dash
    from pathlib import Path

    held_out = Path(__file__).parent.parent / "data" / "sources"
    doc = read_document(held_out / "haringey" / "press-release.txt")
    scores = {s.quality_statement: s.score for s in extract_scores(doc, load_vocabulary())}
    assert len(scores) == 9
    assert scores["partnerships-and-communities"] == 3
    assert scores["care-provision-integration-and-continuity"] == 2
