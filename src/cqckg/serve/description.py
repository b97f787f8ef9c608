"""What a linked-data page says about one resource, fetched in a few CONSTRUCT queries.

The full description of a resource holds its own triples; the triples of the facts that belong
to it (the scores, findings, statistics, strategies, partners and links of an assessment; the
assessments, scores and statistics of a council); the labels, types and broader concepts of
everything they link to; the text anchors of every one of them with their quote and position;
and up to :data:`INCOMING` resources that link to it. It is the resource's RDF (Turtle,
JSON-LD, N-Triples ...).

An HTML page needs less. :func:`index_query` lists the items of an assessment's long lists
(:data:`LISTS`: gaps, strengths, strategies, partners) in order (:class:`ListIndex`), or counts
those of a council's latest assessment; a page reads it without the items' texts, then
(:func:`texts_query`) the texts of only the items that can be among the first it shows. While
it runs, so do the queries of the page's backlinks (:func:`backlinks_query`) and of the facts
it shows in full (:func:`shown_queries`: scores and statistics); then those of the rest of its
*summary* (:func:`summary_queries`): the description with only the first :data:`FIRST` items
of each list. A *list page* (:func:`list_queries`) holds one page of :data:`PAGE_SIZE` items of
one list with their quotes.

>>> facts, anchors = describe_queries("https://w3id.org/cqc-kg/id/x")
>>> "?in ?ip <https://w3id.org/cqc-kg/id/x>" in anchors and "LATERAL" in facts
True
>>> facts, anchors = list_queries("https://w3id.org/cqc-kg/id/x", ["https://w3id.org/cqc-kg/id/g"])
>>> "VALUES ?f { <https://w3id.org/cqc-kg/id/g> }" in facts and "SELECT ?in" not in anchors
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from cqckg.core.namespaces import CNT, CQC, OA, PREFIXES

INCOMING = 200
FIRST = 5  # items of each list an assessment's page shows
PAGE_SIZE = 50  # items on a page of a list

# The long lists of an assessment's facts, each with a page of its own: path segment -> class
# (local name in the cqc namespace).
LISTS: dict[str, str] = {
    "gaps": "Gap",
    "strengths": "Strength",
    "strategies": "Strategy",
    "partners": "PartnerOrganisation",
}

_RDF_TYPE = PREFIXES["rdf"] + "type"
_RDF_VALUE = PREFIXES["rdf"] + "value"
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
CQC_IRI = str(CQC)
_NO_GROUP = "~"  # sorts after every notation: items about no quality statement come last

# The facts shown in full on an assessment's page (and a council's), and every kind of fact of
# an assessment.
_SHOWN_NAMES = ("StatementScore", "Statistic")
_SHOWN = ", ".join(f"cqc:{name}" for name in _SHOWN_NAMES)
_MEMBER_NAMES = (*_SHOWN_NAMES, *LISTS.values(), "AddressingLink")
_MEMBERS = ", ".join(f"cqc:{name}" for name in _MEMBER_NAMES)
# The classes of the facts an assessment's page shows or lists (not repeated as backlinks).
MEMBER_CLASSES = frozenset(str(CQC) + name for name in _MEMBER_NAMES)

# The resources whose own facts a description carries (?f), as branches of a UNION: the
# resource itself; an assessment's facts and source documents; a council's assessments and
# their scores and statistics. The union is repeated inside each query below: the engine then
# starts every part from these few nodes instead of scanning the store and joining afterwards
# (about 25 times faster).
_SELF = "{ BIND (@IRI@ AS ?f) }"
_FACTS_OF = """{
      ?f cqc:assessment @IRI@ ; a ?member_type .
      FILTER (?member_type IN (@KINDS@))
    }"""
_RELATED = """{ ?f cqc:describes @IRI@ }
    UNION { ?f cqc:assessedAuthority @IRI@ }
    UNION {
      ?authority_assessment cqc:assessedAuthority @IRI@ .
      ?f cqc:assessment ?authority_assessment ; a ?chart_type .
      FILTER (?chart_type IN (cqc:StatementScore, cqc:Statistic))
    }"""
# What an HTML page's description starts from besides the resource itself and the chosen items
# of its lists: the facts it shows in full (the scores and statistics of the assessment, or of
# the council's latest assessment, found here so that they are read while the index query runs),
# and what describes the resource or assesses it (a council's assessments).
_SHOWN_FACTS = f"""{{
      {{ BIND (@IRI@ AS ?shown_of) }}
      UNION {{
        SELECT (?assessment AS ?shown_of) WHERE {{
          ?assessment cqc:assessedAuthority @IRI@ ; dcterms:issued ?published .
        }}
        ORDER BY DESC(STR(?published)) DESC(?assessment) LIMIT 1
      }}
      ?f cqc:assessment ?shown_of ; a ?shown_type .
      FILTER (?shown_type IN ({_SHOWN}))
    }}"""
_LINKED = """{ ?f cqc:describes @IRI@ }
    UNION { ?f cqc:assessedAuthority @IRI@ }"""
# A council's page: its latest assessment (@LATEST@) in full, and of each earlier one only what
# the page says of it (?brief: the triples of :data:`_BRIEF`, no anchors); the rest is on its own
# page. Without this a council's page would read ten assessments in full to show one.
_LINKED_LATEST = """{ ?f cqc:describes @IRI@ }
    UNION { VALUES ?f { @LATEST@ } }
    UNION { ?f cqc:assessedAuthority @IRI@ FILTER (?f != @LATEST@) BIND (true AS ?brief) }"""
_BRIEF = """rdf:type, skos:prefLabel, rdfs:label, dcterms:title, dcterms:issued,
                  cqc:assessedAuthority, cqc:overallRating, cqc:percentage, cqc:assessmentKind"""
# Chosen items of an assessment's lists (@ITEMS@: IRIs), each with its addressing links.
_CHOSEN = """{ VALUES ?f { @ITEMS@ } }
    UNION { VALUES ?item { @ITEMS@ } @L{@ ?item cqc:qualifiedAddressing ?f @}L@ }"""

# The IRIs the focus resources link to (not their anchors or provenance), once each.
_OBJECTS = """{
    SELECT DISTINCT ?o WHERE {
      @FOCUS@ @L{@
        ?f ?p ?o
        FILTER (isIRI(?o) && ?p NOT IN (cqc:anchor, cqc:ratingAnchor, prov:wasGeneratedBy,
                                        prov:wasDerivedFrom, qb:dataSet)
                && (!BOUND(?brief) || ?p IN (@BRIEF@)))
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

# The labels of what the focus resources link to (?o) and of the concepts and councils those
# belong to (?b). With LATERAL both come from one pass over the objects (the engine finds them
# once); plain SPARQL 1.1 finds the objects twice, as a join with a UNION there would make
# Oxigraph read every label in the store.
_OBJECT_LABELS = """UNION {
    @OBJECTS@
    LATERAL {
      { ?o ?lp ?lv . FILTER (?lp IN (@LABEL_PREDICATES@)) }
      UNION {
        ?o skos:broader|cqc:assessedAuthority ?b .
        LATERAL { VALUES ?blp { skos:prefLabel skos:notation rdf:type } ?b ?blp ?blv }
      }
    }
  }"""
_OBJECT_LABELS_PLAIN = """UNION {
    @OBJECTS@
    ?o ?lp ?lv .
    FILTER (?lp IN (@LABEL_PREDICATES@))
  }
  UNION {
    { SELECT DISTINCT ?b WHERE { @OBJECTS@ ?o skos:broader|cqc:assessedAuthority ?b } }
    VALUES ?blp { skos:prefLabel skos:notation rdf:type } ?b ?blp ?blv .
  }"""
_LABEL_PREDICATES = """rdf:type, skos:prefLabel, rdfs:label, dcterms:title, rdf:value,
                                skos:notation, skos:broader, cqc:assessedAuthority,
                                dcterms:issued, cqc:score"""

# The facts: the focus resources' triples and the labels of what they link to.
_FACTS = """
CONSTRUCT {
  ?f ?p ?o .
  ?o ?lp ?lv .
  ?b ?blp ?blv .
  ?pred rdfs:label ?pred_label .
}
WHERE {
  {
    @FOCUS@
    @L{@
      ?f ?p ?o
      FILTER ((?f = @IRI@ || ?p != cnt:chars) && (!BOUND(?brief) || ?p IN (@BRIEF@)))
    @}L@
  }
  @OBJECT_LABELS@
  @PREDICATE_LABELS@
}
"""
# The labels of the predicates linking to and from the described resource (in one facts query).
_PREDICATE_LABELS = """UNION {
    { SELECT DISTINCT ?pred WHERE { { @IRI@ ?pred ?x } UNION { ?x ?pred @IRI@ } } }
    ?pred rdfs:label ?pred_label
  }"""

# The evidence and the backlinks: every focus resource's anchors (each once, however many
# facts share it) with their quote and position (and page, in a PDF), and (@INCOMING_PART@)
# the resources that link to the described one.
_ANCHORS = """
CONSTRUCT {
  ?anchor oa:hasSource ?source ; oa:hasSelector ?quote , ?position , ?page ;
    cqc:sectionHeading ?heading .
  ?quote oa:exact ?exact .
  ?position oa:start ?start ; oa:end ?end .
  ?page rdf:value ?fragment .
  ?in ?ip @IRI@ .
  ?in ?ilp ?ilv .
}
WHERE {
  {
    {
      SELECT DISTINCT ?anchor WHERE {
        @FOCUS@ FILTER (!BOUND(?brief))
        @L{@ ?f cqc:anchor|cqc:ratingAnchor ?anchor @}L@
      }
    }
    @L{@
      ?anchor oa:hasSource ?source ; oa:hasSelector ?quote , ?position .
      ?quote oa:exact ?exact .
      ?position oa:start ?start ; oa:end ?end .
      OPTIONAL { ?anchor cqc:sectionHeading ?heading }
      OPTIONAL { ?anchor oa:hasSelector ?page . ?page a oa:FragmentSelector ; rdf:value ?fragment }
    @}L@
  }
  @INCOMING_PART@
}
"""
_INCOMING_WHERE = """{
    { SELECT ?in ?ip WHERE { ?in ?ip @IRI@ @NOT_LISTED@ } LIMIT @INCOMING@ }
    OPTIONAL {
      ?in ?ilp ?ilv .
      FILTER (?ilp IN (rdf:type, skos:prefLabel, rdfs:label, dcterms:title, rdf:value,
                       cqc:assessedAuthority, dcterms:issued))
    }
  }"""
_INCOMING = "UNION " + _INCOMING_WHERE
# The backlinks and the labels of the predicates linking to and from the resource: an HTML
# page asks for them while its index query runs (they do not depend on it).
_BACKLINKS = (
    """
CONSTRUCT { ?in ?ip @IRI@ . ?in ?ilp ?ilv . ?pred rdfs:label ?pred_label . }
WHERE {
  """
    + _INCOMING_WHERE
    + """
  @PREDICATE_LABELS@
}
"""
)
# On a page that lists an assessment's facts (or links to their lists), they are not repeated
# as backlinks.
_NOT_LISTED = f"""FILTER (?ip != cqc:assessment || NOT EXISTS {{
        ?in a ?listed FILTER (?listed IN ({_MEMBERS}))
      }})"""

# The council the resource assesses (if an assessment); the lists' items of the resource (if an
# assessment) with what they are sorted by; and how many items each list of the latest
# assessment of the resource (if a council) has, with its date: a council's page shows that
# assessment in full and links to the others, so the work does not grow with every assessment.
_INDEX = """
SELECT ?assessment ?published ?kind ?item ?group ?text ?items ?authority
WHERE {
  { BIND (@IRI@ AS ?assessment) @IRI@ cqc:assessedAuthority ?authority }
  UNION {
    BIND (@IRI@ AS ?assessment)
    @L{@
      ?item cqc:assessment @IRI@ ; a ?kind .
      FILTER (?kind IN (@KINDS@))
    @}L@
    @L{@ OPTIONAL { ?item cqc:aboutStatement ?statement . ?statement skos:notation ?group } @}L@
    @TEXT@
  }
  UNION {
    SELECT ?assessment ?published ?kind (COUNT(DISTINCT ?counted) AS ?items)
    WHERE {
      {
        SELECT ?assessment ?published WHERE {
          ?assessment cqc:assessedAuthority @IRI@ ; dcterms:issued ?published .
        }
        ORDER BY DESC(STR(?published)) DESC(?assessment) LIMIT 1
      }
      # (a row even for an assessment with none: it is still the latest)
      @L{@
        OPTIONAL {
          ?counted cqc:assessment ?assessment ; a ?kind .
          FILTER (?kind IN (@KINDS@))
        }
      @}L@
    }
    GROUP BY ?assessment ?published ?kind
  }
}
"""

# The texts a list item is sorted by (its smallest): in the index, or of chosen items (@ITEMS@)
# for :meth:`ListIndex.order`.
_TEXT_PATH = "rdf:value|skos:prefLabel|dcterms:title"
_TEXT = "@L{@ OPTIONAL { ?item " + _TEXT_PATH + " ?text } @}L@"
_TEXTS = "SELECT ?item ?text WHERE { VALUES ?item { @ITEMS@ } ?item " + _TEXT_PATH + " ?text }"

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


def _fill(template: str, iri: str, lateral: bool, focus: list[str], **more: str) -> str:
    term = str(ox.NamedNode(iri))
    text = (
        (_PREFIXES + template)
        .replace("@OBJECT_LABELS@", _OBJECT_LABELS if lateral else _OBJECT_LABELS_PLAIN)
        .replace("@LABEL_PREDICATES@", _LABEL_PREDICATES)
        .replace("@OBJECTS@", _OBJECTS)
        .replace("@FOCUS@", "{\n    " + "\n    UNION ".join(focus) + "\n  }")
        .replace("@BRIEF@", _BRIEF)
    )
    for name, value in more.items():
        text = text.replace(f"@{name}@", value)
    return (
        text.replace("@IRI@", term)
        .replace("@L{@", "LATERAL {" if lateral else "")
        .replace("@}L@", "}" if lateral else "")
    )


def _queries(
    iri: str,
    lateral: bool,
    focus: list[str],
    incoming: str | None,
    groups: Sequence[list[str]] = (),
) -> tuple[str, ...]:
    """The facts query and the anchors query of the ``focus`` branches (with the backlinks
    unless ``incoming`` is ``None``), or, with ``groups`` of those branches and no backlinks,
    the two queries of each group (all run side by side; the predicates' labels are then
    :func:`backlinks_query`'s)."""
    if groups:
        assert incoming is None
        return tuple(
            query
            for group in groups
            for query in (
                _fill(_FACTS, iri, lateral, group, PREDICATE_LABELS=""),
                _fill(_ANCHORS, iri, lateral, group, INCOMING_PART=""),
            )
        )
    facts = _fill(_FACTS, iri, lateral, focus, PREDICATE_LABELS=_PREDICATE_LABELS)
    part = "" if incoming is None else _INCOMING.replace("@NOT_LISTED@", incoming)
    anchors = _fill(_ANCHORS, iri, lateral, focus, INCOMING_PART=part, INCOMING=str(INCOMING))
    return facts, anchors


def _iris(items: Sequence[str]) -> str:
    """``items`` as SPARQL IRI terms (checked by the engine's IRI parser), for ``VALUES``."""
    return " ".join(str(ox.NamedNode(item)) for item in items)


def _chosen(items: Sequence[str]) -> list[str]:
    return [_CHOSEN.replace("@ITEMS@", _iris(items))] if items else []


def describe_queries(iri: str, lateral: bool = True) -> tuple[str, ...]:
    """The two CONSTRUCT queries of the full description of ``iri`` (its RDF): its facts, and
    their anchors and backlinks.

    They are run side by side on two query workers; their answers together are the
    description. ``iri`` is checked by the engine's IRI parser. With ``lateral``, the queries
    use Oxigraph's ``LATERAL`` (a proposed SPARQL 1.2 feature) so the engine looks up the few
    focus resources' triples instead of joining whole indexes: a typical page's queries then
    take a few milliseconds rather than tens. Without it, they are plain SPARQL 1.1 with the
    same answer, for other stores.

    Raises:
        ValueError: ``iri`` is not a valid IRI.
    """
    focus = [_SELF, _FACTS_OF.replace("@KINDS@", _MEMBERS), _RELATED]
    return _queries(iri, lateral, focus, "")


def backlinks_query(iri: str) -> str:
    """The CONSTRUCT of the backlinks the HTML page of ``iri`` shows (with the queries of
    :func:`summary_queries`, its description): up to :data:`INCOMING` resources linking to it
    with their labels, leaving out the facts the page lists or links to, and the labels of the
    predicates linking to and from it.

    Raises:
        ValueError: ``iri`` is not a valid IRI.
    """
    template = _BACKLINKS.replace("@NOT_LISTED@", _NOT_LISTED)
    return _fill(
        template, iri, False, [], PREDICATE_LABELS=_PREDICATE_LABELS, INCOMING=str(INCOMING)
    )


def shown_queries(iri: str, lateral: bool = True) -> tuple[str, ...]:
    """The facts and anchors queries of the facts the HTML page of ``iri`` shows in full: the
    scores and statistics of the assessment ``iri``, or of the council ``iri``'s latest
    assessment. They need no index: a page runs them while its index query runs.

    Raises:
        ValueError: ``iri`` is not a valid IRI.
    """
    return _queries(iri, lateral, [_SHOWN_FACTS], None, [[_SHOWN_FACTS]])


def summary_queries(
    iri: str, items: Sequence[str], lateral: bool = True, latest: str | None = None
) -> tuple[str, ...]:
    """The queries of what the HTML page of ``iri`` shows, besides its backlinks
    (:func:`backlinks_query`) and the facts it shows in full (:func:`shown_queries`): its
    full description, except that of an assessment's :data:`LISTS` only ``items`` are in it
    (with their quotes and addressing links), and of a council's assessments other than
    ``latest`` (:attr:`ListIndex.latest`) only their date, rating, percentage and kind.

    Raises:
        ValueError: ``iri``, ``latest`` or an item is not a valid IRI.
    """
    linked = _LINKED
    if latest is not None:
        linked = _LINKED_LATEST.replace("@LATEST@", str(ox.NamedNode(latest)))
    # Two pairs of queries side by side (the resource and what describes it; the chosen
    # items), so that the cores share the work.
    groups = [[_SELF, linked]]
    if items:
        groups.append(_chosen(items))
    return _queries(iri, lateral, [b for group in groups for b in group], None, groups)


def list_queries(iri: str, items: Sequence[str], lateral: bool = True) -> tuple[str, ...]:
    """The queries of a page of one of the lists of the assessment ``iri``: the assessment's
    own triples and the ``items`` with their labels, links, addressing links and quotes.

    Raises:
        ValueError: ``iri`` or an item is not a valid IRI.
    """
    return _queries(iri, lateral, [_SELF, *_chosen(items)], None)


def index_query(
    iri: str, kinds: Sequence[str] = tuple(LISTS), lateral: bool = True, texts: bool = True
) -> str:
    """A SELECT of the items of the lists ``kinds`` (keys of :data:`LISTS`) of ``iri`` if it
    is an assessment, with what they are sorted by, and of how many items those lists of its
    latest assessment have if it is a council: read by :meth:`ListIndex.parse`.

    Without ``texts`` the items come with their quality statement but not their text: reading
    every finding's sentence is most of the query's work, and a page that shows the first few
    items of each list needs the texts of only those that can be among them
    (:meth:`ListIndex.leading`, then :func:`texts_query` and :meth:`ListIndex.order`).

    Raises:
        ValueError: ``iri`` is not a valid IRI.
    """
    listed = ", ".join(f"cqc:{LISTS[kind]}" for kind in kinds)
    return _fill(_INDEX, iri, lateral, [], KINDS=listed, TEXT=_TEXT if texts else "")


def texts_query(items: Sequence[str]) -> str:
    """A SELECT of the texts ``items`` (list items) are sorted by, read by
    :meth:`ListIndex.order`.

    Raises:
        ValueError: an item is not a valid IRI.
    """
    return _PREFIXES + _TEXTS.replace("@ITEMS@", _iris(items))


@dataclass
class ListIndex:
    """The lists of an assessment in order (:attr:`items`: list name -> item IRIs), the
    lengths of the lists of it or of a council's latest assessment (:attr:`counts`: (assessment
    IRI, list name) -> items), that latest assessment and the council an assessment assesses.

    Items are sorted by the smallest notation of the quality statement they are about (those
    about none last), then their smallest text (``rdf:value``, ``skos:prefLabel`` or
    ``dcterms:title``), then their IRI.

    >>> index = ListIndex.parse("https://w3id.org/cqc-kg/id/a", b"")
    >>> index.items, index.counts, index.latest, index.authority
    ({}, {}, None, None)
    """

    iri: str
    items: dict[str, list[str]] = field(default_factory=dict)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    truncated: bool = False  # the answer it was read from was cut at the result cap
    # A council's latest assessment: the one its page shows in full (its scores and statistics,
    # :func:`shown_queries`); the page links to the others, whose change is under "Over time".
    latest: str | None = None
    # The council an assessment assesses.
    authority: str | None = None
    # Each listed item's smallest quality-statement notation (:data:`_NO_GROUP` if none).
    groups: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, iri: str, tsv: bytes) -> ListIndex:
        """The index from the engine's TSV answer to :func:`index_query` (``iri``'s)."""
        names = {CQC_IRI + name: kind for kind, name in LISTS.items()}
        keys: dict[str, dict[str, tuple[str, str, str]]] = defaultdict(dict)
        counts: dict[tuple[str, str], int] = {}
        published: dict[str, str] = {}  # a council's assessments -> their dates
        authority = None
        results = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        if isinstance(results, ox.QuerySolutions):
            for row in results:
                if row["authority"] is not None:
                    authority = _value(row["authority"])
                    continue
                kind = names.get(_value(row["kind"]))
                assessment = _value(row["assessment"])
                if row["published"] is not None:
                    published[assessment] = _value(row["published"])
                if kind is None:
                    continue
                if row["items"] is not None:
                    counts[assessment, kind] = int(_value(row["items"]))
                    continue
                item = _value(row["item"])
                key = (_value(row["group"]) or _NO_GROUP, _value(row["text"]), item)
                known = keys[kind].get(item)
                keys[kind][item] = key if known is None else min(known, key)
        items = {kind: sorted(found, key=found.__getitem__) for kind, found in keys.items()}
        groups = {item: key[0] for found in keys.values() for item, key in found.items()}
        for kind, listed in items.items():
            counts[iri, kind] = len(listed)
        # ISO dates sort as text ("2024-07", known only to the month, before "2024-07-10")
        latest = max(published, key=lambda a: (published[a], a)) if published else None
        return cls(iri, items, counts, latest=latest, authority=authority, groups=groups)

    def leading(self, first: int) -> list[str]:
        """The items that can be among the first ``first`` of their list once their texts are
        known, in an index read without them (``index_query(texts=False)``): those about the
        same quality statement as the list's ``first``-th item or an earlier one."""
        found: list[str] = []
        for items in self.items.values():
            if items:
                cutoff = self.groups[items[min(first, len(items)) - 1]]
                found.extend(item for item in items if self.groups[item] <= cutoff)
        return found

    def order(self, tsv: bytes) -> None:
        """Sort the lists again with the texts in ``tsv`` (the engine's answer to
        :func:`texts_query`): every item :meth:`leading` named is then where the full index
        puts it (an item's smallest text, as there)."""
        texts: dict[str, str] = {}
        results = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        if isinstance(results, ox.QuerySolutions):
            for row in results:
                item, text = _value(row["item"]), _value(row["text"])
                texts[item] = min(texts.get(item, text), text)
        for items in self.items.values():
            items.sort(key=lambda item: (self.groups[item], texts.get(item, ""), item))


def _value(term: object) -> str:
    return "" if term is None else str(getattr(term, "value", term))


@dataclass(frozen=True)
class Quote:
    """A text anchor: the exact words, where they are and in which source document."""

    anchor: str
    exact: str
    source: str
    start: int | None
    end: int | None
    heading: str | None
    page: int | None = None  # the PDF page where the quote starts (a page selector's page=N)


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
            exact, start, end, page = None, None, None, None
            for selector in self.links(anchor, oa.hasSelector):
                exact = exact or self.value(selector, oa.exact)
                start = start if start is not None else _int(self.value(selector, oa.start))
                end = end if end is not None else _int(self.value(selector, oa.end))
                fragment = self.value(selector, _RDF_VALUE) or ""
                if page is None and fragment.startswith("page="):
                    page = _int(fragment[5:])
            source = self.value(anchor, oa.hasSource)
            if exact is None or source is None:
                continue
            heading = self.value(anchor, cqc.sectionHeading)
            found.append(Quote(anchor, exact, source, start, end, heading, page))
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
