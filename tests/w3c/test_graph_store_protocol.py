"""The W3C SPARQL 1.1 Graph Store HTTP Protocol suite (direct and indirect identification)
against a real server. ``/gsp`` in the manifests is ``/store`` here; the store is emptied before
each test, as each one expects to start without the graphs it creates. No test is skipped.
"""

from __future__ import annotations

import httpx
import pytest
from http_manifest import Case, Step, load, run

from conftest import RunningServer

CASES = load("graph-store-protocol_manifest-direct.ttl") + load(
    "graph-store-protocol_manifest-indirect.ttl"
)


def path_for(step: Step) -> str:
    assert step.path.startswith("/gsp")
    return "/store" + step.path[len("/gsp") :]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_graph_store_protocol(w3c_server: RunningServer, case: Case) -> None:
    with httpx.Client(base_url=w3c_server.url) as client:
        headers = {"Content-Type": "application/sparql-update", **w3c_server.auth}
        assert client.post("/update", content="DROP ALL", headers=headers).status_code == 204
        run(client, case, path_for, w3c_server.auth)


def test_manifests_are_complete() -> None:
    assert len(CASES) == 13
