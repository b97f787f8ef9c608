"""The named questions: headers, parsing, answers on a hand-written fixture, parameters, CLI.

Expected rows are read off tests/data/questions/sample.trig by hand.
"""

from __future__ import annotations

import csv
import doctest
import io
import json
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

import cqckg.questions
from cqckg import cli
from cqckg.cli.commands import query as query_command
from cqckg.cli.commands import question as question_command
from cqckg.core.errors import QuestionError
from cqckg.core.paths import questions_dir
from cqckg.questions import (
    OutputFormat,
    QuestionResult,
    format_result,
    get_question,
    list_questions,
    load_question,
    run_question,
    run_question_serialized,
)
from cqckg.store import OxigraphStore

FIXTURE = Path(__file__).parent.parent / "data" / "questions" / "sample.trig"

# The public contract: each question's columns, in order (the CSV header row).
CONTRACT: dict[str, list[str]] = {
    "assessments": [
        "authority_gss",
        "authority",
        "published",
        "kind",
        "rating",
        "percentage",
        "statements_scored",
        "document_kinds",
    ],
    "scores": ["authority_gss", "published", "theme", "quality_statement", "score", "indicative"],
    "statistics": [
        "authority_gss",
        "measure",
        "value",
        "unit",
        "comparator",
        "comparator_value",
        "direction",
        "source",
        "year",
        "quality_statement",
        "quote",
    ],
    "figures": [
        "authority_gss",
        "published",
        "measure",
        "figure",
        "value",
        "unit",
        "period",
        "quality_statement",
        "quote",
    ],
    "below-england-average": [
        "authority_gss",
        "measure",
        "value",
        "comparator_value",
        "difference",
        "source",
        "year",
        "quote",
    ],
    "strategies": ["authority_gss", "strategy", "kind", "start_year", "end_year", "quote"],
    "partners": ["authority_gss", "partner", "partner_type", "quote"],
    "gaps": ["authority_gss", "gap", "quality_statement", "topics", "quote"],
    "strengths": ["authority_gss", "strength", "quality_statement", "topics", "quote"],
    "strategies-addressing-gaps": [
        "authority_gss",
        "strategy",
        "gap",
        "basis",
        "confidence",
        "quote",
    ],
    "unaddressed-gaps": ["authority_gss", "gap", "quality_statement", "topics"],
    "compare-scores": [
        "quality_statement",
        "authority_gss",
        "authority",
        "score",
        "mean_score",
        "rank",
    ],
    "common-gaps": ["topic", "authorities", "authority_gss_list"],
    "evidence": ["quote", "document", "section", "start", "end"],
    # Cross-council questions; tests/questions/test_cross_council_questions.py checks them on
    # more councils.
    "scores-vs-mean": [
        "authority_gss",
        "theme",
        "quality_statement",
        "score",
        "mean_score",
        "difference",
    ],
    "similar-councils": [
        "authority_gss",
        "other_gss",
        "other_authority",
        "score_distance",
        "shared_gap_topics",
        "gap_topic_jaccard",
        "measure",
    ],
    "statistic-across-councils": [
        "measure",
        "authority_gss",
        "authority",
        "value",
        "unit",
        "comparator",
        "comparator_value",
        "direction",
        "year",
    ],
    "strategies-by-topic": ["topic", "authority_gss", "strategy", "kind", "start_year", "end_year"],
}

WESTMINSTER = "E09000033"
CAMDEN = "E09000007"
ID = "https://w3id.org/cqc-kg/id/"
GAP_EQUIPMENT = f"{ID}assessment/E09000033/2024-11-08/finding/1111111111111111"

Q_EQUIPMENT = "Staff raised challenges around waiting for equipment."
Q_CARERS_GAP = "Some unpaid carers said they had not been offered a carer's assessment."
Q_OT = "People waited a long time for occupational therapy assessments."
Q_SAFEGUARDING = "Safeguarding enquiries were dealt with promptly."
Q_CARERS_CENTRE = "Unpaid carers valued the support of the Camden Carers Centre."
Q_STRATEGY = "The Carers Strategy 2023-2028 sets out how carers' assessments will be offered."
Q_PLAN = "The Camden Plan for Adult Social Care set out the council's priorities."
Q_CNWL = "The local authority worked with Central and North West London NHS Foundation Trust."
Q_FEEL_SAFE = (
    "71.53% of people said services made them feel safe, lower than the England average "
    "of 87.12% (ASCS, 2023)."
)
Q_VACANCY = "The vacancy rate was 6.5%, lower than the England average of 9.9%."
Q_CARERS_STAT = (
    "30.2% of carers felt supported, lower than the England average of 36.3% (SACE, 2023/24)."
)
Q_LONDON = "80% of people felt safe, lower than the London average of 85% (ASCS, 2023)."
Q_POPULATION = "Westminster has a population of 204,300 residents."
Q_WAITING = "At the time of our assessment, 142 people were waiting for a Care Act assessment."
Q_SPEND = "Camden's adult social care spend in 2023/24 was £104.5 million."
Q_WAIT = "The median wait for an assessment was 28 days."

WORKS = "How the local authority works with people"
SUPPORT = "Providing support"
SAFETY = "How the local authority ensures safety within the system"
NEEDS = "Assessing needs"
PARTNERSHIPS = "Partnerships and communities"
SAFEGUARDING = "Safeguarding"

SIMILARITY = (
    "score_distance: L1 (sum of absolute score differences over shared quality statements); "
    "gap_topic_jaccard: shared gap topics / gap topics of either"
)

EXPECTED: dict[str, list[tuple[object, ...]]] = {
    "assessments": [
        (
            CAMDEN,
            "Camden Council",
            "2023-09-15",
            "pilot",
            "Requires improvement",
            Decimal(50),
            3,
            "full-report",
        ),
        (CAMDEN, "Camden Council", "2025-02-14", "formal", "Good", Decimal(75), 3, "full-report"),
        (
            WESTMINSTER,
            "Westminster City Council",
            "2024-11-08",
            "formal",
            "Good",
            Decimal(75),
            3,
            "full-report quality-statement-page",
        ),
    ],
    "scores": [
        (CAMDEN, "2023-09-15", WORKS, NEEDS, 1, True),
        (CAMDEN, "2023-09-15", SUPPORT, PARTNERSHIPS, 3, True),
        (CAMDEN, "2023-09-15", SAFETY, SAFEGUARDING, 2, True),
        (CAMDEN, "2025-02-14", WORKS, NEEDS, 2, False),
        (CAMDEN, "2025-02-14", SUPPORT, PARTNERSHIPS, 3, False),
        (CAMDEN, "2025-02-14", SAFETY, SAFEGUARDING, 4, False),
        (WESTMINSTER, "2024-11-08", WORKS, NEEDS, 3, False),
        (WESTMINSTER, "2024-11-08", SUPPORT, PARTNERSHIPS, 3, False),
        (WESTMINSTER, "2024-11-08", SAFETY, SAFEGUARDING, 3, False),
    ],
    "statistics": [
        (
            CAMDEN,
            "carers who feel supported",
            Decimal("30.2"),
            "Percent",
            "England average",
            Decimal("36.3"),
            "Lower",
            "SACE",
            "2023/24",
            NEEDS,
            Q_CARERS_STAT,
        ),
        (
            CAMDEN,
            "People who feel safe",
            Decimal(80),
            "Percent",
            "London average",
            Decimal(85),
            "Lower",
            "ASCS",
            "2023",
            SAFEGUARDING,
            Q_LONDON,
        ),
        (
            WESTMINSTER,
            "Staff vacancy rate",
            Decimal("6.5"),
            "Percent",
            "England average",
            Decimal("9.9"),
            "Lower",
            "Skills for Care, 2022/23",  # no data source concept: the cited source
            "2022/23",
            PARTNERSHIPS,
            Q_VACANCY,
        ),
        (
            WESTMINSTER,
            "People who feel safe",
            Decimal("71.53"),
            "Percent",
            "England average",
            Decimal("87.12"),
            "Lower",
            "ASCS",
            "2023",
            SAFEGUARDING,
            Q_FEEL_SAFE,
        ),
    ],
    # A measure of the vocabulary gives its label; Camden's wait has a measure without one, so the
    # figure's own words stand in. Units without a label (gbp, days) give their slug.
    "figures": [
        (
            CAMDEN,
            "2025-02-14",
            "Adult social care actual spend",
            "adult social care spend",
            Decimal(104500000),
            "gbp",
            "2023/24",
            None,
            Q_SPEND,
        ),
        (
            CAMDEN,
            "2025-02-14",
            "median wait for an assessment",
            "median wait for an assessment",
            Decimal(28),
            "days",
            None,
            NEEDS,
            Q_WAIT,
        ),
        (
            WESTMINSTER,
            "2024-11-08",
            "Population",
            "residents",
            Decimal(204300),
            "Count",
            None,
            None,
            Q_POPULATION,
        ),
        # Stated in both documents: the full report's sentence is quoted, though the other is first.
        (
            WESTMINSTER,
            "2024-11-08",
            "people waiting for a Care Act assessment",
            "people waiting for a Care Act assessment",
            Decimal(142),
            "Count",
            None,
            NEEDS,
            Q_WAITING,
        ),
    ],
    # Not the vacancy rate (lower is better there) nor Camden's London comparison.
    "below-england-average": [
        (
            CAMDEN,
            "carers who feel supported",
            Decimal("30.2"),
            Decimal("36.3"),
            Decimal("-6.1"),
            "SACE",
            "2023/24",
            Q_CARERS_STAT,
        ),
        (
            WESTMINSTER,
            "People who feel safe",
            Decimal("71.53"),
            Decimal("87.12"),
            Decimal("-15.59"),
            "ASCS",
            "2023",
            Q_FEEL_SAFE,
        ),
    ],
    "strategies": [
        (CAMDEN, "Camden Plan for Adult Social Care", "plan", None, None, Q_PLAN),
        (WESTMINSTER, "Carers Strategy 2023-2028", "Strategy", "2023", "2028", Q_STRATEGY),
    ],
    "partners": [
        (CAMDEN, "Camden Carers Centre", "voluntary-organisation", Q_CARERS_CENTRE),
        (
            WESTMINSTER,
            "Central and North West London NHS Foundation Trust",
            "NHS trust",
            Q_CNWL,
        ),
    ],
    "gaps": [
        (CAMDEN, Q_OT, NEEDS, "Waiting lists", Q_OT),
        (WESTMINSTER, Q_CARERS_GAP, NEEDS, "Unpaid carers", Q_CARERS_GAP),
        # Anchored in two documents: the full report's wording wins over one that sorts first.
        (WESTMINSTER, Q_EQUIPMENT, NEEDS, "Equipment and adaptations; Waiting lists", Q_EQUIPMENT),
    ],
    "strengths": [
        (CAMDEN, Q_CARERS_CENTRE, PARTNERSHIPS, "Unpaid carers", Q_CARERS_CENTRE),
        (WESTMINSTER, Q_SAFEGUARDING, SAFEGUARDING, "Safeguarding enquiries", Q_SAFEGUARDING),
    ],
    "strategies-addressing-gaps": [
        (
            WESTMINSTER,
            "Carers Strategy 2023-2028",
            Q_CARERS_GAP,
            "Stated",
            Decimal("0.9"),
            Q_STRATEGY,
        ),
    ],
    "unaddressed-gaps": [
        (CAMDEN, Q_OT, NEEDS, "Waiting lists"),
        (WESTMINSTER, Q_EQUIPMENT, NEEDS, "Equipment and adaptations; Waiting lists"),
    ],
    # Latest assessments only (Camden's 2023 pilot is left out); ties share a rank.
    "compare-scores": [
        (NEEDS, WESTMINSTER, "Westminster City Council", 3, Decimal("2.5"), 1),
        (NEEDS, CAMDEN, "Camden Council", 2, Decimal("2.5"), 2),
        (PARTNERSHIPS, CAMDEN, "Camden Council", 3, Decimal(3), 1),
        (PARTNERSHIPS, WESTMINSTER, "Westminster City Council", 3, Decimal(3), 1),
        (SAFEGUARDING, CAMDEN, "Camden Council", 4, Decimal("3.5"), 1),
        (SAFEGUARDING, WESTMINSTER, "Westminster City Council", 3, Decimal("3.5"), 2),
    ],
    "common-gaps": [
        ("Waiting lists", 2, f"{CAMDEN}; {WESTMINSTER}"),
        ("Equipment and adaptations", 1, WESTMINSTER),
        ("Unpaid carers", 1, WESTMINSTER),
    ],
    "evidence": [
        (
            Q_EQUIPMENT,
            "westminster-2024/full-report.md",
            "Assessment, care planning and review arrangements",
            300,
            353,
        ),
        (
            "Also, staff raised some challenges around waiting for equipment.",
            "westminster-2024/qs-assessing-needs.txt",
            NEEDS,
            40,
            104,
        ),
    ],
    "scores-vs-mean": [
        (CAMDEN, WORKS, NEEDS, 2, Decimal("2.5"), Decimal("-0.5")),
        (CAMDEN, SUPPORT, PARTNERSHIPS, 3, Decimal(3), Decimal(0)),
        (CAMDEN, SAFETY, SAFEGUARDING, 4, Decimal("3.5"), Decimal("0.5")),
        (WESTMINSTER, WORKS, NEEDS, 3, Decimal("2.5"), Decimal("0.5")),
        (WESTMINSTER, SUPPORT, PARTNERSHIPS, 3, Decimal(3), Decimal(0)),
        (WESTMINSTER, SAFETY, SAFEGUARDING, 3, Decimal("3.5"), Decimal("-0.5")),
    ],
    "similar-councils": [
        (
            CAMDEN,
            WESTMINSTER,
            "Westminster City Council",
            2,
            "Waiting lists",
            Decimal("0.33"),
            SIMILARITY,
        ),
        (WESTMINSTER, CAMDEN, "Camden Council", 2, "Waiting lists", Decimal("0.33"), SIMILARITY),
    ],
    "statistic-across-councils": [
        (
            "People who feel safe",
            CAMDEN,
            "Camden Council",
            Decimal(80),
            "Percent",
            "London average",
            Decimal(85),
            "Lower",
            "2023",
        ),
        (
            "People who feel safe",
            WESTMINSTER,
            "Westminster City Council",
            Decimal("71.53"),
            "Percent",
            "England average",
            Decimal("87.12"),
            "Lower",
            "2023",
        ),
        (
            "Staff vacancy rate",
            WESTMINSTER,
            "Westminster City Council",
            Decimal("6.5"),
            "Percent",
            "England average",
            Decimal("9.9"),
            "Lower",
            "2022/23",
        ),
    ],
    # Each council's strategies are about different topics here.
    "strategies-by-topic": [],
}

COUNCIL_QUESTIONS = sorted(set(CONTRACT) - {"evidence"})


def params_for(name: str, authority: str | None = None) -> dict[str, str]:
    if name == "evidence":
        return {"iri": GAP_EQUIPMENT}
    return {} if authority is None else {"authority": authority}


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    s = OxigraphStore(None)
    s.raw.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return s


# --- the files ---------------------------------------------------------------------------------


def test_the_contracted_questions_exist() -> None:
    names = [q.name for q in list_questions()]
    assert names == sorted(names)
    assert set(CONTRACT) <= set(names)  # later issues add cross-council questions
    assert sorted(p.stem for p in questions_dir().glob("*.rq")) == names


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_header_is_complete_and_columns_are_the_contract(name: str) -> None:
    question = get_question(name)
    assert question.name == name
    assert question.description
    assert list(question.columns) == CONTRACT[name]
    expected = {
        "evidence": ["iri"],
        "statistic-across-councils": ["authority", "measure"],
        "strategies-addressing-gaps": ["authority", "basis"],
    }
    assert [p.name for p in question.parameters] == expected.get(name, ["authority"])
    assert all(p.required == (name == "evidence") for p in question.parameters)


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_parses_with_rdflib_and_projects_the_columns_in_order(name: str) -> None:
    question = get_question(name)
    for sparql in (question.sparql, question.bind(params_for(name, WESTMINSTER))):
        projection = [str(v) for v in prepareQuery(sparql).algebra["PV"]]
        assert projection == CONTRACT[name]


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_parses_with_pyoxigraph_and_projects_the_columns_in_order(name: str) -> None:
    results = ox.Store().query(get_question(name).sparql)
    assert isinstance(results, ox.QuerySolutions)
    assert [v.value for v in results.variables] == CONTRACT[name]


# --- answers on the fixture ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_answers_on_the_fixture(store: OxigraphStore, name: str) -> None:
    result = run_question(store, name, params_for(name))
    assert list(result.columns) == CONTRACT[name]
    assert list(result.rows) == EXPECTED[name]


def test_evidence_of_an_assessment_includes_the_rating_anchor(store: OxigraphStore) -> None:
    result = run_question(store, "evidence", {"iri": f"{ID}assessment/E09000033/2024-11-08"})
    assert result.rows == (
        (
            "Local authority rating and score: Good",
            "westminster-2024/full-report.md",
            "Overall summary",
            100,
            140,
        ),
    )


def test_evidence_of_an_unknown_fact_is_empty(store: OxigraphStore) -> None:
    assert run_question(store, "evidence", {"iri": f"{ID}no/such/fact"}).rows == ()


@pytest.mark.parametrize("name", COUNCIL_QUESTIONS)
@pytest.mark.parametrize("gss", [WESTMINSTER, CAMDEN])
def test_authority_filter_keeps_exactly_that_councils_rows(
    store: OxigraphStore, name: str, gss: str
) -> None:
    filtered = run_question(store, name, {"authority": gss}).records()
    if name == "common-gaps":
        # Topics counted over that council's gaps alone.
        per_council = {
            WESTMINSTER: [
                {"topic": "Equipment and adaptations", "authorities": 1, "authority_gss_list": gss},
                {"topic": "Unpaid carers", "authorities": 1, "authority_gss_list": gss},
                {"topic": "Waiting lists", "authorities": 1, "authority_gss_list": gss},
            ],
            CAMDEN: [{"topic": "Waiting lists", "authorities": 1, "authority_gss_list": gss}],
        }
        assert filtered == per_council[gss]
        return
    everything = run_question(store, name).records()
    assert filtered == [r for r in everything if r["authority_gss"] == gss]


@pytest.mark.parametrize("name", COUNCIL_QUESTIONS)
def test_the_filter_reaches_every_values_block(name: str) -> None:
    params = {"authority": WESTMINSTER}
    if name == "statistic-across-councils":
        params["measure"] = "ascs-feel-safe"
    if name == "strategies-addressing-gaps":
        params["basis"] = "stated"
    question = get_question(name)
    bound = question.bind(params)
    assert "UNDEF" not in bound
    variable = next(p.variable for p in question.parameters if p.name == "authority")
    assert bound.count(f"<{ID}authority/{WESTMINSTER}>") == question.sparql.count(
        f"VALUES ?{variable} {{ UNDEF }}"
    )


def test_compare_scores_for_one_council_still_ranks_against_all(store: OxigraphStore) -> None:
    rows = run_question(store, "compare-scores", {"authority": WESTMINSTER}).rows
    assert rows == (
        (NEEDS, WESTMINSTER, "Westminster City Council", 3, Decimal("2.5"), 1),
        (PARTNERSHIPS, WESTMINSTER, "Westminster City Council", 3, Decimal(3), 1),
        (SAFEGUARDING, WESTMINSTER, "Westminster City Council", 3, Decimal("3.5"), 2),
    )


@pytest.mark.parametrize("name", COUNCIL_QUESTIONS)
def test_a_council_without_assessments_has_no_rows(store: OxigraphStore, name: str) -> None:
    assert run_question(store, name, {"authority": "E06000001"}).rows == ()


# --- output formats ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_csv_header_row_is_the_contract(store: OxigraphStore, name: str) -> None:
    engine = run_question_serialized(store, name, params_for(name), "text/csv").decode()
    python = format_result(run_question(store, name, params_for(name)), OutputFormat.CSV)
    for text in (engine, python):
        assert next(csv.reader(io.StringIO(text))) == CONTRACT[name]
    # Both paths write the same bytes, so the API and CLI agree whichever they take.
    assert engine == python


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_empty_store_still_writes_the_csv_header(name: str) -> None:
    empty = OxigraphStore(None)
    text = run_question_serialized(empty, name, params_for(name), "text/csv").decode()
    assert text == ",".join(CONTRACT[name]) + "\r\n"


def test_sparql_json_is_written_by_the_engine(store: OxigraphStore) -> None:
    raw = run_question_serialized(
        store, "gaps", {"authority": CAMDEN}, "application/sparql-results+json"
    )
    document = json.loads(raw)
    assert document["head"]["vars"] == CONTRACT["gaps"]
    assert [b["gap"]["value"] for b in document["results"]["bindings"]] == [Q_OT]


def test_json_rows_are_objects_with_typed_values(store: OxigraphStore) -> None:
    raw = run_question_serialized(
        store, "assessments", {"authority": WESTMINSTER}, "application/json"
    )
    document = json.loads(raw)
    assert document["question"] == "assessments"
    assert document["columns"] == CONTRACT["assessments"]
    assert document["rows"] == [
        {
            "authority_gss": WESTMINSTER,
            "authority": "Westminster City Council",
            "published": "2024-11-08",
            "kind": "formal",
            "rating": "Good",
            "percentage": 75,
            "statements_scored": 3,
            "document_kinds": "full-report quality-statement-page",
        }
    ]


def test_table_has_the_columns_and_cuts_long_cells(store: OxigraphStore) -> None:
    text = run_question_serialized(store, "statistics", {"authority": WESTMINSTER}, "text/plain")
    lines = text.decode().splitlines()
    assert lines[0].split() == CONTRACT["statistics"]
    assert len(lines) == 4
    assert "…" in lines[3]


def test_table_of_nothing_says_so() -> None:
    text = format_result(QuestionResult("q", ("a",), ()), OutputFormat.TABLE)
    assert text == "a\n-\n(no rows)\n"


def test_unknown_media_type_is_refused(store: OxigraphStore) -> None:
    with pytest.raises(QuestionError, match="cannot write a question's answer as 'image/png'"):
        run_question_serialized(store, "gaps", None, "image/png")


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("gss", ["E0900003", "E090000333", "X09000033", "E09000033'", "Brum"])
def test_a_council_nothing_matches_is_refused(store: OxigraphStore, gss: str) -> None:
    with pytest.raises(QuestionError, match="no council matches"):
        run_question(store, "gaps", {"authority": gss})


@pytest.mark.parametrize(
    "council",
    [
        "E09000033",
        "e09000033",
        " E09000033",
        "E09000033\n",
        "Westminster",
        "City of Westminster",
        "westminster city council",
        "westminster-1124",
    ],
)
def test_a_council_by_any_spelling_binds_its_gss_code(council: str) -> None:
    sparql = get_question("gaps").bind({"authority": council})
    assert "<https://w3id.org/cqc-kg/id/authority/E09000033>" in sparql
    assert council.strip() not in sparql.replace("E09000033", "")


def test_an_ambiguous_council_lists_the_candidates(store: OxigraphStore) -> None:
    with pytest.raises(QuestionError, match="could be any of 2") as caught:
        run_question(store, "gaps", {"authority": "Tyneside"})
    assert "North Tyneside Council" in str(caught.value)
    assert "South Tyneside Council" in str(caught.value)


def test_a_council_by_name_answers_as_by_code(store: OxigraphStore) -> None:
    by_code = run_question(store, "scores", {"authority": "E09000033"})
    assert by_code.rows
    assert run_question(store, "scores", {"authority": "Westminster"}) == by_code


@pytest.mark.parametrize(
    "iri",
    [
        "https://w3id.org/cqc-kg/id/a b",
        "https://w3id.org/cqc-kg/id/x> } ; DROP ALL ; #",
        "https://w3id.org/cqc-kg/id/x>",
        "id/assessment/E09000033",
        "javascript:alert(1)",
        'https://w3id.org/"x"',
        "https://w3id.org/%zz",
        "",
    ],
)
def test_bad_iri_is_refused(store: OxigraphStore, iri: str) -> None:
    with pytest.raises(QuestionError, match="IRI"):
        run_question(store, "evidence", {"iri": iri})


def test_unknown_question_is_refused(store: OxigraphStore) -> None:
    with pytest.raises(QuestionError, match="no question named 'nope'"):
        run_question(store, "nope")
    with pytest.raises(QuestionError, match="no question named"):
        get_question("../store")


def test_missing_required_parameter_is_refused(store: OxigraphStore) -> None:
    with pytest.raises(QuestionError, match="needs the parameter 'iri'"):
        run_question(store, "evidence")


def test_parameter_a_question_does_not_take_is_refused(store: OxigraphStore) -> None:
    with pytest.raises(QuestionError, match="has no parameter 'iri'; it takes: authority"):
        run_question(store, "gaps", {"iri": GAP_EQUIPMENT})
    with pytest.raises(QuestionError, match="has no parameter 'authority'"):
        run_question(store, "evidence", {"authority": WESTMINSTER, "iri": GAP_EQUIPMENT})


def test_none_counts_as_not_given(store: OxigraphStore) -> None:
    assert run_question(store, "gaps", {"authority": None}).rows == tuple(EXPECTED["gaps"])


GOOD_HEADER = (
    "# name: {name}\n"
    "# description: d\n"
    "# parameters: authority ?council (optional, GSS code)\n"
    "# columns: a\n"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD_HEADER + "\nSELECT ?a WHERE { }", r"needs a 'VALUES \?council"),
        (GOOD_HEADER.replace("# columns: a\n", "") + "\nSELECT ?a {}", "lacks columns"),
        (GOOD_HEADER.replace("{name}", "other") + "\nSELECT ?a {}", "named 'other'"),
        (GOOD_HEADER.replace("GSS code", "council") + "\nSELECT ?a {}", "bad parameter"),
        ("# nme: x\n" + GOOD_HEADER, ":1: expected '# KEY: VALUE'"),
    ],
)
def test_malformed_header_is_reported_with_its_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "sample.rq"
    path.write_text(text.replace("{name}", "sample"), encoding="utf-8")
    with pytest.raises(QuestionError, match=message) as caught:
        load_question(path)
    assert str(path) in str(caught.value)


def test_header_continuation_lines_join_the_value() -> None:
    assert get_question("gaps").description.startswith(
        "Gaps (areas for development) each assessment found, with the quality statement and care"
    )


def test_docstring_examples_run() -> None:
    failures, tried = doctest.testmod(cqckg.questions)
    assert tried > 0
    assert failures == 0
    failures, _ = doctest.testmod(query_command)
    assert failures == 0


# --- the CLI -----------------------------------------------------------------------------------


@pytest.fixture
def run_cli(
    store: OxigraphStore,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
):
    """Run ``cqckg`` with only this module's commands, on the fixture store."""
    monkeypatch.setattr(cli, "COMMANDS", ("question", "query"))
    opened: list[str | None] = []

    def fake_open_store(location: str | None = None) -> OxigraphStore:
        opened.append(location)
        return store

    monkeypatch.setattr(question_command, "open_store", fake_open_store)
    monkeypatch.setattr(query_command, "open_store", fake_open_store)

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = cli.main(list(argv))
        except SystemExit as exc:  # argparse's own usage errors
            code = int(exc.code or 0)
        out, err = capsysbinary.readouterr()
        return code, out.decode(), err.decode()

    run.opened = opened  # type: ignore[attr-defined]
    return run


def test_cli_lists_the_questions(run_cli) -> None:
    code, out, _ = run_cli("question", "--list")
    assert code == 0
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == [q.name for q in list_questions()]
    assert set(CONTRACT) <= set(listed)


def test_cli_runs_a_question_as_csv(run_cli) -> None:
    code, out, _ = run_cli(
        "question", "unaddressed-gaps", "--authority", CAMDEN, "--format", "csv", "--store", "X"
    )
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [
        CONTRACT["unaddressed-gaps"],
        [CAMDEN, Q_OT, NEEDS, "Waiting lists"],
    ]
    assert run_cli.opened == ["X"]


def test_cli_runs_evidence_as_json(run_cli) -> None:
    code, out, _ = run_cli("question", "evidence", "--iri", GAP_EQUIPMENT, "--format", "json")
    assert code == 0
    assert [row["start"] for row in json.loads(out)["rows"]] == [300, 40]


def test_cli_table_is_the_default(run_cli) -> None:
    code, out, _ = run_cli("question", "common-gaps")
    assert code == 0
    assert out.splitlines()[0].split() == CONTRACT["common-gaps"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["question", "gaps", "--authority", "E0900003"], "no council matches 'E0900003'"),
        (["question", "gaps", "--authority", "Yorkshire"], "North Yorkshire Council"),
        (["question", "nope"], "no question named 'nope'"),
        (["question"], "name a question"),
        (["question", "evidence", "--iri", "https://x/a b"], "IRI"),
        (["question", "evidence"], "needs the parameter 'iri'"),
        (["question", "gaps", "--iri", GAP_EQUIPMENT], "has no parameter 'iri'"),
        (["question", "gaps", "--format", "xml"], "invalid choice"),
    ],
)
def test_cli_bad_input_exits_2(run_cli, argv: list[str], message: str) -> None:
    code, out, err = run_cli(*argv)
    assert code == 2
    assert message in err
    assert out == ""
    assert run_cli.opened == []


def test_cli_query_select_as_table_and_csv(run_cli) -> None:
    sparql = (
        "PREFIX cqc: <https://w3id.org/cqc-kg/def#> "
        "SELECT ?gss WHERE { ?a cqc:gssCode ?gss } ORDER BY ?gss"
    )
    code, out, _ = run_cli("query", sparql)
    assert code == 0
    assert out.splitlines() == ["gss", "---------", CAMDEN, WESTMINSTER]
    code, out, _ = run_cli("query", sparql, "--format", "csv")
    assert code == 0
    assert out == f"gss\r\n{CAMDEN}\r\n{WESTMINSTER}\r\n"


def test_cli_query_from_a_file_ask_and_construct(run_cli, tmp_path: Path) -> None:
    ask = tmp_path / "ask.rq"
    ask.write_text("# any council?\nASK { ?s a <https://w3id.org/cqc-kg/def#LocalAuthority> }")
    assert run_cli("query", "--file", str(ask))[:2] == (0, "true\n")
    construct = (
        "CONSTRUCT { ?s a <https://example.org/C> } "
        "WHERE { ?s a <https://w3id.org/cqc-kg/def#LocalAuthority> }"
    )
    code, out, _ = run_cli("query", construct, "--format", "ntriples")
    assert code == 0
    assert len(out.splitlines()) == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "SELEC ?x {}"], "expected a SELECT, ASK, CONSTRUCT or DESCRIBE query"),
        (["query", "INSERT DATA { <a:b> <a:b> <a:b> }"], "expected a SELECT"),
        (["query", "SELECT ?x WHERE { ?x }"], "cqckg query:"),
        (["query", "CONSTRUCT WHERE { ?s ?p ?o }", "--format", "csv"], "gives a graph"),
        (["query", "ASK {}", "--format", "turtle"], "gives results, not a graph"),
        (["query", "--file", "/no/such/file.rq"], "cannot read"),
        (["query"], "one of the arguments"),
    ],
)
def test_cli_query_bad_input_exits_2(run_cli, argv: list[str], message: str) -> None:
    code, _, err = run_cli(*argv)
    assert code == 2
    assert message in err


def test_strategies_addressing_gaps_can_ask_for_one_basis(store: OxigraphStore) -> None:
    every = run_question(store, "strategies-addressing-gaps", {"authority": WESTMINSTER})
    for basis, label in (("stated", "Stated"), ("shared-topic", "Shared topic")):
        some = run_question(
            store, "strategies-addressing-gaps", {"authority": WESTMINSTER, "basis": basis}
        )
        assert some.records() == [r for r in every.records() if r["basis"] == label]
    with pytest.raises(QuestionError, match="not a link basis"):
        get_question("strategies-addressing-gaps").bind({"basis": "inferred"})


def test_cli_asks_for_stated_links_only(run_cli) -> None:
    code, out, _ = run_cli(
        "question", "strategies-addressing-gaps", "--basis", "stated", "--format", "csv"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {r["basis"] for r in rows} == {"Stated"}
    code, _, err = run_cli("question", "strategies-addressing-gaps", "--basis", "inferred")
    assert code == 2 and "invalid choice" in err


@pytest.mark.parametrize("value", ["Leeds", "Leeds City Council", "leeds-0824", "E08000035"])
def test_an_authority_parameter_takes_a_name_slug_or_code(value: str) -> None:
    parameter = cqckg.questions.Parameter(
        "authority", "authority", cqckg.questions.ParameterKind.GSS_CODE, False
    )
    assert parameter.term(value) == "<https://w3id.org/cqc-kg/id/authority/E08000035>"
