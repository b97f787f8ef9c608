"""Shortcuts through pyshacl's internals: the same SHACL results in a fraction of the time.

Each shortcut replaces a piece of pyshacl's own path whose cost was measured (the figures are in
docs/decisions/0003-performance.md and 0005-borrowed-internals.md): the remembered store lookups
(:class:`ValidatedDataGraph`), a property shape evaluated on all its focus nodes in one call
(:class:`_BatchedPropertyConstraint`), value nodes of a one-predicate path from an index
(:class:`_IndexedShape`), a hashed test of constraint parameters (:class:`_ParameterList`), no
text description of each result and no report graph (:class:`_Validator`).

They are applied per validation, by :func:`run`, never at import: the shapes of one validator get
their class swapped, the constraint components are subclasses handed to that validator only, and
the one module-level table pyshacl reads its constraint components from
(``pyshacl.shape.CONSTRAINT_PARAMS``) is set for the time of the run, under a lock, and put back
after. A stock pyshacl validation running in another thread of the same process at that moment
would see the faster table (same results); nothing in cqc-kg does that.

The switch: ``CQCKG_SHACL_SPEEDUPS=0`` in the environment and :mod:`cqckg.validate` never
imports this module; it runs ``pyshacl.validate`` as published.
tests/validate/test_validate_speedups.py validates the shipped corpus (every assessment in
``graph/assessments``, the reference graphs, every fixture) both ways, stock pyshacl in a
separate process, and compares the reports. pyshacl is pinned to the releases that test ran on
(pyproject.toml)."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

import pyoxigraph as ox
import pyshacl.shape
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from pyshacl.constraints.constraint_component import ConstraintComponent
from pyshacl.constraints.core.shape_based_constraints import PropertyConstraintComponent
from pyshacl.entrypoints import make_default_logger
from pyshacl.graph_abstraction import OxigraphDataGraph
from pyshacl.monkey import apply_patches
from pyshacl.shape import Shape
from pyshacl.validator import Validator
from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from cqckg.core.namespaces import SH

__all__ = ["TermConverter", "ValidatedDataGraph", "run"]


class TermConverter(Protocol):
    """rdflib <-> pyoxigraph term conversion, as pyshacl converts (``cqckg.validate``)."""

    def ox_term(self, term: Node) -> Any: ...

    def rdf_term(self, term: Any) -> Node: ...


class ValidatedDataGraph(OxigraphDataGraph):
    """pyshacl's view of the pyoxigraph store, with the lookups it repeats answered from memory.

    - Its truth value is cheap. pyshacl tests ``datagraph or shapes_graph`` once per result it
      reports; a graph's truth value is its length, and over a pyoxigraph store that is a COUNT
      query of the whole graph for every warning. The graph validated is never empty.
    - ``objects`` of a node by a property is answered from an index of that property, built
      the first time it is asked for. pyshacl finds value nodes and classes one node at a time
      (many of them repeats: ``rdf:type`` of the same node for every ``sh:class``, the same
      path in several property shapes), and
      each call converted its arguments to pyoxigraph terms and every answer back to a new
      rdflib term (a ``Literal`` re-parses its value). One pass over a property's triples
      answers every node; pyshacl makes a set of the answers, so their order does not matter.
      Other ``objects`` and ``subjects`` patterns are remembered as they are asked.

    The graph does not change while it is validated (no inference, no rules); a write clears
    what was remembered all the same.
    """

    def __init__(self, store: ox.Store, terms: TermConverter) -> None:
        super().__init__(store)
        self._by_predicate: dict[Node, dict[Node, list[Node]]] = {}
        self._objects: dict[tuple[Node | None, Node | None], tuple[Node, ...]] = {}
        self._subjects: dict[tuple[Node | None, Node | None], tuple[Node, ...]] = {}
        self._terms = terms

    def __bool__(self) -> bool:
        return True

    def _to_ox(self, term: Node | None) -> Any:
        return None if term is None else self._terms.ox_term(term)

    def _pattern_graph(self) -> Any:
        return None if self._default_union else ox.DefaultGraph()

    def objects(  # type: ignore[override]
        self, subject: Any = None, predicate: Any = None, unique: bool = False
    ) -> Iterator[Node]:
        if isinstance(subject, list | tuple) or self.locked_context is not None:
            return super().objects(subject, predicate, unique)
        if predicate is not None and isinstance(subject, URIRef | BNode):
            # (a literal subject goes to the store, which refuses it, as it did for pyshacl)
            return iter(self._index(predicate).get(subject, ()))
        key = (subject, predicate)
        found = self._objects.get(key)
        if found is None:
            quads = self.impl.quads_for_pattern(
                self._to_ox(subject), self._to_ox(predicate), None, self._pattern_graph()
            )
            found = self._objects[key] = tuple(self._terms.rdf_term(q.object) for q in quads)
        return iter(found)

    def _index(self, predicate: Node) -> dict[Node, list[Node]]:
        """The objects of every subject by ``predicate`` (made the first time it is asked for)."""
        index = self._by_predicate.get(predicate)
        if index is None:
            index = self._by_predicate[predicate] = {}
            rdf = self._terms.rdf_term
            quads = self.impl.quads_for_pattern(
                None, self._to_ox(predicate), None, self._pattern_graph()
            )
            for q in quads:
                index.setdefault(rdf(q.subject), []).append(rdf(q.object))
        return index

    def value_sets(self, focus: Iterable[Node], predicate: Node) -> dict[Node, set[Node]]:
        """``{f: set(self.objects(f, predicate))}`` for each focus node, from the index."""
        index = self._index(predicate)
        return {
            f: set(index.get(f, ()))
            if isinstance(f, URIRef | BNode)
            else set(self.objects(f, predicate))
            for f in focus
        }

    def subjects(  # type: ignore[override]
        self, predicate: Any = None, object_: Any = None, unique: bool = False
    ) -> Iterator[Node]:
        if isinstance(object_, list | tuple) or self.locked_context is not None:
            return super().subjects(predicate, object_, unique)
        key = (predicate, object_)
        found = self._subjects.get(key)
        if found is None:
            quads = self.impl.quads_for_pattern(
                None, self._to_ox(predicate), self._to_ox(object_), self._pattern_graph()
            )
            found = self._subjects[key] = tuple(self._terms.rdf_term(q.subject) for q in quads)
        return iter(found)

    def add(self, *args: Any, **kwargs: Any) -> Any:
        self._by_predicate.clear()
        self._objects.clear()
        self._subjects.clear()
        return super().add(*args, **kwargs)

    def remove(self, *args: Any, **kwargs: Any) -> Any:
        self._by_predicate.clear()
        self._objects.clear()
        self._subjects.clear()
        return super().remove(*args, **kwargs)


class _ParameterList(list[Node]):
    """pyshacl's list of constraint parameters with a hashed membership test.

    pyshacl tests every triple of a shape against this list each time it evaluates the shape on
    a focus node, and a list answers with a scan of ``URIRef.__eq__`` calls."""

    def __init__(self, items: Iterable[Node]) -> None:
        super().__init__(items)
        self._members = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members


class _BatchedPropertyConstraint(PropertyConstraintComponent):
    """``sh:property`` evaluated on all of a node shape's focus nodes in one call.

    pyshacl evaluates a property shape once per focus node of the node shape that names it (SHACL
    1.0 section 4.8.1 defines the result per focus node, not the call), repeating the shape's
    set-up - reading its constraints from the shapes graph - for every anchor and finding. Given
    the focus nodes together it finds each one's value nodes and reports for each one exactly as
    before. When a value node repeats (a property shape nested in a property shape), pyshacl
    validates it once per occurrence, so that case keeps the original path."""

    def _evaluate_property_shape(
        self,
        executor: Any,
        prop_shape: Node,
        target_graph: Any,
        focus_value_nodes: Mapping[Node, Iterable[Node]],
        potentially_recursive: Any,
        _evaluation_path: list[Any],
    ) -> tuple[bool, list[Any]]:
        values = [v for nodes in focus_value_nodes.values() for v in nodes]
        owner: Any = self.shape
        found: Any = owner.get_other_shape(prop_shape)
        batchable = (
            len(values) > 1
            and len(set(values)) == len(values)
            and found
            and found.is_property_shape
            and not (potentially_recursive and found in potentially_recursive)
        )
        if not batchable:
            original: Any = super()
            return original._evaluate_property_shape(  # type: ignore[no-any-return]
                executor,
                prop_shape,
                target_graph,
                focus_value_nodes,
                potentially_recursive,
                _evaluation_path,
            )
        conforms, reports = found.validate(
            executor, target_graph, focus=values, _evaluation_path=_evaluation_path[:]
        )
        return not conforms, reports


@functools.cache
def _quiet(component: type[ConstraintComponent]) -> type[ConstraintComponent]:
    """``component`` without the text description of each result.

    pyshacl writes a paragraph of text for every result (each node written with prefixes, a
    namespace bound each time) for its text report, which :func:`run` never reads."""

    def make_v_result_description(self: Any, *args: Any, **kwargs: Any) -> str:  # noqa: ARG001
        return ""

    return type(
        component.__name__,
        (component,),
        {"make_v_result_description": make_v_result_description, "__module__": __name__},
    )


@functools.cache
def _constraint_table() -> tuple[_ParameterList, dict[Node, type[ConstraintComponent]]]:
    """pyshacl's table of constraint parameters and the component each one names, faster."""
    mapping = {p: _quiet(c) for p, c in CONSTRAINT_PARAMETERS_MAP.items()}
    mapping[SH.property] = _quiet(_BatchedPropertyConstraint)
    return _ParameterList(ALL_CONSTRAINT_PARAMETERS), mapping


class _IndexedShape(Shape):
    """A shape whose value nodes, for a property shape whose path is one predicate, come from
    the graph's index of that predicate in one call.

    pyshacl looks up each focus node's values in a call of its own (with the path's kind tested
    each time). The value sets are the same."""

    __slots__ = ()  # pyshacl's Shape has slots: the class of a Shape object can then be swapped

    def value_nodes(
        self, target_graph: Any, focus: Any, sparql_mode: bool = False, debug: bool = False
    ) -> Any:
        shape: Any = self
        path = shape.path()
        if (
            isinstance(target_graph, ValidatedDataGraph)
            and target_graph.locked_context is None
            and isinstance(path, URIRef)
            and not sparql_mode
            and not debug
        ):
            nodes = focus if isinstance(focus, tuple | list | set) else [focus]
            return target_graph.value_sets(nodes, path)
        return super().value_nodes(target_graph, focus, sparql_mode=sparql_mode, debug=debug)


@functools.cache
def _validator_options() -> dict[str, Any]:
    """The options pyshacl.validate(data, shacl_graph=..., inference="none", inplace=True)
    gives its validator."""
    return {
        "debug": False,
        "inference": "none",
        "inplace": True,
        "abort_on_first": False,
        "allow_infos": False,
        "allow_warnings": False,
        "advanced": False,
        "iterate_rules": False,
        "use_js": None,
        "sparql_mode": False,
        "logger": make_default_logger(name="pyshacl-validate", debug=False),
        "focus_nodes": None,
        "use_shapes": None,
    }


class _Validator(Validator):
    """pyshacl's validator, with its shapes indexed and the results handed back as found.

    pyshacl writes every result into an rdflib report graph (a store indexing by context, an
    event object per triple) and into a text report, and the results were then read back out
    of the graph. The result
    triples pyshacl made are read directly (:func:`run`), and the text is not written
    (:func:`_quiet`)."""

    def __init__(self, data: ValidatedDataGraph, shapes: Graph) -> None:
        super().__init__(data, shacl_graph=shapes, options=dict(_validator_options()))
        for shape in self.shacl_graph.shapes:  # builds this validator's own Shape objects
            shape.__class__ = _IndexedShape

    @classmethod
    def create_validation_report(
        cls,
        sg: Any,  # noqa: ARG003 (pyshacl's signature)
        conforms: bool,  # noqa: ARG003
        results: list[tuple[Any, Node, list[Any]]],
    ) -> tuple[list[tuple[Any, Node, list[Any]]], str]:
        return results, ""


_TABLE_LOCK = threading.Lock()
_UNSET = object()


@contextlib.contextmanager
def _constraint_table_set() -> Iterator[None]:
    """pyshacl's module-level constraint table replaced by :func:`_constraint_table` for the
    time of one run, then put back as it was."""
    with _TABLE_LOCK:
        before = getattr(pyshacl.shape, "CONSTRAINT_PARAMS", _UNSET)
        pyshacl.shape.CONSTRAINT_PARAMS = _constraint_table()  # type: ignore[attr-defined]
        try:
            yield
        finally:
            if before is _UNSET:
                del pyshacl.shape.CONSTRAINT_PARAMS  # type: ignore[attr-defined]
            else:
                pyshacl.shape.CONSTRAINT_PARAMS = before  # type: ignore[attr-defined]


def run(store: ox.Store, terms: TermConverter, shapes: Graph) -> list[dict[Node, Node]]:
    """Validate the data in ``store`` against ``shapes``: for each result, its first value of
    each ``sh:`` property, as pyshacl's report graph states them."""
    patch: Any = apply_patches
    patch()  # as pyshacl.validate does (rdflib fixes; none for the rdflib used here)
    data = ValidatedDataGraph(store, terms)
    with _constraint_table_set():
        validator: Any = _Validator(data, shapes)
        _, results, _ = validator.run()
    found: dict[Node, dict[Node, Node]] = {}
    for _, node, triples in results:
        fields = found.setdefault(node, {})
        for _, p, o in triples:
            # pyshacl refers to a node of the data or shapes graph as (graph, node); in its
            # report graph the node's IRI (or a blank node with the same label) stands for it.
            fields.setdefault(p, o[1] if isinstance(o, tuple) else o)
    return list(found.values())
