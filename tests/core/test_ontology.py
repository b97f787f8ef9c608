"""The ontology is well formed and declares every term the graph, shapes and questions use.

A typo in a property name anywhere (``cqc:scor``) fails here, naming the file and the term.
Meta-vocabularies (rdf, rdfs, owl, xsd, sh, vann) are exempt: they describe the ontology itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from cqckg.core.namespaces import CQC, ONTOLOGY_IRI, PREFIXES, SH, VANN
from cqckg.core.paths import graph_dir, ontology_dir, questions_dir, shapes_dir

ONTOLOGY = URIRef(ONTOLOGY_IRI)
EXEMPT = ("rdf", "rdfs", "owl", "xsd", "sh", "vann")
CHECKED = tuple(ns for prefix, ns in PREFIXES.items() if prefix not in EXEMPT)
TERM_TYPES = (
    OWL.Class,
    RDFS.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDF.Property,
)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_dir() / "cqc-kg.ttl", format="turtle")


@pytest.fixture(scope="module")
def terms(ontology: Graph) -> set[URIRef]:
    """Classes and properties the ontology declares."""
    return {s for t in TERM_TYPES for s in ontology.subjects(RDF.type, t) if isinstance(s, URIRef)}


@pytest.fixture(scope="module")
def declared(ontology: Graph) -> set[URIRef]:
    """Everything the ontology gives a type: terms, plus resources such as the data structures."""
    return {s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef)}


def test_header(ontology: Graph) -> None:
    for p in (OWL.versionIRI, OWL.versionInfo, URIRef("http://purl.org/dc/terms/license")):
        assert ontology.value(ONTOLOGY, p) is not None, f"ontology header lacks {p}"
    assert str(ontology.value(ONTOLOGY, VANN.preferredNamespacePrefix)) == "cqc"
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology


def test_own_terms_are_documented(ontology: Graph, terms: set[URIRef]) -> None:
    own = [t for t in terms if str(t).startswith(str(CQC))]
    assert len(own) > 50
    for term in own:
        assert ontology.value(term, RDFS.label) is not None, f"{term} has no rdfs:label"
        assert (
            ontology.value(term, SKOS.definition) is not None
            or ontology.value(term, RDFS.comment) is not None
        ), f"{term} has neither skos:definition nor rdfs:comment"
        assert ontology.value(term, RDFS.isDefinedBy) == ONTOLOGY, f"{term}: rdfs:isDefinedBy"


def test_reused_terms_are_labelled_and_attributed(ontology: Graph, terms: set[URIRef]) -> None:
    """Terms reused from other vocabularies are defined there; the stub says where."""
    for term in terms - {t for t in terms if str(t).startswith(str(CQC))}:
        assert ontology.value(term, RDFS.label) is not None, f"{term} has no rdfs:label"
        defined_by = ontology.value(term, RDFS.isDefinedBy)
        assert defined_by is not None, f"{term} does not say which vocabulary defines it"
        assert str(term).startswith(str(defined_by)), f"{term} is not in {defined_by}"


def _files() -> list[Path]:
    found = [
        *sorted(graph_dir().glob("*.ttl")),
        *sorted((graph_dir() / "assessments").glob("*.ttl")),
        *sorted(shapes_dir().glob("*.ttl")),
        *sorted(questions_dir().glob("*.rq")),
    ]
    return [p for p in found if p.is_file()]


def _walk(node: object) -> Iterator[URIRef]:
    """Every IRI in a parsed SPARQL query's algebra (CompValue is a dict; paths are objects)."""
    if isinstance(node, URIRef):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple | set):
        for item in node:
            yield from _walk(item)
    elif hasattr(node, "__dict__") and not isinstance(node, Node | str):
        for value in vars(node).values():
            yield from _walk(value)


def _terms_used(path: Path) -> set[URIRef]:
    if path.suffix == ".rq":
        query = prepareQuery(path.read_text(encoding="utf-8"))
        iris: set[URIRef] = set(_walk(query.algebra))
    else:
        g = Graph().parse(path, format="turtle")
        iris = {t for triple in g for t in triple if isinstance(t, URIRef)}
        iris |= _shacl_sparql_terms(g)
    return {i for i in iris if str(i).startswith(CHECKED)}


def _shacl_sparql_terms(g: Graph) -> set[URIRef]:
    """IRIs inside SHACL-SPARQL constraints, parsed with the prefixes the shapes declare."""
    prefixes = dict(PREFIXES)  # shapes may borrow declarations from another shapes file
    prefixes.update(
        {
            str(g.value(d, SH.prefix)): str(g.value(d, SH.namespace))
            for d in g.objects(None, SH.declare)
        }
    )
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
    found: set[URIRef] = set()
    for p in (SH.select, SH.ask):
        for text in g.objects(None, p):
            found |= set(_walk(prepareQuery(head + str(text)).algebra))
    return found


def _name(path: Path) -> str:
    return path.relative_to(path.parents[1]).as_posix()


def test_there_are_files_to_check() -> None:
    names = {p.name for p in _files()}
    assert {"framework.ttl", "vocabularies.ttl", "topics.ttl", "measures.ttl"} <= names


@pytest.mark.parametrize("path", _files(), ids=_name)
def test_every_term_used_is_declared(path: Path, declared: set[URIRef]) -> None:
    used = _terms_used(path)
    assert used, f"{path.name}: found no ontology terms at all; is the parser looking?"
    missing = sorted(str(t) for t in used - declared)
    assert not missing, f"{path.name} uses terms the ontology does not declare: {missing}"


def test_the_check_catches_a_typo(tmp_path: Path, declared: set[URIRef]) -> None:
    bad = tmp_path / "typo.rq"
    bad.write_text(
        "PREFIX cqc: <https://w3id.org/cqc-kg/def#>\nSELECT ?s WHERE { ?s cqc:scor ?o }\n",
        encoding="utf-8",
    )
    assert _terms_used(bad) - declared == {CQC.scor}


def test_the_check_reads_shacl_sparql(tmp_path: Path, declared: set[URIRef]) -> None:
    bad = tmp_path / "shapes.ttl"
    bad.write_text(
        """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix cqc: <https://w3id.org/cqc-kg/def#> .
<https://example.org/p> sh:declare <https://example.org/d> .
<https://example.org/d> sh:prefix "cqc" ; sh:namespace "https://w3id.org/cqc-kg/def#" .
<https://example.org/s> a sh:NodeShape ; sh:targetClass cqc:Assessment ;
    sh:sparql <https://example.org/c> .
<https://example.org/c> sh:prefixes <https://example.org/p> ;
    sh:select "SELECT $this WHERE { $this cqc:percentag ?p }" .
""",
        encoding="utf-8",
    )
    assert _terms_used(bad) - declared == {CQC.percentag}
