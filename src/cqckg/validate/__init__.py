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
every focus node. No inference is needed: the shapes name subclasses in their
targets, and the context carries the ontology's ``rdfs:subClassOf`` statements.

By default pyshacl runs with the shortcuts of :mod:`cqckg.validate.speedups` (same results, a
fraction of the time); ``CQCKG_SHACL_SPEEDUPS=0`` runs ``pyshacl.validate`` as published.

>>> report = validate_files([paths.data_root() / "tests/data/shapes/clean-assessment.ttl"])
>>> report.conforms, report.violations
(True, 0)
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
import pyshacl
from pyshacl.graph_abstraction import to_ox as pyshacl_to_ox
from pyshacl.graph_abstraction import to_rdf as pyshacl_to_rdf
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from cqckg.core import paths
from cqckg.core.collector import gc_paused
from cqckg.core.errors import DocumentError, SourceLocation, ValidationFailed
from cqckg.core.namespaces import CQC, DOC, OA, SH

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
    shape: str | None = None  # the IRI of the shape that reported it (None: a blank node)


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


SPEEDUPS_VARIABLE = "CQCKG_SHACL_SPEEDUPS"


def speedups_enabled() -> bool:
    """Whether validation takes the shortcuts of :mod:`cqckg.validate.speedups` (the default);
    ``CQCKG_SHACL_SPEEDUPS=0`` (or ``false``, ``no``, ``off``) runs pyshacl as published."""
    value = os.environ.get(SPEEDUPS_VARIABLE, "1").strip().lower()
    return value not in {"0", "false", "no", "off"}


def _report_fields(report: Graph) -> list[dict[Node, Node]]:
    """The results of pyshacl's report graph: for each, its first value of each property."""
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        fields: dict[Node, Node] = {}
        for p, o in report.predicate_objects(result):
            fields.setdefault(p, o)
        found.append(fields)
    return found


def _run(quads: list[ox.Quad], terms: _Terms, shapes: Graph) -> list[dict[Node, Node]]:
    """The SHACL validation results: for each, its first value of each ``sh:`` property."""
    store = ox.Store()
    store.bulk_extend(quads)
    if speedups_enabled():
        from cqckg.validate import speedups as shacl_speedups  # imported only when switched on

        return shacl_speedups.run(store, terms, shapes)
    data: Any = store  # pyshacl takes a pyoxigraph store (its README), its annotations do not say
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", inplace=True)
    return _report_fields(report)


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
                shape=_iri(r.get(SH.sourceShape)),
            )
        )
    return sorted(
        out, key=lambda x: (x.severity != "Violation", x.location or "", x.rule, x.focus_node)
    )


def _iri(term: Node | None) -> str | None:
    return str(term) if isinstance(term, URIRef) else None


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
    with gc_paused():  # see there: collections would scan every term made here
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
    """Validate ``graph`` and raise :class:`~cqckg.core.errors.ValidationFailed` if it breaks a rule
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
    against. Raises :class:`~cqckg.core.errors.DocumentError` (with file:line:column)
    for a file that cannot be read or parsed.
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


class NamedGraphs(Protocol):
    """What validation reads of a store (any :class:`~cqckg.store.base.GraphStore` is one):
    validation comes before storing in the pipeline and does not depend on the store."""

    def named_graphs(self) -> list[str]: ...

    def graph(self, iri: URIRef) -> Graph: ...


def validate_store(store: NamedGraphs) -> ValidationReport:
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
