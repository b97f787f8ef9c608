"""Writes need the token, pages show hostile literals inert, CORS as documented, no secrets logged.

The HTML test serves a real assessment graph in which every string literal carries a script tag
and an attribute breakout, and renders the pages about its things: none may contain the payload
as markup, and the escaped payload must show.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from conftest import WRITE_TOKEN, RunningServer, run_server
from cqckg.serve.app import create_app
from cqckg.serve.settings import Settings
from cqckg.store.load import reference_graphs

ROOT = Path(__file__).resolve().parents[2]
ASSESSMENT = ROOT / "graph" / "assessments" / "E09000007-2025-02-28.ttl"
PAYLOAD = "<script>alert({n})</script>\"'><img src=x onerror=alert({n})>"
BASE = "https://w3id.org/cqc-kg/"
STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
WRONG_TOKEN = "not-the-token-but-secret-looking-42"


def poisoned(path: Path) -> tuple[str, str]:
    """The assessment graph's IRI and its triples with a payload in every string literal."""
    triples = []
    for n, quad in enumerate(ox.parse(path=path, format=ox.RdfFormat.TURTLE)):
        o = quad.object
        if isinstance(o, ox.Literal) and o.datatype.value in (STRING, LANG_STRING):
            value = PAYLOAD.format(n=n) + o.value
            o = ox.Literal(value, language=o.language) if o.language else ox.Literal(value)
        triples.append(ox.Triple(quad.subject, quad.predicate, o))
    text = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    return f"{BASE}doc/assessment/E09000007/2025-02-28", text


@pytest.fixture(scope="module")
def poisoned_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    graphs = {str(iri): g.serialize(format="nt") for iri, g in reference_graphs().items()}
    iri, text = poisoned(ASSESSMENT)
    graphs[iri] = text
    with run_server(tmp_path_factory.mktemp("poisoned"), graphs, {"CQCKG_WORKERS": "1"}) as s:
        yield s


def test_every_literal_renders_inert(poisoned_server: RunningServer) -> None:
    subjects = sorted(
        {
            m.group(1)
            for m in re.finditer(
                r"^<(https://w3id\.org/cqc-kg/id/[^>]+)>", poisoned(ASSESSMENT)[1], re.M
            )
        }
    )
    pages = ["/", "/doc/authority/E09000007", "/doc/assessment/E09000007/2025-02-28"]
    pages += ["/doc/" + s[len(BASE) + 3 :] for s in random.Random(7).sample(subjects, 12)]
    shown = 0
    for page in pages:
        r = httpx.get(f"{poisoned_server.url}{page}", headers={"Accept": "text/html"}, timeout=30)
        assert r.status_code == 200, (page, r.status_code)
        html = r.text
        assert "<script>alert(" not in html, page
        assert "<img src=x" not in html, page
        assert "onerror=alert" not in html or "&lt;img src=x onerror=alert" in html, page
        shown += html.count("&lt;script&gt;alert(")
    assert shown > 0, "the literals were not shown at all"


WRITES = [
    ("PUT", "/store", {"graph": "http://example.org/reliability/auth"}),
    ("POST", "/store", {"graph": "http://example.org/reliability/auth"}),
    ("DELETE", "/store", {"graph": "http://example.org/people"}),
    ("PUT", "/store/reliability/auth", {}),
    ("POST", "/update", {}),
]
BAD_AUTHORIZATION = [
    None,
    f"Bearer {WRONG_TOKEN}",
    f"Basic {WRITE_TOKEN}",
    f"Bearer {WRITE_TOKEN}x",
    f"Bearer {WRITE_TOKEN[:-1]}",
    "Bearer  -",
    f"bearer{WRITE_TOKEN}",
]


@pytest.mark.parametrize(("method", "path", "params"), WRITES)
def test_writes_without_the_right_token_are_401(
    server: RunningServer, method: str, path: str, params: dict[str, str]
) -> None:
    before = httpx.get(f"{server.url}/store", params={"graph": "http://example.org/people"})
    for authorization in BAD_AUTHORIZATION:
        headers = {"Content-Type": "text/turtle"}
        if authorization is not None:
            headers["Authorization"] = authorization
        body = b"<http://a.example/> <http://b.example/> 1 ."
        r = httpx.request(
            method, f"{server.url}{path}", params=params, content=body, headers=headers
        )
        assert r.status_code == 401, (authorization, r.status_code)
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert WRITE_TOKEN not in r.text and WRONG_TOKEN not in r.text
    after = httpx.get(f"{server.url}/store", params={"graph": "http://example.org/people"})
    assert after.content == before.content


@pytest.mark.parametrize(("method", "path", "params"), WRITES)
def test_a_server_without_a_token_takes_no_writes(
    ld_server: RunningServer, method: str, path: str, params: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {WRITE_TOKEN}", "Content-Type": "text/turtle"}
    r = httpx.request(method, f"{ld_server.url}{path}", params=params, content=b"", headers=headers)
    assert r.status_code == 403


def test_no_secret_reaches_the_log(server: RunningServer) -> None:
    for authorization in (f"Bearer {WRONG_TOKEN}", f"Bearer {WRITE_TOKEN}"):
        httpx.put(
            f"{server.url}/store",
            params={"graph": "http://example.org/reliability/log"},
            content=b"<http://a.example/> <http://b.example/> 1 .",
            headers={"Authorization": authorization, "Content-Type": "text/turtle"},
        )
    httpx.delete(
        f"{server.url}/store",
        params={"graph": "http://example.org/reliability/log"},
        headers=server.auth,
    )
    log = (server.store.parent / "server.log").read_text(errors="replace")
    assert WRITE_TOKEN not in log
    assert WRONG_TOKEN not in log
    settings = Settings(write_token=WRITE_TOKEN)
    assert WRITE_TOKEN not in repr(settings) and WRITE_TOKEN not in str(settings)


def test_responses_do_not_name_the_server_software(server: RunningServer) -> None:
    for path in ("/", "/sparql?query=ASK%20%7B%7D", "/status", "/no-such-page"):
        r = httpx.get(f"{server.url}{path}")
        assert r.status_code in (200, 404)
        assert "server" not in r.headers, path
        assert "date" in r.headers  # RFC 9110: an origin server with a clock sends Date


def test_cors_for_listed_origins_only(server: RunningServer) -> None:
    preflight = {
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    ok = httpx.options(f"{server.url}/store", headers={"Origin": "https://ui.example", **preflight})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://ui.example"
    assert "PUT" in ok.headers["access-control-allow-methods"]
    evil = httpx.options(
        f"{server.url}/store", headers={"Origin": "https://evil.example", **preflight}
    )
    assert evil.status_code == 400
    assert "access-control-allow-origin" not in evil.headers


@pytest.mark.parametrize(
    ("origins", "allowed", "credentials"),
    [([], None, None), (["*"], "*", None), (["https://ui.example"], "https://ui.example", "true")],
)
def test_cors_settings(origins: list[str], allowed: str | None, credentials: str | None) -> None:
    app = create_app(Settings(store=":memory:", cors_origins=origins))
    transport = httpx.ASGITransport(app=app)

    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/openapi.json", headers={"Origin": "https://ui.example"})

    r = asyncio.run(fetch())
    assert r.headers.get("access-control-allow-origin") == allowed
    # Credentials are never allowed together with a wildcard.
    assert r.headers.get("access-control-allow-credentials") == credentials
