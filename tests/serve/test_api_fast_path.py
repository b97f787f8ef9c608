"""The query endpoint's fast path (``sparql.SparqlRoute``): it changes how a request reaches its
handler, never what the request gets back."""

from __future__ import annotations

import asyncio
import random
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

import httpx
import pytest
from fastapi import FastAPI

from cqckg.core.errors import QueryTimeout
from cqckg.questions import list_questions
from cqckg.serve.app import create_app
from cqckg.serve.backend import Answer, WorkerRefusal
from cqckg.serve.deps import parse_form
from cqckg.serve.middleware import SECURITY_HEADERS
from cqckg.serve.negotiation import Format
from cqckg.serve.settings import Settings

SETTINGS = Settings(
    store=":memory:", cors_origins=["https://ui.example"], max_body=1024, cache_entries=0
)


class FakeBackend:
    """Answers every read from a script: an ``Answer`` or an exception to raise."""

    def __init__(self) -> None:
        self.settings = SETTINGS
        self.jobs: list[dict[str, Any]] = []
        self.pool = SimpleNamespace(ready=2, size=2)
        self.background_workers = 1
        self.version = 0
        self.refreshing = 0

    async def read(self, job: dict[str, Any], timeout: float) -> Answer:
        self.jobs.append({**job, "timeout": timeout})
        query = job["query"]
        if "timeout" in query:
            raise QueryTimeout("the query ran past its 1 s limit and was stopped")
        if "syntax" in query:
            raise WorkerRefusal("syntax", "error at 1:5")
        if "crash" in query:
            raise RuntimeError("not handled anywhere")
        return Answer(b'{"boolean":true}', Format.JSON, truncated="cut" in query)


def _app(fast: bool) -> tuple[FastAPI, FakeBackend]:
    app = create_app(SETTINGS, sparql_fast_path=fast)  # not fast: the routers alone
    backend = FakeBackend()
    app.state.backend = backend
    return app, backend


REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/sparql", {"params": {"query": "ASK {}"}}),
    ("GET", "/sparql", {"params": {"query": "ASK { cut }", "timeout": "2"}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}", "default-graph-uri": "http://ex.org/g"}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}"}, "headers": {"Accept": "text/csv"}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}", "format": "pdf"}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}", "timeout": "-1"}}),
    ("GET", "/sparql", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}),
    ("GET", "/sparql", {"params": {"query": "ASK { timeout }"}}),
    ("GET", "/sparql", {"params": {"query": "ASK { syntax }"}}),
    ("GET", "/sparql", {"params": {"query": "SELECT * { SERVICE <http://10.0.0.1/> {} }"}}),
    ("GET", "/sparql", {"params": {"update": "CLEAR ALL"}}),
    ("GET", "/sparql", {}),
    (
        "GET",
        "/sparql",
        {"params": {"query": "ASK {}"}, "headers": {"Origin": "https://ui.example"}},
    ),
    ("POST", "/sparql", {"data": {"query": "ASK {}"}}),
    ("POST", "/sparql", {"data": {"nothing": "here"}}),
    (
        "POST",
        "/sparql",
        {"content": "ASK {}", "headers": {"Content-Type": "application/sparql-query"}},
    ),
    ("POST", "/sparql", {"content": "ASK {}", "headers": {"Content-Type": "text/plain"}}),
    (
        "POST",
        "/sparql",
        {"content": b"\xff\xfe", "headers": {"Content-Type": "application/sparql-query"}},
    ),
    (
        "POST",
        "/sparql",
        {"content": "ASK {}" + " " * 2000, "headers": {"Content-Type": "application/sparql-query"}},
    ),
    ("PUT", "/sparql", {"content": "ASK {}"}),
    ("HEAD", "/sparql", {}),
    (
        "OPTIONS",
        "/sparql",
        {"headers": {"Origin": "https://ui.example", "Access-Control-Request-Method": "POST"}},
    ),
    ("GET", "/sparql/", {"params": {"query": "ASK {}"}}),
    ("GET", "/status", {}),
]


def _request(app: FastAPI, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request to ``app`` in process (no lifespan: the fake backend answers)."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)

    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(fetch())


def _summary(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = sorted((k, v) for k, v in response.headers.items() if k != "date")
    return response.status_code, headers, response.content


@pytest.mark.parametrize(("method", "path", "kwargs"), REQUESTS)
def test_the_fast_path_answers_as_the_router_does(
    method: str, path: str, kwargs: dict[str, Any]
) -> None:
    answers = []
    jobs = []
    for fast in (True, False):
        app, backend = _app(fast)
        answers.append(_summary(_request(app, method, path, **kwargs)))
        jobs.append(backend.jobs)
    assert answers[0] == answers[1]
    assert jobs[0] == jobs[1]


def test_the_fast_path_keeps_the_security_properties() -> None:
    app, backend = _app(True)
    ok = _request(
        app, "GET", "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://ui.example"}
    )
    assert ok.status_code == 200 and ok.json() == {"boolean": True}
    for name, value in SECURITY_HEADERS:
        assert ok.headers[name.decode()] == value.decode()
    assert ok.headers["access-control-allow-origin"] == "https://ui.example"
    assert backend.jobs[-1]["timeout"] == SETTINGS.query_timeout
    stopped = _request(app, "GET", "/sparql", params={"query": "ASK { timeout }"})
    assert (stopped.status_code, stopped.headers["retry-after"]) == (503, "1")
    assert "x-frame-options" in stopped.headers
    too_big = _request(
        app,
        "POST",
        "/sparql",
        content="ASK {}" + " " * 2000,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert too_big.status_code == 413 and "x-content-type-options" in too_big.headers
    remote = _request(
        app, "GET", "/sparql", params={"query": "SELECT * { SERVICE <http://10.0.0.1/> {} }"}
    )
    assert remote.status_code == 400
    assert len(backend.jobs) == 2  # neither the oversized body nor SERVICE reached the backend
    crash = _request(app, "GET", "/sparql", params={"query": "ASK { crash }"})
    assert crash.status_code == 500


def test_the_fast_path_is_installed_and_lets_other_requests_through() -> None:
    app, _ = _app(True)
    front = app._build_front()
    layers = []
    while hasattr(front, "app"):
        layers.append(type(front).__name__)
        front = front.app
    # the security headers, body guard and CORS run first; FastAPI's own layers after
    assert layers == [
        "SecurityHeaders",
        "ServerErrorMiddleware",
        "BodyGuard",
        "CORSMiddleware",
        "SparqlRoute",
    ]
    assert _request(app, "GET", "/status").json() == {
        "workers": 2,
        "size": 2,
        "background": 1,
        "version": 0,
        "refreshing": 0,
    }
    paths = _request(app, "GET", "/openapi.json").json()["paths"]
    assert paths["/sparql"].keys() == {"get", "post"}


# -- the query string -----------------------------------------------------------------------

_PIECES = ["a", "=", "&", "+", "%", "%2", "%20", "%7B", "%7b", "%E2%82%AC", "%FF", "%zz", "\\"]
_PIECES += ["\\x41", "é", "€", " ", "query", "format", "%25", "%26", "%3D", "%2B", "%5C", "0"]


def test_the_query_string_is_read_as_parse_qs_reads_it() -> None:
    """``parse_form`` (escapes unquoted by the codec machinery) against ``parse_qs`` on every
    named question as a client encodes it, and on 20,000 strings built from the pieces that
    trip URL decoding up: escapes good and bad, ``+``, backslashes, non-ASCII, separators."""
    texts = []
    for question in list_questions():
        values = {"authority": "E08000035", "iri": "https://w3id.org/cqc-kg/id/x#gap-1"}
        query = question.bind(
            {p.name: values[p.name] for p in question.parameters if p.name in values}
        )
        texts.append(str(httpx.URL("http://x/sparql", params={"query": query}).query, "ascii"))
        texts.append(urlencode({"query": query, "format": "json"}, quote_via=quote))
    rng = random.Random(20261122)
    texts += ["".join(rng.choices(_PIECES, k=rng.randint(0, 12))) for _ in range(20_000)]
    for text in texts:
        assert parse_form(text) == parse_qs(text, keep_blank_values=True), text
    assert "SELECT" in parse_form(texts[0])["query"][0]


def test_a_query_string_that_is_not_utf8_is_refused() -> None:
    for fast in (True, False):
        app, backend = _app(fast)
        status, body = _raw_get(app, b"/sparql", b"query=ASK+%7B%7D&x=\xff")
        assert status == 400 and b"not valid UTF-8" in body
        assert backend.jobs == []
        assert _raw_get(app, b"/sparql", b"query=ASK+%7B%7D")[0] == 200


def _raw_get(app: FastAPI, path: bytes, query_string: bytes) -> tuple[int, bytes]:
    """One GET with a query string of raw bytes, straight through the ASGI interface."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path.decode(),
        "raw_path": path,
        "root_path": "",
        "query_string": query_string,
        "headers": [(b"host", b"test")],
        "server": ("test", 80),
        "client": ("127.0.0.1", 1234),
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body
