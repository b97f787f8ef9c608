"""Named questions over HTTP (/api/questions) and the OpenAPI description, on a real server."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from conftest import RunningServer
from cqckg.questions import list_questions

WESTMINSTER = "E09000033"


@pytest.fixture(scope="module")
def client(ld_server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=ld_server.url, timeout=30)


def test_the_list_has_every_question_with_its_contract(client: httpx.Client) -> None:
    response = client.get("/api/questions")
    assert response.status_code == 200
    listed = {q["name"]: q for q in response.json()}
    assert set(listed) == {q.name for q in list_questions()}
    for question in list_questions():
        entry = listed[question.name]
        assert entry["columns"] == list(question.columns)
        assert entry["description"] == question.description
        assert entry["url"] == f"/api/questions/{question.name}"
        assert [(p["name"], p["kind"], p["required"]) for p in entry["parameters"]] == [
            (p.name, p.kind.value, p.required) for p in question.parameters
        ]
    assert "strategies-addressing-gaps" in listed


@pytest.mark.parametrize("name", ["gaps", "scores", "strategies-addressing-gaps", "partners"])
def test_csv_header_is_exactly_the_contract_columns(client: httpx.Client, name: str) -> None:
    response = client.get(f"/api/questions/{name}", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    columns = next(q.columns for q in list_questions() if q.name == name)
    assert rows[0] == list(columns)
    assert len(rows) > 1, f"{name} has no rows"


def test_json_rows_are_objects_with_the_columns_in_order(client: httpx.Client) -> None:
    response = client.get("/api/questions/scores", params={"authority": WESTMINSTER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    columns = ["authority_gss", "published", "theme", "quality_statement", "score", "indicative"]
    assert body["question"] == "scores"
    assert body["columns"] == columns
    assert body["rows"], "Westminster has scores"
    for row in body["rows"]:
        assert list(row) == columns
        assert row["authority_gss"] == WESTMINSTER
        assert isinstance(row["score"], int) and 1 <= row["score"] <= 4


def test_the_authority_parameter_filters(client: httpx.Client) -> None:
    every = client.get("/api/questions/gaps").json()["rows"]
    one = client.get("/api/questions/gaps", params={"authority": WESTMINSTER}).json()["rows"]
    assert {r["authority_gss"] for r in one} == {WESTMINSTER}
    assert len(every) > len(one) > 0


@pytest.mark.parametrize("council", ["Westminster", "City of Westminster", "westminster-1124"])
def test_the_authority_parameter_takes_a_name_or_slug(client: httpx.Client, council: str) -> None:
    by_code = client.get("/api/questions/scores", params={"authority": WESTMINSTER}).json()
    by_name = client.get("/api/questions/scores", params={"authority": council})
    assert by_name.status_code == 200
    assert by_name.json() == by_code


def test_evidence_takes_a_fact_iri(client: httpx.Client) -> None:
    query = (
        "PREFIX cqc: <https://w3id.org/cqc-kg/def#> SELECT ?f WHERE { ?f a cqc:Gap ; "
        "cqc:assessment/cqc:assessedAuthority <https://w3id.org/cqc-kg/id/authority/"
        f"{WESTMINSTER}> }} ORDER BY ?f LIMIT 1"
    )
    iri = client.get("/sparql", params={"query": query}).json()["results"]["bindings"][0]["f"]
    evidence = client.get("/api/questions/evidence", params={"iri": iri["value"]})
    assert evidence.status_code == 200
    rows = evidence.json()["rows"]
    assert rows and all(r["quote"] for r in rows)
    assert list(rows[0]) == ["quote", "document", "section", "start", "end"]


@pytest.mark.parametrize(
    ("path", "params", "status", "says"),
    [
        ("/api/questions/gaps", {"authority": "Westminstr Abbey"}, 400, "no council matches"),
        ("/api/questions/gaps", {"authority": "E0900003"}, 400, "no council matches"),
        ("/api/questions/gaps", {"authority": "Sussex"}, 400, "West Sussex County Council"),
        ("/api/questions/gaps", {"colour": "red"}, 400, "has no parameter 'colour'"),
        ("/api/questions/gaps", {"format": "xml"}, 400, "format must be json or csv"),
        ("/api/questions/evidence", {}, 400, "needs the parameter 'iri'"),
        ("/api/questions/evidence", {"iri": "javascript:alert(1)"}, 400, "not an absolute"),
        ("/api/questions/no-such-question", {}, 404, "no question named"),
    ],
)
def test_bad_requests_say_what_is_wrong(
    client: httpx.Client, path: str, params: dict[str, str], status: int, says: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/plain")
    assert says in response.text


def test_openapi_documents_every_route(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/",
        "/api/questions",
        "/api/questions/{name}",
        "/id/{path}",
        "/doc/{path}",
        "/doc/source/{sha256}",
        "/def",
        "/sparql",
    ):
        assert path in paths, path
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            assert operation.get("description"), f"{method} {path} has no description"
    run = paths["/api/questions/{name}"]["get"]
    assert set(run["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert {p["name"] for p in run["parameters"]} >= {"name", "authority", "iri", "format"}
    page = paths["/doc/{path}"]["get"]["responses"]["200"]["content"]
    assert {"text/html", "text/turtle", "application/ld+json", "application/n-triples"} <= set(page)


def test_stated_links_only_over_http(client: httpx.Client) -> None:
    url = "/api/questions/strategies-addressing-gaps"
    every = client.get(url, params={"authority": WESTMINSTER}).json()["rows"]
    stated = client.get(url, params={"authority": WESTMINSTER, "basis": "stated"}).json()["rows"]
    assert stated and len(stated) < len(every)
    assert {row["basis"] for row in stated} == {"Stated"}
    bad = client.get(url, params={"basis": "inferred"})
    assert bad.status_code == 400 and "not a link basis" in bad.text
