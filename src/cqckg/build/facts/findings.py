"""A strength or a gap the report states (or a finding whose polarity the rules cannot tell)."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Literal

from cqckg.build.builder import Builder, short_hash
from cqckg.build.fact_kind import FactKind, merge_all
from cqckg.build.terms import CQC, DCTERMS, RDF, concept_iri, quality_statement_iri
from cqckg.extract.findings import extract_findings
from cqckg.extract.records import FindingKind, FindingRecord
from cqckg.extract.same_finding import merge_findings

# a finding's class says its polarity
_CLASS = {
    FindingKind.GAP: CQC.Gap,
    FindingKind.STRENGTH: CQC.Strength,
    FindingKind.UNKNOWN: CQC.UnknownPolarityFinding,
}


def triples(b: Builder, findings: Sequence[FindingRecord]) -> None:
    for f in findings:
        s = b.iri("finding", short_hash(f.text))
        b.name("findings", f.text, s)
        b.add(s, RDF.type, _CLASS[f.kind])
        b.add(s, RDF.value, Literal(f.text))
        if f.quality_statement:
            b.add(s, CQC.aboutStatement, quality_statement_iri(f.quality_statement))
        if f.evidence_category is not None:
            category = concept_iri("evidence-category", f.evidence_category.value)
            b.add(s, CQC.evidenceCategory, category)
        if f.gap_kind is not None and f.kind is FindingKind.GAP:
            b.add(s, CQC.gapKind, concept_iri("gap-kind", f.gap_kind.value))
        for t in f.topics:
            b.add(s, DCTERMS.subject, concept_iri("topic", t))
        for anc in f.anchors:
            section = b.named("sections", anc.section) if anc.section else None
            if section is not None:
                b.add(s, CQC.inSection, section)
        b.fact(s, f.anchors)


FINDINGS = FactKind(
    name="findings",
    record=FindingRecord,
    extract=lambda found: extract_findings(found.document, found.vocab, found.earlier.statistics),
    # one finding per finding stated: a restatement adds its anchor (rule in same_finding)
    merge=merge_all(merge_findings),
    triples=triples,
    term="cqc:Finding",
    shapes=(
        "Finding",
        "StrengthOrGap",
        "FindingCompleteness",
        "Gap",
        "GapCompleteness",
        "Strength",
    ),
    questions=("gaps", "strengths", "common-gaps", "unaddressed-gaps", "similar-councils"),
    needs=("statistics", "sections"),
)
