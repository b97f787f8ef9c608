"""The cross-council named questions on a fixture of three councils, one reassessed.

tests/data/questions/cross-council.trig holds synthetic scores, gaps, statistics and strategies;
its header tabulates them. Every expected value below is worked out by hand from that table.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from conftest import memory_store, prepare_store, trig_graphs
from cqckg import cli
from cqckg.core.errors import QuestionError
from cqckg.questions import get_question, run_question
from cqckg.store import OxigraphStore

FIXTURE = Path(__file__).parent.parent / "data" / "questions" / "cross-council.trig"

HARTLEPOOL, MIDDLESBROUGH, REDCAR = "E06000001", "E06000002", "E06000003"
NAMES = {
    HARTLEPOOL: "Hartlepool Borough Council",
    MIDDLESBROUGH: "Middlesbrough Borough Council",
    REDCAR: "Redcar and Cleveland Borough Council",
}
# Latest scores in framework order (Middlesbrough's 2024 assessment of all 1s is superseded).
LATEST = {
    HARTLEPOOL: [3, 3, 3, 3, 3, 3, 3, 3, 3],
    MIDDLESBROUGH: [2, 2, 3, 2, 3, 2, 2, 3, 2],
    REDCAR: [3, 3, 2, 3, 3, 3, 3, 2, 3],
}
STATEMENTS = [
    ("How the local authority works with people", "Assessing needs"),
    ("How the local authority works with people", "Supporting people to live healthier lives"),
    ("How the local authority works with people", "Equity in experience and outcomes"),
    ("Providing support", "Care provision, integration and continuity"),
    ("Providing support", "Partnerships and communities"),
    (
        "How the local authority ensures safety within the system",
        "Safe pathways, systems and transitions",
    ),
    ("How the local authority ensures safety within the system", "Safeguarding"),
    ("Leadership", "Governance, management and sustainability"),
    ("Leadership", "Learning, improvement and innovation"),
]
# Means over the three latest assessments: 8/3 = 2.67 except Partnerships (3, 3, 3).
MEANS = [Decimal("2.67")] * 4 + [Decimal(3)] + [Decimal("2.67")] * 4


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    return memory_store(FIXTURE)


def test_scores_vs_mean_uses_each_councils_latest_assessment(store: OxigraphStore) -> None:
    rows = run_question(store, "scores-vs-mean").rows
    expected = []
    for gss in (HARTLEPOOL, MIDDLESBROUGH, REDCAR):
        for (theme, statement), score, mean in zip(STATEMENTS, LATEST[gss], MEANS, strict=True):
            # score - 8/3 is +1/3 or -2/3, rounded to 2 places; 0 where everyone scored 3.
            difference = {3: Decimal("0.33"), 2: Decimal("-0.67")}[score]
            if mean == 3:
                difference = Decimal(0)
            expected.append((gss, theme, statement, score, mean, difference))
    assert list(rows) == expected


def test_scores_vs_mean_for_one_council_still_averages_over_all(store: OxigraphStore) -> None:
    rows = run_question(store, "scores-vs-mean", {"authority": MIDDLESBROUGH}).rows
    assert [r[0] for r in rows] == [MIDDLESBROUGH] * 9
    assert [r[4] for r in rows] == MEANS


SIMILARITY = (
    "score_distance: L1 (sum of absolute score differences over shared quality statements); "
    "gap_topic_jaccard: shared gap topics / gap topics of either"
)


def test_similar_councils_by_score_distance_and_gap_topics(store: OxigraphStore) -> None:
    # L1: H-M 6, H-R 2, M-R 8. Gap topics: H {waiting, carers}, M {waiting, carers,
    # safeguarding}, R {equipment, waiting}: Jaccard H-M 2/3, H-R 1/3, M-R 1/4.
    rows = run_question(store, "similar-councils").rows
    both, waiting = "Unpaid carers; Waiting lists", "Waiting lists"
    assert list(rows) == [
        (HARTLEPOOL, REDCAR, NAMES[REDCAR], 2, waiting, Decimal("0.33"), SIMILARITY),
        (HARTLEPOOL, MIDDLESBROUGH, NAMES[MIDDLESBROUGH], 6, both, Decimal("0.67"), SIMILARITY),
        (MIDDLESBROUGH, HARTLEPOOL, NAMES[HARTLEPOOL], 6, both, Decimal("0.67"), SIMILARITY),
        (MIDDLESBROUGH, REDCAR, NAMES[REDCAR], 8, waiting, Decimal("0.25"), SIMILARITY),
        (REDCAR, HARTLEPOOL, NAMES[HARTLEPOOL], 2, waiting, Decimal("0.33"), SIMILARITY),
        (REDCAR, MIDDLESBROUGH, NAMES[MIDDLESBROUGH], 8, waiting, Decimal("0.25"), SIMILARITY),
    ]


def test_similar_councils_distance_matches_a_python_computation(store: OxigraphStore) -> None:
    for row in run_question(store, "similar-councils").records():
        a, b = LATEST[str(row["authority_gss"])], LATEST[str(row["other_gss"])]
        assert row["score_distance"] == sum(abs(x - y) for x, y in zip(a, b, strict=True))


def test_statistic_across_councils_for_one_measure(store: OxigraphStore) -> None:
    rows = run_question(store, "statistic-across-councils", {"measure": "ascs-feel-safe"}).rows
    safe, pct, england = "People who feel safe", "Percent", "England average"
    assert list(rows) == [
        (
            safe,
            HARTLEPOOL,
            NAMES[HARTLEPOOL],
            Decimal("70.5"),
            pct,
            england,
            Decimal("69.7"),
            "Higher",
            "2023",
        ),
        (
            safe,
            MIDDLESBROUGH,
            NAMES[MIDDLESBROUGH],
            Decimal(60),
            pct,
            england,
            Decimal(68),
            "Lower",
            "2022",
        ),
        (
            safe,
            MIDDLESBROUGH,
            NAMES[MIDDLESBROUGH],
            Decimal(65),
            pct,
            england,
            Decimal("69.7"),
            "Lower",
            "2023",
        ),
    ]


def test_statistic_across_councils_leaves_out_measures_minted_in_one_assessment(
    store: OxigraphStore,
) -> None:
    rows = run_question(store, "statistic-across-councils").records()
    assert {r["measure"] for r in rows} == {
        "People who feel safe",
        "Carers satisfied with social services",
    }
    assert REDCAR not in {r["authority_gss"] for r in rows}


def test_statistic_across_councils_with_both_filters(store: OxigraphStore) -> None:
    params = {"measure": "carers-satisfaction", "authority": MIDDLESBROUGH}
    rows = run_question(store, "statistic-across-councils", params).records()
    assert [(r["value"], r["comparator_value"], r["direction"]) for r in rows] == [
        (Decimal("40.1"), Decimal("36.3"), "Higher")
    ]
    assert run_question(store, "statistic-across-councils", {"measure": "no-such"}).rows == ()


@pytest.mark.parametrize("slug", ["Ascs-Feel-Safe", "a b", "x/../y", "", "-a"])
def test_a_malformed_measure_slug_is_refused(slug: str) -> None:
    with pytest.raises(QuestionError, match="measure slug"):
        get_question("statistic-across-councils").bind({"measure": slug})


def test_strategies_by_topic_pairs_councils_on_a_shared_topic(store: OxigraphStore) -> None:
    # Only unpaid carers has strategies of two councils; safeguarding and equipment have one.
    assert list(run_question(store, "strategies-by-topic").rows) == [
        ("Unpaid carers", HARTLEPOOL, "Carers Strategy 2023-2027", "Strategy", "2023", "2027"),
        ("Unpaid carers", MIDDLESBROUGH, "Carers Plan 2024-2026", "Plan", "2024", "2026"),
    ]
    assert run_question(store, "strategies-by-topic", {"authority": REDCAR}).rows == ()


@pytest.mark.parametrize(
    "name",
    ["scores-vs-mean", "similar-councils", "statistic-across-councils", "strategies-by-topic"],
)
@pytest.mark.parametrize("gss", [HARTLEPOOL, MIDDLESBROUGH, REDCAR])
def test_the_council_filter_picks_that_councils_rows(
    store: OxigraphStore, name: str, gss: str
) -> None:
    everything = run_question(store, name).records()
    assert run_question(store, name, {"authority": gss}).records() == [
        r for r in everything if r["authority_gss"] == gss
    ]


def test_cli_takes_a_measure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "store"
    prepare_store(folder, trig_graphs(FIXTURE))
    argv = ["question", "statistic-across-councils", "--measure", "ascs-feel-safe"]
    assert cli.main([*argv, "--format", "csv", "--store", str(folder)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (
        lines[0]
        == "measure,authority_gss,authority,value,unit,comparator,comparator_value,direction,year"
    )
    assert len(lines) == 4
