"""Findings (strengths and gaps) and the links from strategies to gaps, on the real corpus."""

from __future__ import annotations

import pytest

from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.paths import sources_dir
from cqckg.core.vocabulary import load_vocabulary
from cqckg.extract.findings import explain, extract_findings, weigh
from cqckg.extract.links import extract_links
from cqckg.extract.partners import extract_partners
from cqckg.extract.records import FindingKind, GapKind, LinkBasis
from cqckg.extract.statistics import extract_statistics
from cqckg.extract.strategies import extract_strategies
from cqckg.read import read_document
from cqckg.read.model import Document

FULL_REPORT = sources_dir() / "westminster-2024" / "full-report.md"


@pytest.fixture(scope="module")
def report() -> Document:
    return read_document(FULL_REPORT)


@pytest.fixture(scope="module")
def extracted(report: Document):  # type: ignore[no-untyped-def]
    vocab = load_vocabulary()
    statistics = extract_statistics(report, vocab)
    findings = extract_findings(report, vocab, statistics)
    partners = extract_partners(report, vocab, AuthorityRegistry.load())
    strategies = extract_strategies(report, vocab, partners)
    return findings, strategies, extract_links(report, vocab, findings, strategies)


# Real sentences of the corpus and how a careful reader classifies them.
WEIGHED = [
    (
        "However, some unpaid carers we spoke with felt they were not always listened to and "
        "raised concerns around the lack of respite provision.",
        FindingKind.GAP,
        GapKind.SHORTFALL,
    ),
    (
        "Staff told us that assessments of people with mental health needs experienced occasional "
        "waits.",
        FindingKind.GAP,
        GapKind.WAITING,
    ),
    (
        "However, staff told us there needed to be more focused work on improving the SAR process.",
        FindingKind.GAP,
        GapKind.AREA_FOR_DEVELOPMENT,
    ),
    (
        "Frontline teams told us they had no waiting lists for people to be screened for an "
        "assessment.",
        FindingKind.STRENGTH,
        None,
    ),
    (
        "Frontline teams shared that the ending of the S75 Partnership Agreement resulting in the "
        "transfer of mental health staff back to the local authority did not have a negative "
        "impact on service delivery.",
        FindingKind.STRENGTH,
        None,
    ),
    (
        "Partners praised the Quality Assurance team for their support, approachability, "
        "and openness.",
        FindingKind.STRENGTH,
        None,
    ),
    ("The team met monthly.", None, None),
    (
        "Reasons for this varied, including, but not limited to, cost of accommodation and/or "
        "personal choice.",
        None,
        None,
    ),
]


@pytest.mark.parametrize(("text", "kind", "gap_kind"), WEIGHED)
def test_weigh(text: str, kind: FindingKind | None, gap_kind: GapKind | None) -> None:
    w = weigh(text)
    assert w.kind is kind, explain(text)
    if gap_kind is not None:
        assert w.gap_kind is gap_kind


def test_explain_names_the_cues() -> None:
    text = "However, staff told us this service was not always available."
    assert explain(text).startswith("gap (")
    assert "not-always" in explain(text)


def test_findings_of_the_full_report(report: Document, extracted) -> None:  # type: ignore[no-untyped-def]
    findings, _, _ = extracted
    gaps = [f for f in findings if f.kind is FindingKind.GAP]
    strengths = [f for f in findings if f.kind is FindingKind.STRENGTH]
    assert len(gaps) >= 60 and len(strengths) >= 60
    texts = {f.text for f in gaps}
    assert (
        "The local authority acknowledged there was a gap in people using direct payments and had "
        "plans to increase the numbers."
    ) in texts
    # I and We statements and template lines are never findings
    assert not any(f.text.startswith(("I have care", "We maximise", "Score:")) for f in findings)
    for f in findings:
        a = f.anchors[0]
        assert report.text[a.start : a.end] == a.exact == f.text
    direct = next(
        f for f in gaps if f.text.startswith("The local authority acknowledged there was a gap")
    )
    assert direct.quality_statement == "supporting-people-to-live-healthier-lives"
    assert "direct-payments" in direct.topics
    below = [f for f in gaps if f.gap_kind is GapKind.BELOW_AVERAGE]
    assert any("55.98%" in f.text for f in below)  # lower than the England average of 61.21%


def test_evidence_categories(extracted) -> None:  # type: ignore[no-untyped-def]
    findings, _, _ = extracted
    by_text = {f.text: f for f in findings}
    people = by_text[
        "However, some unpaid carers we spoke with felt they were not always listened to and "
        "raised concerns around the lack of respite provision."
    ]
    assert people.evidence_category is not None
    assert people.evidence_category.value == "people-experience"


def test_stated_link(extracted) -> None:  # type: ignore[no-untyped-def]
    _, _, links = extracted
    stated = {(ln.strategy, ln.gap[:60]) for ln in links if ln.basis is LinkBasis.STATED}
    assert (
        "Staying Safe Project",
        "Senior leaders mentioned language had been identified as a b",
    ) in stated


def test_links_are_qualified_and_gaps_can_stay_unaddressed(extracted) -> None:  # type: ignore[no-untyped-def]
    findings, strategies, links = extracted
    titles = {s.title for s in strategies}
    gaps = {f.text for f in findings if f.kind is FindingKind.GAP}
    assert links
    for ln in links:
        assert ln.strategy in titles and ln.gap in gaps
        assert 0 < ln.confidence <= 1
        if ln.basis is LinkBasis.SHARED_TOPIC:
            assert ln.confidence < 0.6  # inferred links are never as sure as stated ones
    addressed = {ln.gap for ln in links}
    assert gaps - addressed  # most gaps have no strategy the report ties to them
