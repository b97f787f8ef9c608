"""The builder's cached terms are rdflib's terms, each made once."""

from __future__ import annotations

import pytest
from rdflib.namespace import RDF

from cqckg.build.terms import CachedNamespace, concept_iri
from cqckg.core import namespaces
from cqckg.core.namespaces import CQC


def test_cached_namespace_terms_are_rdflibs() -> None:
    cached = CachedNamespace(RDF)
    assert cached.type == RDF.type
    assert cached.type is cached.type
    assert CachedNamespace(CQC).anchor == CQC.anchor
    with pytest.raises(AttributeError):
        _ = cached.notATerm
    with pytest.raises(AttributeError):
        _ = cached._private


def test_cached_iris_are_the_namespaces_own() -> None:
    assert concept_iri("rating", "good") == namespaces.concept_iri("rating", "good")
    assert concept_iri("rating", "good") is concept_iri("rating", "good")
