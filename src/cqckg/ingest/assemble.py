"""One assessment from its documents: each document's facts extracted, then reconciled, kind by
kind, into what the assessment states (``cqckg.build.facts`` declares each kind's rules)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from cqckg.build import FACT_KINDS, AssessmentInput
from cqckg.build.fact_kind import Found, Stated
from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.vocabulary import Vocabulary, load_vocabulary
from cqckg.extract.framework import displayed_percentage
from cqckg.extract.records import Disagreement, Extraction
from cqckg.ingest.group import group_documents, relative_source_path, source_files
from cqckg.read import read_document
from cqckg.read.model import Document, DocumentKind

# Which document to believe first when documents disagree on a single-valued fact.
_PRIORITY = {
    DocumentKind.FULL_REPORT: 0,
    DocumentKind.QUALITY_STATEMENT_PAGE: 1,
    DocumentKind.OVERALL_SUMMARY: 2,
    DocumentKind.LANDING_PAGE: 3,
    DocumentKind.PRESS_RELEASE: 4,
}


def extract_document(doc: Document, vocab: Vocabulary, registry: AuthorityRegistry) -> Extraction:
    """Everything one document states, as typed records anchored in it: each kind of fact in
    turn (``FACT_KINDS``), each given what the kinds before it found."""
    found = Extraction()
    for kind in FACT_KINDS:
        kind.put(found, kind.extract(Found(doc, vocab, registry, found)))
    return found


def extract_documents(paths: Sequence[Path | str]) -> dict[str, Extraction]:
    """Per-document extraction keyed by the path relative to the sources folder (for evaluation)."""
    vocab, registry = load_vocabulary(), AuthorityRegistry.load()
    return {
        relative_source_path(f): extract_document(read_document(f), vocab, registry)
        for f in source_files(Path(p) for p in paths)
    }


# -- grouping and reconciling -------------------------------------------------------------------


def reconcile(parts: list[tuple[Document, str, Extraction]]) -> Extraction:
    """One assessment's extraction from its documents' extractions: each kind of fact merged by
    its own rule (``FactKind.merge``), the most trusted document first."""
    ordered = sorted(parts, key=lambda p: (_PRIORITY[p[0].kind], p[1]))
    out = Extraction()
    for kind in FACT_KINDS:
        stated = [Stated(doc, rel, kind.records_in(ex)) for doc, rel, ex in ordered]
        merged = kind.merge(stated, out)
        kind.put(out, merged.records)
        out.disagreements.extend(merged.disagreements)
    return out


def assemble(
    docs: list[Document], vocab: Vocabulary, registry: AuthorityRegistry, root: Path | None = None
) -> list[AssessmentInput]:
    """Group documents into assessments and reconcile their extractions."""
    groups = {
        key: [(d, relative_source_path(d.path, root)) for d in group]
        for key, group in group_documents(docs).items()
    }
    return assemble_groups(groups, vocab, registry)


def assemble_groups(
    groups: Mapping[tuple[str, str], Sequence[tuple[Document, str]]],
    vocab: Vocabulary,
    registry: AuthorityRegistry,
) -> list[AssessmentInput]:
    """Reconcile the extractions of each assessment's documents (with their source paths)."""
    out = []
    for (gss, published), group in sorted(groups.items()):
        parts = [(d, rel, extract_document(d, vocab, registry)) for d, rel in group]
        extraction = reconcile(parts)
        complete = (
            any(
                d.kind in (DocumentKind.FULL_REPORT, DocumentKind.PRESS_RELEASE)
                and len(ex.scores) >= 2
                for d, _, ex in parts
            )
            or len(extraction.scores) == 9
        )
        a = AssessmentInput(
            gss=gss,
            published=published,
            pilot=any(d.pilot for d, _ in group),
            region=registry.get(gss).region,
            authority_name=registry.get(gss).name,
            documents=sorted(((d, rel) for d, rel, _ in parts), key=lambda p: p[1]),
            extraction=extraction,
            complete_scores=complete,
        )
        if a.complete_scores and extraction.percentage and extraction.scores:
            computed = displayed_percentage(extraction.scores)
            if computed != extraction.percentage.value:
                extraction.disagreements.append(
                    Disagreement(
                        "the percentage score",
                        (
                            (f"{extraction.percentage.value}%", "as stated"),
                            (f"{computed}%", "from the scores"),
                        ),
                    )
                )
        a.warnings.extend(w for d, _ in group for w in d.warnings)
        a.warnings.extend(
            f"{gss} {a.published}: documents disagree on {d.fact}: "
            + "; ".join(f"{v} in {p}" for v, p in d.values)
            for d in extraction.disagreements
        )
        out.append(a)
    return out
