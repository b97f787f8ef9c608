"""Validate graphs against the SHACL shapes in ``shapes/`` (SHACL 1.0 core and SHACL-SPARQL).

A graph is validated for the resources it describes (the subjects it gives a type), with the
reference data it refers to (rating bands, score levels, concepts, councils) looked up in the
shipped reference graphs (``ontology/`` and ``graph/*.ttl``) or in ``extra``:

- an assessment graph is validated with the assessment shapes (``shapes/cqc-kg-shapes.ttl``) on
  itself plus the slice of the reference data it names, so validation time grows with the size of
  the assessment, not of the whole graph;
- a graph describing reference resources (framework, vocabularies, councils) is validated with
  every shape, together with the whole reference data.

pyshacl runs on an in-memory pyoxigraph store: its SHACL-SPARQL constraints then run on
oxigraph's query engine with ``$this`` substituted, where rdflib would parse each query afresh for
every focus node (about 25 ms each). No inference is needed: the shapes name subclasses in their
targets, and the context carries the ontology's ``rdfs:subClassOf`` statements.

>>> report = validate_files([paths.data_root() / "tests/data/shapes/clean-assessment.ttl"])
>>> report.conforms, report.violations
(True, 0)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from pyshacl.constraints.constraint_component import ConstraintComponent
from pyshacl.constraints.core.shape_based_constraints import PropertyConstraintComponent
from pyshacl.entrypoints import make_default_logger
from pyshacl.graph_abstraction import OxigraphDataGraph
from pyshacl.graph_abstraction import to_ox as pyshacl_to_ox
from pyshacl.graph_abstraction import to_rdf as pyshacl_to_rdf
from pyshacl.monkey import apply_patches
from pyshacl.shape import Shape
from pyshacl.validator import Validator
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from cqckg import paths
from cqckg.build import gc_paused
from cqckg.errors import DocumentError, SourceLocation, ValidationFailed
from cqckg.namespaces import CQC, DOC, OA, SH
from cqckg.store import GraphStore

__all__ = [
    "ValidationReport",
    "ValidationResult",
    "ensure_valid",
    "format_report",
    "shapes_graph",
    "validate_files",
    "validate_graph",
    "validate_store",
]

ASSESSMENT_SHAPES = "cqc-kg-shapes.ttl"
REFERENCE_SHAPES = "reference-shapes.ttl"
_SHAPES_NS = "https://w3id.org/cqc-kg/shapes#"
# Triples that document a shape but do not constrain anything. pyshacl scans every triple of a
# shape each time it evaluates it on a focus node, so they are left out of the copy it runs on.
_DOCUMENTATION = (SH.name, SH.description, RDFS.label, RDFS.comment)
_FORMATS = {".ttl": "turtle", ".trig": "trig", ".nt": "nt", ".nq": "nquads", ".n3": "n3"}
_MULTIGRAPH = {"trig", "nquads"}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL validation result, in the terms a reader of the report needs."""

    severity: str
    rule: str
    component: str
    focus_node: str
    message: str
    path: str | None = None
    value: str | None = None
    location: str | None = None
    source: str | None = None


@dataclass
class ValidationReport:
    """The results of validating one or more graphs; conforms when there is no Violation."""

    results: list[ValidationResult] = field(default_factory=list)

    @property
    def violations(self) -> int:
        return sum(1 for r in self.results if r.severity == "Violation")

    @property
    def warnings(self) -> int:
        return sum(1 for r in self.results if r.severity == "Warning")

    @property
    def conforms(self) -> bool:
        return self.violations == 0

    def extend(self, other: ValidationReport) -> None:
        self.results.extend(other.results)


@functools.cache
def shapes_graph(name: str | None = None) -> Graph:
    """The shapes as written: one file of ``shapes/``, or all of them (``name`` None)."""
    g = Graph()
    for p in sorted(paths.shapes_dir().glob("*.ttl")):
        if name is None or p.name == name:
            g.parse(p, format="turtle")
    return g


@functools.cache
def _runnable_shapes(assessment_only: bool) -> Graph:
    source = shapes_graph(ASSESSMENT_SHAPES if assessment_only else None)
    g = Graph()
    for s, p, o in source:
        if p in _DOCUMENTATION or (p == SH.severity and o == SH.Violation):
            continue
        g.add((s, p, o))
    return g


@functools.cache
def _reference_classes() -> frozenset[Node]:
    return frozenset(shapes_graph(REFERENCE_SHAPES).objects(None, SH.targetClass))


@functools.cache
def reference_graph() -> Graph:
    """The shipped reference data: the ontology and every graph/*.ttl (cached)."""
    g = Graph()
    for p in [
        *sorted(paths.ontology_dir().glob("*.ttl")),
        *sorted(paths.graph_dir().glob("*.ttl")),
    ]:
        g.parse(p, format="turtle")
    return g


class _Terms:
    """rdflib <-> pyoxigraph term conversion for one validation, each distinct term once.

    Terms repeat (every anchor names its source, every fact its assessment), and pyshacl turns
    each answer of the store back into a new rdflib term (a ``Literal`` re-parses its value):
    both directions are remembered. A term converted to pyoxigraph is also the way back when
    converting back gives an equal term; a plain literal does not (pyoxigraph gives it the
    datatype ``xsd:string``), nor a literal pyoxigraph stores in canonical form, which comes back
    as a different pyoxigraph term and so is converted as pyshacl would.
    """

    def __init__(self, like: _Terms | None = None) -> None:
        self._ox: dict[Node, Any] = {} if like is None else dict(like._ox)
        self._rdf: dict[Any, Node] = {} if like is None else dict(like._rdf)

    def ox_term(self, term: Node) -> Any:
        found: Any = self._ox.get(term)
        if found is None:
            found = self._ox[term] = pyshacl_to_ox(term)  # type: ignore[arg-type]
            if not isinstance(term, Literal) or (
                term.datatype is not None
                if term.language is None
                else term.language == found.language
            ):
                self._rdf.setdefault(found, term)
        return found

    def rdf_term(self, term: Any) -> Node:
        found = self._rdf.get(term)
        if found is None:
            new: Any = pyshacl_to_rdf(term)
            found = self._rdf[term] = new
            self._ox.setdefault(new, term)
        return found

    def quad(self, s: Node, p: Node, o: Node) -> ox.Quad:
        return ox.Quad(self.ox_term(s), self.ox_term(p), self.ox_term(o))


class _Reference:
    """The reference data a graph is validated with, converted to pyoxigraph as it is needed.

    Each resource's description is converted once: for the shipped reference data (the usual
    case: one per process, see :func:`_shipped_reference`) across every assessment validated."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.terms = _Terms()
        self._about: dict[Node, list[ox.Quad]] = {}
        self._hierarchy: list[ox.Quad] | None = None

    def everything(self) -> list[ox.Quad]:
        return [self.terms.quad(*t) for t in self.graph]

    def context(self, named: Iterable[Node]) -> list[ox.Quad]:
        """What the rules need from the reference data: the description of every IRI in
        ``named``, and the class hierarchy."""
        if self._hierarchy is None:
            self._hierarchy = [
                self.terms.quad(*t) for t in self.graph.triples((None, RDFS.subClassOf, None))
            ]
        out = list(self._hierarchy)
        for node in named:
            about = self._about.get(node)
            if about is None:
                about = self._about[node] = [
                    self.terms.quad(*t) for t in self.graph.triples((node, None, None))
                ]
            out.extend(about)
        return out


@functools.cache
def _shipped_reference() -> _Reference:
    return _Reference(reference_graph())


def _reference(graph: Graph) -> _Reference:
    return _shipped_reference() if graph is reference_graph() else _Reference(graph)


def _data_quads(data: Graph, terms: _Terms) -> tuple[list[ox.Quad], set[Node]]:
    """``data`` as pyoxigraph quads, and the IRIs it names as subject or object."""
    quads = []
    named: set[Node] = set()
    for s, p, o in data:
        quads.append(terms.quad(s, p, o))
        named.add(s)
        named.add(o)
    return quads, {n for n in named if isinstance(n, URIRef)}


def _describes_reference(data: Graph) -> bool:
    classes = _reference_classes()
    return any(o in classes for o in data.objects(None, RDF.type))


class _ValidatedDataGraph(OxigraphDataGraph):
    """pyshacl's view of the pyoxigraph store, with the lookups it repeats answered from memory.

    - Its truth value is cheap. pyshacl tests ``datagraph or shapes_graph`` once per result it
      reports; a graph's truth value is its length, and over a pyoxigraph store that is a COUNT
      query of the whole graph, which made every warning cost tens of milliseconds. The graph
      validated is never empty.
    - ``objects`` of a node by a property is answered from an index of that property, built
      the first time it is asked for. pyshacl finds value nodes and classes one node at a time
      (about 28,000 ``objects`` calls for a large assessment, half of them repeats: ``rdf:type``
      of the same node for every ``sh:class``, the same path in several property shapes), and
      each call converted its arguments to pyoxigraph terms and every answer back to a new
      rdflib term (a ``Literal`` re-parses its value). One pass over a property's triples
      answers every node; pyshacl makes a set of the answers, so their order does not matter.
      Other ``objects`` and ``subjects`` patterns are remembered as they are asked.

    The graph does not change while it is validated (no inference, no rules); a write clears
    what was remembered all the same.
    """

    def __init__(self, store: ox.Store, terms: _Terms) -> None:
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
    a focus node; a list scan of ``URIRef.__eq__`` calls was a third of validation time."""

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


def _describe(
    original: Callable[..., str],
) -> Callable[..., str]:
    """pyshacl's ``make_v_result_description``, skipped for the graphs validated here.

    pyshacl writes a paragraph of text for every result (each node written with prefixes, a
    namespace bound each time) for its text report; :func:`_run` never reads that report."""

    def make_v_result_description(self: Any, datagraph: Any, *args: Any, **kwargs: Any) -> str:
        if isinstance(datagraph, _ValidatedDataGraph):
            return ""
        return original(self, datagraph, *args, **kwargs)

    return make_v_result_description


def _value_nodes(original: Callable[..., Any]) -> Callable[..., Any]:
    """pyshacl's ``Shape.value_nodes``, for a property shape whose path is one predicate
    answered from the graph's index of that predicate in one call.

    pyshacl looks up each focus node's values in a call of its own (with the path's kind
    tested each time): about 10,000 calls for a large assessment. The value sets are the
    same."""

    def value_nodes(
        self: Any, target_graph: Any, focus: Any, sparql_mode: bool = False, debug: bool = False
    ) -> Any:
        path = self.path()
        if (
            isinstance(target_graph, _ValidatedDataGraph)
            and target_graph.locked_context is None
            and isinstance(path, URIRef)
            and not sparql_mode
            and not debug
        ):
            nodes = focus if isinstance(focus, tuple | list | set) else [focus]
            return target_graph.value_sets(nodes, path)
        return original(self, target_graph, focus, sparql_mode=sparql_mode, debug=debug)

    return value_nodes


@functools.cache
def _speed_up_pyshacl() -> None:
    """Install the changes above in pyshacl: same results, a fraction of the time."""
    import pyshacl.shape

    mapping = dict(CONSTRAINT_PARAMETERS_MAP)
    mapping[SH.property] = _BatchedPropertyConstraint
    pyshacl.shape.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
        _ParameterList(ALL_CONSTRAINT_PARAMETERS),
        mapping,
    )
    ConstraintComponent.make_v_result_description = _describe(  # type: ignore[method-assign]
        ConstraintComponent.make_v_result_description
    )
    Shape.value_nodes = _value_nodes(Shape.value_nodes)  # type: ignore[method-assign]
    patch: Any = apply_patches
    patch()  # as pyshacl.validate does (rdflib fixes; none for the rdflib used here)


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
    """pyshacl's validator, handing back the results as it found them.

    pyshacl writes every result into an rdflib report graph (a store indexing by context, an
    event object per triple) and into a text report, and the results were then read back out
    of the graph: a fifth of the validation of an assessment with many warnings. The result
    triples pyshacl made are read directly (:func:`_results`), and the text, which nothing
    reads, is not written (:func:`_speed_up_pyshacl`)."""

    @classmethod
    def create_validation_report(
        cls,
        sg: Any,  # noqa: ARG003 (pyshacl's signature)
        conforms: bool,  # noqa: ARG003
        results: list[tuple[Any, Node, list[Any]]],
    ) -> tuple[list[tuple[Any, Node, list[Any]]], str]:
        return results, ""


def _run(quads: list[ox.Quad], terms: _Terms, shapes: Graph) -> list[dict[Node, Node]]:
    """The SHACL validation results: for each, its first value of each ``sh:`` property."""
    _speed_up_pyshacl()
    store = ox.Store()
    store.bulk_extend(quads)
    data = _ValidatedDataGraph(store, terms)
    validator: Any = _Validator(data, shacl_graph=shapes, options=dict(_validator_options()))
    _, results, _ = validator.run()
    found: dict[Node, dict[Node, Node]] = {}
    for _, node, triples in results:
        fields = found.setdefault(node, {})
        for _, p, o in triples:
            # pyshacl refers to a node of the data or shapes graph as (graph, node); in its
            # report graph the node's IRI (or a blank node with the same label) stands for it.
            fields.setdefault(p, o[1] if isinstance(o, tuple) else o)
    return list(found.values())


def _local(term: Node | None) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1] if "#" in text else text


def _rule(result: Mapping[Node, Node]) -> str:
    constraint = result.get(SH.sourceConstraint)
    if isinstance(constraint, URIRef) and str(constraint).startswith(_SHAPES_NS):
        return _local(constraint)
    shape = result.get(SH.sourceShape)
    if isinstance(shape, URIRef) and str(shape).startswith(_SHAPES_NS):
        return _local(shape)
    return _local(result.get(SH.sourceConstraintComponent)).removesuffix("ConstraintComponent")


def _anchor_of(data: Graph, node: Node) -> Node | None:
    if (node, RDF.type, CQC.TextAnchor) in data:
        return node
    for anchor in data.subjects(OA.hasSelector, node):
        return anchor
    anchors = sorted(map(str, data.objects(node, CQC.anchor))) or sorted(
        map(str, data.objects(node, CQC.ratingAnchor))
    )
    return URIRef(anchors[0]) if anchors else None


def _source_line(data: Graph, node: Node) -> str | None:
    """``document:line`` of the text a resource was extracted from, when the graph says."""
    anchor = _anchor_of(data, node)
    if anchor is None:
        return None
    line = data.value(anchor, CQC.line)
    document = data.value(anchor, OA.hasSource)
    where = data.value(document, CQC.sourcePath) if document is not None else None
    if line is None:
        return None
    return f"{where or document}:{line}"


def _results(
    report: list[dict[Node, Node]],
    data: Graph,
    *,
    keep: set[Node] | None,
    origin: str | None,
    lines: Mapping[Node, int],
) -> list[ValidationResult]:
    out = []
    for r in report:
        focus = r.get(SH.focusNode)
        if focus is None or (keep is not None and focus not in keep):
            continue
        value = r.get(SH.value)
        # Rules on an assessment or a document report the offending fact as the value.
        about = value if isinstance(value, URIRef) and (value, None, None) in data else focus
        line = lines.get(about, lines.get(focus))
        out.append(
            ValidationResult(
                severity=_local(r.get(SH.resultSeverity)),
                rule=_rule(r),
                component=_local(r.get(SH.sourceConstraintComponent)).removesuffix(
                    "ConstraintComponent"
                ),
                focus_node=str(focus),
                message=str(r.get(SH.resultMessage) or ""),
                path=_path_text(r),
                value=None if value is None else str(value),
                location=f"{origin}:{line}" if origin and line else origin,
                source=_source_line(data, about) or _source_line(data, focus),
            )
        )
    return sorted(
        out, key=lambda x: (x.severity != "Violation", x.location or "", x.rule, x.focus_node)
    )


def _path_text(result: Mapping[Node, Node]) -> str | None:
    path = result.get(SH.resultPath)
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    return "(path)"


def _validate(
    data: Graph,
    reference: _Reference,
    *,
    origin: str | None = None,
    lines: Mapping[Node, int] | None = None,
) -> ValidationReport:
    with gc_paused():  # see there: a tenth of validation time
        terms = _Terms(reference.terms)
        quads, named = _data_quads(data, terms)
        if _describes_reference(data):
            described = set(data.subjects(RDF.type, None))
            quads += reference.everything()
            report = _run(quads, terms, _runnable_shapes(assessment_only=False))
            keep: set[Node] | None = described
        else:
            quads += reference.context(named)
            report = _run(quads, terms, _runnable_shapes(assessment_only=True))
            keep = None
        return ValidationReport(_results(report, data, keep=keep, origin=origin, lines=lines or {}))


def validate_graph(data: Graph, *, extra: Graph | None = None) -> ValidationReport:
    """Validate the resources ``data`` describes against the shapes.

    ``extra`` is the reference data the rules look things up in (rating bands, score levels,
    concepts, councils); by default the shipped ``ontology/`` and ``graph/*.ttl``. Raises nothing
    for an invalid graph: the report says what is wrong.

    >>> validate_graph(Graph()).conforms
    True
    """
    return _validate(data, _reference(reference_graph() if extra is None else extra))


def ensure_valid(graph: Graph, *, extra: Graph | None = None) -> ValidationReport:
    """Validate ``graph`` and raise :class:`~cqckg.errors.ValidationFailed` if it breaks a rule
    with severity Violation; return the report (warnings allowed) otherwise.

    >>> ensure_valid(Graph()).warnings
    0
    """
    report = validate_graph(graph, extra=extra)
    if not report.conforms:
        raise ValidationFailed(format_report(report), report.violations)
    return report


_SUBJECT = re.compile(r"^\s*(<[^>\s]*>|[A-Za-z][\w.-]*:[^\s;,]*|:[^\s;,]*)\s")
_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
_BASE = re.compile(r"^\s*(?:@base|BASE)\s+<([^>]*)>", re.IGNORECASE)


def subject_lines(text: str) -> dict[Node, int]:
    """The 1-based line where each subject's block starts in Turtle or TriG ``text``.

    >>> subject_lines("@prefix ex: <http://e/> .\\nex:a ex:p 1 .\\n")[URIRef("http://e/a")]
    2
    """
    prefixes: dict[str, str] = {}
    base = ""
    found: dict[Node, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if m := _PREFIX.match(line):
            prefixes[m.group(1)] = m.group(2)
            continue
        if m := _BASE.match(line):
            base = m.group(1)
            continue
        m = _SUBJECT.match(line)
        if not m:
            continue
        token = m.group(1)
        if token.startswith("<"):
            iri = token[1:-1]
            iri = iri if re.match(r"^[a-z][a-z0-9+.-]*:", iri) else base + iri
        else:
            prefix, _, local = token.partition(":")
            if prefix not in prefixes:
                continue
            iri = prefixes[prefix] + local
        found.setdefault(URIRef(iri), number)
    return found


def _parse(path: Path) -> Dataset:
    fmt = _FORMATS.get(path.suffix.lower(), "turtle")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentError(SourceLocation(path), "Unreadable", str(exc)) from exc
    ds = Dataset()
    try:
        if fmt in _MULTIGRAPH:
            ds.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
        else:
            ds.default_graph.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        source = exc._str.decode("utf-8", "replace") if isinstance(exc._str, bytes) else exc._str
        offset = min(exc._i, len(source))
        line = source.count("\n", 0, offset) + 1
        column = offset - (source.rfind("\n", 0, offset) + 1) + 1
        raise DocumentError(SourceLocation(path, line, column), "RdfSyntax", exc._why) from exc
    except (SyntaxError, ValueError) as exc:
        raise DocumentError(SourceLocation(path), "RdfSyntax", str(exc)) from exc
    return ds


def validate_files(
    paths_: Iterable[Path | str], *, reference: Graph | None = None
) -> ValidationReport:
    """Validate Turtle, TriG, N-Triples or N-Quads files (each graph of a TriG file on its own).

    Files that describe reference resources add to the reference data the others are checked
    against. Raises :class:`~cqckg.errors.DocumentError` (with file:line:column) for a file that
    cannot be read or parsed.
    """
    units: list[tuple[Graph, str, dict[Node, int]]] = []
    for p in map(Path, paths_):
        ds = _parse(p)
        lines = subject_lines(p.read_text(encoding="utf-8"))
        for g in ds.graphs():
            if len(g):
                units.append((g, str(p), lines))
    ref = Graph()
    for t in reference_graph() if reference is None else reference:
        ref.add(t)
    for g, _, _ in units:
        if _describes_reference(g):
            for t in g:
                ref.add(t)
    report = ValidationReport()
    indexed = _Reference(ref)
    for g, origin, lines in units:
        report.extend(_validate(g, indexed, origin=origin, lines=lines))
    return report


def validate_store(store: GraphStore) -> ValidationReport:
    """Validate every graph of a store: the reference graphs together, then each assessment
    graph on its own with them (time linear in the number of assessments). Source text graphs
    (``doc/source/…``) hold no statements the shapes constrain and are skipped."""
    assessment_prefix = str(DOC["assessment/"])
    source_prefix = str(DOC["source/"])
    names = store.named_graphs()
    ref = Graph()
    for name in names:
        if not name.startswith((assessment_prefix, source_prefix)):
            for t in store.graph(URIRef(name)):
                ref.add(t)
    if not len(ref):
        ref = reference_graph()
    report = ValidationReport()
    indexed = _reference(ref)
    if _describes_reference(ref):
        report.extend(_validate(ref, indexed, origin="<reference graphs>"))
    for name in names:
        if name.startswith(assessment_prefix):
            report.extend(_validate(store.graph(URIRef(name)), indexed, origin=f"<{name}>"))
    return report


def _short(node: str | None) -> str:
    return "" if node is None else node.removeprefix("https://w3id.org/cqc-kg/")


def format_report(report: ValidationReport) -> str:
    """The report as text for a terminal: one block per result, then a summary line."""
    blocks = []
    for r in report.results:
        lines = [
            f"{r.severity.upper()} {r.rule} ({r.component})",
            f"  focus:   {_short(r.focus_node)}",
        ]
        if r.value is not None and r.value != r.focus_node:
            lines.append(f"  value:   {_short(r.value)}")
        lines.append(f"  message: {r.message}")
        if r.location:
            lines.append(f"  at:      {r.location}")
        if r.source:
            lines.append(f"  source:  {r.source}")
        blocks.append("\n".join(lines))
    verdict = "conforms" if report.conforms else "does not conform"
    summary = f"{verdict}: {report.violations} violation(s), {report.warnings} warning(s)"
    return "\n\n".join([*blocks, summary]) + "\n"
