"""The shortcuts validation and building take give the answers pyshacl and rdflib would.

docs/decisions/0003-performance.md: every speed-up keeps results identical. These tests compare
each shortcut with the path it replaces: the remembered store lookups with pyshacl's own
``OxigraphDataGraph``, the results read from pyshacl's result triples with its report graph, and
the cached namespace terms with rdflib's.
"""

from __future__ import annotations

import gc
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from pyshacl.graph_abstraction import OxigraphDataGraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from cqckg import build, validate
from cqckg.namespaces import CQC, SH

DATA = Path(__file__).parent / "data" / "shapes"
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
EX = "https://example.org/"


def _sample() -> Graph:
    """Terms whose round trip through pyoxigraph is not exact, next to ones whose is."""
    g = Graph()
    a, b, c = URIRef(EX + "a"), URIRef(EX + "b"), BNode("c")
    g.add((a, RDF.type, CQC.Gap))
    g.add((a, RDFS.label, Literal("plain")))
    g.add((a, RDFS.label, Literal("typed", datatype=XSD_STRING)))
    g.add((a, RDFS.label, Literal("label", lang="en")))
    g.add((a, CQC.percentage, Literal(Decimal("62.50"), datatype=XSD_DECIMAL)))
    g.add((a, CQC.score, Literal(3)))
    g.add((a, CQC.indicative, Literal(True)))
    g.add((a, CQC.anchor, b))
    g.add((a, CQC.anchor, c))
    g.add((b, RDF.type, CQC.TextAnchor))
    g.add((c, CQC.line, Literal(7)))
    return g


def _both(g: Graph) -> tuple[validate._ValidatedDataGraph, OxigraphDataGraph]:
    terms = validate._Terms()
    quads, _ = validate._data_quads(g, terms)
    ours, theirs = ox.Store(), ox.Store()
    ours.bulk_extend(quads)
    theirs.bulk_extend(quads)
    return validate._ValidatedDataGraph(ours, terms), OxigraphDataGraph(theirs)


@pytest.mark.parametrize("union", [False, True])
def test_store_lookups_match_pyshacls(union: bool) -> None:
    g = _sample()
    ours, theirs = _both(g)
    ours.default_union = theirs.default_union = union
    nodes = {n for t in g for n in (t[0], t[2])}
    predicates = set(g.predicates())
    for _ in range(2):  # the second time from what was remembered
        for n in [*nodes, None]:
            for p in [*predicates, None]:
                assert sorted(ours.subjects(p, n)) == sorted(theirs.subjects(p, n)), (p, n)
                if isinstance(n, Literal):  # pyshacl asks the store, which refuses
                    with pytest.raises(TypeError):
                        list(ours.objects(n, p))
                    with pytest.raises(TypeError):
                        list(theirs.objects(n, p))
                    continue
                assert sorted(ours.objects(n, p)) == sorted(theirs.objects(n, p)), (n, p)
    resources = [n for n in nodes if not isinstance(n, Literal)]
    for p in predicates:
        expected = {n: set(theirs.objects(n, p)) for n in resources}
        assert ours.value_sets(resources, p) == expected, p
    # What pyshacl's conversion gives back, literal by literal (a plain literal comes back as an
    # xsd:string, a decimal in its canonical form).
    values = list(ours.objects(URIRef(EX + "a"), CQC.percentage))
    assert values == [Literal("62.5", datatype=XSD_DECIMAL)]
    assert Literal("plain", datatype=XSD_STRING) in set(ours.objects(URIRef(EX + "a"), RDFS.label))


def test_a_write_forgets_what_was_remembered() -> None:
    ours, _ = _both(_sample())
    a = URIRef(EX + "a")
    assert list(ours.objects(a, CQC.score)) == [Literal(3)]
    ours.add((a, CQC.score, Literal(4)))
    assert sorted(ours.objects(a, CQC.score)) == [Literal(3), Literal(4)]


def _report_results(report: Graph) -> list[dict[URIRef, object]]:
    """The results as the report graph states them (the way validation read them before)."""
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        fields: dict[URIRef, object] = {}
        for p in (
            SH.focusNode,
            SH.value,
            SH.resultPath,
            SH.resultSeverity,
            SH.resultMessage,
            SH.sourceConstraint,
            SH.sourceConstraintComponent,
        ):
            v = report.value(r, p)
            if v is not None:
                fields[p] = v if not isinstance(v, BNode) else "blank"
        shape = report.value(r, SH.sourceShape)
        fields[SH.sourceShape] = shape if isinstance(shape, URIRef) else "blank"
        out.append(fields)
    return out


def _normalised(results: list[dict[URIRef, object]]) -> list[str]:
    return sorted(repr(sorted((str(k), str(v)) for k, v in r.items())) for r in results)


@pytest.mark.parametrize(
    "fixture", sorted(p.name for p in DATA.glob("*.ttl")), ids=lambda name: name[:-4]
)
def test_results_match_pyshacls_report_graph(fixture: str) -> None:
    data = Graph().parse(DATA / fixture)
    reference = validate._shipped_reference()
    shapes = validate._runnable_shapes(assessment_only=True)

    terms = validate._Terms(reference.terms)
    quads, named = validate._data_quads(data, terms)
    quads += reference.context(named)
    ours = [
        {
            p: ("blank" if isinstance(v, BNode) else v)
            for p, v in r.items()
            if p != RDF.type and p != SH.sourceShape
        }
        | {SH.sourceShape: r[SH.sourceShape] if isinstance(r[SH.sourceShape], URIRef) else "blank"}
        for r in validate._run(quads, terms, shapes)
    ]

    store = ox.Store()
    store.bulk_extend(quads)
    _, report, _ = pyshacl.validate(
        OxigraphDataGraph(store), shacl_graph=shapes, inference="none", inplace=True
    )
    assert isinstance(report, Graph)
    assert _normalised(ours) == _normalised(_report_results(report))


def test_gc_paused_puts_the_collector_back_as_it_was() -> None:
    assert gc.isenabled()
    with build.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with build.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ValueError), build.gc_paused():
        raise ValueError
    assert gc.isenabled()


def test_cached_namespace_terms_are_rdflibs() -> None:
    cached = build._CachedNamespace(RDF)
    assert cached.type == RDF.type
    assert cached.type is cached.type
    assert build._CachedNamespace(CQC).anchor == CQC.anchor
    with pytest.raises(AttributeError):
        _ = cached.notATerm
    with pytest.raises(AttributeError):
        _ = cached._private
