"""The "I" and "We" statements a report prints under a quality statement: each names the
framework statement its score cites, and is one more anchor of that score."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import URIRef

from cqckg.build.builder import Builder, normalise_text
from cqckg.build.fact_kind import FactKind, merge_anchors
from cqckg.build.terms import CQC, PROV, source_iri
from cqckg.extract.framework import extract_framework_statements
from cqckg.extract.records import FrameworkStatementRecord


def triples(b: Builder, printed: Sequence[FrameworkStatementRecord]) -> None:
    for st in printed:
        score = b.named("scores", st.quality_statement)
        if score is None:  # a statement's page without its score: nothing cites it
            continue
        found = b.vocab.framework_statement_for(st.quality_statement, st.text)
        if found is not None:
            b.add(score, CQC.citedStatement, URIRef(found))
        for a in sorted(set(st.anchors)):
            b.add(score, CQC.anchor, b.anchor(a))
            b.add(score, PROV.wasDerivedFrom, source_iri(a.document_sha256))


FRAMEWORK_STATEMENTS = FactKind(
    name="framework_statements",
    record=FrameworkStatementRecord,
    extract=lambda found: extract_framework_statements(found.document, found.vocab),
    merge=merge_anchors(lambda r: (r.quality_statement, r.person, normalise_text(r.text))),
    triples=triples,
    term="cqc:citedStatement",
    shapes=("StatementScore-citedStatement",),
    questions=("evidence",),
    needs=("scores",),
)
