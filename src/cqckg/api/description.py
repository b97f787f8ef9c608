"""What a linked-data page says about one resource, fetched in one CONSTRUCT query.

The description of a resource holds its own triples; the triples of the facts that belong to it
(the scores, findings, statistics, strategies, partners and links of an assessment; the
assessments, scores and statistics of a council); the labels, types and broader concepts of
everything they link to; the text anchors of every one of them with their quote and position;
and up to :data:`INCOMING` resources that link to it. The same triples are the page's RDF
(Turtle, JSON-LD, N-Triples ...) and the data its HTML is drawn from.

>>> facts, anchors = describe_queries("https://w3id.org/cqc-kg/id/x")
>>> "?in ?ip <https://w3id.org/cqc-kg/id/x>" in anchors and "LATERAL" in facts
True
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from cqckg.namespaces import CNT, CQC, OA, PREFIXES

INCOMING = 200

_RDF_TYPE = PREFIXES["rdf"] + "type"
_LABELS = tuple(
    PREFIXES[prefix] + name
    for prefix, name in (
        ("skos", "prefLabel"),
        ("rdfs", "label"),
        ("dcterms", "title"),
        ("rdf", "value"),
    )
)
_NOTATION = PREFIXES["skos"] + "notation"
_ISSUED = PREFIXES["dcterms"] + "issued"

# The resources whose own facts the description carries: the resource itself; an assessment's
# facts and source documents; a council's assessments and their scores and statistics. It is
# repeated inside each branch below: the engine then starts every branch from these few nodes
# instead of scanning the store and joining afterwards (about 25 times faster).
_FOCUS = """{
    { BIND (@IRI@ AS ?f) }
    UNION {
      ?f cqc:assessment @IRI@ ; a ?member_type .
      FILTER (?member_type IN (cqc:StatementScore, cqc:Gap, cqc:Strength, cqc:Statistic,
                               cqc:Strategy, cqc:PartnerOrganisation, cqc:AddressingLink))
    }
    UNION { ?f cqc:describes @IRI@ }
    UNION { ?f cqc:assessedAuthority @IRI@ }
    UNION {
      ?council_assessment cqc:assessedAuthority @IRI@ .
      ?f cqc:assessment ?council_assessment ; a ?chart_type .
      FILTER (?chart_type IN (cqc:StatementScore, cqc:Statistic))
    }
  }"""

# The IRIs the focus resources link to (not their anchors or provenance), once each.
_OBJECTS = """{
    SELECT DISTINCT ?o WHERE {
      @FOCUS@ @L{@
        ?f ?p ?o
        FILTER (isIRI(?o) && ?p NOT IN (cqc:anchor, cqc:ratingAnchor, prov:wasGeneratedBy,
                                        prov:wasDerivedFrom, qb:dataSet))
      @}L@
    }
  }"""

_PREFIXES = """
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
PREFIX cnt: <http://www.w3.org/2011/content#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

# The facts: the focus resources' triples and the labels of what they link to.
_FACTS = """
CONSTRUCT {
  ?f ?p ?o .
  ?o ?lp ?lv .
  ?b ?blp ?blv .
  ?pred rdfs:label ?pred_label .
}
WHERE {
  { @FOCUS@ @L{@ ?f ?p ?o FILTER (?f = @IRI@ || ?p != cnt:chars) @}L@ }
  UNION {
    @OBJECTS@
    @L{@
      VALUES ?lp { rdf:type skos:prefLabel rdfs:label dcterms:title rdf:value skos:notation
                   skos:broader cqc:assessedAuthority dcterms:issued cqc:score }
      ?o ?lp ?lv .
    @}L@
  }
  UNION {
    { SELECT DISTINCT ?b WHERE { @OBJECTS@ @L{@ ?o skos:broader|cqc:assessedAuthority ?b @}L@ } }
    @L{@ VALUES ?blp { skos:prefLabel skos:notation rdf:type } ?b ?blp ?blv . @}L@
  }
  UNION {
    { SELECT DISTINCT ?pred WHERE { { @IRI@ ?pred ?x } UNION { ?x ?pred @IRI@ } } }
    ?pred rdfs:label ?pred_label
  }
}
"""

# The evidence and the backlinks: every focus resource's anchors with their quote and
# position, and the resources that link to the described one.
_ANCHORS = """
CONSTRUCT {
  ?anchor oa:hasSource ?source ; oa:hasSelector ?quote , ?position ; cqc:sectionHeading ?heading .
  ?quote oa:exact ?exact .
  ?position oa:start ?start ; oa:end ?end .
  ?in ?ip @IRI@ .
  ?in ?ilp ?ilv .
}
WHERE {
  {
    @FOCUS@
    @L{@
      ?f cqc:anchor|cqc:ratingAnchor ?anchor .
      ?anchor oa:hasSource ?source ; oa:hasSelector ?quote , ?position .
      ?quote oa:exact ?exact .
      ?position oa:start ?start ; oa:end ?end .
      OPTIONAL { ?anchor cqc:sectionHeading ?heading }
    @}L@
  }
  UNION {
    { SELECT ?in ?ip WHERE { ?in ?ip @IRI@ } LIMIT @INCOMING@ }
    OPTIONAL {
      VALUES ?ilp { rdf:type skos:prefLabel rdfs:label dcterms:title rdf:value
                    cqc:assessedAuthority dcterms:issued }
      ?in ?ilp ?ilv .
    }
  }
}
"""

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class Terms:
    """The IRIs of a namespace as plain strings, e.g. ``Terms(CQC).score``; each is built once.

    >>> Terms(CQC).score
    'https://w3id.org/cqc-kg/def#score'
    """

    def __init__(self, namespace: object) -> None:
        self._namespace = str(namespace)

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        iri = self._namespace + name
        setattr(self, name, iri)
        return iri


cqc, oa, cnt = Terms(CQC), Terms(OA), Terms(CNT)


def describe_queries(iri: str, lateral: bool = True) -> tuple[str, str]:
    """The two CONSTRUCT queries describing ``iri``: its facts, and their anchors and backlinks.

    They are run side by side on two query workers; their answers together are the
    description. ``iri`` is checked by the engine's IRI parser. With ``lateral``, the queries
    use Oxigraph's ``LATERAL`` (a proposed SPARQL 1.2 feature) so the engine looks up the few
    focus resources' triples instead of joining whole indexes: a typical page's queries then
    take a few milliseconds rather than tens. Without it, they are plain SPARQL 1.1 with the
    same answer, for other stores.

    Raises:
        ValueError: ``iri`` is not a valid IRI.
    """
    term = str(ox.NamedNode(iri))

    def fill(template: str) -> str:
        return (
            (_PREFIXES + template)
            .replace("@OBJECTS@", _OBJECTS)
            .replace("@FOCUS@", _FOCUS)
            .replace("@IRI@", term)
            .replace("@INCOMING@", str(INCOMING))
            .replace("@L{@", "LATERAL {" if lateral else "")
            .replace("@}L@", "}" if lateral else "")
        )

    return fill(_FACTS), fill(_ANCHORS)


@dataclass(frozen=True)
class Quote:
    """A text anchor: the exact words, where they are and in which source document."""

    anchor: str
    exact: str
    source: str
    start: int | None
    end: int | None
    heading: str | None


@dataclass
class Description:
    """The triples describing one resource, indexed by subject and predicate."""

    iri: str
    triples: list[ox.Triple]
    truncated: bool = False
    _by_subject: dict[str, dict[str, list[Term]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for t in self.triples:
            index[_key(t.subject)][t.predicate.value].append(t.object)  # type: ignore[arg-type]
        self._by_subject = index

    @classmethod
    def parse(cls, iri: str, *ntriples: bytes, truncated: bool = False) -> Description:
        """The description from the engine's N-Triples answers (duplicates dropped)."""
        seen: dict[ox.Triple, None] = {}
        for body in ntriples:
            for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
                seen.setdefault(quad.triple, None)
        return cls(iri, list(seen), truncated)

    def __bool__(self) -> bool:
        return bool(self.triples)

    def properties(self, node: str) -> dict[str, list[Term]]:
        """Every predicate of ``node`` with its objects (an empty mapping for an unknown node)."""
        return self._by_subject.get(node, {})

    def objects(self, node: str, predicate: str) -> list[Term]:
        return self.properties(node).get(predicate, [])

    def value(self, node: str, predicate: str) -> str | None:
        """The lexical value (or IRI) of the first object, or ``None``."""
        found = self.objects(node, predicate)
        return found[0].value if found else None

    def links(self, node: str, predicate: str) -> list[str]:
        """The IRIs ``node`` links to with ``predicate``."""
        return [o.value for o in self.objects(node, predicate) if isinstance(o, ox.NamedNode)]

    def types(self, node: str) -> list[str]:
        return self.links(node, _RDF_TYPE)

    def is_a(self, node: str, cls: str) -> bool:
        return cls in self.types(node)

    def subjects(self, predicate: str, obj: str) -> list[str]:
        """The subjects that link to ``obj`` with ``predicate``, in the order they came."""
        return [
            s
            for s, props in self._by_subject.items()
            if any(isinstance(o, ox.NamedNode) and o.value == obj for o in props.get(predicate, []))
        ]

    def incoming(self) -> list[tuple[str, str]]:
        """(subject, predicate) of the triples pointing at the described resource."""
        return [
            (_key(t.subject), t.predicate.value)
            for t in self.triples
            if isinstance(t.object, ox.NamedNode) and t.object.value == self.iri
        ]

    def notation(self, node: str) -> str:
        return self.value(node, _NOTATION) or ""

    def label(self, node: str) -> str:
        """The best human name of ``node``: a label, a title, its text, or its IRI's last part."""
        for predicate in _LABELS:
            text = self.value(node, predicate)
            if text:
                return text if len(text) <= 160 else text[:159] + "…"
        authority = self.value(node, cqc.assessedAuthority)
        issued = self.value(node, _ISSUED)
        if authority and issued:
            return f"{self.label(authority)}: assessment published {issued}"
        return node.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or node

    def quotes(self, node: str) -> list[Quote]:
        """The text anchors of a fact, each with its exact quote, sorted by document and place."""
        found = []
        for anchor in self.links(node, cqc.anchor) + self.links(node, cqc.ratingAnchor):
            exact, start, end = None, None, None
            for selector in self.links(anchor, oa.hasSelector):
                exact = exact or self.value(selector, oa.exact)
                start = start if start is not None else _int(self.value(selector, oa.start))
                end = end if end is not None else _int(self.value(selector, oa.end))
            source = self.value(anchor, oa.hasSource)
            if exact is None or source is None:
                continue
            heading = self.value(anchor, cqc.sectionHeading)
            found.append(Quote(anchor, exact, source, start, end, heading))
        found.sort(key=lambda q: (q.source, q.start or 0))
        return found

    def text(self) -> str | None:
        """The stored text of a source document (``cnt:chars``), if the description has it."""
        return self.value(self.iri, cnt.chars)

    def serialize(self, fmt: ox.RdfFormat) -> bytes:
        """The triples written by the engine in ``fmt``, with the project's prefixes."""
        return ox.serialize(self.triples, format=fmt, prefixes=PREFIXES) or b""


def _key(term: object) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(getattr(term, "value", term))


def _int(text: str | None) -> int | None:
    return int(text) if text is not None and text.lstrip("-").isdigit() else None
