"""Every named question on the real shipped graph, with answers a reader of the reports expects."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cqckg.questions import QuestionResult, list_questions, run_question
from cqckg.store import GraphStore, open_store
from cqckg.store.load import load_shipped_graph

WESTMINSTER = "E09000033"


@pytest.fixture(scope="module")
def store() -> GraphStore:
    s = open_store(":memory:")
    load_shipped_graph(s)
    return s


def ask(store: GraphStore, name: str, **params: str) -> QuestionResult:
    return run_question(store, name, params)


@pytest.mark.parametrize("name", [q.name for q in list_questions() if q.name != "evidence"])
def test_every_question_answers_on_the_corpus(store: GraphStore, name: str) -> None:
    question = next(q for q in list_questions() if q.name == name)
    required = {p.name for p in question.parameters if p.required}
    if required - {"authority"}:
        pytest.skip(f"{name} needs {sorted(required)}")
    result = (
        ask(store, name, authority=WESTMINSTER)
        if "authority" in {p.name for p in question.parameters}
        else ask(store, name)
    )
    assert result.columns == question.columns
    assert result.rows, f"{name} returned nothing for the shipped corpus"


def test_assessments(store: GraphStore) -> None:
    rows = {r["authority_gss"]: r for r in ask(store, "assessments").records()}
    assert set(rows) == {"E09000033", "E09000007", "E09000013", "E08000025"}
    w = rows[WESTMINSTER]
    assert (str(w["published"]), w["rating"], w["statements_scored"]) == ("2024-11-08", "Good", 9)
    assert Decimal(str(w["percentage"])) == Decimal("75")  # 27 of 36
    hf = rows["E09000013"]
    assert hf["rating"] == "Requires improvement"
    assert Decimal(str(hf["percentage"])) == Decimal("53")  # 19 of 36 is 52.78, shown rounded up
    assert rows["E08000025"]["kind"] == "pilot"


def test_below_england_average(store: GraphStore) -> None:
    rows = ask(store, "below-england-average", authority=WESTMINSTER).records()
    values = {(str(r["value"]), str(r["comparator_value"])) for r in rows}
    assert ("71.53", "87.12") in values  # feel safe
    assert ("55.98", "61.21") in values  # satisfied with care and support
    for r in rows:
        assert r["quote"] and str(r["value"]) in str(r["quote"])


def test_figures(store: GraphStore) -> None:
    rows = ask(store, "figures", authority="E09000013").records()
    by = {(r["measure"], str(r["value"])): r for r in rows}
    population = by[("Population", "186176")]
    assert (population["figure"], population["unit"]) == ("residents", "Count")
    assert "with 186,176 residents" in str(population["quote"])
    spend = by[("Total actual spend", "371169000")]
    assert (spend["unit"], spend["period"]) == ("Pounds sterling", "2023/24")
    assert "£371,169,000" in str(spend["quote"])
    everything = ask(store, "figures").records()
    assert {r["authority_gss"] for r in everything} == {
        "E09000033",
        "E09000007",
        "E09000013",
        "E08000025",
    }
    for r in everything:
        assert r["figure"] and r["measure"] and r["unit"] and r["quote"]


def test_evidence_of_a_fact(store: GraphStore) -> None:
    gaps = ask(store, "gaps", authority=WESTMINSTER)
    assert gaps.rows
    iri = store.select(
        "SELECT ?g WHERE { ?g a <https://w3id.org/cqc-kg/def#Gap> } ORDER BY ?g LIMIT 1"
    )[0]["g"]
    assert iri is not None
    rows = ask(store, "evidence", iri=iri.value).records()
    assert rows
    for r in rows:
        assert int(str(r["start"])) < int(str(r["end"]))
        assert r["quote"]


def test_strategies_addressing_gaps_and_unaddressed(store: GraphStore) -> None:
    addressed = ask(store, "strategies-addressing-gaps", authority=WESTMINSTER).records()
    unaddressed = ask(store, "unaddressed-gaps", authority=WESTMINSTER).records()
    assert addressed and unaddressed
    assert not {r["gap"] for r in addressed} & {r["gap"] for r in unaddressed}
    assert {r["basis"] for r in addressed} <= {"Stated", "Same passage", "Shared topic"}


def test_stated_links_only(store: GraphStore) -> None:
    every = ask(store, "strategies-addressing-gaps", authority=WESTMINSTER).records()
    stated = ask(store, "strategies-addressing-gaps", authority=WESTMINSTER, basis="stated")
    assert stated.rows and len(stated.rows) < len(every)
    assert {r["basis"] for r in stated.records()} == {"Stated"}
