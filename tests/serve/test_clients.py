"""Real SPARQL clients work against the server unchanged."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

from conftest import EX, PEOPLE_QUERY, RunningServer


def test_sparqlwrapper_select_get_and_post(server: RunningServer) -> None:
    for method in ("GET", "POST"):
        client = SPARQLWrapper(f"{server.url}/sparql")
        client.setMethod(method)
        client.setQuery(PEOPLE_QUERY)
        client.setReturnFormat(JSON)
        rows = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
        assert [r["name"]["value"] for r in rows] == ["Alice", "Bob"]


def test_sparqlwrapper_ask_xml_and_construct(server: RunningServer) -> None:
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(f"ASK {{ <{EX}alice> ?p ?o }}")
    client.setReturnFormat(XML)
    assert client.queryAndConvert().getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]
    client.setQuery(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{EX}people> {{ ?s ?p ?o }} }}")
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.queryAndConvert(), format="turtle")  # type: ignore[arg-type]
    assert len(graph) == 5


def test_rdflib_sparqlstore(server: RunningServer) -> None:
    store = SPARQLStore(f"{server.url}/sparql")
    graph = Graph(store=store)
    names = sorted(str(row[0]) for row in graph.query(PEOPLE_QUERY))
    assert names == ["Alice", "Bob"]
    assert graph.query(f"ASK {{ <{EX}bob> ?p ?o }}").askAnswer is True
    people = Graph(store=store, identifier=URIRef(f"{EX}people"))
    assert len(list(people.triples((URIRef(f"{EX}alice"), None, None)))) == 3
