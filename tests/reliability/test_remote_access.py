"""Nothing a request says makes the server contact another host or read a local file.

Tripwires: a TCP listener on a free loopback port, and a named pipe under ``tmp_path`` (see
:mod:`reliability_support`). SERVICE and LOAD aimed at them, at private ranges, cloud metadata
and ``file:`` URLs are refused (400); FROM, FROM NAMED and the protocol's dataset parameters
only pick graphs in the store; RDF sent to the Graph Store is parsed without fetching contexts
or entities. Afterwards neither tripwire has been touched. An allow-listed endpoint is
contacted, which shows the listener would notice.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from reliability_support import Canary, Listener, canary, listening

from conftest import SERVER_DATA, WRITE_TOKEN, RunningServer, run_server


@pytest.fixture(scope="module")
def tripwires(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Listener, Canary]]:
    folder = tmp_path_factory.mktemp("tripwires")
    with listening() as listener, canary(folder / "canary.nt") as pipe:
        yield listener, pipe


def targets(listener: Listener, pipe: Canary) -> list[str]:
    port = listener.port
    return [
        f"{listener.url}/sparql",
        f"http://localhost:{port}/sparql",
        f"http://[::1]:{port}/sparql",
        f"http://2130706433:{port}/sparql",  # 127.0.0.1 as one number
        f"http://127.1:{port}/",
        "http://10.0.0.1/sparql",
        "http://172.16.0.1/sparql",
        "http://192.168.1.1/sparql",
        "http://169.254.169.254/latest/meta-data/",
        "https://internal.example/sparql",
        pipe.uri,
        "file:///etc/passwd",
        f"ftp://127.0.0.1:{port}/data.nt",
    ]


SERVICE_FORMS = [
    "SELECT * {{ SERVICE <{t}> {{ ?s ?p ?o }} }}",
    "select * {{ service silent <{t}> {{ ?s ?p ?o }} }}",
    "SELECT * {{ \\u0053ERVICE <{t}> {{ ?s ?p ?o }} }}",
    "SELECT * {{ ?x ?y ?z OPTIONAL {{ SERVICE<{t}>{{?s?p?o}} }} }}",
]


def test_service_to_any_unlisted_target_is_refused_without_contact(
    server: RunningServer, tripwires: tuple[Listener, Canary]
) -> None:
    listener, pipe = tripwires
    for target in targets(listener, pipe):
        for form in SERVICE_FORMS:
            query = form.format(t=target)
            r = httpx.get(f"{server.url}/sparql", params={"query": query}, timeout=10)
            assert r.status_code == 400, (query, r.text)
            assert "refused" in r.text
        base, _, rest = target.rpartition("/")
        relative = f"BASE <{base}/> SELECT * {{ SERVICE <{rest}> {{ ?s ?p ?o }} }}"
        prefixed = f"PREFIX t: <{base}/> SELECT * {{ SERVICE t:{rest} {{ ?s ?p ?o }} }}"
        for query in (relative, prefixed):
            r = httpx.get(f"{server.url}/sparql", params={"query": query}, timeout=10)
            assert r.status_code == 400, (query, r.text)
    assert listener.connections == 0
    assert not pipe.opened


def test_load_is_refused_without_contact(
    w3c_server: RunningServer, tripwires: tuple[Listener, Canary]
) -> None:
    listener, pipe = tripwires
    headers = {"Content-Type": "application/sparql-update", **w3c_server.auth}
    for target in targets(listener, pipe):
        for update in (f"LOAD <{target}>", f"LOAD SILENT <{target}> INTO GRAPH <urn:g>"):
            r = httpx.post(f"{w3c_server.url}/update", content=update, headers=headers)
            assert r.status_code == 400, (update, r.text)
            assert "refused" in r.text
    assert listener.connections == 0
    assert not pipe.opened


def test_dataset_clauses_never_dereference(
    server: RunningServer, tripwires: tuple[Listener, Canary]
) -> None:
    listener, pipe = tripwires
    for target in (f"{listener.url}/data.nt", pipe.uri):
        for query in (
            f"SELECT * FROM <{target}> {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{target}> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            f"DESCRIBE <{target}>",
            f"SELECT * {{ GRAPH <{target}> {{ ?s ?p ?o }} }}",
        ):
            r = httpx.get(f"{server.url}/sparql", params={"query": query}, timeout=10)
            assert r.status_code == 200, (query, r.text)
            assert "canary" not in r.text
        for parameter in ("default-graph-uri", "named-graph-uri"):
            params = {"query": "SELECT * { ?s ?p ?o }", parameter: target, "format": "json"}
            r = httpx.get(f"{server.url}/sparql", params=params, timeout=10)
            assert r.status_code == 200
            assert r.json()["results"]["bindings"] == []
    assert listener.connections == 0
    assert not pipe.opened


def test_rdf_sent_to_the_graph_store_fetches_nothing(
    server: RunningServer, tripwires: tuple[Listener, Canary]
) -> None:
    listener, pipe = tripwires
    bodies = {
        "application/ld+json": f'{{"@context": "{listener.url}/context.jsonld", "name": "x"}}',
        "application/rdf+xml": (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "'
            + pipe.uri
            + '">]><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:e="http://e.example/"><rdf:Description rdf:about="http://s.example/">'
            "<e:p>&x;</e:p></rdf:Description></rdf:RDF>"
        ),
        "text/turtle": f"@base <{listener.url}/> . @prefix c: <{pipe.uri}#> . <s> c:p <o> .",
    }
    graph = "http://example.org/reliability/fetch"
    for media_type, body in bodies.items():
        r = httpx.put(
            f"{server.url}/store",
            params={"graph": graph},
            content=body.encode(),
            headers={"Content-Type": media_type, **server.auth},
            timeout=10,
        )
        assert r.status_code in (201, 204, 400), (media_type, r.text)
    httpx.delete(f"{server.url}/store", params={"graph": graph}, headers=server.auth)
    assert listener.connections == 0
    assert not pipe.opened


def test_an_allow_listed_endpoint_is_contacted(tmp_path: Path) -> None:
    with listening() as listener:
        endpoint = f"{listener.url}/sparql"
        env = {"CQCKG_WRITE_TOKEN": WRITE_TOKEN, "CQCKG_WORKERS": "1"}
        with run_server(tmp_path, SERVER_DATA, env, "--allow-service", endpoint) as running:
            query = f"SELECT * {{ SERVICE SILENT <{endpoint}> {{ ?s ?p ?o }} }}"
            r = httpx.get(f"{running.url}/sparql", params={"query": query}, timeout=30)
            assert r.status_code < 500
        assert listener.connections >= 1
        assert b"/sparql" in listener.received
