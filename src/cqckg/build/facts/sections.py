"""The headings of a report's key findings: the sections findings are found in."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Literal

from cqckg.build.builder import Builder, normalise_text, short_hash
from cqckg.build.fact_kind import FactKind, merge_anchors
from cqckg.build.terms import CQC, DCTERMS, RDF, quality_statement_iri
from cqckg.extract.framework import extract_sections
from cqckg.extract.records import ReportSectionRecord


def triples(b: Builder, sections: Sequence[ReportSectionRecord]) -> None:
    for sec in sections:
        s = b.iri("section", short_hash(sec.quality_statement or "", sec.heading))
        b.name("sections", sec.heading, s)
        b.add(s, RDF.type, CQC.ReportSection)
        b.add(s, DCTERMS.title, Literal(sec.heading))
        b.add(s, CQC.headingLevel, Literal(sec.level))
        if sec.quality_statement:
            b.add(s, CQC.aboutStatement, quality_statement_iri(sec.quality_statement))
        if sec.parent:
            parent = b.iri("section", short_hash(sec.quality_statement or "", sec.parent))
            b.add(s, DCTERMS.isPartOf, parent)
        b.fact(s, sec.anchors)


SECTIONS = FactKind(
    name="sections",
    record=ReportSectionRecord,
    extract=lambda found: extract_sections(found.document),
    merge=merge_anchors(lambda r: (r.quality_statement, normalise_text(r.heading))),
    triples=triples,
    term="cqc:ReportSection",
    shapes=("ReportSection",),
    questions=("evidence",),
)
