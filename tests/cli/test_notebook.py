"""The notebook API (cqckg.notebook) and the README's examples of it, run as doctests."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from cqckg.core.errors import QuestionError
from cqckg.notebook import KnowledgeGraph, open_graph

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    opened = open_graph(":memory:")
    yield opened
    opened.close()


def test_the_readme_examples_run() -> None:
    pytest.importorskip("pandas")
    failures, tried = doctest.testfile(
        str(README), module_relative=False, optionflags=doctest.ELLIPSIS
    )
    assert tried >= 10
    assert failures == 0


def test_rows_by_name_equal_rows_by_code(kg: KnowledgeGraph) -> None:
    by_code = kg.ask("scores", authority="E09000033")
    assert len(by_code) == 9
    assert list(kg.ask("scores", authority="City of Westminster")) == list(by_code)
    assert by_code[0] == dict(zip(by_code.columns, by_code.values[0], strict=True))
    assert by_code[:2] == [by_code[0], by_code[1]]


def test_a_table_and_a_frame_hold_the_same_rows(kg: KnowledgeGraph) -> None:
    pandas = pytest.importorskip("pandas")
    rows = kg.ask("assessments")
    frame = rows.to_frame()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == list(rows.columns)
    assert frame["authority_gss"].tolist() == [r["authority_gss"] for r in rows]
    table = str(rows).splitlines()
    assert table[0].split() == list(rows.columns)
    assert len(table) == len(rows) + 2


def test_unknown_questions_and_parameters_name_what_there_is(kg: KnowledgeGraph) -> None:
    with pytest.raises(QuestionError, match="no question named 'scorez'"):
        kg.ask("scorez")
    with pytest.raises(QuestionError, match="it takes: authority"):
        kg.ask("scores", council="Leeds")
    assert kg.parameters("evidence") == ["iri"]
    assert "common-gaps" in kg.questions()


def test_sparql_gives_plain_values(kg: KnowledgeGraph) -> None:
    rows = kg.sparql(
        "PREFIX cqc: <https://w3id.org/cqc-kg/def#> "
        "SELECT ?gss (COUNT(*) AS ?n) WHERE { ?a cqc:assessedAuthority/cqc:gssCode ?gss } "
        "GROUP BY ?gss ORDER BY ?gss"
    )
    assert rows.columns == ("gss", "n")
    assert [r["gss"] for r in rows] == sorted(r["gss"] for r in rows)
    assert all(isinstance(r["n"], int) for r in rows)
