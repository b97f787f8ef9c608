"""The Graph Store Protocol at /store: open reads, token-protected writes (see conftest.py)."""

from __future__ import annotations

import httpx
import pyoxigraph as ox

from conftest import EX, RunningServer

TURTLE = {"Content-Type": "text/turtle"}
DATA = f"<{EX}x> <{EX}p> 'one' ."


def _graph(server: RunningServer, iri: str) -> httpx.Response:
    return httpx.get(
        f"{server.url}/store", params={"graph": iri}, headers={"Accept": "application/n-triples"}
    )


def test_read_a_named_graph(server: RunningServer) -> None:
    r = _graph(server, f"{EX}places")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/n-triples; charset=utf-8"
    assert '"Westminster"' in r.text
    assert _graph(server, f"{EX}nothing-here").status_code == 404


def test_writes_need_the_token(server: RunningServer) -> None:
    url = f"{server.url}/store"
    params = {"graph": f"{EX}token-test"}
    missing = httpx.put(url, params=params, content=DATA, headers=TURTLE)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.put(
        url, params=params, content=DATA, headers={**TURTLE, "Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401
    assert httpx.delete(url, params={"graph": f"{EX}people"}).status_code == 401


def test_put_post_get_delete(server: RunningServer) -> None:
    url, iri = f"{server.url}/store", f"{EX}gsp-cycle"
    created = httpx.put(url, params={"graph": iri}, content=DATA, headers={**TURTLE, **server.auth})
    assert created.status_code == 201
    merged = httpx.post(
        url,
        params={"graph": iri},
        content=f"<{EX}x> <{EX}p> 'two' .",
        headers={**TURTLE, **server.auth},
    )
    assert merged.status_code == 204
    assert len(list(ox.parse(_graph(server, iri).content, format=ox.RdfFormat.N_TRIPLES))) == 2
    # The write is visible to queries at once: the workers moved to the new snapshot.
    ask = httpx.get(
        f"{server.url}/sparql", params={"query": f"ASK {{ GRAPH <{iri}> {{ ?s ?p 'two' }} }}"}
    )
    assert ask.json()["boolean"] is True
    assert httpx.delete(url, params={"graph": iri}, headers=server.auth).status_code == 204
    assert _graph(server, iri).status_code == 404
    assert httpx.delete(url, params={"graph": iri}, headers=server.auth).status_code == 404


def test_bad_rdf_is_refused_with_its_position(server: RunningServer) -> None:
    r = httpx.put(
        f"{server.url}/store",
        params={"graph": f"{EX}broken"},
        content="<a> <b> .",
        headers={**TURTLE, **server.auth},
    )
    assert r.status_code == 400
    assert "line 1 column 9" in r.text
    assert _graph(server, f"{EX}broken").status_code == 404


def test_unknown_media_type(server: RunningServer) -> None:
    r = httpx.put(
        f"{server.url}/store",
        params={"graph": f"{EX}x"},
        content="x",
        headers={"Content-Type": "text/plain+nonsense", **server.auth},
    )
    assert r.status_code == 415


def test_post_creates_a_graph_with_a_location(server: RunningServer) -> None:
    r = httpx.post(f"{server.url}/store", content=DATA, headers={**TURTLE, **server.auth})
    assert r.status_code == 201
    location = r.headers["location"]
    assert location.startswith(f"{server.url}/store/")
    direct = httpx.get(location, headers={"Accept": "text/turtle"})
    assert direct.status_code == 200
    assert "one" in direct.text
    assert httpx.delete(location, headers=server.auth).status_code == 204
