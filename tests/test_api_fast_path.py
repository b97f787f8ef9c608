"""The query endpoint's fast path (``sparql.SparqlRoute``): it changes how a request reaches its
handler, never what the request gets back."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from cqckg.api.app import create_app
from cqckg.api.backend import Answer, WorkerRefusal
from cqckg.api.middleware import SECURITY_HEADERS
from cqckg.api.negotiation import Format
from cqckg.api.sparql import SparqlRoute
from cqckg.errors import QueryTimeout
from cqckg.settings import Settings

SETTINGS = Settings(
    store=":memory:", cors_origins=["https://ui.example"], max_body=1024, cache_entries=0
)


class FakeBackend:
    """Answers every read from a script: an ``Answer`` or an exception to raise."""

    def __init__(self) -> None:
        self.settings = SETTINGS
        self.jobs: list[dict[str, Any]] = []
        self.pool = SimpleNamespace(ready=2, size=2)
        self.version = 0

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
    app = create_app(SETTINGS)
    if not fast:  # the routers alone, as before the fast path
        app.user_middleware = [m for m in app.user_middleware if m.cls is not SparqlRoute]
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
    assert app.user_middleware[-1].cls is SparqlRoute  # innermost: every other layer runs first
    assert _request(app, "GET", "/status").json() == {"workers": 2, "size": 2, "version": 0}
    paths = _request(app, "GET", "/openapi.json").json()["paths"]
    assert paths["/sparql"].keys() == {"get", "post"}
