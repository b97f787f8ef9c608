"""The shortcuts extraction takes for speed never change what it finds."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from functools import cache

import pytest

from cqckg.core.paths import sources_dir
from cqckg.core.vocabulary import SignalIndex
from cqckg.extract import partners, strategies
from cqckg.extract.cues import Cue, finding_cues
from cqckg.extract.patterns import _PLAIN, any_of, fold_case, leading_texts, may_match
from cqckg.read import read_documents

_GROUPS = finding_cues()
CUES = (*_GROUPS.negated_problems, *_GROUPS.gaps, *_GROUPS.strengths)


@cache
def _sentences() -> tuple[str, ...]:
    docs = read_documents([sources_dir()])
    return tuple(s.text for d in docs for s in d.sentences)


def test_case_folds_cover_every_character_matching_a_plain_one() -> None:
    plain = re.compile("[" + re.escape("".join(sorted(_PLAIN))) + "]", re.IGNORECASE)
    special = [chr(c) for c in range(128, sys.maxunicode + 1) if plain.fullmatch(chr(c))]
    assert special == ["\u0130", "\u0131", "\u017f", "\u212a"]
    for ch in special:
        assert fold_case(ch) in _PLAIN


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\bnot always\b", ("not always",)),
        (r"\bgaps?\b(?! between)", ("gap",)),
        (r"\b(?:no|not) (?:problems?)\b", ("no problem", "not problem")),
        (r"\b(?:had )?died\b", ("died",)),
        (r"\b(?:a|b)+c", None),
        (r"\b(?:a|b)*c", None),
        (r"\b(?:x|y)+c", None),
        (r"\b(?:the )??highest", ("highest",)),
        (r"\b(?:the )?+highest", ("highest",)),
        (r"\b(?:[ab]|c)?d", None),
        (r"\bx(?:[ab]|c)d", ("x",)),
        (
            r"\bwith (?:the|local) (police|fire)\b",
            ("with the police", "with the fire", "with local police", "with local fire"),
        ),
        (r"[a-z]+ plan", None),
        (r"\bx[|(]y|\bz", ("x", "z")),
        (r"\b(?:x|[^)]y)", None),
        (r"took \d+ weeks", ("took ",)),
        (r"\bpay (?:and|&) gap|\bpay gaps?", ("pay ",)),
        (r"\bno\b|\bnot\b|\bnone", ("no",)),
        (r"(?i)abc", None),
        (r"(?P<x>abc)", None),
        (r"", None),
    ],
)
def test_leading_texts(pattern: str, expected: tuple[str, ...] | None) -> None:
    assert leading_texts(pattern) == expected


def test_leading_texts_of_any_of() -> None:
    assert leading_texts(any_of(r"\bwaits?\b", r"\b(?<!no )delay")) == ("wait", "delay")


@pytest.mark.parametrize("cue", CUES, ids=[c.name for c in CUES])
def test_cue_prefilter_never_skips_a_match(cue: Cue) -> None:
    texts = (*_sentences(), "WAİTING LİSTS", "Some ſerious riſks", "Not Always", "no waits")
    for text in texts:
        if cue.pattern.search(text):
            assert cue.may_match(fold_case(text)), text


def test_most_cues_have_a_prefilter() -> None:
    assert [c.name for c in CUES if c.leading is None] == ["however"]


def test_signal_index_stops_at_words_no_signal_begins_with() -> None:
    idx = SignalIndex({"a": ("short break", "short-term support"), "b": ("support",)})
    text = "Short term support, support and a short break; short, break."
    assert idx.find(text) == [(0, 18, "a"), (20, 27, "b"), (34, 45, "a"), (47, 59, "a")]


@pytest.mark.parametrize(
    ("pattern", "texts"),
    [
        (partners._partnership_phrase(), partners._partnership_texts()),
        (partners._GROUP_OF, partners._GROUP_OF_TEXTS),
    ],
    ids=["partners-cue", "group-of"],
)
def test_pattern_prefilter_never_skips_a_match(
    pattern: re.Pattern[str], texts: tuple[str, ...] | None
) -> None:
    assert texts is not None
    for text in (*_sentences(), "We Worked Closely With Age UK", "a group of  charities"):
        if pattern.search(text):
            assert may_match(texts, fold_case(text)), text


@pytest.mark.parametrize(
    ("pattern", "needed"),
    [
        (strategies._LOWER_STRATEGY, lambda text: "strategy" in text),
        (strategies._CALLED, lambda text: "called" in text),
        (strategies._LOWER_WITH_YEARS, lambda text: strategies._A_YEAR.search(text) is not None),
    ],
    ids=["lower-strategy", "called", "lower-with-years"],
)
def test_strategy_title_prefilters_never_skip_a_match(
    pattern: re.Pattern[str], needed: Callable[[str], bool]
) -> None:
    for text in (*_sentences(), "a carers strategy", "its winter plan for 2023-24"):
        if pattern.search(text):
            assert needed(text), text


def test_sentences_overlapping_is_the_linear_scan() -> None:
    for doc in read_documents([sources_dir()]):
        starts = [s.start for s in doc.sentences]
        assert starts == sorted(starts)
        assert all(a.end <= b.start for a, b in zip(doc.sentences, doc.sentences[1:], strict=False))
        spans = [(s.start, s.end) for s in doc.sentences[::7]]
        spans += [(k, k + 40) for k in range(0, len(doc.text), 997)] + [(5, 5), (0, len(doc.text))]
        for start, end in spans:
            expected = [s for s in doc.sentences if s.start < end and start < s.end]
            assert doc.sentences_overlapping(start, end) == expected


def test_line_of_counts_lines() -> None:
    doc = read_documents([sources_dir()])[0]
    for offset in range(0, len(doc.text), 101):
        assert doc.line_of(offset) == doc.text.count("\n", 0, offset) + 1
