"""Strategies, plans, programmes, projects, funds, protocols and visions on the real corpus.

Expected values are typed from reading the reports, not from the extractor's output.
"""

from __future__ import annotations

from functools import cache

import pytest

from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.paths import sources_dir
from cqckg.core.vocabulary import load_vocabulary
from cqckg.extract.partners import extract_partners
from cqckg.extract.records import StrategyRecord
from cqckg.extract.strategies import (
    co_producers_in,
    extract_strategies,
    find_titles,
    merge_strategies,
)
from cqckg.read import read_document
from cqckg.read.model import Document

WESTMINSTER = "westminster-2024/full-report.md"


@cache
def document(path: str) -> Document:
    return read_document(sources_dir() / path)


@cache
def strategies(path: str) -> tuple[StrategyRecord, ...]:
    doc = document(path)
    vocab = load_vocabulary()
    partners = extract_partners(doc, vocab, AuthorityRegistry.load())
    return tuple(extract_strategies(doc, vocab, partners))


def find(path: str, title: str) -> StrategyRecord:
    """The one record whose title or alternative title is ``title``."""
    hits = [r for r in strategies(path) if title in (r.title, *r.alt_titles)]
    assert len(hits) == 1, (title, [r.title for r in strategies(path)])
    return hits[0]


@pytest.mark.parametrize(
    ("title", "kind", "start", "end"),
    [
        ("Carers Strategy 2023-2028", "strategy", 2023, 2028),
        ("Joint Health and Wellbeing Strategy 2023-33", "strategy", 2023, 2033),
        ("Adult Social Care Digital Plan 2024-2027", "plan", 2024, 2027),
        ("Five-year Reablement Strategy", "strategy", None, None),
        ("#2035 project", "project", None, None),
        ("Healthy Community Fund", "fund", None, None),
        ("Community Health Workers Project", "project", None, None),
        ("Community Equity Strategy", "strategy", None, None),
        ("Fairer Westminster vision", "vision", None, None),
        ("Market Position Statement 2024", "statement", 2024, None),
        ("Older People Extra Care Housing Commissioning Strategy 2023", "strategy", 2023, None),
        ("Learning Disabilities Accommodation Commissioning Strategy", "strategy", None, None),
        ("Suicide Prevention Strategy 2022-2025", "strategy", 2022, 2025),
        ("Blue Light Protocol", "protocol", None, None),
        ("Supplemental Substance Misuse Treatment and Recovery Grant", "grant", None, None),
        ("Rough Sleeping Drug and Alcohol Treatment Grant", "grant", None, None),
        ("Winter plan for 2023-2024", "plan", 2023, 2024),
        ("Provider Services Business Continuity Plan", "plan", None, None),
        ("Preparing for Adulthood Protocol", "protocol", None, None),
        ("Safeguarding Adults Executive Board Strategy 2022-25", "strategy", 2022, 2025),
        ("Learning Disability Plan", "plan", None, None),
        ("Market Sustainability plan", "plan", None, None),
        ("Homecare Transformation Programme", "programme", None, None),
        ("Quality Assurance Framework", "framework", None, None),
        ("Suicide Safer Community's Programme", "programme", None, None),
        ("Staying Safe Project", "project", None, None),
        ("Carers Found", "project", None, None),
        ("Transformation Project", "project", None, None),
        ("Safeguarding Adults Audit Protocol", "protocol", None, None),
        ("S75 Partnership Agreement", "partnership-agreement", None, None),
        ("Community Hubs programme", "programme", None, None),
    ],
)
def test_westminster_strategies(title: str, kind: str, start: int | None, end: int | None) -> None:
    r = find(WESTMINSTER, title)
    assert (r.kind, r.start_year, r.end_year) == (kind, start, end)


def test_variants_are_merged() -> None:
    hwb = find(WESTMINSTER, "Joint Health and Wellbeing Strategy 2023-33")
    for variant in (
        "Joint Health and Wellbeing Strategy 2023-2033",
        "Health and Wellbeing Strategy 2023-2033",
        "Health and Wellbeing Strategy",
    ):
        assert find(WESTMINSTER, variant) is hwb
    carers = find(WESTMINSTER, "Carers Strategy 2023-2028")
    assert find(WESTMINSTER, "carers strategy") is carers
    assert find(WESTMINSTER, "Carers Strategy") is carers
    assert find(WESTMINSTER, "suicide safer communities programme") is find(
        WESTMINSTER, "Suicide Safer Community's Programme"
    )
    assert find(WESTMINSTER, "Healthy Communities Fund") is find(
        WESTMINSTER, "Healthy Community Fund"
    )


def test_anchors_are_the_sentences_naming_the_strategy() -> None:
    doc = document(WESTMINSTER)
    r = find(WESTMINSTER, "Blue Light Protocol")
    (a,) = r.anchors
    assert a.exact == doc.text[a.start : a.end]
    assert a.exact.startswith("The local authority partnered with Alcohol Change UK")
    carers = find(WESTMINSTER, "Carers Strategy 2023-2028")
    assert len(carers.anchors) >= 5
    for a in carers.anchors:
        quote = doc.text[a.start : a.end]
        # a co-production sentence refers back to the strategy of its passage
        assert "carers strategy" in quote.casefold() or quote.startswith("This strategy")


def test_co_producers() -> None:
    hwb = find(WESTMINSTER, "Joint Health and Wellbeing Strategy 2023-33")
    assert {"people", "voluntary sector organisations", "partners"} <= set(hwb.co_producers)
    ld = find(WESTMINSTER, "Learning Disability Plan")
    assert {"Make it Happen", "Pursuing Independent Paths", "Full of Life"} <= set(ld.co_producers)
    assert any("Advocacy Project" in c for c in ld.co_producers)
    assert "providers" in find(WESTMINSTER, "Carers Strategy 2023-2028").co_producers


def test_partner_names_are_not_strategies() -> None:
    titles = {t for r in strategies(WESTMINSTER) for t in (r.title, *r.alt_titles)}
    assert not any("Advocacy Project" in t for t in titles)


@pytest.mark.parametrize(
    "sentence",
    [
        "This was evidenced in a number of strategies which were co-produced with staff.",
        "As part of the local authority's improvement plans, they intended to develop a process.",
        "Using a less intrusive approach, the person's care plan included the support of a carer.",
        "People told us that their support plan had been tailored carefully for their needs.",
        "The local authority created an action plan to address the concerns raised.",
        "The plan included safety planning around the cost-of-living crisis.",
        "This had informed the development of Pathway 1 and Pathway 3.",
        "Commissioning strategies were aligned with the strategic objectives of partner agencies.",
        "Providers told us they had been consulted on commissioning plans and strategies.",
        "The team explained that when a young person was on a child protection plan, they were "
        "seen as priority.",
        "To support young people who had an Education, Health, and Social Care Plan with "
        "transitions to adulthood.",
        "As part of the local authority improvement plan, there was focus on safeguarding.",
    ],
)
def test_generic_nouns_are_not_strategies(sentence: str) -> None:
    assert find_titles(sentence) == []


def test_other_councils() -> None:
    hf = "hammersmith-and-fulham/hammersmithfulham-0525-theme1-support.txt"
    r = find(hf, "Health and Wellbeing Strategy 2024 to 2029")
    assert (r.start_year, r.end_year) == (2024, 2029)
    assert find(hf, "Health and Wellbeing Strategy") is r
    care = "hammersmith-and-fulham/hammersmithfulham-0525-theme2-care.txt"
    assert find(care, "Market Sustainability Plan").alt_titles[:1] == ("MSP",)
    equity = "hammersmith-and-fulham/hammersmithfulham-0525-theme1-equity.txt"
    plan = find(equity, "corporate equality plan for 2021-25")
    assert (plan.kind, plan.start_year, plan.end_year) == ("plan", 2021, 2025)
    partnerships = "hammersmith-and-fulham/hammersmithfulham-0525-theme2-partnerships.txt"
    vision = find(partnerships, "Integrated Care System Vision 2023")
    assert (vision.kind, vision.start_year) == ("vision", 2023)
    learning = "hammersmith-and-fulham/hammersmithfulham-0525-theme4-learning.txt"
    assert find(learning, "Think Ahead programme").kind == "programme"
    assert find(learning, "workforce strategy").kind == "strategy"
    summary = "birmingham/birmingham-cc-overall-summary.txt"
    assert find(summary, "Owning and Driving Performance").kind == "programme"


def test_merge_across_documents_keeps_editions_apart() -> None:
    old = StrategyRecord("Carers Strategy 2018-2022", "strategy", 2018, 2022, ())
    new = StrategyRecord("Carers Strategy 2023-2028", "strategy", 2023, 2028, ())
    bare = StrategyRecord("the Carers Strategy", "strategy", None, None, ())
    merged = merge_strategies([old, bare, new])
    assert [(r.title, r.alt_titles) for r in merged] == [
        ("Carers Strategy 2018-2022", ()),
        ("Carers Strategy 2023-2028", ("the Carers Strategy",)),
    ]


def test_co_producers_in_sentence() -> None:
    assert co_producers_in(
        "This strategy was co-produced with people, unpaid carers and partners."
    ) == (
        "people",
        "unpaid carers",
        "partners",
    )
    assert co_producers_in("Staff told us that the ethos of co-production had been embedded.") == ()


@pytest.mark.parametrize(
    ("sentence", "title", "years"),
    [
        # Haringey: a title going on "for" capitalised words, years in brackets
        (
            "and this was reflected in the Commissioning Strategy for Adult Social Care "
            "(2024-2029).",
            "Commissioning Strategy for Adult Social Care 2024-2029",
            (2024, 2029),
        ),
        # Haringey: a lower-case title dated in brackets, four words before its head
        (
            "The adult social care prevention strategy (2024-2026) was clear and concise but was "
            "not recorded as being coproduced.",
            "adult social care prevention strategy (2024-2026)",
            (2024, 2026),
        ),
    ],
)
def test_titles_going_on_after_the_head_or_dated_in_brackets(
    sentence: str, title: str, years: tuple[int, int]
) -> None:
    (m,) = find_titles(sentence)
    assert (m.title, (m.start_year, m.end_year)) == (title, years)
    assert not find_titles("The Director of Public Health agreed.")
