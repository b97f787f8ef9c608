"""The scorer, tried on hand-made records against the real Westminster annotation."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from evaluate import (
    document_sha256,
    evaluate,
    name_keys,
    overall,
    partner_type_in_vocabulary,
    quote_span,
)

from cqckg.extract.records import (
    AddressingLinkRecord,
    Anchor,
    ComparatorArea,
    Direction,
    Extraction,
    FindingKind,
    FindingRecord,
    FrameworkStatementRecord,
    GapKind,
    LinkBasis,
    PartnerOrganisationRecord,
    RatingRecord,
    StatementScoreRecord,
    StatisticRecord,
    StrategyRecord,
)

ROOT = Path(__file__).resolve().parent.parent.parent
ANN_PATH = ROOT / "tests" / "data" / "annotations" / "westminster-2024-full-report.json"
DOC_PATH = ROOT / "graph" / "sources" / "westminster-2024" / "full-report.md"


@pytest.fixture(scope="module")
def ann() -> dict[str, Any]:
    return json.loads(ANN_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def text() -> str:
    return DOC_PATH.read_bytes().decode("utf-8")


def _anchor(text: str, quote: str, occurrence: int | None = None) -> Anchor:
    start, end = quote_span(text, quote, occurrence)
    return Anchor(document_sha256(text), start, end, quote)


def perfect(ann: dict[str, Any], text: str) -> Extraction:
    """What a flawless extractor would return, built from the annotation itself."""

    def firm(it: dict[str, Any]) -> bool:
        return not it.get("borderline")

    a = _anchor
    ex = Extraction()
    ex.rating = RatingRecord(ann["rating"], False, (a(text, ann["rating_quote"]),))
    ex.scores = [
        StatementScoreRecord(qs, n, False, (a(text, "Score: 3", 0),))
        for qs, n in ann["scores"].items()
    ]
    for s in filter(firm, ann["statistics"]):
        ex.statistics.append(
            StatisticRecord(
                None,
                s["measure"],
                Decimal(s["value"]),
                s["unit"],
                ComparatorArea(s["comparator"]),
                Decimal(s["comparator_value"]),
                Direction(s["direction"]),
                s["source"],
                s["source_text"],
                s["year"],
                s["quality_statement"],
                (a(text, s["quote"], s.get("occurrence")),),
            )
        )
    for s in filter(firm, ann["strategies"]):
        ex.strategies.append(
            StrategyRecord(
                s["title"], s["kind"], s["start_year"], s["end_year"], (a(text, s["quote"]),)
            )
        )
    for p in filter(firm, ann["partners"]):
        # a perfect extractor types partners with the partner-type vocabulary's slugs
        kind = partner_type_in_vocabulary(p["partner_type"]) or p["partner_type"]
        ex.partners.append(PartnerOrganisationRecord(p["name"], kind, (a(text, p["quote"]),)))
    for g in filter(firm, ann["gaps"]):
        ex.findings.append(
            FindingRecord(
                FindingKind.GAP,
                g["quote"],
                g["quality_statement"],
                None,
                tuple(g["topics"]),
                (a(text, g["quote"], g.get("occurrence")),),
                GapKind(g["gap_kind"]),
            )
        )
    for s in ann["strengths"]:
        ex.findings.append(
            FindingRecord(
                FindingKind.STRENGTH,
                s["quote"],
                s["quality_statement"],
                None,
                (),
                (a(text, s["quote"]),),
            )
        )
    for link in filter(firm, ann["links"]):
        ex.links.append(
            AddressingLinkRecord(link["strategy"], link["gap"], LinkBasis(link["basis"]), 0.9, ())
        )
    for st in ann["statement_texts"]:
        ex.framework_statements.append(
            FrameworkStatementRecord(
                st["quality_statement"],
                st["person"],
                st["text"],
                (a(text, st["quote"], st.get("occurrence")),),
            )
        )
    return ex


def test_a_perfect_extraction_scores_one_everywhere(ann: dict[str, Any], text: str) -> None:
    report = evaluate(perfect(ann, text), ann, text)
    for kind, score in report.kinds.items():
        assert score.fp == 0 and score.fn == 0, (kind, score.misses, score.false_positives)
        assert score.precision == 1.0, kind
        assert score.recall == 1.0, kind
        assert score.exact == score.tp, kind
        assert score.duplicates == 0, kind


def test_an_empty_extraction_misses_everything_firm(ann: dict[str, Any], text: str) -> None:
    report = evaluate(Extraction(), ann, text)
    firm = sum(not s.get("borderline") for s in ann["statistics"])
    assert report.kinds["statistics"].fn == firm
    assert report.kinds["statistics"].precision is None
    assert report.kinds["scores"].fn == 9
    assert report.kinds["rating"].fn == 1


def test_statistics_match_on_values_and_check_the_rest_for_exact(
    ann: dict[str, Any], text: str
) -> None:
    ex = perfect(ann, text)
    first = ex.statistics[0]
    ex.statistics[0] = StatisticRecord(
        None,
        "satisfaction",
        Decimal("55.980"),  # trailing zero: the same decimal
        "percent",
        ComparatorArea.ENGLAND,
        Decimal("61.21"),
        Direction.HIGHER,  # wrong direction: still a match, but not exact
        "ascs",
        None,
        "2023",
        None,
        first.anchors,
    )
    ex.statistics.append(
        StatisticRecord(
            None,
            "invented",
            Decimal("12.5"),
            "percent",
            None,
            Decimal("10"),
            None,
            None,
            None,
            None,
            None,
            first.anchors,
        )
    )
    s = evaluate(ex, ann, text).kinds["statistics"]
    assert s.fn == 0 and s.fp == 1 and s.exact == s.tp - 1


def test_a_figure_stated_twice_pairs_with_its_own_sentence(ann: dict[str, Any], text: str) -> None:
    """66.11% vs 69.81% appears under two quality statements; both are found, none twice."""
    repeated = [s for s in ann["statistics"] if s["value"] == "66.11"]
    assert len(repeated) == 2
    ex = perfect(ann, text)
    s = evaluate(ex, ann, text).kinds["statistics"]
    assert s.tp == sum(not x.get("borderline") for x in ann["statistics"]) and s.duplicates == 0
    ex.statistics.append(ex.statistics[0])
    assert evaluate(ex, ann, text).kinds["statistics"].duplicates == 1


def test_strategy_variants_and_year_forms_match(ann: dict[str, Any], text: str) -> None:
    anchor = _anchor(text, "Health and Wellbeing Strategy 2023-2033", 0)
    for title in (
        "Health and Wellbeing Strategy 2023-2033",
        "joint health and wellbeing strategy 2023–2033",
        "Joint Health and Wellbeing Strategy 2023 to 2033",
    ):
        ex = Extraction(strategies=[StrategyRecord(title, "strategy", 2023, 2033, (anchor,))])
        s = evaluate(ex, ann, text).kinds["strategies"]
        assert (s.tp, s.fp) == (1, 0), title
    ex = Extraction(
        strategies=[
            StrategyRecord(
                "Health and Wellbeing Strategy 2023-2033", "strategy", 2023, 2033, (anchor,)
            ),
            StrategyRecord(
                "Joint Health and Wellbeing Strategy 2023-33", "strategy", 2023, 2033, (anchor,)
            ),
        ]
    )
    s = evaluate(ex, ann, text).kinds["strategies"]
    assert (s.tp, s.fp, s.duplicates) == (1, 0, 1)


def test_generic_names_are_false_positives_and_borderline_ones_are_ignored(
    ann: dict[str, Any], text: str
) -> None:
    anchor = _anchor(text, "The local authority worked closely with Healthwatch.")
    ex = Extraction(
        partners=[
            PartnerOrganisationRecord("Healthwatch", "healthwatch", (anchor,)),
            PartnerOrganisationRecord("partners", "other", (anchor,)),
            PartnerOrganisationRecord(
                "Voluntary and Community Sector (VCS)", "voluntary-sector", (anchor,)
            ),
            PartnerOrganisationRecord("CNWL", "nhs-trust", (anchor,)),
        ]
    )
    s = evaluate(ex, ann, text).kinds["partners"]
    assert (s.tp, s.fp, s.ignored) == (2, 1, 1)
    assert s.false_positives == ["partners"]


def test_gaps_match_by_overlap_and_strengths_on_gaps_are_false(
    ann: dict[str, Any], text: str
) -> None:
    sha = document_sha256(text)
    quote = "Staff raised some stock-related challenges around waiting for equipment"
    start, end = quote_span(text, quote)
    part = Anchor(sha, start + 6, end, text[start + 6 : end])  # a part of the sentence
    gap = FindingRecord(FindingKind.GAP, part.exact, None, None, (), (part,), GapKind.WAITING)
    as_strength = FindingRecord(FindingKind.STRENGTH, part.exact, None, None, (), (part,))
    report = evaluate(Extraction(findings=[gap, as_strength]), ann, text)
    assert report.kinds["gaps"].tp == 1 and report.kinds["gaps"].exact == 1
    assert report.kinds["strengths"].fp == 1
    # a sentence that is in neither list is unjudged for strengths, a false positive for gaps
    other = _anchor(text, "Safety was a priority for everyone at Westminster.")
    neutral = _anchor(text, "In May 2022 Westminster became a Labour-led council.")
    report = evaluate(
        Extraction(
            findings=[
                FindingRecord(FindingKind.STRENGTH, neutral.exact, None, None, (), (neutral,)),
                FindingRecord(FindingKind.GAP, other.exact, None, None, (), (other,), GapKind.RISK),
            ]
        ),
        ann,
        text,
    )
    assert report.kinds["strengths"].fp == 0 and report.kinds["strengths"].ignored == 1
    assert report.kinds["gaps"].fp == 1


def test_records_anchored_in_other_documents_are_left_out(ann: dict[str, Any], text: str) -> None:
    elsewhere = Anchor("0" * 64, 0, 10, "x")
    ex = Extraction(
        scores=[StatementScoreRecord("assessing-needs", 2, False, (elsewhere,))],
        partners=[PartnerOrganisationRecord("Made Up Trust", "nhs-trust", (elsewhere,))],
    )
    report = evaluate(ex, ann, text)
    assert report.kinds["scores"].fp == 0 and report.kinds["partners"].fp == 0


def test_wrong_score_counts_both_ways(ann: dict[str, Any], text: str) -> None:
    ex = perfect(ann, text)
    ex.scores[0] = StatementScoreRecord(
        ex.scores[0].quality_statement, 2, False, ex.scores[0].anchors
    )
    s = evaluate(ex, ann, text).kinds["scores"]
    assert (s.tp, s.fp, s.fn) == (8, 1, 1)


def test_links_need_the_strategy_and_an_overlapping_gap(ann: dict[str, Any], text: str) -> None:
    link = next(lk for lk in ann["links"] if lk["basis"] == "stated" and not lk.get("borderline"))
    right = AddressingLinkRecord(link["strategy"], link["gap"], LinkBasis.SAME_PASSAGE, 0.5, ())
    wrong_gap = AddressingLinkRecord(
        link["strategy"],
        "Safety was a priority for everyone at Westminster.",
        LinkBasis.STATED,
        0.5,
        (),
    )
    s = evaluate(Extraction(links=[right, wrong_gap]), ann, text).kinds["links"]
    assert (s.tp, s.fp, s.exact) == (1, 1, 0)


def test_links_are_scored_per_basis(ann: dict[str, Any], text: str) -> None:
    # recall by the annotated link's basis, precision by the basis the extractor gave
    firm = [lk for lk in ann["links"] if not lk.get("borderline")]
    stated = [lk for lk in firm if lk["basis"] == "stated"]
    shared = next(lk for lk in firm if lk["basis"] == "shared-topic")
    found = [
        AddressingLinkRecord(stated[0]["strategy"], stated[0]["gap"], LinkBasis.STATED, 0.9, ()),
        # a stated link found, but called same-passage: counts for stated recall, not exact
        AddressingLinkRecord(
            stated[1]["strategy"], stated[1]["gap"], LinkBasis.SAME_PASSAGE, 0.6, ()
        ),
        AddressingLinkRecord(shared["strategy"], shared["gap"], LinkBasis.SHARED_TOPIC, 0.4, ()),
        AddressingLinkRecord(
            shared["strategy"],
            "Safety was a priority for everyone at Westminster.",
            LinkBasis.SHARED_TOPIC,
            0.4,
            (),
        ),
    ]
    s = evaluate(Extraction(links=found), ann, text).kinds["links"]
    assert set(s.by_basis) == {"stated", "same-passage", "shared-topic"}
    st, sp, sh = (s.by_basis[b] for b in ("stated", "same-passage", "shared-topic"))
    assert (st.tp, st.fn, st.exact) == (2, len(stated) - 2, 1)
    assert (st.found, st.fp, st.precision) == (1, 0, 1.0)
    assert (sp.tp, sp.found, sp.fp) == (0, 1, 0)
    assert (sh.tp, sh.found, sh.fp, sh.precision) == (1, 1, 1, 0.5)
    assert sum(b.tp + b.fn for b in s.by_basis.values()) == len(firm)
    assert s.to_dict()["by_basis"]["stated"]["recall"] == pytest.approx(2 / len(stated))
    # summed over documents like the rest
    total = overall([evaluate(Extraction(links=found), ann, text)] * 2)["links"]
    assert total.by_basis["stated"].tp == 4


def test_name_keys_fold_the_usual_variation() -> None:
    assert name_keys(["‘#2035’ project"]) & name_keys(["#2035 Project"])
    assert name_keys(["Carers Strategy 2023-28"]) == name_keys(["Carers Strategy 2023–2028"])
    assert "cnwl" in name_keys(["Central and Northwest London NHS Foundation Trust (CNWL)"])


def test_overall_sums_documents(ann: dict[str, Any], text: str) -> None:
    one = evaluate(perfect(ann, text), ann, text)
    two = evaluate(Extraction(), ann, text)
    total = overall([one, two])["gaps"]
    assert total.precision == 1.0 and total.recall == pytest.approx(0.5)


def test_doctests() -> None:
    import doctest

    import evaluate

    result = doctest.testmod(evaluate)
    assert result.failed == 0 and result.attempted > 10
