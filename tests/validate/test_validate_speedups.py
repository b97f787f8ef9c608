"""The shortcuts validation and building take give the answers pyshacl and rdflib would.

docs/decisions/0003-performance.md: every speed-up keeps results identical. These tests compare
each shortcut with the path it replaces: the shipped corpus validated with the shortcuts of
``cqckg.validate.speedups`` and with stock pyshacl in a process of its own, the remembered store
lookups with pyshacl's own ``OxigraphDataGraph``, and the cached namespace terms with rdflib's.
This file is also the stock side of the comparison when run as a script.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl.shape
import pytest
from pyshacl.graph_abstraction import OxigraphDataGraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from cqckg import validate
from cqckg.core import collector
from cqckg.core.namespaces import CQC
from shape_fixtures import CLEAN, patch, patched, patches

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


def _both(g: Graph) -> tuple[Any, OxigraphDataGraph]:
    from cqckg.validate.speedups import ValidatedDataGraph

    terms = validate._Terms()
    quads, _ = validate._data_quads(g, terms)
    ours, theirs = ox.Store(), ox.Store()
    ours.bulk_extend(quads)
    theirs.bulk_extend(quads)
    return ValidatedDataGraph(ours, terms), OxigraphDataGraph(theirs)


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


ROOT = Path(__file__).parent.parent.parent


def corpus_reports() -> dict[str, object]:
    """The report of every unit of the shipped corpus: each assessment of graph/assessments,
    the reference graphs together, the clean fixture and each patched one
    (tests/shape_fixtures.py)."""
    units: dict[str, validate.ValidationReport] = {}
    for p in sorted((ROOT / "graph" / "assessments").glob("*.ttl")):
        units[p.relative_to(ROOT).as_posix()] = validate.validate_files([p])
    units["graph/*.ttl"] = validate.validate_files(sorted((ROOT / "graph").glob("*.ttl")))
    units[CLEAN.name] = validate.validate_files([CLEAN])
    for p in [*patches("broken"), *patches("warning")]:
        units[f"{p.parent.name}/{p.name}"] = validate.validate_graph(patched(p))
    fields = ("focus_node", "path", "component", "shape", "severity", "rule", "message", "value")
    return {
        name: {
            "conforms": report.conforms,
            "results": sorted([str(getattr(r, f)) for f in fields] for r in report.results),
        }
        for name, report in units.items()
    }


def test_stock_pyshacl_in_its_own_process_gives_the_same_reports() -> None:
    """The proof the shortcuts need: stock pyshacl, in a process where cqckg.validate.speedups is
    never imported, and the shortcuts give the same reports on the whole corpus."""
    env = {**os.environ, validate.SPEEDUPS_VARIABLE: "0"}
    # the script imports the project and the tests' shared fixtures (tests/shape_fixtures.py)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), str(ROOT / "tests"), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    done = subprocess.run(
        [sys.executable, __file__], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    stock = json.loads(done.stdout)
    assert validate.speedups_enabled()
    ours = json.loads(json.dumps(corpus_reports()))
    assert "cqckg.validate.speedups" in sys.modules
    assert sorted(ours) == sorted(stock)
    assert len(ours) >= 4 + 1 + 30
    for unit in ours:
        assert ours[unit] == stock[unit], unit
    # The corpus exercises the rules: every failing fixture fails, some results carry a path.
    assert all(not stock[u]["conforms"] for u in stock if u.startswith("broken/"))
    assert any(r[1] for u in stock for r in stock[u]["results"])


def test_a_validation_leaves_pyshacl_as_it_found_it() -> None:
    from pyshacl.constraints.constraint_component import ConstraintComponent
    from pyshacl.shape import Shape

    before = (
        getattr(pyshacl.shape, "CONSTRAINT_PARAMS", None),
        Shape.value_nodes,
        ConstraintComponent.make_v_result_description,
    )
    report = validate.validate_graph(patched(patch("broken", "score-in-range")))
    assert not report.conforms
    after = (
        getattr(pyshacl.shape, "CONSTRAINT_PARAMS", None),
        Shape.value_nodes,
        ConstraintComponent.make_v_result_description,
    )
    assert after == before


@pytest.mark.parametrize("value", ["0", "false", "No", " off "])
def test_the_switch_turns_the_shortcuts_off(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(validate.SPEEDUPS_VARIABLE, value)
    assert not validate.speedups_enabled()
    monkeypatch.setenv(validate.SPEEDUPS_VARIABLE, "1")
    assert validate.speedups_enabled()


def test_gc_paused_puts_the_collector_back_as_it_was() -> None:
    assert gc.isenabled()
    with collector.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ValueError), collector.gc_paused():
        raise ValueError
    assert gc.isenabled()


if __name__ == "__main__":  # the stock side of the comparison, in a process of its own
    assert not validate.speedups_enabled()
    reports = corpus_reports()
    assert "cqckg.validate.speedups" not in sys.modules
    json.dump(reports, sys.stdout)
