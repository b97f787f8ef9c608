"""Query inspection (SERVICE, LOAD, FROM) and the token check."""

from __future__ import annotations

import httpx
import pytest

from conftest import RunningServer
from cqckg.core.errors import QueryError
from cqckg.serve.security import add_using_clauses, check_remote_access, inspect, tokens_match

EVIL = "http://evil.example/sparql"


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT * WHERE {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{EVIL}> {{ ?s ?p ?o }} }}",
        "PREFIX e: <http://evil.example/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }",
        "BASE <http://evil.example/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE ?endpoint { ?s ?p ?o } }",
        f"SELECT * {{ \\u0053ERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ FILTER(1<2)SERVICE<{EVIL}>{{?s?p?o}} }}",
        f"SELECT * {{ ?s ?p '#' . SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
        f"LOAD <{EVIL}>",
        f"LOAD SILENT <{EVIL}> INTO GRAPH <http://g>",
    ],
)
def test_remote_access_is_refused(query: str) -> None:
    with pytest.raises(QueryError):
        check_remote_access(inspect(query), [])


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?s ?p 'SERVICE <http://x> { }' }",
        'SELECT * { ?s ?p """\nSERVICE <http://x>\n""" }',
        "SELECT * { ?s ?p ?o } # SERVICE <http://x>",
        "PREFIX service: <http://x/> SELECT * { ?s service:load ?service }",
        "SELECT * { <http://x/SERVICE> ?p ?o }",
        "SELECT * FROM <http://example.org/people> { ?s ?p ?o }",
    ],
)
def test_harmless_mentions_pass(query: str) -> None:
    check_remote_access(inspect(query), [])


def test_allow_list() -> None:
    query = f"SELECT * {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}"
    check_remote_access(inspect(query), [EVIL])
    with pytest.raises(QueryError):
        check_remote_access(inspect(query), ["http://other.example/sparql"])


def test_dataset_clauses_are_found() -> None:
    assert inspect("SELECT * FROM NAMED <http://g> { ?s ?p ?o }").has_dataset_clause
    assert not inspect("SELECT ?from { ?s ?p ?from }").has_dataset_clause
    assert inspect("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }").has_using_or_with


def test_using_clauses() -> None:
    update = "DELETE WHERE { ?a ?b ?c } ; INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }"
    rewritten = add_using_clauses(update, ["http://g1"], ["http://g2"])
    assert rewritten == (
        "DELETE WHERE { ?a ?b ?c } ; INSERT { ?s ?p 1 } "
        "USING <http://g1> USING NAMED <http://g2> WHERE { ?s ?p ?o }"
    )
    with pytest.raises(QueryError):
        add_using_clauses(update, ["http://g> } ; DROP ALL ; #"], [])


def test_tokens_match() -> None:
    assert tokens_match("a" * 20, "a" * 20)
    assert not tokens_match("a" * 19, "a" * 20)
    assert not tokens_match("", "a" * 20)


def test_server_refuses_service_without_calling_out(server: RunningServer) -> None:
    r = httpx.get(
        f"{server.url}/sparql",
        params={"query": "SELECT * { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"},
    )
    assert r.status_code == 400
    assert "refused" in r.text


def test_server_refuses_load_in_updates(w3c_server: RunningServer) -> None:
    r = httpx.post(
        f"{w3c_server.url}/update",
        content="LOAD <http://127.0.0.1:1/data.ttl>",
        headers={"Content-Type": "application/sparql-update", **w3c_server.auth},
    )
    assert r.status_code == 400
    assert "refused" in r.text
