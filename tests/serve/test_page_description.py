"""What a council's and an assessment's HTML page is built from, asked of a real server over the
corpus: the index names the council an assessment assesses (or a council's latest assessment),
the queries of the facts shown in full find every score and statistic the page shows, and the
page's description holds each of them whole, with its quotes, in plain SPARQL
1.1 (for remote stores) as with Oxigraph's LATERAL; of a council's earlier assessments only what
the page says of them."""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest

from conftest import RunningServer
from cqckg.serve.description import (
    FIRST,
    LISTS,
    Description,
    ListIndex,
    backlinks_query,
    describe_queries,
    index_query,
    shown_queries,
    summary_queries,
    texts_query,
)

BASE = "https://w3id.org/cqc-kg/"
CQC = "https://w3id.org/cqc-kg/def#"
COUNCIL = f"{BASE}id/authority/E09000033"
ASSESSMENT = f"{BASE}id/assessment/E09000033/2024-11-08"
SHOWN = ("StatementScore", "Statistic")


@pytest.fixture(scope="module")
def client(ld_server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=ld_server.url, timeout=60)


def select(client: httpx.Client, query: str) -> bytes:
    response = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "text/tab-separated-values"}
    )
    response.raise_for_status()
    return response.content


def triples(client: httpx.Client, query: str) -> bytes:
    response = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/n-triples"}
    )
    response.raise_for_status()
    return response.content


def shown_facts(client: httpx.Client, iri: str) -> set[str]:
    """The scores and statistics of the assessment ``iri`` or of the council ``iri``'s latest
    assessment, asked plainly."""
    kinds = ", ".join(f"<{CQC}{name}>" for name in SHOWN)
    query = f"""SELECT DISTINCT ?f WHERE {{
        {{ ?f <{CQC}assessment> <{iri}> }}
        UNION {{
          {{ SELECT ?a WHERE {{
              ?a <{CQC}assessedAuthority> <{iri}> ; <http://purl.org/dc/terms/issued> ?date
            }} ORDER BY DESC(STR(?date)) LIMIT 1 }}
          ?f <{CQC}assessment> ?a
        }}
        ?f a ?kind FILTER (?kind IN ({kinds}))
    }}"""
    rows = ox.parse_query_results(select(client, query), format=ox.QueryResultsFormat.TSV)
    assert isinstance(rows, ox.QuerySolutions)
    return {row["f"].value for row in rows}


def summary(client: httpx.Client, iri: str, lateral: bool = True) -> tuple[Description, ListIndex]:
    """The description an HTML page shows, as the server builds it (the index, backlinks and
    facts shown in full, then the rest of the summary)."""
    index = ListIndex.parse(iri, select(client, index_query(iri, lateral=lateral, texts=False)))
    index.order(select(client, texts_query(index.leading(FIRST))))
    first = [item for items in index.items.values() for item in items[:FIRST]]
    queries = (
        *summary_queries(iri, first, lateral=lateral, latest=index.latest),
        *shown_queries(iri, lateral),
        backlinks_query(iri),
    )
    return Description.parse(iri, *(triples(client, q) for q in queries)), index


def test_the_index_names_the_council_an_assessment_assesses(client: httpx.Client) -> None:
    assessment = ListIndex.parse(ASSESSMENT, select(client, index_query(ASSESSMENT)))
    council = ListIndex.parse(COUNCIL, select(client, index_query(COUNCIL)))
    assert (assessment.authority, assessment.latest) == (COUNCIL, None)
    assert (council.authority, council.latest) == (None, ASSESSMENT)
    assert assessment.counts and all(count > 0 for count in assessment.counts.values())
    assert council.counts == {(ASSESSMENT, k): n for (_, k), n in assessment.counts.items()}


def assessments(client: httpx.Client) -> list[str]:
    query = f"SELECT DISTINCT ?a WHERE {{ ?a a <{CQC}Assessment> }}"
    rows = ox.parse_query_results(select(client, query), format=ox.QueryResultsFormat.TSV)
    assert isinstance(rows, ox.QuerySolutions)
    return [row["a"].value for row in rows]


@pytest.mark.parametrize("lateral", [True, False])
def test_an_index_without_texts_orders_the_first_items_as_the_full_index(
    client: httpx.Client, lateral: bool
) -> None:
    """A page's index is read without the items' texts, then the texts of the items that can
    come first: every list's first items, and every count, are the full index's, and fewer
    texts are read."""
    read = total = 0
    for iri in assessments(client):
        full = ListIndex.parse(iri, select(client, index_query(iri, lateral=lateral)))
        quick = ListIndex.parse(iri, select(client, index_query(iri, lateral=lateral, texts=False)))
        leading = quick.leading(FIRST)
        quick.order(select(client, texts_query(leading)))
        assert {k: v[:FIRST] for k, v in quick.items.items()} == {
            k: v[:FIRST] for k, v in full.items.items()
        }, iri
        assert (quick.counts, quick.authority) == (full.counts, full.authority)
        read, total = read + len(leading), total + sum(len(v) for v in full.items.values())
    assert 0 < read < total


@pytest.mark.parametrize("iri", [COUNCIL, ASSESSMENT])
@pytest.mark.parametrize("lateral", [True, False])
def test_the_shown_queries_find_every_fact_the_page_shows(
    client: httpx.Client, iri: str, lateral: bool
) -> None:
    """Without the index: the scores and statistics of the assessment, or of the council's
    latest assessment, each with its own triples, and no other scores or statistics."""
    d = Description.parse(iri, *(triples(client, q) for q in shown_queries(iri, lateral)))
    expected = shown_facts(client, iri)
    found = {
        s
        for name in SHOWN
        for s in d.subjects("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", CQC + name)
    }
    assert len(expected) > 9 and found == expected


@pytest.mark.parametrize("iri", [COUNCIL, ASSESSMENT])
def test_the_summary_holds_each_shown_fact_whole(client: httpx.Client, iri: str) -> None:
    d, index = summary(client, iri)
    full = Description.parse(iri, *(triples(client, q) for q in describe_queries(iri)))
    held = set(d.triples)
    for fact in shown_facts(client, iri):
        own = Description.parse(fact, triples(client, f"CONSTRUCT WHERE {{ <{fact}> ?p ?o }}"))
        assert own and set(own.triples) <= held, fact
        assert d.quotes(fact) == full.quotes(fact), fact
    assert d.properties(index.latest or iri) == full.properties(index.latest or iri)
    # Of the long lists, only the first items of the assessment's are described.
    subjects = {t.subject.value for t in d.triples if isinstance(t.subject, ox.NamedNode)}
    for kind, name in LISTS.items():
        described = {
            s for s in subjects if d.is_a(s, CQC + name) and d.objects(s, CQC + "assessment")
        }
        assert described == set(index.items.get(kind, [])[:FIRST]), kind


@pytest.mark.parametrize("iri", [COUNCIL, ASSESSMENT])
def test_plain_sparql_builds_the_same_summary(client: httpx.Client, iri: str) -> None:
    lateral, _ = summary(client, iri, lateral=True)
    plain, _ = summary(client, iri, lateral=False)
    assert lateral.triples and set(plain.triples) == set(lateral.triples)


# What a council's page says of an earlier assessment (its date, rating, percentage and kind, with
# the labels of what they link to); the rest is on the assessment's own page.
BRIEF = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
    "http://purl.org/dc/terms/issued",
    f"{CQC}assessedAuthority",
    f"{CQC}overallRating",
    f"{CQC}percentage",
    f"{CQC}assessmentKind",
}


def test_a_council_page_reads_its_earlier_assessments_briefly(
    pages_server: RunningServer,
) -> None:
    """Westminster assessed twice (the pages' server): the latest assessment in full, the earlier
    one's brief triples only, none of its scores' or anchors' triples."""
    client = httpx.Client(base_url=pages_server.url, timeout=60)
    d, index = summary(client, COUNCIL)
    full = Description.parse(COUNCIL, *(triples(client, q) for q in describe_queries(COUNCIL)))
    assessments = set(d.subjects(f"{CQC}assessedAuthority", COUNCIL))
    assert index.latest in assessments and len(assessments) == 2
    (earlier,) = assessments - {index.latest}
    assert d.properties(index.latest) == full.properties(index.latest)
    brief = {p: v for p, v in full.properties(earlier).items() if p in BRIEF}
    assert {f"{CQC}overallRating", "http://purl.org/dc/terms/issued"} <= brief.keys()
    assert d.properties(earlier) == brief
    scores = full.links(earlier, f"{CQC}hasScore")  # linked from it only in the full one
    assert scores and all(full.properties(s) and not d.properties(s) for s in scores)
    # the plain SPARQL 1.1 summary is the same
    plain, _ = summary(client, COUNCIL, lateral=False)
    assert set(plain.triples) == set(d.triples)
