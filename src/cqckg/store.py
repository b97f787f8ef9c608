"""The store: load graphs, replace a named graph atomically, query, dump.

One small interface, :class:`GraphStore`, with the embedded pyoxigraph store on disk as the
default implementation. Every command that reads or writes the graph opens its store with
:func:`open_store`, from ``--store PATH_OR_URL`` or ``CQCKG_STORE``.

>>> from rdflib import URIRef, Literal
>>> s = open_store(":memory:")
>>> g = URIRef("https://example.org/g")
>>> a, b = URIRef("https://example.org/a"), URIRef("https://example.org/b")
>>> s.replace_graphs({g: [(a, b, Literal(1))]})
>>> [row["o"].value for row in s.select("SELECT ?o WHERE { ?s ?p ?o }")]
['1']
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import platformdirs
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from cqckg.errors import QueryError, StoreError

Triple = tuple[Node, Node, Node]

ENV_STORE = "CQCKG_STORE"


def default_store_location() -> Path:
    """The per-user embedded store, e.g. ``~/.local/share/cqckg/store``."""
    return Path(platformdirs.user_data_dir("cqckg")) / "store"


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


class GraphStore(ABC):
    """What cqc-kg needs of a quad store."""

    location: str

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

    def close(self) -> None:  # noqa: B027 - optional for implementations with nothing to release
        """Release the store."""


_RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}


class OxigraphStore(GraphStore):
    """The embedded pyoxigraph store, on disk (or in memory for ``:memory:``)."""

    def __init__(self, path: Path | None) -> None:
        self.location = ":memory:" if path is None else str(path)
        try:
            if path is None:
                self._store = ox.Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"cannot open the store at {self.location}: {exc}") from exc

    @property
    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store (for the API's engine-side serialisation)."""
        return self._store

    def _results(self, query: str) -> object:
        try:
            return self._store.query(query, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QueryError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(str(exc)) from exc

    def construct(self, query: str) -> Graph:
        results = self._results(query)
        if not isinstance(results, ox.QueryTriples):
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        g = Graph()
        for t in results:
            g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        return g

    def query_serialized(self, query: str, media_type: str) -> bytes:
        results = self._results(query)
        if isinstance(results, ox.QueryTriples):
            fmt = _GRAPH_FORMATS.get(media_type)
            if fmt is None:
                raise QueryError(f"cannot write a graph as {media_type}")
            return results.serialize(format=fmt) or b""
        rfmt = _RESULT_FORMATS.get(media_type)
        if rfmt is None:
            raise QueryError(f"cannot write query results as {media_type}")
        return results.serialize(format=rfmt) or b""  # type: ignore[attr-defined]

    def replace_graphs(self, graphs: Mapping[URIRef, Iterable[Triple]]) -> None:
        if not any(self._store.contains_named_graph(ox.NamedNode(str(g))) for g in graphs):
            self._load_new_graphs(graphs)
            return
        parts = []
        for iri, triples in graphs.items():
            body = ox.serialize(
                (ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples),  # type: ignore[arg-type]
                format=ox.RdfFormat.N_TRIPLES,
            )
            text = body.decode("utf-8") if body else ""
            parts.append(f"DROP SILENT GRAPH <{iri}>")
            if text:
                parts.append(f"INSERT DATA {{ GRAPH <{iri}> {{\n{text}}} }}")
        if not parts:
            return
        try:
            self._store.update(" ;\n".join(parts))
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"could not write to {self.location}: {exc}") from exc

    def _load_new_graphs(self, graphs: Mapping[URIRef, Iterable[Triple]]) -> None:
        """Add graphs the store does not hold yet, in one transaction.

        Loading N-Quads is about three times faster than parsing the same triples as SPARQL
        ``INSERT DATA``; with no graph to drop first, one load is as atomic as one update.
        """
        quads: list[ox.Quad] = []
        for iri, triples in graphs.items():
            name = ox.NamedNode(str(iri))
            quads.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in triples)  # type: ignore[arg-type]
        if not quads:
            return
        body = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
        try:
            self._store.load(body, format=ox.RdfFormat.N_QUADS)
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"could not write to {self.location}: {exc}") from exc

    def replace_graphs_ntriples(self, graphs: Mapping[URIRef, bytes]) -> None:
        """:meth:`replace_graphs` with each graph given as N-Triples (as this store writes them).

        Graphs the store does not hold yet are loaded as one N-Quads document made from the
        N-Triples by naming the graph on each line, with no terms built in Python.
        """
        if any(self._store.contains_named_graph(ox.NamedNode(str(g))) for g in graphs):
            self.replace_graphs(
                {
                    g: (
                        (q.subject, q.predicate, q.object)
                        for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
                    )
                    for g, body in graphs.items()
                }
            )
            return
        body = b"".join(_name_graph(nt, g) for g, nt in graphs.items())
        if not body:
            return
        try:
            # lenient: the N-Triples were written by pyoxigraph, so their IRIs are valid already
            self._store.load(body, format=ox.RdfFormat.N_QUADS, lenient=True)
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"could not write to {self.location}: {exc}") from exc

    def graph_ntriples(self, iri: URIRef) -> bytes:
        """The named graph ``iri`` as N-Triples (``b""`` when the store does not hold it), in the
        form :meth:`replace_graphs_ntriples` takes back."""
        name = ox.NamedNode(str(iri))
        if not self._store.contains_named_graph(name):
            return b""
        triples = (
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self._store.quads_for_pattern(None, None, None, name)
        )
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""

    def drop_graphs(self, graphs: Iterable[URIRef]) -> None:
        update = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs)
        if update:
            self._store.update(update)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def graph(self, iri: URIRef) -> Graph:
        g = Graph()
        for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(iri))):
            g.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        return g

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self._store.quads_for_pattern(None, None, None, None))

    def dump_nquads(self) -> bytes:
        return self._store.dump(format=ox.RdfFormat.N_QUADS) or b""

    def is_empty(self) -> bool:
        return len(self._store) == 0

    def has_graph(self, iri: str | None) -> bool:
        """Whether the named graph ``iri`` exists (the default graph, ``None``, always does)."""
        return iri is None or self._store.contains_named_graph(ox.NamedNode(iri))

    def update(self, update: str, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 Update in one transaction.

        Raises:
            QueryError: the update is malformed or cannot be applied (nothing is changed).
            StoreError: the store could not be written.
        """
        try:
            self._store.update(update, base_iri=base_iri)
        except SyntaxError as exc:
            raise QueryError(f"bad update: {exc}") from exc
        except RuntimeError as exc:
            # The engine's evaluation errors, e.g. CREATE of a graph that exists or DROP of one
            # that does not (without SILENT): the update asked for something it cannot do.
            raise QueryError(f"the update was not applied: {exc}") from exc
        except (OSError, ValueError) as exc:
            raise StoreError(f"could not update {self.location}: {exc}") from exc

    def write_graph(
        self,
        iri: str | None,
        parts: Sequence[tuple[bytes, ox.RdfFormat]],
        *,
        replace: bool,
        base_iri: str,
    ) -> None:
        """Parse RDF documents and add them to a graph (``None``: the default graph),
        replacing what it held first if asked.

        Everything is parsed before anything is written, and the write is one transaction.

        Raises:
            QueryError: a document does not parse.
        """
        if iri is not None:
            try:
                iri = ox.NamedNode(iri).value
            except ValueError as exc:
                raise QueryError(f"not an absolute IRI: {iri!r}") from exc
        triples: list[ox.Triple] = []
        for data, fmt in parts:
            try:
                triples.extend(q.triple for q in ox.parse(data, format=fmt, base_iri=base_iri))
            except (SyntaxError, ValueError) as exc:
                raise QueryError(f"the RDF sent does not parse: {exc}") from exc
        body = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
        target = "DEFAULT" if iri is None else f"GRAPH <{iri}>"
        statements = [f"DROP SILENT {target}"] if replace else []
        if iri is not None:
            statements.append(f"CREATE SILENT GRAPH <{iri}>")
            body = f"GRAPH <{iri}> {{\n{body}}}"
        statements.append(f"INSERT DATA {{\n{body}}}")
        self.update(" ;\n".join(statements))

    def snapshot(self, target: Path) -> None:
        """Write a read-only copy of the store to ``target`` for other processes to open.

        An on-disk store makes a backup folder (hard links, cheap); an in-memory one an
        N-Quads file. Either way ``target`` must not exist yet.
        """
        try:
            if self.location == ":memory:":
                self._store.dump(str(target), format=ox.RdfFormat.N_QUADS)
            else:
                self._store.backup(str(target))
        except OSError as exc:
            raise StoreError(f"could not snapshot {self.location}: {exc}") from exc

    def close(self) -> None:
        self._store.flush()


def _name_graph(ntriples: bytes, graph: URIRef) -> bytes:
    """N-Triples as N-Quads in ``graph``. N-Triples escape line breaks inside literals, so every
    line break ends a triple, and a triple ends with `` .``."""
    if ntriples.count(b"\n") != ntriples.count(b" .\n"):
        raise StoreError("not N-Triples as pyoxigraph writes them: a line does not end with ' .'")
    return ntriples.replace(b" .\n", b" <" + str(graph).encode("utf-8") + b"> .\n")


def open_store(location: str | Path | None = None) -> GraphStore:
    """Open the store named by ``location``, ``$CQCKG_STORE`` or the per-user default.

    ``:memory:`` gives an in-memory store; a path gives the embedded on-disk store.
    """
    loc = str(location) if location is not None else os.environ.get(ENV_STORE) or ""
    if not loc:
        return OxigraphStore(default_store_location())
    if loc == ":memory:":
        return OxigraphStore(None)
    if loc.startswith(("http://", "https://")):
        from cqckg.remote import RemoteStore

        return RemoteStore(loc)
    return OxigraphStore(Path(loc).expanduser())
