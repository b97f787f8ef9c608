"""Regression: SPARQL Update operations the engine refuses while running them (CREATE of a
graph that exists, DROP/CLEAR of one that does not, without SILENT) gave 500; they are the
request's fault and leave the store unchanged, so 400 with the engine's reason."""

from __future__ import annotations

import httpx
import pytest

from conftest import RunningServer

GRAPH = "http://example.org/regression/update-errors"


@pytest.mark.parametrize(
    "update",
    [
        f"CREATE GRAPH <{GRAPH}>",
        "DROP GRAPH <http://example.org/regression/missing>",
        "CLEAR GRAPH <http://example.org/regression/missing>",
    ],
)
def test_refused_update_is_400_and_changes_nothing(w3c_server: RunningServer, update: str) -> None:
    url, headers = w3c_server.url, {"Content-Type": "application/sparql-update", **w3c_server.auth}
    setup = (
        f"DROP SILENT GRAPH <{GRAPH}> ; INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:a> <urn:b> 1 }} }}"
    )
    assert httpx.post(f"{url}/update", content=setup, headers=headers).status_code == 204
    before = httpx.get(f"{url}/store", params={"graph": GRAPH}, headers={"Accept": "text/turtle"})
    r = httpx.post(f"{url}/update", content=update, headers=headers)
    assert r.status_code == 400, r.text
    assert "not applied" in r.text
    after = httpx.get(f"{url}/store", params={"graph": GRAPH}, headers={"Accept": "text/turtle"})
    assert after.text == before.text
    httpx.post(f"{url}/update", content=f"DROP SILENT GRAPH <{GRAPH}>", headers=headers)
