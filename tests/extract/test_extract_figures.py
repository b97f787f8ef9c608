"""Local figures read from the real corpus (cqckg.extract.figures).

The expected values are typed from reading the reports, not produced by the code.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from cqckg.core.paths import graph_dir
from cqckg.core.vocabulary import load_vocabulary
from cqckg.extract.figures import extract_figures
from cqckg.extract.numbers import find_quantities
from cqckg.extract.records import FigureRecord
from cqckg.extract.statistics import extract_statistics
from cqckg.read import read_document
from cqckg.read.model import Document

SOURCES = graph_dir() / "sources"
FULL_REPORT = SOURCES / "westminster-2024" / "full-report.md"


@cache
def document(path: Path) -> Document:
    return read_document(path)


@cache
def figures(path: Path) -> tuple[FigureRecord, ...]:
    doc, vocab = document(path), load_vocabulary()
    return tuple(extract_figures(doc, vocab, extract_statistics(doc, vocab)))


def find(path: Path, value: str, unit: str) -> list[FigureRecord]:
    return [f for f in figures(path) if f.value == Decimal(value) and f.unit == unit]


# value, unit, measure, period: the About and Financial facts of the Westminster report
ABOUT = [
    ("205087", "count", "population", None),
    ("8.29", "square-miles", "area", None),
    ("5", "score", "imd-score", None),
    ("87", "rank", "imd-rank", None),
    ("85", "years", "life-expectancy", None),
    ("18", "years", "life-expectancy-gap", None),
    ("363119000", "gbp", "total-budget-estimate", "2022/23"),
    ("386922000", "gbp", "total-actual-spend", "2022/23"),
    ("77633000", "gbp", "asc-budget-estimate", "2022/23"),
    ("22", "percent", "asc-share-of-budget", "2022/23"),
    ("2", "percent", "asc-precept", "2023/24"),
    ("3535", "count", "people-long-term-support", "2022/23"),
    ("1060", "count", "people-short-term-support", "2022/23"),
]


@pytest.mark.parametrize(("value", "unit", "measure", "period"), ABOUT)
def test_westminster_about_facts(value: str, unit: str, measure: str, period: str | None) -> None:
    found = [f for f in find(FULL_REPORT, value, unit) if f.quality_statement is None]
    assert found, f"no {value} {unit}"
    assert (found[0].measure, found[0].period) == (measure, period)


@pytest.mark.xfail(
    reason="'Its actual spend for that year' reads the same for the total and for adult social "
    "care; only the previous sentence tells them apart",
    strict=True,
)
def test_asc_actual_spend_is_told_from_total_spend() -> None:
    (f,) = find(FULL_REPORT, "84003000", "gbp")
    assert f.measure == "asc-actual-spend"


@pytest.mark.parametrize(
    ("value", "unit", "label", "period"),
    [
        ("425", "count", "people were supported in out of area placements", "2024"),
        ("545", "count", "safeguarding concerns", "2022–2023"),
        ("295", "count", "cases", "2022–2023"),
        ("54", "percent", "cases", "2022–2023"),
        ("2300", "count", "people sleeping rough", None),
        ("110", "count", "statutory complaints had been received", "2022-23"),
        ("48", "hours", "Referrals received were processed", None),
        ("57", "days", "maximum", None),
    ],
)
def test_westminster_local_figures(value: str, unit: str, label: str, period: str | None) -> None:
    assert any((f.label, f.period) == (label, period) for f in find(FULL_REPORT, value, unit))


def test_over_95_percent_of_cases() -> None:
    (f,) = find(FULL_REPORT, "95", "percent")
    assert (f.label, f.measure) == (
        "cases are completed in advance of that target",
        "assessments-within-target",
    )


@pytest.mark.parametrize(
    ("value", "unit"),
    [
        ("55.98", "percent"),  # a statistic's value
        ("61.21", "percent"),  # a statistic's comparator
        ("91", "days"),  # inside a statistic: "still at home 91 days after discharge"
        ("42", "count"),  # "Section 42"
        ("1", "count"),  # "Pathway 1", "Theme 1"
        ("65", "count"),  # "aged 65 and over", "people over 65"
        ("10", "count"),  # "with 10 being the highest and most deprived"
        ("152", "count"),  # "87th out of 152" is one rank
        ("2023", "count"),  # a year
        ("5", "years"),  # "Five-year Reablement Strategy" is a name
    ],
)
def test_numbers_that_are_not_figures(value: str, unit: str) -> None:
    assert find(FULL_REPORT, value, unit) == []


def test_score_lines_give_no_figures() -> None:
    doc = document(FULL_REPORT)
    score_lines = [s for s in doc.sentences if s.text.startswith("Score:")]
    assert len(score_lines) >= 9
    for f in figures(FULL_REPORT):
        assert all(not (s.start <= f.anchors[0].start < s.end) for s in score_lines)


def test_scores_in_a_press_release_list_are_not_figures() -> None:
    path = SOURCES / "hammersmith-and-fulham" / "press-release.txt"
    assert [(f.value, f.unit) for f in figures(path)] == [(Decimal(2), "months")]


def test_suicide_rate_per_100000() -> None:
    path = SOURCES / "hammersmith-and-fulham" / "hammersmithfulham-0525-theme1-support.txt"
    (f,) = find(path, "10.7", "per-100000")
    assert (f.measure, f.period) == ("suicide-rate", "2021 – 2023")


def test_camden_financial_facts() -> None:
    path = SOURCES / "camden" / "camden-0225.txt"
    assert [f.measure for f in find(path, "210100", "count")] == ["population"]
    (budget,) = find(path, "589322000", "gbp")
    assert (budget.measure, budget.period) == ("total-budget-estimate", "2023/24")
    (share,) = find(path, "18.73", "percent")
    assert (share.measure, share.period) == ("asc-share-of-budget", "2023/2024")


def test_every_anchor_is_exact_and_shows_its_value() -> None:
    for path in sorted(SOURCES.rglob("*.*")):
        if path.name == "README.md":
            continue
        doc = document(path)
        for f in figures(path):
            (a,) = f.anchors
            assert doc.text[a.start : a.end] == a.exact
            assert (f.value, f.unit) in {(q.value, q.unit) for q in find_quantities(a.exact)}
            assert f.label
