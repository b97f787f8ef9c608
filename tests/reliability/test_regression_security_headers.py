"""Regression: responses other than HTML pages carried no security headers (nosniff, framing,
referrer, CSP); every response now does, refusals included, and pages keep their own CSP."""

from __future__ import annotations

import httpx
import pytest

from conftest import RunningServer
from cqckg.serve.html import CSP
from cqckg.serve.middleware import DEFAULT_CSP


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/sparql", {"params": {"query": "ASK {}"}}, 200),
        ("GET", "/sparql", {}, 200),
        ("GET", "/sparql", {"params": {"query": "ASK {"}}, 400),
        ("GET", "/sparql", {"params": {"query": "ASK {}", "format": "pdf"}}, 406),
        ("GET", "/status", {}, 200),
        ("GET", "/openapi.json", {}, 200),
        ("GET", "/store", {"params": {"graph": "http://example.org/none"}}, 404),
        ("PUT", "/store", {"params": {"default": ""}, "content": b""}, 401),
        ("POST", "/sparql", {"content": b" " * 70_000}, 413),
        ("GET", "/no/such/page", {}, 404),
    ],
)
def test_every_response_has_the_security_headers(
    server: RunningServer, method: str, path: str, kwargs: dict[str, object], status: int
) -> None:
    r = httpx.request(method, f"{server.url}{path}", **kwargs)  # type: ignore[arg-type]
    assert r.status_code == status
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["content-security-policy"] == DEFAULT_CSP
    assert "frame-ancestors 'none'" in DEFAULT_CSP and "default-src 'self'" in DEFAULT_CSP


def test_pages_keep_their_stricter_policy(ld_server: RunningServer) -> None:
    r = httpx.get(f"{ld_server.url}/")
    assert r.status_code == 200
    assert r.headers["content-security-policy"] == CSP
    assert r.headers["x-frame-options"] == "DENY"
