"""The home, council and compare pages and their APIs, on a real server over the real corpus
plus one synthetic earlier assessment of Westminster (tests/data/ratings-history.csv).

Expected values come from the graph itself (the SPARQL endpoint, the named questions) or from
the test data files, never from the code under test.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from conftest import RATINGS_HISTORY, RunningServer
from cqckg.core.authorities import AuthorityRegistry

WESTMINSTER = "E09000033"
HAMMERSMITH = "E09000013"
LOCATIONS = Path(__file__).resolve().parents[2] / "graph" / "reference"


@pytest.fixture(scope="module")
def client(pages_server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=pages_server.url, timeout=60)


class Cells(HTMLParser):
    """The text of each row of the tables on a page, and every element's attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def cells(html: str) -> Cells:
    parsed = Cells()
    parsed.feed(html)
    return parsed


def sparql(client: httpx.Client, query: str) -> list[dict[str, str]]:
    response = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in rows]


def latest_by_council(client: httpx.Client) -> dict[str, dict[str, object]]:
    """Each assessed council's latest assessment, from the named question ``assessments``."""
    rows = client.get("/api/questions/assessments").json()["rows"]
    latest: dict[str, dict[str, object]] = {}
    for row in sorted(rows, key=lambda r: r["published"]):
        latest[row["authority_gss"]] = row
    return latest


# --- the home page -------------------------------------------------------------------------------


def test_home_lists_every_assessed_council_with_its_latest_assessment(
    client: httpx.Client,
) -> None:
    latest = latest_by_council(client)
    page = client.get("/")
    assert page.status_code == 200
    table = cells(page.text).tables[0]
    body = table[1:]
    assert len(body) == len(latest) >= 4
    links = {a["href"] for tag, a in cells(page.text).tags if tag == "a"}
    for gss in latest:
        assert f"/doc/authority/{gss}" in links
    nation = client.get("/api/nation").json()["rows"]
    assert {r["gss"] for r in nation} == set(latest)
    for row in nation:
        expected = latest[row["gss"]]
        assert row["published"] == expected["published"]
        assert row["rating"] == (expected["rating"] or "")
        if expected["percentage"] is not None:
            assert float(row["percentage"]) == pytest.approx(float(expected["percentage"]))


def test_home_shows_the_nine_scores_of_the_latest_assessment(client: httpx.Client) -> None:
    latest = latest_by_council(client)
    scores = client.get("/api/questions/scores", params={"authority": WESTMINSTER}).json()["rows"]
    newest = {
        r["quality_statement"]: r["score"]
        for r in scores
        if r["published"] == latest[WESTMINSTER]["published"]
    }
    row = next(r for r in client.get("/api/nation").json()["rows"] if r["gss"] == WESTMINSTER)
    assert {k: int(row[k]) for k in newest} == newest
    assert row["statements_scored"] == str(len(newest))


def test_home_filters_by_region_type_rating_and_kind(client: httpx.Client) -> None:
    registry = AuthorityRegistry.load()
    every = client.get("/api/nation").json()["rows"]
    london = client.get("/api/nation", params={"region": "London"}).json()["rows"]
    assert london and len(london) < len(every)
    assert all(registry.get(r["gss"]).region == "London" for r in london)
    pilots = client.get("/api/nation", params={"kind": "pilot"}).json()["rows"]
    assert pilots and all(r["kind"] == "pilot" for r in pilots)
    good = client.get("/api/nation", params={"rating": "good"}).json()["rows"]
    assert good and all(r["rating"] == "Good" for r in good)
    boroughs = client.get("/api/nation", params={"type": "london-borough"}).json()["rows"]
    assert {r["gss"] for r in boroughs} == {r["gss"] for r in london}
    # The page's own filter form gives the same councils.
    page = cells(client.get("/", params={"region": "London"}).text).tables[0]
    assert len(page) - 1 == len(london)


def test_home_sorts_by_any_column_either_way(client: httpx.Client) -> None:
    rows = client.get("/api/nation", params={"sort": "percentage", "order": "desc"}).json()["rows"]
    numbers = [float(r["percentage"]) for r in rows if r["percentage"]]
    assert numbers == sorted(numbers, reverse=True)
    assert [r for r in rows if not r["percentage"]] == rows[len(numbers) :]  # missing last
    names = [r["council"] for r in client.get("/api/nation").json()["rows"]]
    assert names == sorted(names, key=str.casefold)
    refused = client.get("/", params={"sort": "colour"})
    assert refused.status_code == 400 and "sort by one of" in refused.text


def test_home_csv_is_the_table(client: httpx.Client) -> None:
    response = client.get("/api/nation", params={"format": "csv", "region": "London"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows == client.get("/api/nation", params={"region": "London"}).json()["rows"]


def test_home_map_places_every_council_coloured_by_rating(client: httpx.Client) -> None:
    with (LOCATIONS / "england-councils-locations.csv").open(encoding="utf-8") as handle:
        located = list(csv.DictReader(handle))
    html = client.get("/").text
    svg = re.search(r'<svg[^>]*class="chart map".*?</svg>', html, re.S)
    assert svg is not None
    circles = re.findall(r'<circle class="dot ([a-z-]+)"', svg.group(0))
    assert len(circles) == len(located) == 153
    latest = latest_by_council(client)
    assessed = Counter(c for c in circles if c != "rating-none")
    slugs = Counter(
        "rating-" + (str(r["rating"]).lower().replace(" ", "-") if r["rating"] else "unknown")
        for r in latest.values()
    )
    assert assessed == slugs
    linked = re.findall(r'<a href="/doc/authority/(E\d{8})" tabindex="-1"><circle', svg.group(0))
    assert sorted(linked) == sorted(latest)
    assert "http" not in svg.group(0).replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_home_spread_of_scores_counts_each_latest_score(client: httpx.Client) -> None:
    latest = latest_by_council(client)
    scores = client.get("/api/questions/scores").json()["rows"]
    expected: Counter[tuple[str, int]] = Counter(
        (r["quality_statement"], r["score"])
        for r in scores
        if latest[r["authority_gss"]]["published"] == r["published"]
    )
    html = client.get("/").text
    desc = re.search(r'<svg[^>]*class="chart distribution".*?<desc[^>]*>(.*?)</desc>', html, re.S)
    assert desc is not None
    for (statement, score), count in expected.items():
        assert re.search(rf"{re.escape(statement)}: [^;]*score {score}: {count}\b", desc.group(1))


def test_home_lists_the_most_common_gap_topics(client: httpx.Client) -> None:
    common = client.get("/api/questions/common-gaps").json()["rows"]
    tables = cells(client.get("/").text).tables
    shown = next(t for t in tables if t[0][:2] == ["Topic", "Councils"])
    assert [r[0] for r in shown[1:]] == [r["topic"] for r in common[: len(shown) - 1]]
    assert [int(r[1]) for r in shown[1:]] == [r["authorities"] for r in common[: len(shown) - 1]]


def test_home_links_the_query_editor(client: httpx.Client) -> None:
    links = {a.get("href") for tag, a in cells(client.get("/").text).tags if tag == "a"}
    assert "/query" in links
    assert 'id="query"' in client.get("/query").text


# --- a council by its name --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Westminster", "City of Westminster", "westminster city council", WESTMINSTER]
)
def test_a_council_by_its_name(client: httpx.Client, name: str) -> None:
    response = client.get("/council", params={"authority": name}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/doc/authority/{WESTMINSTER}"


def test_an_ambiguous_or_unknown_name_says_so(client: httpx.Client) -> None:
    ambiguous = client.get("/council", params={"authority": "Tyneside"})
    assert ambiguous.status_code == 300
    links = {a.get("href") for tag, a in cells(ambiguous.text).tags if tag == "a"}
    registry = AuthorityRegistry.load()
    for name in ("North Tyneside", "South Tyneside"):
        assert f"/doc/authority/{registry.resolve(name).gss}" in links
    unknown = client.get("/council", params={"authority": "Hamersmith"})
    assert unknown.status_code == 404
    assert f"/doc/authority/{HAMMERSMITH}" in unknown.text


def test_suggestions_as_one_types(client: httpx.Client) -> None:
    found = client.get("/api/councils", params={"q": "hammer"}).json()
    assert found[0]["gss"] == HAMMERSMITH
    assert found[0]["page"] == f"/doc/authority/{HAMMERSMITH}"
    north = client.get("/api/councils", params={"q": "north", "limit": 50}).json()
    assert len(north) > 5 and all("north" in c["name"].lower() for c in north)


# --- a council over time ------------------------------------------------------------------------


def _history_row() -> dict[str, str]:
    lines = [line for line in RATINGS_HISTORY.read_text().splitlines() if not line.startswith("#")]
    return next(csv.DictReader(lines))


def test_a_council_assessed_twice_shows_each_change(client: httpx.Client) -> None:
    earlier = _history_row()
    latest = latest_by_council(client)[WESTMINSTER]
    newest = {
        r["quality_statement"]: r["score"]
        for r in client.get("/api/questions/scores", params={"authority": WESTMINSTER}).json()[
            "rows"
        ]
        if r["published"] == latest["published"]
    }
    html = client.get(f"/doc/authority/{WESTMINSTER}").text
    assert "Over time" in html
    change = next(
        t for t in cells(html).tables if t[0][0] == "Quality statement" and len(t[0]) == 4
    )
    assert change[0][1:3] == [earlier["published"], latest["published"]]
    for row in change[1:]:
        before = earlier.get(row[0], "")
        assert row[1] == (before or "not scored")
        assert row[2] == str(newest[row[0]])
        if before:
            delta = newest[row[0]] - int(before)
            assert row[3] == (
                "no change" if delta == 0 else f"{delta:+d} {'up' if delta > 0 else 'down'}"
            )
    assert f"{earlier['overall rating']} → {latest['rating']}" in html


def test_every_assessment_shows_its_completeness(client: httpx.Client) -> None:
    earlier = _history_row()
    scored = sum(
        1
        for k, v in earlier.items()
        if v and k not in {"council", "published", "overall rating", "pilot"}
    )
    html = client.get(f"/doc/authority/{WESTMINSTER}").text
    found = re.findall(
        r'class="completeness">(\d+) of (\d+) quality statements scored; documents held: ([^<]*)<',
        html,
    )
    assert len(found) == 2
    assert (str(scored), "9") in {(a, b) for a, b, _ in found}
    kinds = sparql(
        client,
        "PREFIX cqc: <https://w3id.org/cqc-kg/def#> PREFIX prov: <http://www.w3.org/ns/prov#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT DISTINCT ?label WHERE { ?a cqc:assessedAuthority "
        f"<https://w3id.org/cqc-kg/id/authority/{WESTMINSTER}> ; "
        "prov:used/cqc:documentKind/skos:prefLabel ?label }",
    )
    shown = {k.strip() for _, _, listed in found for k in listed.split(",")}
    assert shown == {k["label"] for k in kinds}


def test_a_council_page_shows_its_latest_assessment_in_full_and_links_the_others(
    client: httpx.Client,
) -> None:
    earlier = _history_row()
    latest = latest_by_council(client)[WESTMINSTER]
    html = client.get(f"/doc/authority/{WESTMINSTER}").text
    sections = re.findall(r'<section class="assessment".*?</section>', html, flags=re.S)
    assert len(sections) == 2
    newest, older = sections  # newest first
    assert f"Assessment published {latest['published']}" in newest
    assert f"Assessment published {earlier['published']}" in older
    # the latest: its score table; the earlier one: a link to its own page instead
    caption = "Quality statement scores (1-4), assessment published"
    assert caption in newest and caption not in older
    note = r'are on <a href="([^"]+)">the assessment(?:\'|&#39;|&#x27;)s page</a>'
    link = re.search(note, older)
    assert link is not None and re.search(note, newest) is None
    own = client.get(link.group(1), headers={"Accept": "text/html"}).text
    table = next(t for t in cells(own).tables if t[0][:2] == ["Quality statement", "Score"])
    shown = {row[0]: row[1] for row in table[1:] if len(row) >= 2}
    expected = {
        k: v
        for k, v in earlier.items()
        if v and k not in {"council", "published", "overall rating", "pilot"}
    }
    assert expected and {k: shown.get(k) for k in expected} == expected


# --- compare -------------------------------------------------------------------------------------

PAIR = {"authority": ["Westminster", "hammersmithfulham-0525"]}


def test_compare_scores_are_each_councils_latest(client: httpx.Client) -> None:
    body = client.get("/api/compare", params=PAIR).json()
    assert [c["gss"] for c in body["councils"]] == [WESTMINSTER, HAMMERSMITH]
    latest = latest_by_council(client)
    table = body["tables"]["scores"]
    names = table["columns"][2:]
    assert len(names) == 2
    for gss, name in zip((WESTMINSTER, HAMMERSMITH), names, strict=True):
        rows = client.get("/api/questions/scores", params={"authority": gss}).json()["rows"]
        expected = {
            r["quality_statement"]: str(r["score"])
            for r in rows
            if r["published"] == latest[gss]["published"]
        }
        assert {r["Quality statement"]: r[name] for r in table["rows"] if r[name]} == expected


def test_compare_gap_topics_shared_and_not(client: httpx.Client) -> None:
    table = client.get("/api/compare", params=PAIR).json()["tables"]["gaps"]
    topics: dict[str, set[str]] = {}
    for gss in (WESTMINSTER, HAMMERSMITH):
        for row in client.get("/api/questions/gaps", params={"authority": gss}).json()["rows"]:
            for topic in (row["topics"] or "").split("; "):
                if topic:
                    topics.setdefault(topic, set()).add(gss)
    assert {r["Topic"] for r in table["rows"]} == set(topics)
    for row in table["rows"]:
        assert row["Shared by"] == ("all" if len(topics[row["Topic"]]) == 2 else "only")
    assert any(r["Shared by"] == "all" for r in table["rows"])
    assert any(r["Shared by"] == "only" for r in table["rows"])


def test_compare_strategies_are_on_topics_both_have(client: httpx.Client) -> None:
    rows = client.get("/api/compare", params=PAIR).json()["tables"]["strategies"]["rows"]
    by_topic: dict[str, set[str]] = {}
    for row in rows:
        by_topic.setdefault(row["Topic"], set()).add(row["Council"])
    assert by_topic and all(len(councils) == 2 for councils in by_topic.values())


def test_compare_statistics_share_comparators(client: httpx.Client) -> None:
    table = client.get("/api/compare", params=PAIR).json()["tables"]["statistics"]
    every = client.get("/api/questions/statistics", params={"authority": WESTMINSTER}).json()
    expected = {(r["measure"], r["comparator"] or "") for r in every["rows"]}
    shown = {(r["Measure"], r["Comparator"]) for r in table["rows"] if r["Westminster"]}
    assert shown == expected


@pytest.mark.parametrize("table", ["overview", "scores", "statistics", "gaps", "strategies"])
def test_each_compare_table_downloads_as_csv(client: httpx.Client, table: str) -> None:
    body = client.get("/api/compare", params=PAIR).json()["tables"][table]
    response = client.get(body["csv"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == body["columns"]
    assert rows[1:] == [list(r.values()) for r in body["rows"]]
    # The page links the same download and shows the same rows.
    page = client.get("/compare", params=PAIR).text
    assert body["csv"].replace("&", "&amp;") in page


def test_compare_page_works_without_script(client: httpx.Client) -> None:
    page = client.get(
        "/compare", params={"authority": ["City of Westminster", "E09000013", "Birmingham"]}
    )
    assert page.status_code == 200
    parsed = cells(page.text)
    scores = next(t for t in parsed.tables if t[0][:2] == ["Theme", "Quality statement"])
    assert scores[0][2:] == ["Westminster", "Hammersmith and Fulham", "Birmingham"]
    assert len(scores) == 10
    assert 'class="chart compare"' in page.text


@pytest.mark.parametrize(
    ("given", "says"),
    [
        (["Westminster"], "2 to 5 different councils"),
        (["Westminster", "City of Westminster"], "not 1"),
        (["Westminster", "Camden", "Leeds", "Bristol", "Kent", "Essex"], "not 6"),
        (["Westminster", "Tyneside"], "North Tyneside Council; South Tyneside Council"),
        (["Westminster", "<script>alert(1)</script>"], "no council matches"),
    ],
)
def test_compare_refuses_with_a_reason(client: httpx.Client, given: list[str], says: str) -> None:
    api = client.get("/api/compare", params={"authority": given})
    assert api.status_code == 400 and says in api.text
    page = client.get("/compare", params={"authority": given})
    if len(given) == 1:  # the page's form, ready for more councils
        assert page.status_code == 200 and "Add one to four more councils" in page.text
        return
    assert page.status_code == 400
    assert "<script>alert(1)</script>" not in page.text
    assert says.replace("<", "&lt;").replace(">", "&gt;") in page.text or "&#39;" in page.text


def test_pages_link_and_load_only_local_assets(client: httpx.Client) -> None:
    for path in (
        "/",
        "/compare?authority=Westminster&authority=Camden",
        "/council?authority=Kingston",
    ):
        for tag, attrs in cells(client.get(path).text).tags:
            href = attrs.get("href") or attrs.get("src")
            if href is None:
                continue
            assert re.match(r"(/|#|\?|data:,$)", href), f"{path}: {tag} {href}"
