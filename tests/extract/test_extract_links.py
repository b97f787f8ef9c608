"""Link rules on the real corpus: stated purposes, same-sentence answers, restricted inferences."""

from __future__ import annotations

from functools import cache

from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.paths import sources_dir
from cqckg.core.vocabulary import load_vocabulary
from cqckg.extract.links import _answers, remedy_terms
from cqckg.extract.records import Extraction, LinkBasis, StrategyRecord
from cqckg.ingest import extract_document
from cqckg.read import read_document

WESTMINSTER = "westminster-2024/full-report.md"


@cache
def extraction(path: str) -> Extraction:
    doc = read_document(sources_dir() / path)
    return extract_document(doc, load_vocabulary(), AuthorityRegistry.load())


def test_a_stated_purpose_links_gaps_naming_the_same_problem() -> None:
    links = [ln for ln in extraction(WESTMINSTER).links if ln.strategy == "#2035 project"]
    stated = {ln.gap[:40] for ln in links if ln.basis is LinkBasis.STATED}
    assert "However, there are major health inequali" in stated
    assert "Local authority leaders told us they wer" in stated
    # "health and economic inequalities created complexities" shares the topic, not the term
    assert not any(ln.gap.startswith("Along with an increased demand") for ln in links)


def test_remedy_terms_are_the_stated_object() -> None:
    doc = read_document(sources_dir() / WESTMINSTER)
    st = next(s for s in extraction(WESTMINSTER).strategies if s.title == "#2035 project")
    terms = remedy_terms(doc, load_vocabulary(), st)
    assert {"life expectancy", "health inequalities"} <= set(terms)


def test_in_one_sentence_the_phrase_must_come_before_the_strategy() -> None:
    st = StrategyRecord("Market Sustainability plan", "plan", None, None, ())
    assert _answers(
        "Workforce development was an area of focus and they have included this in their "
        "Market Sustainability plan.",
        st,
    )
    grant = StrategyRecord("Recovery Grant", "grant", None, None, ())
    assert not _answers("The Recovery Grant was used and aimed to reduce deaths.", grant)


def test_inferred_links_are_few_and_never_on_a_statements_own_subject() -> None:
    links = extraction(WESTMINSTER).links
    inferred = [ln for ln in links if ln.basis is LinkBasis.SHARED_TOPIC]
    assert len(inferred) <= 15
    assert all(ln.confidence < 0.6 for ln in inferred)


def test_other_councils_get_no_link_from_a_plan_to_its_own_sentence() -> None:
    hf = "hammersmith-and-fulham/hammersmithfulham-0525-theme1-equity.txt"
    assert not [ln for ln in extraction(hf).links if ln.gap.startswith("There was a corporate")]


HELD_OUT = sources_dir().parent.parent / "tests" / "data" / "sources"


def test_a_need_reflected_in_a_strategy_is_a_stated_link() -> None:
    # Haringey: "... but also recognised the need to work more closely with local people and
    # communities and this was reflected in the Commissioning Strategy for Adult Social Care
    # (2024-2029)."
    doc = read_document(HELD_OUT / "haringey" / "haringey-0225-theme2-care.txt")
    ex = extract_document(doc, load_vocabulary(), AuthorityRegistry.load())
    (ln,) = [ln for ln in ex.links if "work more closely with local people" in ln.gap]
    assert ln.basis is LinkBasis.STATED
    assert ln.strategy == "Commissioning Strategy for Adult Social Care 2024-2029"
