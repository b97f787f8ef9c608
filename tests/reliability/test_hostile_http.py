"""Hostile HTTP: malformed SPARQL, oversized and trickled bodies, slow clients, bad Accept
headers and path traversal are refused cleanly (4xx with a reason), and never stop the server
answering everyone else."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from conftest import SERVER_DATA, WRITE_TOKEN, RunningServer, run_server

BODY_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {
        "CQCKG_WRITE_TOKEN": WRITE_TOKEN,
        "CQCKG_MAX_BODY": str(64 * 1024),
        "CQCKG_BODY_TIMEOUT": str(BODY_TIMEOUT),
    }
    with run_server(tmp_path_factory.mktemp("guarded"), SERVER_DATA, env) as running:
        yield running


def alive(url: str) -> None:
    r = httpx.get(f"{url}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=5)
    assert r.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "SELEC * { ?s ?p ?o }",
        "SELECT * { ?s ?p ?o",
        "SELECT * { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p 'unterminated }",
        "PREFIX : <http://x/ SELECT * {}",
        "SELECT * { ?s undeclared:p ?o }",
        "SELECT ?x { BIND(1 AS ?x) BIND(2 AS ?x) }",
        "\x00",
        "{" * 5000,
        "",
    ],
)
def test_malformed_sparql_is_400(guarded: RunningServer, query: str) -> None:
    r = httpx.post(
        f"{guarded.url}/sparql",
        content=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert r.status_code == 400, r.text
    assert r.text.strip()
    alive(guarded.url)


@pytest.mark.parametrize(
    "accept",
    [
        "",
        "*/*;q=abc",
        "application/sparql-results+json;q=-1",
        ";;;,,,=",
        "text/html",
        "image/png",
        "application/*;q=0",
        "x" * 8000,
        "application/sparql-results+json;" + "a=b;" * 500,
    ],
)
def test_bad_accept_headers_are_answered_or_406(guarded: RunningServer, accept: str) -> None:
    r = httpx.get(f"{guarded.url}/sparql", params={"query": "ASK {}"}, headers={"Accept": accept})
    assert r.status_code in (200, 406), r.text


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../pyproject.toml",
        "/static/..%2f..%2f..%2fpyproject.toml",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/doc/../../../../etc/passwd",
        "/doc/..%2f..%2f..%2fetc%2fpasswd",
        "/doc/source/..%2f..%2f..%2fetc%2fpasswd",
        "/doc/source/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/id/..%2f..%2fetc%2fpasswd",
        "/store/..%2f..%2fetc%2fpasswd",
        "/store/%00",
        "/def/../../etc/passwd",
    ],
)
def test_path_traversal_reads_no_file(guarded: RunningServer, path: str) -> None:
    with socket.create_connection(("127.0.0.1", int(guarded.url.rsplit(":", 1)[1]))) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    status = int(reply.split(b" ", 2)[1])
    assert 300 <= status < 500, reply[:200]
    assert b"root:x:0:0" not in reply and b"[build-system]" not in reply


@pytest.mark.parametrize(
    "graph", ["../../etc/passwd", "file:///etc/passwd", "/etc/passwd", "..\\..\\boot.ini"]
)
def test_graph_names_are_iris_not_paths(guarded: RunningServer, graph: str) -> None:
    r = httpx.get(f"{guarded.url}/store", params={"graph": graph})
    assert r.status_code in (400, 404)
    assert "root:x:0:0" not in r.text


def test_oversized_bodies_are_413(guarded: RunningServer) -> None:
    big = b"ASK {}" + b" " * (64 * 1024)
    for path, kind in (("/sparql", "application/sparql-query"), ("/store?default", "text/turtle")):
        r = httpx.post(
            f"{guarded.url}{path}", content=big, headers={"Content-Type": kind, **guarded.auth}
        )
        assert r.status_code == 413
    alive(guarded.url)


def test_a_trickled_body_is_408_and_others_are_served(guarded: RunningServer) -> None:
    """Regression: a client sending its body slowly held its request open for ever."""
    port = int(guarded.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100\r\n\r\nASK"
        )
        start = time.monotonic()
        alive(guarded.url)
        s.settimeout(BODY_TIMEOUT + 10)
        reply = s.recv(4096)
        waited = time.monotonic() - start
    assert reply.startswith(b"HTTP/1.1 408"), reply[:100]
    assert waited < BODY_TIMEOUT + 5


def test_slow_and_idle_clients_do_not_block_others(guarded: RunningServer) -> None:
    port = int(guarded.url.rsplit(":", 1)[1])
    held = []
    try:
        for i in range(100):
            s = socket.create_connection(("127.0.0.1", port))
            if i % 2:  # half send part of their headers, half nothing at all
                s.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
            held.append(s)
        # A client that never reads a large answer.
        reader = socket.create_connection(("127.0.0.1", port))
        query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <http://example.org/big> { ?s ?p ?o } }"
        request = httpx.Request("GET", f"{guarded.url}/sparql", params={"query": query})
        reader.sendall(f"GET {request.url.raw_path.decode()} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        held.append(reader)
        start = time.monotonic()
        for _ in range(20):
            alive(guarded.url)
        assert time.monotonic() - start < 10
    finally:
        for s in held:
            s.close()
    alive(guarded.url)
