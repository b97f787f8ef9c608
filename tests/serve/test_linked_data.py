"""Linked data on a real server: /id 303s, /doc pages in HTML and RDF, the source view, /def."""

from __future__ import annotations

import html
import re
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


ASSESSMENT = "/doc/assessment/E09000033/2024-11-08"
LISTS = {
    "gaps": "Gap",
    "strengths": "Strength",
    "strategies": "Strategy",
    "partners": "PartnerOrganisation",
}
SCRIPT_FINDING = f"{ASSESSMENT}/finding/5c41a7d0000000aa"


class _Facts(HTMLParser):
    """The facts of every ``<ul class="facts NAME">``: NAME -> [(href, text, source hrefs)],
    and the text of ``<small class="count">`` after each list's heading."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lists: dict[str, list[tuple[str, str, list[str]]]] = {}
        self.counts: dict[str, int] = {}
        self._list: str | None = None
        self._depth = 0
        self._in_fact = False
        self._heading: str | None = None
        self._in_count = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "h2":
            self._heading = a.get("id")
        if tag == "small" and "count" in classes:
            self._in_count = True
        if tag == "ul" and "facts" in classes and self._list is None:
            self._list = classes[1]
            self._depth = 0
            self.lists.setdefault(self._list, [])
        elif tag == "ul" and self._list is not None:
            self._depth += 1
        if self._list is None:
            return
        items = self.lists[self._list]
        if tag == "p" and "fact" in classes:
            self._in_fact = True
            items.append(("", "", []))
        elif tag == "a" and self._in_fact:
            items[-1] = (a.get("href") or "", "", items[-1][2])
        elif tag == "a" and "source" in classes and items:
            items[-1][2].append(a.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_fact = False
        if tag == "small":
            self._in_count = False
        if tag == "ul" and self._list is not None:
            if self._depth == 0:
                self._list = None
            else:
                self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_count and self._heading:
            self.counts[self._heading] = int(data.strip())
        if self._in_fact and self._list is not None:
            href, text, sources = self.lists[self._list][-1]
            self.lists[self._list][-1] = (href, text + data, sources)


def parse_facts(text: str) -> _Facts:
    parser = _Facts()
    parser.feed(text)
    return parser


def count_of(client: httpx.Client, kind: str) -> int:
    """How many items of the class ``kind`` the assessment has, asked of /sparql."""
    query = (
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{CQC}{kind}> ; "
        f"<{CQC}assessment> <{BASE}id/assessment/E09000033/2024-11-08> }}"
    )
    answer = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    ).json()
    return int(answer["results"]["bindings"][0]["n"]["value"])


def list_pages(client: httpx.Client, kind: str) -> list[str]:
    """Every page of the assessment's list ``kind``, following the pager's "next" links."""
    found, url = [], f"{ASSESSMENT}/{kind}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        found.append(response.text)
        following = [
            a.get("href") for t, a in parse_html(response.text).tags if a.get("rel") == "next"
        ]
        url = (following[0] or "") if following else ""
        assert len(found) < 50
    return found


def test_assessment_page_summarises_its_lists(client: httpx.Client) -> None:
    response = client.get(ASSESSMENT)
    assert response.status_code == 200
    page = response.text
    facts = parse_facts(page)
    for heading in ("Gaps (areas for development)", "Strengths", "Strategies", "Partners"):
        assert heading in page
    gaps = client.get("/api/questions/gaps", params={"authority": WESTMINSTER}).json()["rows"]
    assert facts.counts["gaps"] == len(gaps) > 5
    for kind, cls in LISTS.items():
        total = count_of(client, cls)
        assert facts.counts[kind] == total
        shown = facts.lists.get(kind, [])
        assert len(shown) == min(5, total)  # the first items, each linked and quoted
        for href, text, sources in shown:
            assert href.startswith(f"{ASSESSMENT}/") and text.strip()
            assert sources and all(re.fullmatch(r"/doc/source/[0-9a-f]{64}.*", h) for h in sources)
        if total > len(shown):
            assert f'href="{ASSESSMENT}/{kind}">All {total} ' in page
        assert f'href="{ASSESSMENT}/{kind}">{total} ' in page  # the counts in the summary
    shown_gaps = {html.unescape(text) for _, text, _ in facts.lists["gaps"]}
    assert shown_gaps <= {g["gap"] for g in gaps}
    addressed = client.get(
        "/api/questions/strategies-addressing-gaps", params={"authority": WESTMINSTER}
    ).json()["rows"]
    assert addressed and "Addresses:" in page
    # The page is a summary: the lists' items are not repeated as backlinks.
    assert page.count("/finding/") <= 4 * 5 * 2 + 10
    assert len(response.content) < 200_000


def test_list_pages_reach_every_gap_in_the_summary_order(client: httpx.Client) -> None:
    gaps = client.get("/api/questions/gaps", params={"authority": WESTMINSTER}).json()["rows"]
    pages = list_pages(client, "gaps")
    assert len(pages) == -(-len(gaps) // 50) > 1
    items = [item for page in pages for item in parse_facts(page).lists["gaps"]]
    assert len(items) == len(gaps)
    assert len({href for href, _, _ in items}) == len(gaps)  # no gap twice
    assert sorted(html.unescape(t) for _, t, _ in items) == sorted(g["gap"] for g in gaps)
    assert all(sources for _, _, sources in items)  # every gap quoted, with its source
    first = parse_facts(client.get(ASSESSMENT).text).lists["gaps"]
    assert [href for href, _, _ in first] == [href for href, _, _ in items[:5]]
    assert f"1-50 of {len(gaps)}" in pages[0] and f"51-{len(gaps)} of {len(gaps)}" in pages[1]


@pytest.mark.parametrize("kind", list(LISTS))
def test_list_pages_hold_every_item_with_its_quotes(client: httpx.Client, kind: str) -> None:
    items = [item for page in list_pages(client, kind) for item in parse_facts(page).lists[kind]]
    assert len(items) == len({href for href, _, _ in items}) == count_of(client, LISTS[kind])
    quoted = [sources for _, _, sources in items if sources]
    assert len(quoted) >= len(items) * 0.9  # partners named only in a list may have no quote


def test_a_quote_on_a_list_page_opens_the_highlighted_source(client: httpx.Client) -> None:
    page = list_pages(client, "strategies")[0]
    parsed = parse_html(page)
    quote = next(
        (a.get("href") or "")
        for t, a in parsed.tags
        if a.get("class") == "source" and "start=" in (a.get("href") or "")
    )
    assert quote.endswith("#quote")
    source = client.get(quote)
    marked = "".join(parse_html(source.text).marked)
    assert source.status_code == 200 and marked
    assert marked in html.unescape(page)  # the highlighted words are the quote on the page


@pytest.mark.parametrize(
    "path",
    [
        f"{ASSESSMENT}/gaps?page=0",
        f"{ASSESSMENT}/gaps?page=x",
        f"{ASSESSMENT}/gaps?page=99",
        "/doc/authority/E09000033/gaps",
    ],
)
def test_a_page_outside_a_list_is_404(client: httpx.Client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_a_list_page_as_rdf_holds_its_items(client: httpx.Client) -> None:
    response = client.get(f"{ASSESSMENT}/gaps.ttl", params={"page": 2})
    assert response.status_code == 200
    triples = [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.TURTLE)]
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    gap = ox.NamedNode(f"{CQC}Gap")
    page_two = parse_facts(client.get(f"{ASSESSMENT}/gaps?page=2").text).lists["gaps"]
    assert {t.subject.value for t in triples if t.predicate == rdf_type and t.object == gap} == {
        BASE + "id" + href[len("/doc") :] for href, _, _ in page_two
    }


def test_the_assessment_rdf_stays_complete(client: httpx.Client) -> None:
    response = client.get(f"{ASSESSMENT}.nt")
    triples = [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for kind, cls in LISTS.items():
        typed = {
            t.subject for t in triples if t.predicate == rdf_type and t.object.value == CQC + cls
        }
        assert len(typed) == count_of(client, cls), kind
    anchors = {
        t.subject for t in triples if t.predicate.value == "http://www.w3.org/ns/oa#hasSource"
    }
    assert len(anchors) > 400


def test_council_page_links_to_its_assessments_lists(client: httpx.Client) -> None:
    page = client.get("/doc/authority/E09000033").text
    for kind, cls in LISTS.items():
        assert f'href="{ASSESSMENT}/{kind}">{count_of(client, cls)} ' in page


def _script_page(client: httpx.Client) -> str:
    """The strengths page listing the finding whose quote holds a <script> tag."""
    for number, page in enumerate(list_pages(client, "strengths"), 1):
        if SCRIPT_FINDING in page:
            return f"{ASSESSMENT}/strengths?page={number}"
    raise AssertionError("the finding is on no strengths page")


@pytest.mark.parametrize(
    "path",
    [
        "strengths page",
        "/doc/assessment/E09000033/2024-11-08/finding/5c41a7d0000000aa",
        "/doc/source/971037b461720e80ad667b94dd5cb42158351528a4e1d4cdaaa71d6f3ae97f51",
        "/doc/source/971037b461720e80ad667b94dd5cb42158351528a4e1d4cdaaa71d6f3ae97f51?start=128&end=203",
    ],
)
def test_a_literal_holding_a_script_tag_renders_inert(client: httpx.Client, path: str) -> None:
    response = client.get(_script_page(client) if path == "strengths page" else path)
    assert response.status_code == 200
    page = response.text
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(" in page
    scripts = [attrs for tag, attrs in parse_html(page).tags if tag == "script"]
    assert all(a.get("src", "").startswith("/static/") for a in scripts if "src" in a)
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_every_link_and_asset_is_local_or_http(client: httpx.Client) -> None:
    for path in ("/", "/doc/authority/E09000033", ASSESSMENT, f"{ASSESSMENT}/gaps?page=2", "/def"):
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


@pytest.mark.parametrize(
    "module",
    ["charts", "description", "documents", "html", "linked_data", "ontology_doc", "ui", "views"],
)
def test_doctests(module: str) -> None:
    import doctest
    import importlib

    failures, _ = doctest.testmod(importlib.import_module(f"cqckg.serve.{module}"))
    assert failures == 0
