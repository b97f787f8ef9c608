"""An organisation the authority works with, as the report names it."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Literal

from cqckg.build.builder import Builder, slugify
from cqckg.build.fact_kind import FactKind, merge_all
from cqckg.build.terms import CQC, OWL, RDF, SKOS, authority_iri, concept_iri
from cqckg.extract.partners import extract_partners, merge_partners
from cqckg.extract.records import PartnerOrganisationRecord


def triples(b: Builder, partners: Sequence[PartnerOrganisationRecord]) -> None:
    for p in partners:
        s = b.iri("partner", slugify(p.name))
        for n in (p.name, *p.alt_names):
            b.name("partners", n, s)
        b.add(s, RDF.type, CQC.PartnerOrganisation)
        b.add(s, SKOS.prefLabel, Literal(p.name))
        for alt in p.alt_names:
            b.add(s, SKOS.altLabel, Literal(alt))
        b.add(s, CQC.partnerType, concept_iri("partner-type", p.partner_type))
        if p.authority_gss:
            b.add(s, OWL.sameAs, authority_iri(p.authority_gss))
        b.add(authority_iri(b.a.gss), CQC.worksWith, s)
        b.fact(s, p.anchors)


PARTNERS = FactKind(
    name="partners",
    record=PartnerOrganisationRecord,
    extract=lambda found: extract_partners(found.document, found.vocab, found.registry),
    merge=merge_all(merge_partners),
    triples=triples,
    term="cqc:PartnerOrganisation",
    shapes=("PartnerOrganisation", "AuthorityWorksWithPartner", "PartnerCompleteness"),
    questions=("partners",),
)
