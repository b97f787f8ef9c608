"""The ontology's IRI, ``/def``: Turtle (or JSON-LD, N-Triples, RDF/XML) by ``Accept``, and for
browsers an HTML reference generated from the ontology graph in the store.

The page lists every class, property and other term of the ``cqc:`` namespace with its label,
definition, super-terms, domain and range, and the properties that point to or from each class.
Each term has an anchor named after it, so ``/def#Assessment`` lands on ``cqc:Assessment``.
(pyLODE 3.4.1, tried first, installs but fails on import here: its package lacks a module
it imports and it looks for its own pyproject.toml. This page needs nothing beyond the store.)
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from cqckg.core.namespaces import PREFIXES
from cqckg.serve.backend import WorkerRefusal
from cqckg.serve.deps import BackendDep
from cqckg.serve.errors import HttpError
from cqckg.serve.html import Links, html_response, render
from cqckg.serve.linked_data import DOC_RESPONSES, choose_format
from cqckg.serve.negotiation import Format

router = APIRouter(tags=["Linked data"])

_RDF, _RDFS, _OWL, _SKOS = (PREFIXES[p] for p in ("rdf", "rdfs", "owl", "skos"))
_DCTERMS, _VANN = PREFIXES["dcterms"], PREFIXES["vann"]
_KINDS = (
    (_OWL + "Class", "Classes", "class"),
    (_OWL + "ObjectProperty", "Object properties", "object property"),
    (_OWL + "DatatypeProperty", "Datatype properties", "datatype property"),
    (_OWL + "AnnotationProperty", "Annotation properties", "annotation property"),
)


@dataclass
class Term:
    """One documented term: its name (the anchor), IRI, label, definition and relations."""

    name: str
    iri: str
    kind: str
    label: str
    definition: str
    relations: list[tuple[str, list[tuple[str, str | None]]]] = field(default_factory=list)


@dataclass
class OntologyDoc:
    """The documentation of the whole ontology."""

    iri: str
    title: str
    description: str
    header: list[tuple[str, list[tuple[str, str | None]]]]
    sections: list[tuple[str, str, list[Term]]]
    external: list[tuple[str, str, str | None]]


class _Graph:
    def __init__(self, triples: list[ox.Triple]) -> None:
        self.out: dict[str, dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]]]
        self.out = defaultdict(lambda: defaultdict(list))
        for t in triples:
            self.out[str(t.subject)][t.predicate.value].append(t.object)  # type: ignore[arg-type]

    def values(self, node: str, predicate: str) -> list[str]:
        return [o.value for o in self.out.get(node, {}).get(predicate, [])]

    def first(self, node: str, predicate: str) -> str:
        found = self.values(node, predicate)
        return found[0] if found else ""

    def iris(self, node: str, predicate: str) -> list[str]:
        found = self.out.get(node, {}).get(predicate, [])
        return [o.value for o in found if isinstance(o, ox.NamedNode)]


Ref = tuple[str, str | None]
"""A term as shown (``cqc:Assessment``) and where it links (``#Assessment``), if anywhere."""

_RELATIONS = (
    ("Subclass of", _RDFS + "subClassOf"),
    ("Subproperty of", _RDFS + "subPropertyOf"),
    ("Domain", _RDFS + "domain"),
    ("Range", _RDFS + "range"),
    ("Disjoint with", _OWL + "disjointWith"),
    ("Close match", _SKOS + "closeMatch"),
    ("Equivalent to", _OWL + "equivalentClass"),
)
_HEADER = (
    ("Version", _OWL + "versionInfo"),
    ("Version IRI", _OWL + "versionIRI"),
    ("Licence", _DCTERMS + "license"),
    ("Creator", _DCTERMS + "creator"),
    ("Created", _DCTERMS + "created"),
    ("Modified", _DCTERMS + "modified"),
    ("Preferred prefix", _VANN + "preferredNamespacePrefix"),
    ("Namespace", _VANN + "preferredNamespaceUri"),
    ("See also", _RDFS + "seeAlso"),
)


class _Doc:
    """Builds the documentation of one ontology graph."""

    def __init__(self, triples: list[ox.Triple], ontology: str, links: Links) -> None:
        self.g = _Graph(triples)
        self.ontology = ontology
        self.namespace = ontology + "#"
        self.links = links
        self.inverse: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for subject in self.g.out:
            for name, predicate in (
                ("Subclasses", _RDFS + "subClassOf"),
                ("Properties from it", _RDFS + "domain"),
                ("Properties to it", _RDFS + "range"),
            ):
                for target in self.g.iris(subject, predicate):
                    self.inverse[target][name].append(subject[1:-1])

    def ref(self, iri: str) -> Ref:
        if iri.startswith(self.namespace):
            return "cqc:" + iri[len(self.namespace) :], "#" + iri[len(self.namespace) :]
        return self.links.curie(iri), self.links.href(iri)

    def refs(self, node: str, predicate: str) -> list[Ref]:
        return sorted(self.ref(i) for i in self.g.iris(node, predicate))

    def own_terms(self) -> list[str]:
        return [s for s in self.g.out if s[1:-1].startswith(self.namespace)]

    def term(self, subject: str, kind: str) -> Term:
        iri = subject[1:-1]
        term = Term(
            name=iri[len(self.namespace) :],
            iri=iri,
            kind=kind,
            label=self.g.first(subject, _RDFS + "label"),
            definition=self.g.first(subject, _SKOS + "definition")
            or self.g.first(subject, _RDFS + "comment"),
        )
        also: list[Ref] = [(v, None) for v in self.g.values(subject, _SKOS + "altLabel")]
        if also:
            term.relations.append(("Also called", also))
        for name, predicate in _RELATIONS:
            if found := self.refs(subject, predicate):
                term.relations.append((name, found))
        for name, others in self.inverse.get(iri, {}).items():
            term.relations.append((name, sorted(self.ref(i) for i in others)))
        return term

    def sections(self) -> list[tuple[str, str, list[Term]]]:
        sections: list[tuple[str, str, list[Term]]] = []
        seen: set[str] = set()
        for type_iri, heading, kind in _KINDS:
            subjects = [s for s in self.own_terms() if type_iri in self.g.iris(s, _RDF + "type")]
            seen.update(subjects)
            terms = sorted((self.term(s, kind) for s in subjects), key=lambda t: t.name)
            sections.append((heading, kind.replace(" ", "-"), terms))
        others = []
        for subject in self.own_terms():
            if subject not in seen:
                types = self.refs(subject, _RDF + "type")
                term = self.term(subject, ", ".join(t for t, _ in types))
                term.relations.insert(0, ("Type", types))
                others.append(term)
        sections.append(("Other terms", "other", sorted(others, key=lambda t: t.name)))
        return [s for s in sections if s[2]]

    def build(self) -> OntologyDoc:
        me = f"<{self.ontology}>"
        g = self.g
        header: list[tuple[str, list[Ref]]] = []
        for name, predicate in _HEADER:
            values = [self.ref(i) for i in g.iris(me, predicate)]
            values = values or [(v, None) for v in g.values(me, predicate)]
            if values:
                header.append((name, values))
        external = sorted(
            (self.links.curie(s[1:-1]), g.first(s, _RDFS + "label"), self.links.href(s[1:-1]))
            for s in g.out
            if s.startswith("<")
            and not s[1:-1].startswith(self.ontology)
            and g.first(s, _RDFS + "label")
        )
        return OntologyDoc(
            iri=self.ontology,
            title=g.first(me, _DCTERMS + "title") or g.first(me, _RDFS + "label") or self.ontology,
            description=g.first(me, _DCTERMS + "description"),
            header=header,
            sections=self.sections(),
            external=external,
        )


def build(triples: list[ox.Triple], ontology: str, links: Links) -> OntologyDoc:
    """The documentation model for the ontology ``ontology`` (its namespace: ``ontology#``)."""
    return _Doc(triples, ontology, links).build()


@lru_cache(maxsize=4)
def _page(ntriples: bytes, ontology: str, base: str) -> str:
    triples = [q.triple for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)]
    return render("ontology.html", doc=build(triples, ontology, Links(base)))


def _rdf(ntriples: bytes, fmt: Format) -> bytes:
    triples = [q.triple for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)]
    return ox.serialize(triples, format=fmt.rdf, prefixes=PREFIXES) or b""


@router.get(
    "/def",
    response_class=Response,
    summary="The ontology: HTML documentation for browsers, Turtle and other RDF by Accept",
    responses=DOC_RESPONSES,
)
async def ontology(request: Request, backend: BackendDep) -> Response:
    """The ontology graph ``{base}def`` as stored: documented in HTML (each term anchored by
    its name, e.g. ``/def#Assessment``), or as Turtle, JSON-LD, N-Triples or RDF/XML."""
    started = time.perf_counter()
    fmt = choose_format(request.headers.get("accept"), request.query_params.get("format"))
    base = backend.settings.base_iri
    job = {"op": "graph", "graph": f"{base}def", "format": Format.N_TRIPLES.value}
    try:
        answer = await backend.read(job, backend.settings.query_timeout)
    except WorkerRefusal as exc:
        if exc.error == "not_found":
            raise HttpError(404, f"the ontology <{base}def> is not loaded") from None
        raise
    timing = {"Vary": "Accept"}
    if fmt is not None:
        body = await run_in_threadpool(_rdf, answer.body, fmt)
        return Response(body, media_type=fmt.content_type, headers=timing)
    page = await run_in_threadpool(_page, answer.body, f"{base}def", base)
    timing["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return html_response(page, headers=timing)
