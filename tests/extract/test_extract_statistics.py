"""National statistics read from the real corpus (cqckg.extract.statistics).

The expected values are typed from reading the reports, not produced by the code.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from cqckg.core.paths import graph_dir
from cqckg.core.vocabulary import load_vocabulary
from cqckg.extract.numbers import find_quantities
from cqckg.extract.records import ComparatorArea, Direction, StatisticRecord
from cqckg.extract.statistics import extract_statistics
from cqckg.read import read_document
from cqckg.read.model import Document

SOURCES = graph_dir() / "sources"
FULL_REPORT = SOURCES / "westminster-2024" / "full-report.md"

E, N, L, R = (ComparatorArea.ENGLAND, ComparatorArea.NATIONAL, ComparatorArea.LONDON,
              ComparatorArea.REGIONAL)  # fmt: skip
HI, LO, SIM = Direction.HIGHER, Direction.LOWER, Direction.SIMILAR

# value, unit, comparator, its value, direction, source, cited as, year, measure
WESTMINSTER = [
    ("55.98", "percent", E, "61.21", LO, "ascs", "Adult Social Care Survey, 2023, ASCS", "2023",
     "ascs-satisfaction"),
    ("70.44", "percent", E, "77.21", LO, "ascs", "Adult Social Care Survey, 2023, ASCS", "2023",
     "ascs-control-over-daily-life"),
    ("43.90", "percent", E, "36.83", HI, "sace", "Survey of Adult Carers in England, 2022, SACE",
     "2022", "sace-carer-satisfaction"),
    ("72.63", "percent", E, "64.63", HI, "ascs", "Adult Social Care Survey (ASCS)", None,
     "ascs-no-additional-care-top-up"),
    ("86.96", "percent", E, "85.22", SIM, "sace", "SACE, 2022", "2022",
     "sace-carer-information-helpful"),
    ("89.47", "percent", E, "82.18", HI, "salt", "SALT, 2023", "2023",
     "salt-reablement-at-home-91-days"),
    ("66.68", "percent", E, "66.26", SIM, "ascs", "ASCS, 2023", "2023", "ascs-find-information"),
    ("66.68", "percent", R, "62.35", HI, "ascs", "ASCS, 2023", "2023", "ascs-find-information"),
    ("59.49", "percent", E, "59.06", HI, "sace", "SACE, 2022", "2022",
     "sace-carer-find-information"),
    ("21.58", "percent", E, "26.22", LO, "salt", "SALT 2023", "2023", "salt-direct-payments"),
    ("100", "percent", E, "75.99", HI, None, None, None, "cqc-rated-good-residential"),
    ("5.51", "percent", N, "9.74", LO, "asc-wds",
     "Adult Social Care Workforce Data Set – Skills for Care 2023", "2023", "asc-wds-vacancy-rate"),
    ("8.12", "days", N, "6.24", SIM, "asc-wds",
     "Adult Social Care Workforce Data Set – Skills for Care 2023", "2023",
     "asc-wds-sickness-days"),
    ("71.53", "percent", E, "87.12", LO, "ascs", "ASCS, 2023", "2023", "ascs-feel-safe"),
    ("8", "percent", L, "13", LO, None, None, None, "asc-wds-agency-reliance"),
]  # fmt: skip


@cache
def document(path: Path) -> Document:
    return read_document(path)


@cache
def statistics(path: Path) -> tuple[StatisticRecord, ...]:
    return tuple(extract_statistics(document(path), load_vocabulary()))


def matching(records: tuple[StatisticRecord, ...], value: str, comparator_value: str):
    return [
        r
        for r in records
        if r.value == Decimal(value) and r.comparator_value == Decimal(comparator_value)
    ]


@pytest.mark.parametrize(
    (
        "value",
        "unit",
        "area",
        "comparator_value",
        "direction",
        "source",
        "cited",
        "year",
        "measure",
    ),
    WESTMINSTER,
)
def test_westminster_statistics(
    value: str,
    unit: str,
    area: ComparatorArea,
    comparator_value: str,
    direction: Direction,
    source: str | None,
    cited: str | None,
    year: str | None,
    measure: str,
) -> None:
    found = [
        r
        for r in matching(statistics(FULL_REPORT), value, comparator_value)
        if r.comparator == area
    ]
    assert len(found) == 1
    r = found[0]
    assert (r.unit, r.direction, r.source, r.source_text, r.period, r.measure) == (
        unit, direction, source, cited, year, measure
    )  # fmt: skip


def test_value_in_the_previous_sentence() -> None:
    """ "... 66.11% of people felt they were given choice over services. This was slightly lower
    than the England average of 69.81% (ASCS, 2023)." and the "statistically comparable" one."""
    found = matching(statistics(FULL_REPORT), "66.11", "69.81")
    assert [(r.direction, r.period, r.quality_statement) for r in found] == [
        (LO, "2023", "assessing-needs"),
        (SIM, "2023", "care-provision-integration-and-continuity"),
    ]
    assert "This was slightly lower" in found[0].anchors[0].exact
    assert found[0].anchors[0].exact.startswith("National data showed that 66.11%")


def test_citation_in_a_later_sentence_gets_its_own_anchor() -> None:
    (r,) = matching(statistics(FULL_REPORT), "55.98", "61.21")
    assert "(Adult Social Care Survey" not in r.anchors[0].exact
    assert r.anchors[1].exact == "Adult Social Care Survey, 2023, ASCS"


def test_turnover_against_london_is_stated_twice() -> None:
    found = matching(statistics(FULL_REPORT), "5.3", "13")
    assert [(r.comparator, r.direction) for r in found] == [(L, LO), (L, LO)]
    assert {r.quality_statement for r in found} == {
        "governance-management-and-sustainability",
        "learning-improvement-and-innovation",
    }


def test_measure_label_is_the_reports_wording() -> None:
    (r,) = matching(statistics(FULL_REPORT), "71.53", "87.12")
    assert r.measure_label == (
        "people who use services who say that those services have made them feel safe"
    )
    (r,) = matching(statistics(FULL_REPORT), "55.98", "61.21")
    assert r.measure_label == "people were satisfied with the care and support in Westminster"


def test_westminster_full_report_count() -> None:
    """The 15 above, 66.11% twice, 5.3% against London twice, 90.90% against 77.55%."""
    assert len(statistics(FULL_REPORT)) == 20


def test_camden_parenthesised_and_unstated_directions() -> None:
    records = statistics(SOURCES / "camden" / "camden-0225.txt")
    got = {(r.value, r.comparator, r.comparator_value, r.direction) for r in records}
    assert got == {
        (Decimal("40"), E, Decimal("19"), HI),  # "more ethnically diverse than ... (19%) with 40%"
        (Decimal("17"), N, Decimal("14"), HI),  # "in comparison to": computed
        (Decimal("15.2"), N, Decimal("17.3"), LO),  # "fewer disabled people (15.2%) ... than"
        (Decimal("35"), L, Decimal("30"), HI),
    }
    assert all(r.source is None and r.period is None for r in records)


@pytest.mark.parametrize(
    "path",
    [
        SOURCES / "birmingham" / "birmingham-cc-3-safety-within-system-safeguarding.txt",
        SOURCES / "hammersmith-and-fulham" / "hammersmithfulham-0525-theme1-support.txt",
        SOURCES / "westminster-2024" / "qs-equity-experience-outcomes.txt",
    ],
)
def test_no_statistic_without_a_numeric_comparator(path: Path) -> None:
    """Birmingham's "in line with national averages" has no numbers; a suicide rate that is
    "the highest in London" has no comparator value."""
    assert statistics(path) == ()


@pytest.mark.parametrize(
    "sentence_start",
    [
        "The local authority's Five-year Reablement Strategy",  # 84%, no comparator
        "They told us that there was a rise in workforce",  # 77% compared to 42% 6 years ago
        "Nursing homes were rated 65.50% as Good",
        "The CQC ratings of home care services",
        "In 2022–2023 the local authority received a total of 545",
    ],
)
def test_sentences_without_a_comparator_give_nothing(sentence_start: str) -> None:
    doc = document(FULL_REPORT)
    (sentence,) = [s for s in doc.sentences if s.text.startswith(sentence_start)]
    for r in statistics(FULL_REPORT):
        assert all(a.end <= sentence.start or a.start >= sentence.end for a in r.anchors)


def test_every_anchor_is_exact_and_shows_its_numbers() -> None:
    for path in sorted(SOURCES.rglob("*.*")):
        if path.name == "README.md":
            continue
        doc = document(path)
        for r in statistics(path):
            main = r.anchors[0]
            assert doc.text[main.start : main.end] == main.exact
            values = {(q.value, q.unit) for q in find_quantities(main.exact)}
            assert (r.value, r.unit) in values
            assert r.comparator_value in {v for v, _ in values}
            assert re.search(r"(?i)(England|national|London|regional)\s+(average|rate)", main.exact)
            for a in r.anchors[1:]:
                assert doc.text[a.start : a.end] == a.exact
