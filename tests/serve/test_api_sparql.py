"""The SPARQL endpoint over HTTP, against a real ``cqckg serve`` (see conftest.py)."""

from __future__ import annotations

import csv
import io
import json
import threading
import time

import httpx
import pyoxigraph as ox
import pytest

from conftest import EX, PEOPLE_QUERY, RunningServer
from cqckg.serve.negotiation import Format, Kind, negotiate

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"


@pytest.mark.parametrize(
    ("accept", "kind", "expected"),
    [
        (None, Kind.RESULTS, Format.JSON),
        ("*/*", Kind.GRAPH, Format.TURTLE),
        ("application/sparql-results+xml", Kind.RESULTS, Format.XML),
        ("text/csv;q=0.5, text/tab-separated-values", Kind.RESULTS, Format.TSV),
        ("application/json", Kind.RESULTS, Format.JSON),
        ("application/rdf+xml;q=0.9, application/ld+json", Kind.GRAPH, Format.JSON_LD),
        ("text/html, application/xhtml+xml, */*;q=0.8", Kind.RESULTS, Format.JSON),
        ("application/n-triples", Kind.RESULTS, None),
        ("text/turtle;q=0", Kind.GRAPH, None),
    ],
)
def test_negotiation_table(accept: str | None, kind: Kind, expected: Format | None) -> None:
    assert negotiate(accept, kind) is expected


def test_union_default_graph_by_get(server: RunningServer) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    r = httpx.get(f"{server.url}/sparql", params={"query": query})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "3006"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_select_formats(server: RunningServer, accept: str, media_type: str) -> None:
    r = httpx.post(
        f"{server.url}/sparql",
        content=PEOPLE_QUERY,
        headers={"Content-Type": "application/sparql-query", "Accept": accept},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == f"{media_type}; charset=utf-8"
    if media_type == "text/csv":  # lossy: the engine does not read it back
        assert r.text.split("\r\n") == ["name", "Alice", "Bob", ""]
        return
    fmt = Format.from_media_type(media_type)
    assert fmt is not None
    rows = list(ox.parse_query_results(r.content, format=fmt.results))
    assert [row["name"].value for row in rows] == ["Alice", "Bob"]


@pytest.mark.parametrize("fmt", [f for f in Format if f.kind is Kind.GRAPH])
def test_construct_formats(server: RunningServer, fmt: Format) -> None:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{EX}people> {{ ?s ?p ?o }} }}"
    r = httpx.post(
        f"{server.url}/sparql", data={"query": query}, headers={"Accept": fmt.media_type}
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == fmt.content_type
    assert len(list(ox.parse(r.content, format=fmt.rdf))) == 5


def test_format_parameter_for_browsers(server: RunningServer) -> None:
    r = httpx.get(
        f"{server.url}/sparql",
        params={"query": PEOPLE_QUERY, "format": "csv"},
        headers={"Accept": "text/html,*/*;q=0.8"},
    )
    assert r.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(r.text)))[1:] == [["Alice"], ["Bob"]]


def test_ask_and_describe(server: RunningServer) -> None:
    ask = httpx.get(f"{server.url}/sparql", params={"query": f"ASK {{ <{EX}alice> ?p ?o }}"})
    assert ask.json()["boolean"] is True
    describe = httpx.get(
        f"{server.url}/sparql",
        params={"query": f"DESCRIBE <{EX}bob>"},
        headers={"Accept": "application/n-triples"},
    )
    assert describe.headers["content-type"].startswith("application/n-triples")
    assert '"Bob"@en' in describe.text


def test_dataset_from_protocol_and_from_clause(server: RunningServer) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    by_param = httpx.get(
        f"{server.url}/sparql", params={"query": count, "default-graph-uri": f"{EX}places"}
    )
    assert by_param.json()["results"]["bindings"][0]["n"]["value"] == "1"
    by_from = httpx.get(
        f"{server.url}/sparql",
        params={"query": f"SELECT (COUNT(*) AS ?n) FROM <{EX}people> WHERE {{ ?s ?p ?o }}"},
    )
    assert by_from.json()["results"]["bindings"][0]["n"]["value"] == "5"


def test_get_without_query_is_the_service_description(server: RunningServer) -> None:
    r = httpx.get(f"{server.url}/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    graph = {
        (t.subject, t.predicate, t.object) for t in ox.parse(r.content, format=ox.RdfFormat.TURTLE)
    }
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (
        ox.NamedNode(f"{server.url}/sparql#service"),
        ox.NamedNode(sd + "feature"),
        ox.NamedNode(sd + "UnionDefaultGraph"),
    ) in graph


@pytest.mark.parametrize(
    ("request_kwargs", "status", "says"),
    [
        ({"params": {"query": "SELECT * WHERE { ?s ?p }"}}, 400, "1:"),
        ({"params": {"query": ["ASK {}", "ASK {}"]}}, 400, "once"),
        ({"params": {"query": "ASK {}", "timeout": "soon"}}, 400, "timeout"),
        ({"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}, 406, "Accept"),
        ({"params": {"query": "ASK {}", "format": "pdf"}}, 406, "pdf"),
        ({"params": {"query": "CONSTRUCT {} WHERE {}", "format": "csv"}}, 406, "graph"),
    ],
)
def test_bad_requests_say_what_is_wrong(
    server: RunningServer, request_kwargs: dict[str, object], status: int, says: str
) -> None:
    r = httpx.get(f"{server.url}/sparql", **request_kwargs)  # type: ignore[arg-type]
    assert r.status_code == status
    assert says in r.text


def test_post_needs_a_known_media_type(server: RunningServer) -> None:
    r = httpx.post(f"{server.url}/sparql", content="ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert "application/sparql-query" in r.text


def test_result_cap_says_so(server: RunningServer) -> None:
    query = f"SELECT ?s WHERE {{ GRAPH <{EX}big> {{ ?s ?p ?o }} }}"
    r = httpx.get(f"{server.url}/sparql", params={"query": query, "format": "json"})
    assert r.headers["x-result-truncated"] == "true; max-results=1000"
    assert len(r.json()["results"]["bindings"]) == 1000
    small = httpx.get(f"{server.url}/sparql", params={"query": PEOPLE_QUERY})
    assert "x-result-truncated" not in small.headers


def test_body_limit(server: RunningServer) -> None:
    big = "ASK {}" + " " * (64 * 1024)
    r = httpx.post(
        f"{server.url}/sparql", content=big, headers={"Content-Type": "application/sparql-query"}
    )
    assert r.status_code == 413

    def chunks():  # no Content-Length: the limit is checked as the body arrives
        for _ in range(100):
            yield b" " * 1024

    r = httpx.post(
        f"{server.url}/sparql",
        content=chunks(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert r.status_code == 413


def test_cors(server: RunningServer) -> None:
    allowed = httpx.get(
        f"{server.url}/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://ui.example"}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://ui.example"
    other = httpx.get(
        f"{server.url}/sparql",
        params={"query": "ASK {}"},
        headers={"Origin": "https://evil.example"},
    )
    assert "access-control-allow-origin" not in other.headers


def test_update_is_off_by_default(server: RunningServer) -> None:
    r = httpx.post(
        f"{server.url}/update",
        content="CLEAR ALL",
        headers={"Content-Type": "application/sparql-update", **server.auth},
    )
    assert r.status_code == 403
    assert "off" in r.text


def test_runaway_query_is_stopped_and_others_keep_answering(server: RunningServer) -> None:
    outcome: dict[str, object] = {}

    def runaway() -> None:
        start = time.monotonic()
        r = httpx.get(
            f"{server.url}/sparql", params={"query": RUNAWAY, "timeout": "1.5"}, timeout=30
        )
        outcome.update(status=r.status_code, text=r.text, seconds=time.monotonic() - start)

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    start = time.monotonic()
    cheap = httpx.get(
        f"{server.url}/sparql",
        params={"query": f"ASK {{ <{EX}alice> ?p ?o . FILTER({time.time()} > 0) }}"},
    )
    assert cheap.status_code == 200
    assert time.monotonic() - start < 0.5
    thread.join()
    assert outcome["status"] == 503
    assert "stopped" in str(outcome["text"])
    assert 1.4 < outcome["seconds"] < 3  # type: ignore[operator]
    deadline = time.monotonic() + 10
    while httpx.get(f"{server.url}/status").json()["workers"] < 2:
        assert time.monotonic() < deadline, "the pool did not get back to full strength"
        time.sleep(0.1)
    again = httpx.get(f"{server.url}/sparql", params={"query": PEOPLE_QUERY})
    assert json.loads(again.text)["results"]["bindings"][0]["name"]["value"] == "Alice"
