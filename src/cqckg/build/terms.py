"""The RDF terms the builder writes, each made once.

rdflib makes and checks a new ``URIRef`` on every attribute access of a namespace
(``CQC.anchor``) and in every IRI function, many thousand times for a large assessment
(docs/decisions/0003-performance.md). The builder's modules import the terms from here.
"""

from __future__ import annotations

import functools

from rdflib import URIRef
from rdflib.namespace import DCTERMS as _DCTERMS
from rdflib.namespace import OWL as _OWL
from rdflib.namespace import PROV as _PROV
from rdflib.namespace import QB as _QB
from rdflib.namespace import RDF as _RDF
from rdflib.namespace import RDFS as _RDFS
from rdflib.namespace import SKOS as _SKOS
from rdflib.namespace import XSD as _XSD

from cqckg.core import namespaces as ns


class CachedNamespace:
    """The terms of a namespace, each made once."""

    def __init__(self, namespace: object) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):
            raise AttributeError(name)
        term = URIRef(getattr(self._namespace, name))
        setattr(self, name, term)
        return term


CQC, OA = CachedNamespace(ns.CQC), CachedNamespace(ns.OA)
DCTERMS, OWL, PROV, QB = map(CachedNamespace, (_DCTERMS, _OWL, _PROV, _QB))
RDF, RDFS, SKOS, XSD = map(CachedNamespace, (_RDF, _RDFS, _SKOS, _XSD))
SDMX_MEASURE = CachedNamespace(ns.SDMX_MEASURE)
SDMX_DIMENSION = CachedNamespace(ns.SDMX_DIMENSION)
SDMX_ATTRIBUTE = CachedNamespace(ns.SDMX_ATTRIBUTE)

# Documents, concepts, quality statements and authorities are named by many facts.
area_iri = functools.lru_cache(maxsize=4096)(ns.area_iri)
authority_iri = functools.lru_cache(maxsize=4096)(ns.authority_iri)
concept_iri = functools.lru_cache(maxsize=4096)(ns.concept_iri)
quality_statement_iri = functools.lru_cache(maxsize=4096)(ns.quality_statement_iri)
source_iri = functools.lru_cache(maxsize=4096)(ns.source_iri)
