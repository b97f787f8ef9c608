"""The store interface: what cqc-kg needs of a quad store, whichever holds the graph.

:class:`GraphStore` is implemented by the embedded pyoxigraph store
(:class:`cqckg.store.OxigraphStore`) and by any SPARQL 1.1 store over HTTP
(:class:`cqckg.store.remote.RemoteStore`); :func:`cqckg.store.open_store` picks one. Callers use
this interface only: what differs between the stores is a method here (with its default), never
a test of the concrete type.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from cqckg.core.errors import QueryError, StoreError

__all__ = ["GraphStore", "ReadPool", "Triple", "from_ox", "ntriples", "to_ox"]

Triple = tuple[Node, Node, Node]


def to_ox(
    term: Node | ox.NamedNode | ox.BlankNode | ox.Literal,
) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to its pyoxigraph equivalent (a pyoxigraph term is kept as is)."""
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return term
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r}")


def from_ox(term: object) -> Node:
    """Convert a pyoxigraph term to its rdflib equivalent."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unexpected term {term!r}")


class ReadReply(Protocol):
    """A read job's answer: the head (``ok``, ``format``, ``truncated`` or ``error``) and body."""

    header: dict[str, Any]
    body: bytes


class ReadPool(Protocol):
    """What answers the server's read jobs (see :mod:`cqckg.serve.workers` for the jobs): ``size``
    at a time, ``ready`` of them able to now."""

    size: int

    @property
    def ready(self) -> int: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def run(self, job: dict[str, Any], timeout: float) -> ReadReply: ...


def ntriples(triples: Iterable[Triple]) -> bytes:
    """rdflib triples as N-Triples, as pyoxigraph writes them."""
    converted = (ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples)  # type: ignore[arg-type]
    return ox.serialize(converted, format=ox.RdfFormat.N_TRIPLES) or b""


class GraphStore(ABC):
    """What cqc-kg needs of a quad store."""

    location: str
    #: Whether queries may use Oxigraph's ``LATERAL`` (the embedded store); plain SPARQL 1.1
    #: otherwise.
    supports_lateral: bool = False
    #: Whether one call of :meth:`replace_graphs` (or ``_ntriples``) is one transaction (the
    #: embedded store). A remote store writes graph by graph, so ingestion validates every
    #: assessment before writing the first rather than undoing writes after a failure.
    atomic_writes: bool = False

    @abstractmethod
    def _results(self, query: str) -> object:
        """Run a query over the union of named graphs; the results as pyoxigraph parses them."""

    def select(
        self, query: str
    ) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | None]]:
        """Run a SELECT query over the union of named graphs; rows as variable -> term."""
        results = self._results(query)
        if not isinstance(results, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        names = [v.value for v in results.variables]
        return [{n: sol[n] for n in names} for sol in results]

    def ask(self, query: str) -> bool:
        """Run an ASK query over the union of named graphs."""
        results = self._results(query)
        if not isinstance(results, ox.QueryBoolean):
            raise QueryError("expected an ASK query")
        return bool(results)

    @abstractmethod
    def construct(self, query: str) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query over the union of named graphs."""

    @abstractmethod
    def query_serialized(self, query: str, media_type: str) -> bytes:
        """Run a query and let the engine serialise the results in ``media_type``."""

    @abstractmethod
    def replace_graphs(self, graphs: Mapping[URIRef, Iterable[Triple]]) -> None:
        """Replace each named graph by the given triples, all in one transaction."""

    @abstractmethod
    def drop_graphs(self, graphs: Iterable[URIRef]) -> None:
        """Remove named graphs, all in one transaction."""

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted."""

    @abstractmethod
    def graph(self, iri: URIRef) -> Graph:
        """The triples of one named graph."""

    @abstractmethod
    def dump_nquads(self) -> bytes:
        """Every quad of the store as N-Quads."""

    @abstractmethod
    def has_graph(self, iri: str | None) -> bool:
        """Whether the named graph ``iri`` exists (the default graph, ``None``, always does)."""

    @abstractmethod
    def update(self, update: str, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 Update.

        Raises:
            QueryError: the update is malformed or cannot be applied.
            StoreError: the store could not be written.
        """

    @abstractmethod
    def write_graph(
        self,
        iri: str | None,
        parts: Sequence[tuple[bytes, ox.RdfFormat]],
        *,
        replace: bool,
        base_iri: str,
    ) -> None:
        """Parse RDF documents and add them to a graph (``None``: the default graph),
        replacing what it held first if asked; nothing is written unless every one parses.

        Raises:
            QueryError: a document does not parse.
        """

    def graph_ntriples(self, iri: str) -> bytes:
        """The named graph ``iri`` as N-Triples (``b""`` when the store does not hold it), in
        the form :meth:`replace_graphs_ntriples` takes back."""
        return ntriples(self.graph(URIRef(iri)))

    def replace_graphs_ntriples(self, graphs: Mapping[URIRef, bytes]) -> None:
        """:meth:`replace_graphs` with each graph given as N-Triples (``b""``: drop it)."""
        self.replace_graphs(
            {
                iri: [
                    (from_ox(t.subject), from_ox(t.predicate), from_ox(t.object))
                    for t in (q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
                ]
                for iri, body in graphs.items()
            }
        )

    def is_empty(self) -> bool:
        """Whether the store holds no triple at all."""
        return not self.ask("ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")

    def read_pool(self, size: int) -> ReadPool | None:
        """What answers the server's read jobs when the store answers them itself (a remote
        store), ``size`` at a time; ``None`` when the server runs its query workers over
        :meth:`snapshot` copies (the embedded store)."""
        del size
        return None

    def snapshot(self, target: Path) -> None:
        """Write a read-only copy of the store to ``target`` (which must not exist yet) for
        query worker processes to open.

        Raises:
            StoreError: the store cannot be copied (a remote store: see :meth:`read_pool`).
        """
        raise StoreError(f"{self.location} cannot be copied to {target} for query workers")

    def close(self) -> None:  # noqa: B027 - optional for implementations with nothing to release
        """Release the store."""
