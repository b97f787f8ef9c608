"""The SPARQL 1.1 Service Description (https://www.w3.org/TR/sparql11-service-description/)
returned by ``GET /sparql`` without a query.

It states the features that matter to a client of this server: the default graph is the union
of every graph (``sd:UnionDefaultGraph``), ``FROM``/``default-graph-uri`` only pick graphs held
here, ``SERVICE`` reaches only allow-listed endpoints, and the limits in force.
"""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox
from fastapi import Request, Response

from cqckg.serve.deps import endpoint_iri
from cqckg.serve.negotiation import Format, Kind, negotiate
from cqckg.serve.settings import Settings

_TEMPLATE = """\
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix ent: <http://www.w3.org/ns/entailment/> .
@prefix fmt: <http://www.w3.org/ns/formats/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix void: <http://rdfs.org/ns/void#> .

<{endpoint}#service> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph {federated};
    sd:defaultEntailmentRegime ent:Simple ;
    sd:resultFormat fmt:SPARQL_Results_JSON, fmt:SPARQL_Results_XML, fmt:SPARQL_Results_CSV,
        fmt:SPARQL_Results_TSV, fmt:Turtle, fmt:N-Triples, fmt:JSON-LD, fmt:RDF_XML, fmt:TriG,
        fmt:N-Quads ;
    sd:defaultDataset [
        a sd:Dataset, void:Dataset ;
        void:uriSpace "{base_iri}" ;
        rdfs:comment "{dataset}" ;
        sd:defaultGraph [ a sd:Graph ]
    ] ;
    rdfs:comment "{limits}" .
{update}"""

_DATASET = (
    "The default graph is the union of every graph in the store (its own default graph and "
    "all named graphs), so a query without FROM, GRAPH or default-graph-uri sees all the data. "
    "Each named graph stays addressable with GRAPH. FROM, FROM NAMED, default-graph-uri and "
    "named-graph-uri choose among the graphs held here: nothing is ever fetched from the Web."
)
_LIMITS = (
    "Limits: a query stops after {timeout:g} s (a request may ask for less with "
    "timeout=SECONDS); results stop after {max_results} rows or triples, flagged by the "
    "X-Result-Truncated header; request bodies may have {max_body} bytes. SERVICE is "
    "{service}. Formats: by Accept, or format=json|xml|csv|tsv|turtle|ntriples|jsonld|rdfxml|"
    "trig|nquads."
)

_UPDATE = """
<{update}#service> a sd:Service ;
    sd:endpoint <{update}> ;
    sd:supportedLanguage sd:SPARQL11Update ;
    rdfs:comment "Needs Authorization: Bearer TOKEN. LOAD is refused unless allow-listed." .
"""


@lru_cache(maxsize=32)
def _render(
    endpoint: str,
    base_iri: str,
    update: str | None,
    allowed: tuple[str, ...],
    limits: tuple[float, int, int],
    fmt: Format,
) -> bytes:
    timeout, max_results, max_body = limits
    limits_text = _LIMITS.format(
        timeout=timeout,
        max_results=max_results,
        max_body=max_body,
        service=f"allowed for {', '.join(allowed)} only" if allowed else "refused",
    )
    text = _TEMPLATE.format(
        endpoint=endpoint,
        base_iri=base_iri,
        federated=", sd:BasicFederatedQuery " if allowed else "",
        dataset=_DATASET,
        limits=limits_text,
        update=_UPDATE.format(update=update) if update else "",
    )
    if fmt is Format.TURTLE:
        return text.encode("utf-8")
    quads = ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    return ox.serialize((q.triple for q in quads), format=fmt.rdf) or b""


def service_description(request: Request, settings: Settings) -> Response:
    """The description of this endpoint, in the RDF format the client accepts (else Turtle)."""
    fmt = negotiate(request.headers.get("accept"), Kind.GRAPH) or Format.TURTLE
    endpoint = endpoint_iri(request)
    update = endpoint.rsplit("/", 1)[0] + "/update" if settings.update_enabled else None
    limits = (settings.query_timeout, settings.max_results, settings.max_body)
    allowed = tuple(settings.allowed_service_endpoints)
    body = _render(endpoint, settings.base_iri, update, allowed, limits, fmt)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})
