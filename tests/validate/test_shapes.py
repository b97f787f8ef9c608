"""The SHACL shapes: they parse, document every constraint, and each rule fires on its fixture.

Fixtures (tests/shape_fixtures.py): ``tests/data/shapes/clean-assessment.ttl`` conforms; each
``broken/{rule}.ru`` is a SPARQL Update breaking one thing in it, and the patched graph must give
Violations from exactly that rule (or the rules on its ``# expect:`` line); ``warning/{rule}.ru``
gives only Warnings.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF

from cqckg.core.errors import ValidationFailed
from cqckg.core.namespaces import SH
from cqckg.validate import ensure_valid, shapes_graph, validate_files, validate_graph
from shape_fixtures import CLEAN, expected_rules, patch, patched, patched_file, patches

CONSTRAINT_PARAMETERS = {
    SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH.pattern, SH.minInclusive,
    SH.maxInclusive, SH.minLength, SH.maxLength, SH["in"], SH.hasValue, SH.equals, SH.disjoint,
    SH.lessThan, SH["or"], SH["not"], SH.qualifiedValueShape, SH.sparql,
}  # fmt: skip


def test_shapes_parse_and_declare_node_shapes() -> None:
    g = shapes_graph()
    targets = set(g.objects(None, SH.targetClass))
    assert len(list(g.subjects(RDF.type, SH.NodeShape))) >= 25
    classes = """Assessment StatementScore SourceDocument Finding Gap Strength Statistic Figure
        PartnerOrganisation Strategy AddressingLink ReportSection TextAnchor ExtractionRun
        LocalAuthority QualityStatement Theme RatingBand ScoreLevel Topic Measure Disagreement"""
    for cls in classes.split():
        assert URIRef("https://w3id.org/cqc-kg/def#" + cls) in targets, cls


def test_every_property_shape_is_named_and_explained() -> None:
    g = shapes_graph()
    for shape in set(g.subjects(SH.path, None)):
        if isinstance(shape, BNode) and (None, SH.qualifiedValueShape, shape) in g:
            continue
        assert g.value(shape, SH.name) is not None, shape
        assert g.value(shape, SH.message) is not None, shape
        assert g.value(shape, SH.description) is not None, shape


def test_every_constraint_has_a_message() -> None:
    g = shapes_graph()
    for constraint in g.subjects(RDF.type, SH.SPARQLConstraint):
        assert g.value(constraint, SH.message) is not None, constraint
        assert g.value(constraint, SH.prefixes) is not None, constraint
    for shape in g.subjects(RDF.type, SH.NodeShape):
        own = set(g.predicates(shape, None)) & CONSTRAINT_PARAMETERS - {SH.sparql}
        assert not own or g.value(shape, SH.message) is not None, shape


def test_every_rule_has_a_fixture() -> None:
    g = shapes_graph()
    rules = {str(c).rsplit("#", 1)[1] for c in g.subjects(RDF.type, SH.SPARQLConstraint)}
    reference_only = {"AuthorityIriMatchesGss", "BandBoundsInOrder", "RatingBandsDisjoint"}
    covered = set().union(*(expected_rules(p) for p in patches("broken")))
    assert rules - reference_only <= covered


def test_clean_fixture_conforms_without_warnings() -> None:
    report = validate_files([CLEAN])
    assert report.conforms, report.results
    assert report.warnings == 0


def test_patches_change_the_clean_graph_a_little() -> None:
    clean = set(Graph().parse(CLEAN))
    for path in [*patches("broken"), *patches("warning")]:
        changed = set(patched(path)) ^ clean
        assert 1 <= len(changed) <= 4, path
        assert path.read_text(encoding="utf-8").startswith(("# Broken: ", "# Warning only: "))
    assert len(patches("broken")) >= 30


@pytest.mark.parametrize("path", patches("broken"), ids=lambda p: p.stem)
def test_broken_fixture_trips_its_rule(path: Path, tmp_path: Path) -> None:
    written = patched_file(path, tmp_path)
    report = validate_files([written])
    assert not report.conforms
    assert {r.rule for r in report.results if r.severity == "Violation"} == expected_rules(path)
    assert all(r.location and r.location.startswith(str(written)) for r in report.results)
    in_memory = validate_graph(patched(path))
    assert sorted((r.rule, r.focus_node, r.message) for r in in_memory.results) == sorted(
        (r.rule, r.focus_node, r.message) for r in report.results
    )


@pytest.mark.parametrize("path", patches("warning"), ids=lambda p: p.stem)
def test_warning_fixture_warns_but_conforms(path: Path) -> None:
    report = validate_graph(patched(path))
    assert report.conforms
    assert {r.rule for r in report.results} == expected_rules(path)
    assert {r.severity for r in report.results} == {"Warning"}


def test_results_carry_file_and_source_lines(tmp_path: Path) -> None:
    report = validate_files([patched_file(patch("broken", "quote-matches-position"), tmp_path)])
    (result,) = report.results
    assert result.location is not None and result.location.endswith(
        ".ttl:" + result.location.rsplit(":", 1)[1]
    )
    assert result.source == "westminster-2024/full-report.md:472"


def test_ensure_valid_raises_on_violation() -> None:
    data = patched(patch("broken", "rating-matches-percentage"))
    with pytest.raises(ValidationFailed) as err:
        ensure_valid(data)
    assert err.value.violations == 1
    assert "RatingMatchesPercentage" in err.value.report_text
    assert ensure_valid(Graph().parse(CLEAN)).conforms


def test_shipped_reference_graphs_conform() -> None:
    root = Path(__file__).parent.parent.parent / "graph"
    report = validate_files(sorted(root.glob("*.ttl")))
    assert report.conforms, [(r.rule, r.focus_node, r.message) for r in report.results][:10]


def test_a_3000_triple_assessment_conforms() -> None:
    """A large assessment (the clean one with its findings and figures repeated) conforms: the
    batched and indexed paths of validation hold up past the fixtures' size. How long it takes
    is measured by benchmarks/run.py (validation), not asserted here."""
    data = Graph().parse(CLEAN)
    facts = [
        s for s in data.subjects(RDF.type, None) if "/finding/" in str(s) or "/figure/" in str(s)
    ]
    base = list(data)
    for i in range(160):
        for fact in facts:
            for p, o in data.predicate_objects(fact):
                base.append((URIRef(f"{fact}-{i}"), p, o))
    big = Graph()
    for t in base:
        big.add(t)
    assert len(big) >= 3000
    report = validate_graph(big)
    assert report.conforms
    assert report.warnings == 0


def test_a_finding_of_unknown_polarity_conforms() -> None:
    text = CLEAN.read_text(encoding="utf-8").replace(
        "<id/assessment/E09000033/2024-11-08/finding/assessments-on-time> a cqc:Strength ;",
        "<id/assessment/E09000033/2024-11-08/finding/assessments-on-time> "
        "a cqc:UnknownPolarityFinding ;",
    )
    assert "a cqc:UnknownPolarityFinding" in text
    report = ensure_valid(Graph().parse(data=text, format="turtle"))
    assert report.conforms
