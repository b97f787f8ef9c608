"""IRIs and namespaces used across the project.

Instance IRIs follow the UK Government linked-data URI patterns under one base:
``/def`` for the ontology, ``/id/`` for things, ``/doc/`` for documents about things
(a named graph is a document about the thing it describes).

>>> str(authority_iri("E08000035"))
'https://w3id.org/cqc-kg/id/authority/E08000035'
>>> str(assessment_graph_iri("E08000035", "2024-11-08"))
'https://w3id.org/cqc-kg/doc/assessment/E08000035/2024-11-08'
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, VOID, XSD

BASE = "https://w3id.org/cqc-kg/"
ONTOLOGY_IRI = BASE + "def"

CQC = Namespace(BASE + "def#")
ID = Namespace(BASE + "id/")
DOC = Namespace(BASE + "doc/")

OA = Namespace("http://www.w3.org/ns/oa#")
CNT = Namespace("http://www.w3.org/2011/content#")
VANN = Namespace("http://purl.org/vocab/vann/")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
CV = Namespace("http://data.europa.eu/m8g/")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
ONS_GEOGRAPHY = Namespace("http://statistics.data.gov.uk/id/statistical-geography/")

ENGLAND_GSS = "E92000001"
LONDON_GSS = "E12000007"

PREFIXES: dict[str, str] = {
    "cqc": str(CQC),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "foaf": str(FOAF),
    "org": str(ORG),
    "prov": str(PROV),
    "qb": str(QB),
    "void": str(VOID),
    "oa": str(OA),
    "cnt": str(CNT),
    "vann": str(VANN),
    "sdmx-dimension": str(SDMX_DIMENSION),
    "sdmx-measure": str(SDMX_MEASURE),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
    "cv": str(CV),
    "schema": str(SCHEMA),
    "sh": str(SH),
}

# Named graphs holding the reference data shipped in graph/.
ONTOLOGY_GRAPH = URIRef(ONTOLOGY_IRI)
FRAMEWORK_GRAPH = URIRef(DOC["framework"])
TOPICS_GRAPH = URIRef(DOC["topics"])
MEASURES_GRAPH = URIRef(DOC["measures"])
AUTHORITIES_GRAPH = URIRef(DOC["authorities"])


def authority_iri(gss: str) -> URIRef:
    """The council keyed by its ONS GSS code (the council, not its area)."""
    return URIRef(ID[f"authority/{gss}"])


def area_iri(gss: str) -> URIRef:
    """The ONS statistical geography for a GSS code (the area, not the council)."""
    return URIRef(ONS_GEOGRAPHY[gss])


def assessment_iri(gss: str, published: str) -> URIRef:
    """One assessment: a council and its publication date (ISO ``YYYY-MM-DD``)."""
    return URIRef(ID[f"assessment/{gss}/{published}"])


def assessment_graph_iri(gss: str, published: str) -> URIRef:
    """The named graph (a document about the assessment) holding one assessment's facts."""
    return URIRef(DOC[f"assessment/{gss}/{published}"])


def source_iri(sha256: str) -> URIRef:
    """A source document, keyed by the SHA-256 of its text."""
    return URIRef(ID[f"source/{sha256}"])


def source_graph_iri(sha256: str) -> URIRef:
    """The named graph holding a source document's full text."""
    return URIRef(DOC[f"source/{sha256}"])


def quality_statement_iri(slug: str) -> URIRef:
    return URIRef(ID[f"framework/quality-statement/{slug}"])


def theme_iri(slug: str) -> URIRef:
    return URIRef(ID[f"framework/theme/{slug}"])


def concept_iri(scheme: str, slug: str) -> URIRef:
    """A concept of one of the project's SKOS schemes, e.g. ``rating/good``."""
    return URIRef(ID[f"{scheme}/{slug}"])


# The nine English regions (ONS region codes), for "regional average" comparators.
REGION_GSS: dict[str, str] = {
    "North East": "E12000001",
    "North West": "E12000002",
    "Yorkshire and The Humber": "E12000003",
    "East Midlands": "E12000004",
    "West Midlands": "E12000005",
    "East of England": "E12000006",
    "London": "E12000007",
    "South East": "E12000008",
    "South West": "E12000009",
}
