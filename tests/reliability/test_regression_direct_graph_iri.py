"""Regression: a Graph Store URL whose path decodes to characters no IRI may hold
(``/store/%00``) gave 500 from the worker; it is now 400 before any work is done."""

from __future__ import annotations

import httpx
import pytest

from conftest import RunningServer


@pytest.mark.parametrize("path", ["%00", "a%20b", "%3C%3E"])
def test_a_direct_graph_url_that_is_no_iri_is_400(server: RunningServer, path: str) -> None:
    r = httpx.get(f"{server.url}/store/{path}", headers={"Accept": "text/turtle"})
    assert r.status_code == 400, r.text
    assert "absolute IRI" in r.text
    r = httpx.put(
        f"{server.url}/store/{path}",
        content=b"<urn:a> <urn:b> 1 .",
        headers={"Content-Type": "text/turtle", **server.auth},
    )
    assert r.status_code == 400
