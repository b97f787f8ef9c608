"""Regression: a ``default-graph-uri`` or ``named-graph-uri`` that is not an absolute IRI gave
500 (the worker failed building the dataset); it is the client's mistake, so 400."""

from __future__ import annotations

import httpx
import pytest

from conftest import RunningServer


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("value", ["foo", "", "http://a b/", "<http://x>"])
def test_a_relative_dataset_iri_is_400(server: RunningServer, parameter: str, value: str) -> None:
    r = httpx.get(f"{server.url}/sparql", params={"query": "ASK {}", parameter: value})
    assert r.status_code == 400
    assert parameter in r.text and "absolute IRI" in r.text
