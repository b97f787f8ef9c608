"""One finding, many anchors: the similarity rule on real restatements from Westminster's
documents, and the assembled assessment counting findings, not sentences."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import pytest

from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.paths import sources_dir
from cqckg.core.vocabulary import load_vocabulary
from cqckg.extract.records import FindingKind, FindingRecord
from cqckg.extract.same_finding import THRESHOLD, likeness, merge_findings, same_finding
from cqckg.ingest import assemble, source_files
from cqckg.read import read_document

WESTMINSTER = sources_dir() / "westminster-2024"


def _gap(text: str) -> FindingRecord:
    return FindingRecord(FindingKind.GAP, text, None, None, (), ())


def _strength(text: str) -> FindingRecord:
    return FindingRecord(FindingKind.STRENGTH, text, None, None, (), ())


# (full report, press release or quality-statement page): the same finding, reworded
SAME = [
    (
        "There were gaps identified in terms of reaching out to carers from seldom heard groups.",
        "There were gaps in how the authority was reaching out to carers from seldom heard groups.",
    ),
    (
        "70.44% of people felt they had control over their daily life, which is also lower than "
        "the England average of 77.21% (ASCS, 2023).",
        "Additionally, 70.44% of people felt they had control over their daily life, which is also "
        "lower than the England average of 77.21%.",
    ),
    (
        "Partners told us mental health provision and support was good, but not always appropriate "
        "for all levels of need.",
        "Partners told CQC mental health provision and support was good, but wasn’t always "
        "appropriate for all levels of need.",
    ),
]

# distinct findings that share many words
APART = [
    (
        "Frontline teams told us they had no waiting lists for people to be screened for an "
        "assessment.",
        "Local authority leaders told us the OT provider had no waiting lists for people to be "
        "screened pending an assessment.",
    ),
    (
        "National data showed that 55.98% of people were satisfied with the care and support in "
        "Westminster, which is lower than the England average of 61.21%.",
        "National data supports these findings showing that 43.90% of carers in Westminster were "
        "satisfied with social services which was higher than the England average of 36.83%",
    ),
    (
        "Senior leaders told us there were challenges surrounding waiting times for home "
        "adaptations, particularly when this involved housing providers.",
        "Local authority leaders acknowledged the challenges people faced around waiting for major "
        "home adaptations, including the need for more accessible housing.",
    ),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_restatements_are_one_finding(a: str, b: str) -> None:
    assert same_finding(_gap(a), _gap(b)), likeness(a, b)


@pytest.mark.parametrize(("a", "b"), APART)
def test_findings_sharing_words_stay_apart(a: str, b: str) -> None:
    assert not same_finding(_gap(a), _gap(b)), likeness(a, b)
    assert likeness(a, b) < THRESHOLD or "%" in a


def test_a_gap_never_merges_with_a_strength() -> None:
    text = SAME[0][0]
    assert not same_finding(_gap(text), _strength(text))


def test_merging_keeps_the_first_text_and_every_anchor() -> None:
    a, b = SAME[0]
    merged = merge_findings([_gap(a), _gap(b), _gap(APART[0][0])])
    assert [f.text for f in merged] == [a, APART[0][0]]


@pytest.fixture(scope="module")
def westminster():  # type: ignore[no-untyped-def]
    docs = [read_document(p) for p in source_files([WESTMINSTER])]
    (a,) = assemble(docs, load_vocabulary(), AuthorityRegistry.load(), sources_dir())
    return a


def test_westminster_counts_findings_not_sentences(westminster) -> None:  # type: ignore[no-untyped-def]
    by_sha = {d.sha256: rel for d, rel in westminster.documents}
    findings = westminster.extraction.findings
    # the seldom-heard carers gap: one finding, anchored in the full report and the press release
    seldom = [f for f in findings if "carers from seldom heard groups" in f.text]
    assert len(seldom) == 1
    assert {by_sha[a.document_sha256] for a in seldom[0].anchors} >= {
        "westminster-2024/full-report.md",
        "westminster-2024/press-release.txt",
    }
    # no two findings left that the rule would merge
    for i, f in enumerate(findings):
        for g in findings[i + 1 :]:
            assert not same_finding(f, g), (f.text, g.text)
    # a quality-statement page repeats its section of the full report: none of its sentences is a
    # finding of its own
    pages = Counter(by_sha[f.anchors[0].document_sha256] for f in findings if len(f.anchors) == 1)
    assert pages["westminster-2024/qs-equity-experience-outcomes.txt"] == 0


def test_links_point_at_the_merged_finding(westminster) -> None:  # type: ignore[no-untyped-def]
    texts = {f.text for f in westminster.extraction.findings if f.kind is FindingKind.GAP}
    assert westminster.extraction.links
    assert all(ln.gap in texts for ln in westminster.extraction.links)


def test_merge_rule_is_named_in_the_module_doc() -> None:
    import cqckg.extract.same_finding as m

    assert m.__doc__ is not None and str(int(THRESHOLD)) in m.__doc__
    assert Path(m.__file__).name == "same_finding.py"


def test_a_summary_statement_merges_with_the_fuller_one() -> None:
    short = (
        "Some frontline teams explained the uptake of direct payments in their teams had been low."
    )
    long = (
        "Some frontline teams explained the uptake of direct payments in their teams had been low "
        "and they were actively having discussions with people to promote direct payments."
    )
    assert same_finding(_gap(short), _gap(long))
    assert not same_finding(_gap("Staff told us."), _gap("Staff told us it was confusing."))


def test_no_sentence_is_quoted_by_two_findings() -> None:
    docs = [read_document(p) for p in source_files([sources_dir()])]
    for a in assemble(docs, load_vocabulary(), AuthorityRegistry.load(), sources_dir()):
        spans = Counter(
            (x.document_sha256, x.start, x.end) for f in a.extraction.findings for x in f.anchors
        )
        assert max(spans.values()) == 1
        anchors = sorted(
            ((x.document_sha256, x.start, x.end), f.text)
            for f in a.extraction.findings
            for x in f.anchors
        )
        for (one, text), (two, other) in itertools.pairwise(anchors):
            overlap = one[0] == two[0] and two[1] < one[2]
            assert not overlap, (text[:80], other[:80])
