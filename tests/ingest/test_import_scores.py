"""import-scores: a ratings table becomes assessments anchored to its rows; names matched as
ingestion matches them; unreadable rows refused one by one; reconciled with report-extracted
scores (equal values keep both anchors, different ones are conflicts and disagreements)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cqckg import cli
from cqckg.core.namespaces import CQC
from cqckg.core.paths import sources_dir
from cqckg.ingest.scores_table import import_scores
from cqckg.ingest.verify import verify_store
from cqckg.questions import run_question
from cqckg.store import OxigraphStore
from cqckg.store.load import load_shipped_graph

SAMPLE = Path(__file__).parent.parent / "data" / "ratings-sample.csv"
HEADER = (
    "council,published,overall rating,assessing-needs,supporting-people-to-live-healthier-lives,"
    "equity-in-experience-and-outcomes,care-provision-integration-and-continuity,"
    "partnerships-and-communities,safe-pathways-systems-and-transitions,safeguarding,"
    "governance-management-and-sustainability,learning-improvement-and-innovation,pilot\n"
)
WESTMINSTER = "E09000033"


@pytest.fixture(scope="module")
def imported() -> OxigraphStore:
    store = OxigraphStore(None)
    result = import_scores(SAMPLE, store, rel="ratings-sample.csv")
    assert (len(result.imported), result.refused, result.conflicts) == (8, [], [])
    return store


def test_every_spelling_resolves_to_its_council(imported: OxigraphStore) -> None:
    # percentages as CQC shows them: the sum over 4 x statements scored, rounded up
    rows = run_question(imported, "assessments").rows
    assert [(r[0], r[2], r[3], r[4], r[5], r[6]) for r in rows] == [
        ("E06000001", "2024-05-10", "formal", "good", Decimal(75), 9),
        ("E06000002", "2025-01-15", "formal", "requires-improvement", Decimal(59), 9),
        ("E06000003", "2024-09-20", "formal", "good", Decimal(70), 9),
        ("E06000004", "2024-03-01", "formal", "outstanding", Decimal(98), 9),
        ("E06000010", "2023-10-20", "pilot", "good", Decimal(70), 5),
        ("E09000013", "2025-05-09", "formal", "requires-improvement", Decimal(53), 9),
        ("E09000020", "2024-12-02", "formal", "inadequate", Decimal(34), 9),
        (WESTMINSTER, "2024-11-08", "formal", "good", Decimal(75), 9),
    ]


def test_a_pilot_row_gives_indicative_scores(imported: OxigraphStore) -> None:
    rows = run_question(imported, "scores", {"authority": "E06000010"}).records()
    assert {str(r["quality_statement"]): (r["score"], r["indicative"]) for r in rows} == {
        "assessing-needs": (3, True),
        "supporting-people-to-live-healthier-lives": (2, True),
        "equity-in-experience-and-outcomes": (3, True),
        "partnerships-and-communities": (3, True),
        "safe-pathways-systems-and-transitions": (3, True),
    }


def test_every_fact_is_anchored_to_its_row_and_verifies(imported: OxigraphStore) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    query = f"""
        PREFIX cqc: <{CQC}> PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?exact ?start WHERE {{
          ?score a cqc:StatementScore ; cqc:anchor ?a .
          ?a oa:hasSelector [ oa:exact ?exact ] , [ oa:start ?start ] .
        }}"""
    rows = imported.select(query)
    assert len(rows) == 9 * 7 + 5
    for row in rows:
        start, exact = int(row["start"].value), row["exact"].value  # type: ignore[union-attr]
        assert text[start : start + len(exact)] == exact and "," in exact
    report = verify_store(imported)
    assert report.ok, report.problems
    assert report.documents == 1


def test_importing_again_changes_nothing(imported: OxigraphStore) -> None:
    before = imported.dump_nquads()
    import_scores(SAMPLE, imported, rel="ratings-sample.csv")
    assert sorted(imported.dump_nquads().splitlines()) == sorted(before.splitlines())


def test_unreadable_rows_are_refused_one_by_one(tmp_path: Path) -> None:
    table = tmp_path / "ratings.csv"
    table.write_text(
        HEADER
        + "Nowhere Borough Council,2024-01-01,Good,3,3,3,3,3,3,3,3,3,no\n"
        + "Hartlepool,2024-13-45,Good,3,3,3,3,3,3,3,3,3,no\n"
        + "Hartlepool,2024-01-01,Brilliant,3,3,3,3,3,3,3,3,3,no\n"
        + "Hartlepool,2024-01-01,Good,3,3,5,3,3,3,3,3,3,no\n"
        + "Hartlepool,2024-01-01,Good,3,3,3,3,3,3,3,3,3,maybe\n"
        + "Hartlepool,2024-01-01,Outstanding,1,1,1,1,1,1,1,1,1,no\n"
        + "Middlesbrough,2024-01-01,Good,3,3,3,3,3,3,3,3,3,no\n"
    )
    store = OxigraphStore(None)
    result = import_scores(table, store)
    assert [r.gss for r in result.imported] == ["E06000002"]
    messages = [m.split(": ", 1)[1] for m in result.refused]
    assert [m.split(":")[0] for m in result.refused] == [str(table)] * 6
    assert [m.split(":")[1] for m in result.refused] == ["2", "3", "4", "5", "6", "7"]
    assert messages[0] == "no council matches 'Nowhere Borough Council'"
    assert "is not YYYY-MM-DD" in messages[1]
    assert "overall rating 'Brilliant'" in messages[2]
    assert "equity-in-experience-and-outcomes score '5'" in messages[3]
    assert "pilot flag 'maybe'" in messages[4]
    assert "SHACL" in messages[5]  # an Outstanding rating for 25 %
    # Middlesbrough's assessment, the table's text and the ratings-table document kind.
    assert len(store.named_graphs()) == 3


def test_a_bad_header_stops_the_import(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("council,published,colour\nHartlepool,2024-01-01,blue\n")
    assert cli.main(["import-scores", str(table), "--store", ":memory:"]) == 2


# --- reconciled with scores extracted from the reports ----------------------------------------


@pytest.fixture(scope="module")
def with_reports() -> OxigraphStore:
    """The shipped graph (assessments extracted from the reports); the tests below run in
    order on it: first a table agreeing with the reports, then one that does not."""
    store = OxigraphStore(None)
    load_shipped_graph(store)
    return store


def test_equal_values_keep_both_anchors(with_reports: OxigraphStore) -> None:
    score = f"https://w3id.org/cqc-kg/id/assessment/{WESTMINSTER}/2024-11-08/score/safeguarding"
    query = f"""PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX cqc: <{CQC}>
        SELECT DISTINCT ?path WHERE {{ <{score}> cqc:anchor/oa:hasSource/cqc:sourcePath ?path }}
        ORDER BY ?path"""
    before = [r["path"].value for r in with_reports.select(query)]  # type: ignore[union-attr]
    result = import_scores(SAMPLE, with_reports, rel="ratings-sample.csv")
    assert result.conflicts == [] and result.refused == []
    after = [r["path"].value for r in with_reports.select(query)]  # type: ignore[union-attr]
    assert after == sorted([*before, "ratings-sample.csv"])
    assert run_question(with_reports, "scores", {"authority": WESTMINSTER}).rows[0][4] == 3
    assert verify_store(with_reports, sources_dir()).ok


def test_different_values_are_conflicts_and_the_report_wins(
    with_reports: OxigraphStore, tmp_path: Path
) -> None:
    table = tmp_path / "ratings.csv"
    table.write_text(HEADER + "City of Westminster,2024-11-08,Good,3,3,3,3,3,3,2,3,3,no\n")
    result = import_scores(table, with_reports, rel="ratings.csv")
    assert [str(c) for c in result.conflicts] == [
        "line 2: E09000033 2024-11-08: the score of safeguarding: the table says 2, "
        "the graph (kept) says 3"
    ]
    scores = run_question(with_reports, "scores", {"authority": WESTMINSTER}).records()
    assert {r["score"] for r in scores} == {3}
    query = f"SELECT ?v WHERE {{ ?a <{CQC}disagreement>/<{CQC}statedValue> ?v }} ORDER BY ?v"
    stated = with_reports.select(query)
    values = [r["v"].value for r in stated]  # type: ignore[union-attr]
    assert values[0] == "2 @ ratings.csv:2"
    # Where the kept value is stated: the report's documents (and the table imported before).
    assert values[1].startswith("3 @ ") and "westminster-2024/full-report.md" in values[1]
    # The table's row still anchors the rating it agrees on, not the score it contradicts.
    anchors = with_reports.select(
        f"""PREFIX cqc: <{CQC}> PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?fact WHERE {{ ?fact cqc:anchor|cqc:ratingAnchor ?a . ?a oa:hasSource ?d .
        ?d cqc:sourcePath "ratings.csv" }}"""
    )
    facts = {r["fact"].value.rsplit("/", 1)[-1] for r in anchors}  # type: ignore[union-attr]
    assert "safeguarding" not in facts and "2024-11-08" in facts and "assessing-needs" in facts


def test_cli_reports_conflicts_with_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = str(tmp_path / "store")
    assert cli.main(["import-scores", str(SAMPLE), "--store", folder]) == 0
    table = tmp_path / "ratings.csv"
    table.write_text(HEADER + "Westminster,2024-11-08,Outstanding,4,4,4,4,4,4,4,4,4,no\n")
    assert cli.main(["import-scores", str(table), "--store", folder]) == 1
    err = capsys.readouterr().err
    assert "the overall rating: the table says outstanding, the graph (kept) says good" in err
    assert err.count("conflict:") == 10
