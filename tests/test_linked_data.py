"""Linked data on a real server: /id 303s, /doc pages in HTML and RDF, the source view, /def."""

from __future__ import annotations

import html
import re
import statistics
import time
from html.parser import HTMLParser

import httpx
import pyoxigraph as ox
import pytest

from conftest import RunningServer

BASE = "https://w3id.org/cqc-kg/"
WESTMINSTER = "E09000033"
COUNCIL = f"{BASE}id/authority/{WESTMINSTER}"
CQC = "https://w3id.org/cqc-kg/def#"
SCRIPT_QUOTE = "A resident wrote <script>alert('owned')</script> in a survey & said \"fine\"."
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(ld_server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=ld_server.url, timeout=30, headers={"Accept": BROWSER})


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside <mark id="quote">."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.marked: list[str] = []
        self._in_mark = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_mark = tag == "mark" and dict(attrs).get("id") == "quote"

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._in_mark = False

    def handle_data(self, data: str) -> None:
        if self._in_mark:
            self.marked.append(data)


def parse_html(text: str) -> _Elements:
    parser = _Elements()
    parser.feed(text)
    return parser


def scores_of(client: httpx.Client, gss: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = client.get(
        "/api/questions/scores", params={"authority": gss}
    ).json()["rows"]
    return rows


@pytest.mark.parametrize(
    ("accept", "target"),
    [
        (BROWSER, "/doc/authority/E09000033"),
        ("text/turtle", "/doc/authority/E09000033.ttl"),
        ("application/ld+json", "/doc/authority/E09000033.jsonld"),
        ("application/n-triples", "/doc/authority/E09000033.nt"),
        ("application/rdf+xml;q=0.5, text/turtle;q=0.9", "/doc/authority/E09000033.ttl"),
        ("", "/doc/authority/E09000033"),
    ],
)
def test_a_thing_is_303_to_its_document(client: httpx.Client, accept: str, target: str) -> None:
    response = client.get("/id/authority/E09000033", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["location"] == target
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_rdf_by_accept_parses_and_describes_the_thing(
    client: httpx.Client, accept: str, fmt: ox.RdfFormat
) -> None:
    response = client.get(
        "/id/authority/E09000033", headers={"Accept": accept}, follow_redirects=True
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    triples = [q.triple for q in ox.parse(response.content, format=fmt)]
    council = ox.NamedNode(COUNCIL)
    assert ox.Triple(council, ox.NamedNode(f"{CQC}gssCode"), ox.Literal(WESTMINSTER)) in triples
    assert any(t.subject == council for t in triples)


def test_format_parameter_and_suffix_agree(client: httpx.Client) -> None:
    by_suffix = client.get("/doc/authority/E09000033.ttl")
    by_param = client.get("/doc/authority/E09000033", params={"format": "turtle"})
    assert by_suffix.status_code == by_param.status_code == 200
    assert by_suffix.content == by_param.content
    assert b"@prefix cqc: <https://w3id.org/cqc-kg/def#>" in by_suffix.content


@pytest.mark.parametrize(
    "path",
    [
        "/doc/authority/E00000000",
        "/doc/no/such/thing",
        "/doc/bad%3Cpath%3E",
        "/doc/authority/x..y",
        "/id/bad%3Cpath%3E",
    ],
)
def test_a_thing_with_no_triples_is_404(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404


def test_unacceptable_format_is_406(client: httpx.Client) -> None:
    response = client.get("/doc/authority/E09000033", headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_council_page_shows_scores_by_theme_and_charts(client: httpx.Client) -> None:
    response = client.get("/id/authority/E09000033", follow_redirects=True)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    scores = scores_of(client, WESTMINSTER)
    assert len(scores) == 9  # the corpus has one Westminster assessment, all nine scored
    assert page.count('<tr class="score">') == len(scores)
    for theme in {str(s["theme"]) for s in scores}:
        assert theme in html.unescape(page)
    charts = re.findall(r'<svg [^>]*class="chart (\w+)"[^>]*role="img"', page)
    assert "scores" in charts and "comparisons" in charts
    assert page.count("<title id=") >= 2 and "<desc id=" in page
    for score in scores:
        assert f"{score['score']} of 4" in page  # values as text, not only as bar lengths
    assert "England average" in page


def test_assessment_page_shows_findings_strategies_and_partners(client: httpx.Client) -> None:
    response = client.get("/doc/assessment/E09000033/2024-11-08")
    assert response.status_code == 200
    page = response.text
    for heading in ("Gaps (areas for development)", "Strengths", "Strategies", "Partners"):
        assert heading in page
    gaps = client.get("/api/questions/gaps", params={"authority": WESTMINSTER}).json()["rows"]
    for gap in gaps:
        assert gap["gap"] in html.unescape(page)
    addressed = client.get(
        "/api/questions/strategies-addressing-gaps", params={"authority": WESTMINSTER}
    ).json()["rows"]
    assert addressed
    sources = [a["href"] for _, a in parse_html(page).tags if (a.get("class") or "") == "source"]
    assert sources and all(re.fullmatch(r"/doc/source/[0-9a-f]{64}.*", h or "") for h in sources)


@pytest.mark.parametrize(
    "path",
    [
        "/doc/assessment/E09000033/2024-11-08",
        "/doc/assessment/E09000033/2024-11-08/finding/5c41a7d0000000aa",
        "/doc/source/971037b461720e80ad667b94dd5cb42158351528a4e1d4cdaaa71d6f3ae97f51",
        "/doc/source/971037b461720e80ad667b94dd5cb42158351528a4e1d4cdaaa71d6f3ae97f51?start=128&end=203",
    ],
)
def test_a_literal_holding_a_script_tag_renders_inert(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    page = response.text
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(" in page
    scripts = [attrs for tag, attrs in parse_html(page).tags if tag == "script"]
    assert all(a.get("src", "").startswith("/static/") for a in scripts if "src" in a)
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_every_link_and_asset_is_local_or_http(client: httpx.Client) -> None:
    for path in ("/", "/doc/authority/E09000033", "/doc/assessment/E09000033/2024-11-08", "/def"):
        parsed = parse_html(client.get(path).text)
        for tag, attrs in parsed.tags:
            href = attrs.get("href") or attrs.get("src")
            if href is None:
                continue
            assert re.match(r"(/|#|\?|https?://|data:,$)", href), f"{path}: {tag} {href}"
            if tag in ("script", "link", "img"):
                assert href.startswith(("/", "#", "?", "data:")), (
                    f"{path} loads {href} from elsewhere"
                )


def _script_anchor(client: httpx.Client) -> dict[str, object]:
    iri = f"{BASE}id/assessment/E09000033/2024-11-08/finding/5c41a7d0000000aa"
    rows = client.get("/api/questions/evidence", params={"iri": iri}).json()["rows"]
    assert len(rows) == 1
    row: dict[str, object] = rows[0]
    return row


def test_the_source_view_highlights_the_exact_quote(client: httpx.Client) -> None:
    anchor = _script_anchor(client)
    assert anchor["quote"] == SCRIPT_QUOTE
    finding = client.get("/doc/assessment/E09000033/2024-11-08/finding/5c41a7d0000000aa").text
    link = next(
        a["href"]
        for _, a in parse_html(finding).tags
        if a.get("class") == "source" and "start=" in (a.get("href") or "")
    )
    assert link is not None and link.endswith("#quote")
    response = client.get(link)
    assert response.status_code == 200
    assert "".join(parse_html(response.text).marked) == SCRIPT_QUOTE
    assert f"start={anchor['start']}" in link and f"end={anchor['end']}" in link


def test_the_source_text_by_accept_text_plain(client: httpx.Client) -> None:
    anchor = _script_anchor(client)
    path = "/doc/source/971037b461720e80ad667b94dd5cb42158351528a4e1d4cdaaa71d6f3ae97f51"
    text = client.get(path, headers={"Accept": "text/plain"})
    assert text.headers["content-type"].startswith("text/plain")
    start, end = int(str(anchor["start"])), int(str(anchor["end"]))
    assert text.text[start:end] == SCRIPT_QUOTE
    turtle = client.get(path + ".ttl")
    assert turtle.status_code == 200 and b"cqc:SourceDocument" in turtle.content


def test_a_span_outside_the_text_is_not_highlighted(client: httpx.Client) -> None:
    path = "/doc/source/971037b461720e80ad667b94dd5cb42158351528a4e1d4cdaaa71d6f3ae97f51"
    response = client.get(path, params={"start": 5, "end": 99999})
    assert response.status_code == 200
    assert '<mark id="quote">' not in response.text
    assert "are not a span of this text" in response.text


def test_the_ontology_dereferences(client: httpx.Client) -> None:
    turtle = client.get("/def", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    triples = [q.triple for q in ox.parse(turtle.content, format=ox.RdfFormat.TURTLE)]
    owl_class = ox.NamedNode("http://www.w3.org/2002/07/owl#Class")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert ox.Triple(ox.NamedNode(f"{CQC}Assessment"), rdf_type, owl_class) in triples
    page = client.get("/def")
    assert page.headers["content-type"].startswith("text/html")
    ids = {attrs.get("id") for _, attrs in parse_html(page.text).tags}
    assert {"Assessment", "StatementScore", "addresses", "anchor"} <= ids


def test_pages_render_fast(client: httpx.Client) -> None:
    """Warm requests, timed on the server (Server-Timing) and end to end."""
    for path in ("/doc/authority/E09000033", "/doc/assessment/E09000033/2024-11-08"):
        client.get(path)
        server, total = [], []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(path)
            total.append((time.perf_counter() - started) * 1000)
            server.append(float(response.headers["server-timing"].split("dur=")[1]))
        assert statistics.median(total) < 250, (path, total)
        assert statistics.median(server) < 100, (path, server)


@pytest.mark.parametrize(
    "module",
    ["charts", "description", "documents", "html", "linked_data", "ontology_doc", "ui", "views"],
)
def test_doctests(module: str) -> None:
    import doctest
    import importlib

    failures, _ = doctest.testmod(importlib.import_module(f"cqckg.api.{module}"))
    assert failures == 0
