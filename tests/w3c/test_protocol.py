"""The W3C SPARQL 1.1 Protocol suite (tests/data/w3c/protocol_manifest.ttl) against a real server.

The manifest's requests all go to ``/sparql/``; here queries go to ``/sparql`` and updates to
``/update`` (this server keeps them apart so that updates can be switched off). Graphs the tests
read from ``http://kasei.us/...`` are loaded into the store under the same IRIs first, since the
server never fetches remote data (see tests/data/w3c/README.md). No test is skipped.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

import httpx
import pytest
from http_manifest import Case, Step, load, run

from conftest import RunningServer

CASES = load("protocol_manifest.ttl")


def path_for(case: Case, step: Step) -> str:
    """``/update`` for the update requests of the update tests, else ``/sparql``."""
    query = urlsplit(step.path).query
    content_type = step.headers.get("content-type")
    is_update = "update" in case.id and content_type != "application/sparql-query"
    return ("/update" if is_update else "/sparql") + (f"?{query}" if query else "")


def reset(client: httpx.Client, server: RunningServer, graphs: list[str]) -> None:
    """Empty the store, then give each graph the stand-in triple ``<IRI> a foaf:Document``."""
    headers = {"Content-Type": "application/sparql-update", **server.auth}
    assert client.post("/update", content="DROP ALL", headers=headers).status_code == 204
    for iri in graphs:
        data = f"<{iri}> a <http://xmlns.com/foaf/0.1/Document> ."
        headers = {"Content-Type": "text/turtle", **server.auth}
        r = client.put("/store", params={"graph": iri}, content=data, headers=headers)
        assert r.status_code == 201


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_protocol(w3c_server: RunningServer, case: Case) -> None:
    with httpx.Client(base_url=w3c_server.url) as client:
        reset(client, w3c_server, case.graph_data)
        run(client, case, functools.partial(path_for, case), w3c_server.auth)


def test_manifest_is_complete() -> None:
    assert len(CASES) == 34
