"""Records to triples: the only place the graph is made (docs/decisions/0001-graph-shape.md).

:func:`build_assessment` turns one assembled assessment (its documents and the records extracted
from them, already reconciled) into its named graph: the assessment, its documents and its
extraction run here, then each kind of fact by its declaration (``cqckg.build.facts``). IRIs are
derived from content, and no time stamps are written, so building the same documents twice
gives the same triples.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from cqckg import __version__
from cqckg.build.builder import AssessmentInput, Builder, normalise_text, short_hash, slugify
from cqckg.build.facts import FACT_KINDS
from cqckg.build.terms import (
    CQC,
    DCTERMS,
    PROV,
    QB,
    RDF,
    RDFS,
    XSD,
    authority_iri,
    concept_iri,
    source_iri,
)
from cqckg.core.collector import gc_paused
from cqckg.core.formats import source_media_type
from cqckg.core.namespaces import ID
from cqckg.core.vocabulary import Vocabulary
from cqckg.read.dates import is_month

__all__ = [
    "FACT_KINDS",
    "AssessmentInput",
    "build_assessment",
    "gc_paused",
    "normalise_text",
    "short_hash",
    "slugify",
]


def _assessment(b: Builder) -> None:
    a, s = b.a, b.assessment
    b.add(s, RDF.type, CQC.Assessment)
    who = a.authority_name or a.gss
    b.add(s, RDFS.label, Literal(f"Assessment of {who} published {a.published}", lang="en"))
    b.add(s, CQC.assessedAuthority, authority_iri(a.gss))
    # a month when no document states the day (the report's address encodes the month)
    issued_type = XSD.gYearMonth if is_month(a.published) else XSD.date
    b.add(s, DCTERMS.issued, Literal(a.published, datatype=issued_type))
    kind = "pilot" if a.pilot else "formal"
    b.add(s, CQC.assessmentKind, concept_iri("assessment-kind", kind))
    for doc, _ in a.documents:
        b.add(s, PROV.used, source_iri(doc.sha256))


def _documents(b: Builder) -> None:
    for doc, rel in b.a.documents:
        d = source_iri(doc.sha256)
        b.add(d, RDF.type, CQC.SourceDocument)
        b.add(d, DCTERMS.title, Literal(doc.title))
        kind = b.a.document_kinds.get(doc.sha256, doc.kind.value)
        b.add(d, CQC.documentKind, concept_iri("document-kind", kind))
        b.add(d, CQC.sha256, Literal(doc.sha256))
        b.add(d, CQC.characterCount, Literal(len(doc.text)))
        b.add(d, CQC.sourcePath, Literal(rel))
        media_type = source_media_type(doc.path.suffix)
        if doc.origin is not None:  # the text was extracted from a web page or a PDF
            media_type = doc.origin.media_type
            b.add(d, CQC.fileSha256, Literal(doc.origin.file_sha256))
            if doc.origin.page_starts:
                b.add(d, CQC.pageStarts, Literal(doc.origin.page_starts_text()))
        b.add(d, DCTERMS.format, Literal(media_type))
        if doc.source_url:
            b.add(d, DCTERMS.source, URIRef(doc.source_url))
        if doc.published is not None:
            b.add(d, DCTERMS.issued, Literal(doc.published.isoformat(), datatype=XSD.date))
        b.add(d, CQC.describes, b.assessment)
        b.add(d, PROV.wasGeneratedBy, b.assessment)


def _provenance(b: Builder) -> None:
    agent = URIRef(ID[f"software/cqckg/{__version__}"])
    b.add(b.run, RDF.type, CQC.ExtractionRun)
    label = f"cqc-kg extraction of {b.a.gss} {b.a.published}"
    b.add(b.run, RDFS.label, Literal(label, lang="en"))
    b.add(b.run, PROV.wasAssociatedWith, agent)
    for doc, _ in b.a.documents:
        b.add(b.run, PROV.used, source_iri(doc.sha256))
    b.add(agent, RDF.type, PROV.SoftwareAgent)
    b.add(agent, RDFS.label, Literal(f"cqc-kg {__version__}"))
    b.add(agent, CQC.softwareVersion, Literal(__version__))
    b.add(b.statistics_ds, RDF.type, QB.DataSet)
    b.add(b.statistics_ds, QB.structure, CQC.statisticsStructure)
    b.add(b.scores_ds, RDF.type, QB.DataSet)
    b.add(b.scores_ds, QB.structure, CQC.scoresStructure)


def _disagreements(b: Builder) -> None:
    for d in b.a.extraction.disagreements:
        s = b.iri("disagreement", short_hash(d.fact, *(v for v, _ in d.values)))
        b.add(b.assessment, CQC.disagreement, s)
        b.add(s, RDF.type, CQC.Disagreement)
        b.add(s, RDFS.comment, Literal(f"The documents disagree on {d.fact}.", lang="en"))
        for value, path in d.values:
            b.add(s, CQC.statedValue, Literal(f"{value} @ {path}"))


def build_assessment(a: AssessmentInput, vocab: Vocabulary) -> Graph:
    """The named graph of one assessment."""
    with gc_paused():
        b = Builder(a, vocab)
        _assessment(b)
        _documents(b)
        _provenance(b)
        for kind in FACT_KINDS:
            kind.triples(b, kind.records_in(a.extraction))
        _disagreements(b)
        return b.g
