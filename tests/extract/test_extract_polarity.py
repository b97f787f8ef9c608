"""Polarity from the whole sentence, a strength and a gap in one sentence split at the contrast,
and sentences that lean on the one before quoted with it: each rule on real sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from cqckg.core.paths import sources_dir
from cqckg.core.vocabulary import load_vocabulary
from cqckg.extract.findings import extract_findings, weigh
from cqckg.extract.records import FindingKind, FindingRecord
from cqckg.extract.statistics import extract_statistics
from cqckg.read import read_document
from cqckg.read.model import Document

HELD_OUT = Path(__file__).parent.parent / "data" / "sources"
WESTMINSTER = sources_dir() / "westminster-2024"


def _findings(path: Path) -> tuple[Document, list[FindingRecord]]:
    doc = read_document(path)
    vocab = load_vocabulary()
    return doc, extract_findings(doc, vocab, extract_statistics(doc, vocab))


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        # negation of the problem: "weren't any waiting lists" (Westminster's press release)
        (
            "The local authority quickly carried out responsive assessments and reviews of "
            "people’s care needs which meant there weren’t any waiting lists.",
            FindingKind.STRENGTH,
        ),
        # a concession ("despite ...") does not state the finding (Westminster's full report)
        (
            "The local authority has evidenced strong relationships with the market, despite "
            "varying quality and consistency of service.",
            FindingKind.STRENGTH,
        ),
        # a quantifier that makes the wait small (Croydon's summary)
        ("Most people were assessed in good time with limited waits for most services.", None),
        # "few" as a quantifier of a shortfall (Croydon's summary)
        (
            "However, few people were supported to access direct payments to independently manage "
            "their care needs.",
            FindingKind.GAP,
        ),
        # "well-being" is not "well" (Barnet's quality-statement page)
        (
            "Some unpaid carers told us they missed the in-person support and community activities "
            "that were available before the pandemic, some had tried to find online support groups "
            "due to feeling isolated, indicating these events were important for their emotional "
            "well-being and social support.",
            None,
        ),
    ],
)
def test_polarity_from_the_whole_sentence(sentence: str, kind: FindingKind | None) -> None:
    w = weigh(sentence)
    if kind is None:  # at least: not filed on the wrong side
        wrong = FindingKind.GAP if "limited waits" in sentence else FindingKind.STRENGTH
        assert w.kind is not wrong, w
    else:
        assert w.kind is kind, w


def test_a_strength_and_a_gap_in_one_sentence_are_split_at_the_contrast() -> None:
    doc, found = _findings(HELD_OUT / "haringey" / "haringey-0225-theme1-support.txt")
    by_text = {f.text: f for f in found}
    strength = by_text[
        "The adult social care prevention strategy (2024-2026) was clear and concise"
    ]
    gap = by_text["but was not recorded as being coproduced."]
    assert strength.kind is FindingKind.STRENGTH and gap.kind is FindingKind.GAP
    for f in (strength, gap):
        (a,) = f.anchors
        assert doc.text[a.start : a.end] == f.text == a.exact
    assert strength.anchors[0].end < gap.anchors[0].start


def test_a_sentence_leaning_on_the_one_before_is_quoted_with_it() -> None:
    doc, found = _findings(WESTMINSTER / "full-report.md")
    lean = "This was slightly lower than the England average of 69.81% (ASCS, 2023)."
    (f,) = [f for f in found if lean in f.text]
    assert f.text.endswith(lean) and f.text.startswith("National data showed that 66.")
    (a,) = f.anchors
    assert doc.text[a.start : a.end] == f.text
    assert not any(g.text == lean for g in found)

    died = "In both cases the person had died."
    both = [f for f in found if died in f.text]
    assert all(f.text != died for f in both)
    for f in both:
        assert f.text.startswith("Another SAR included learning")


def test_every_finding_of_a_quality_statement_page_carries_its_statement() -> None:
    for name in ("haringey-0225-theme2-care.txt", "haringey-0225-theme1-support.txt"):
        _doc, found = _findings(HELD_OUT / "haringey" / name)
        assert found and all(f.quality_statement for f in found), name


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        # Westminster's press release: unawareness and scarcity are shortfalls
        (
            "Some carers weren't aware it was an option, and some that were aware chose not to use "
            "it as it felt too complicated.",
            FindingKind.GAP,
        ),
        (
            "For example, there weren’t many places for people needing specialist dementia care.",
            FindingKind.GAP,
        ),
        # Barnet: what carers missed, feeling isolated
        (
            "Some unpaid carers told us they missed the in-person support and community activities "
            "that were available before the pandemic, some had tried to find online support groups "
            "due to feeling isolated, indicating these events were important for their emotional "
            "well-being and social support.",
            FindingKind.GAP,
        ),
        # North Tyneside: a change running late
        (
            "The restructure of the adult social care directorate had begun in 2023 and was taking "
            "longer than originally planned.",
            FindingKind.GAP,
        ),
        # Haringey: a strength denied
        ("The strategy was not recorded as being coproduced.", FindingKind.GAP),
    ],
)
def test_shortfalls_stated_without_the_usual_words(sentence: str, kind: FindingKind) -> None:
    assert weigh(sentence).kind is kind, weigh(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        # Westminster: a "while" clause concedes, the finding is the mitigation
        "While people were waiting for major adaptations, people were provided with equipment to "
        "reduce risks.",
        # Bath and North East Somerset: work against a problem is not, alone, a strength
        "Three localities have been set up to tackle inequalities across BSW, each represented by "
        "their own place-based ICA’s.",
    ],
)
def test_neither_gap_nor_strength(sentence: str) -> None:
    assert weigh(sentence).kind is None, weigh(sentence)


def test_a_landing_page_states_gaps_in_its_about_part_only() -> None:
    _doc, found = _findings(
        HELD_OUT / "bath-and-north-east-somerset" / "bathandnortheastsomerset-0125.txt"
    )
    texts = [f.text for f in found]
    assert any(t.startswith("Nevertheless, there are significant gaps in education") for t in texts)
    # a figure about the place is not a finding about the council
    assert not any("population is projected to increase" in t for t in texts)


def test_a_leaning_sentence_and_its_antecedent_of_the_same_kind_are_one_finding() -> None:
    doc, found = _findings(
        sources_dir() / "birmingham" / "birmingham-cc-3-safety-within-system-safeguarding.txt"
    )
    joined = [f for f in found if "This meant there had been a build-up of work" in f.text]
    assert len(joined) == 1
    (f,) = joined
    assert f.kind is FindingKind.GAP
    assert f.text.startswith("Referrals to the safeguarding team had increased over time")
    assert doc.text[f.anchors[0].start : f.anchors[0].end] == f.text
    # the antecedent is not listed a second time on its own
    assert not any(
        g.text.startswith("Referrals to the safeguarding team") and g is not f for g in found
    )


def test_where_the_rules_cannot_tell_the_polarity_is_unknown() -> None:
    doc, found = _findings(WESTMINSTER / "full-report.md")

    def sentence(start: str) -> str:
        return next(s.text.strip() for s in doc.sentences if s.text.startswith(start))

    # Westminster: "better than the average on staff vacancies ... lower": the words alone weigh
    # both ways; the statistic's direction against its comparator (fewer vacancies) decides
    vacancies = sentence("The local authority performed better than the average on staff")
    assert weigh(vacancies).kind is FindingKind.UNKNOWN
    (f,) = [f for f in found if f.text == vacancies]
    assert f.kind is FindingKind.STRENGTH
    # a contrast opening work against waits: kept, neither a strength nor a gap
    measures = sentence("However, the local authority had implemented measures to reduce waiting")
    (g,) = [f for f in found if f.text == measures]
    assert g.kind is FindingKind.UNKNOWN and g.gap_kind is None


def test_outstanding_work_is_not_an_appraisal() -> None:
    # Westminster: "outstanding" as still to be done
    assert (
        weigh(
            "Safeguarding concerns that were outstanding were managed by the adults "
            "safeguarding team."
        ).kind
        is not FindingKind.STRENGTH
    )


@pytest.mark.parametrize(
    "sentence",
    [
        # Hammersmith & Fulham
        "All partners agreed relationships at the borough level needed to be developed, and the "
        "local health and social care system did not have a shared vision for health and social "
        "care support in Hammersmith the Fulham.",
        "Key development areas were joint pathways for people living with dementia, adult mental "
        "health and community empowerment in the north of the borough.",
        "Also, it highlighted further development of care providers in the community was needed "
        "to support people with dementia.",
        # Birmingham
        "Formal integration at an operational level was not as advanced, but was developing fast.",
        # Westminster: a mid-sentence ", however" turns to the shortfall
        "Most carers we spoke to had been made aware of direct payments but had chosen not to "
        "accept this, however we also heard some carers had not heard of direct payments before.",
    ],
)
def test_development_needs_stated_in_other_words(sentence: str) -> None:
    assert weigh(sentence).kind is FindingKind.GAP, weigh(sentence)


def test_the_discourse_markers_come_from_the_vocabulary() -> None:
    markers = load_vocabulary().concepts["discourse-marker"]
    assert {"contrast", "concession", "antecedent-reference"} <= set(markers)
    assert "despite" in markers["concession"].signals
    assert "in both cases" in markers["antecedent-reference"].signals
    assert "but" in markers["contrast"].signals


def test_a_chain_of_leaning_sentences_is_quoted_from_its_start() -> None:
    # Haringey: "The local authority was moving toward ... . It was a key pillar ... . This was
    # focused on ..."
    doc, found = _findings(HELD_OUT / "haringey" / "haringey-0225-theme1-support.txt")
    (f,) = [f for f in found if "This was focused on being both cost-efficient" in f.text]
    assert f.text.startswith("The local authority was moving toward a prevention")
    assert doc.text[f.anchors[0].start : f.anchors[0].end] == f.text
    assert not any(g is not f and "It was a key pillar" in g.text for g in found)


def test_this_and_a_noun_leans_on_the_sentence_before() -> None:
    # Westminster: "... identifying people ... . This initiative was developed following a gas
    # leak, ..."
    doc, found = _findings(WESTMINSTER / "full-report.md")
    joined = [f for f in found if "This initiative was developed following a gas leak" in f.text]
    assert len(joined) == 1
    assert joined[0].text.startswith("Local authority leaders had identified improvement areas")
    assert doc.text[joined[0].anchors[0].start : joined[0].anchors[0].end] == joined[0].text
