"""The store: load graphs, replace a named graph atomically, query, dump.

One interface, :class:`~cqckg.store.base.GraphStore`, with the embedded pyoxigraph store on disk
as the default implementation (and :class:`cqckg.store.remote.RemoteStore` for a SPARQL store).
Every command that reads or writes the graph opens its store with :func:`open_store`, from
``--store PATH_OR_URL`` or ``CQCKG_STORE``.

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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import platformdirs
import pyoxigraph as ox
from rdflib import Graph, URIRef

from cqckg.core.errors import QueryError, StoreError
from cqckg.core.formats import Format, Kind
from cqckg.store.base import GraphStore, ReadPool, Triple, from_ox, to_ox

__all__ = [
    "ENV_STORE",
    "GraphStore",
    "OxigraphStore",
    "ReadPool",
    "Triple",
    "default_store_location",
    "from_ox",
    "open_store",
    "to_ox",
]

ENV_STORE = "CQCKG_STORE"


def default_store_location() -> Path:
    """The per-user embedded store, e.g. ``~/.local/share/cqckg/store``."""
    return Path(platformdirs.user_data_dir("cqckg")) / "store"


class OxigraphStore(GraphStore):
    """The embedded pyoxigraph store, on disk (or in memory for ``:memory:``)."""

    supports_lateral = True
    atomic_writes = True

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
        fmt = Format.from_media_type(media_type)
        if isinstance(results, ox.QueryTriples):
            if fmt is None or fmt.kind is not Kind.GRAPH:
                raise QueryError(f"cannot write a graph as {media_type}")
            return results.serialize(format=fmt.rdf) or b""
        if fmt is None or fmt.kind is not Kind.RESULTS:
            raise QueryError(f"cannot write query results as {media_type}")
        return results.serialize(format=fmt.results) or b""  # type: ignore[attr-defined]

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

        Loading N-Quads is faster than parsing the same triples as SPARQL ``INSERT DATA``; with
        no graph to drop first, one load is as atomic as one update.
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

    def graph_ntriples(self, iri: str) -> bytes:
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
        """Everything is parsed before anything is written, and the write is one transaction."""
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
        """An on-disk store makes a backup folder (hard links, cheap); an in-memory one an
        N-Quads file."""
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
        from cqckg.store.remote import RemoteStore

        return RemoteStore(loc)
    return OxigraphStore(Path(loc).expanduser())
