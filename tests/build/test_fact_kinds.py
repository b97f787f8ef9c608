"""The fact kinds' declarations (``cqckg.build.facts``) hold together: every kind of record has
one declaration, each names shapes, questions and terms that exist, comes after what it needs,
and really produces its triples from the corpus."""

from __future__ import annotations

import typing
from dataclasses import fields
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from cqckg.build import FACT_KINDS, build_assessment
from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.namespaces import CQC
from cqckg.core.paths import ontology_dir, shapes_dir, sources_dir
from cqckg.core.vocabulary import load_vocabulary
from cqckg.extract.records import Extraction
from cqckg.ingest import assemble, source_files
from cqckg.questions import list_questions
from cqckg.read import read_document

SHAPES = "https://w3id.org/cqc-kg/shapes#"
KIND_NAMES = [k.name for k in FACT_KINDS]


def test_every_kind_of_record_has_one_declaration() -> None:
    declared = {f.name for f in fields(Extraction)} - {"disagreements"}
    assert sorted(KIND_NAMES) == sorted(declared)  # one each, none twice


@pytest.mark.parametrize("kind", FACT_KINDS, ids=KIND_NAMES)
def test_a_kind_holds_its_own_record_type(kind: typing.Any) -> None:
    hint = typing.get_type_hints(Extraction)[kind.name]
    args = typing.get_args(hint)  # list[R] or R | None
    assert kind.record in args
    assert kind.single == (type(None) in args)


@pytest.mark.parametrize("kind", FACT_KINDS, ids=KIND_NAMES)
def test_a_kind_comes_after_the_kinds_it_needs(kind: typing.Any) -> None:
    before = KIND_NAMES[: KIND_NAMES.index(kind.name)]
    assert set(kind.needs) <= set(before), f"{kind.name} needs {kind.needs}, before it: {before}"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    g = Graph()
    for path in sorted(shapes_dir().glob("*.ttl")):
        g.parse(path)
    return g


@pytest.mark.parametrize("kind", FACT_KINDS, ids=KIND_NAMES)
def test_a_kind_names_shapes_questions_and_a_term_that_exist(
    kind: typing.Any, shapes: Graph
) -> None:
    for name in kind.shapes:
        shape = URIRef(SHAPES + name)
        assert any(shapes.triples((shape, RDF.type, None))), f"no shape {name}"
    assert kind.shapes, "a kind is checked by at least one shape"
    names = {q.name for q in list_questions()}
    assert set(kind.questions) <= names
    assert kind.questions, "a kind is reported by at least one question"
    ontology = Graph().parse(ontology_dir() / "cqc-kg.ttl")
    prefix, local = kind.term.split(":")
    assert prefix == "cqc"
    assert any(ontology.triples((CQC[local], RDF.type, None))), f"{kind.term} is not defined"


@pytest.fixture(scope="module")
def corpus() -> tuple[Extraction, Graph]:
    """The first record of each kind, and every triple, of the assessments in graph/sources and
    of a held-out summary that states its percentage."""
    vocab = load_vocabulary()
    paths = [sources_dir(), Path(__file__).parents[1] / "data/sources/croydon"]
    docs = [read_document(p) for p in source_files(paths)]
    every, g = Extraction(), Graph()
    for a in assemble(docs, vocab, AuthorityRegistry.load()):
        for kind in FACT_KINDS:
            kind.put(every, [*kind.records_in(every), *kind.records_in(a.extraction)][:1])
        g += build_assessment(a, vocab)
    return every, g


@pytest.mark.parametrize("kind", FACT_KINDS, ids=KIND_NAMES)
def test_each_kind_is_read_from_the_corpus_and_written(
    kind: typing.Any, corpus: tuple[Extraction, Graph]
) -> None:
    every, g = corpus
    assert kind.records_in(every), f"no {kind.name} found in the corpus"
    term = CQC[kind.term.split(":")[1]]
    ontology = Graph().parse(ontology_dir() / "cqc-kg.ttl")
    classes = set(ontology.transitive_subjects(RDFS.subClassOf, term))  # the term and below
    as_class = any(any(g.triples((None, RDF.type, c))) for c in classes)
    as_property = any(g.triples((None, term, None)))
    assert as_class or as_property, f"no {kind.term} in the built graph"


def test_a_shape_the_declarations_name_is_a_shape(shapes: Graph) -> None:
    # the check above would pass on any IRI typed in the shapes file: the names must be shapes
    kinds = {SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint}
    for kind in FACT_KINDS:
        for name in kind.shapes:
            assert set(shapes.objects(URIRef(SHAPES + name), RDF.type)) & kinds
