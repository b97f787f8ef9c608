"""One finding, many anchors: when two sentences of an assessment state the same finding.

CQC states a finding in the full report, again on the quality statement's web page, and often
again, reworded, in the summary or the press release ("There were gaps identified in terms of
reaching out to carers from seldom heard groups." / "There were gaps in how the authority was
reaching out to carers from seldom heard groups."). They are one finding with an anchor into each
document.

The rule (:func:`same_finding`): two findings are the same when they have the same polarity (a
gap is never the same finding as a strength), once case, quotes, a citation in brackets and a
leading connective ("Additionally,", "However,") are folded away, and either

* the shorter (eight words or more) is the start of the longer, which says more ("... uptake of
  direct payments in their teams had been low." / "... had been low and they were actively ..."),
  or
* they state the same figures (so "55.98% ... lower than the England average" never merges with
  "43.90% ... higher") and their wording is at least ``THRESHOLD`` (80 of 100) alike by
  rapidfuzz's ``ratio`` or ``token_sort_ratio`` (the better of the two, so a moved clause counts).

Measured on the five documents of the shipped full assessment, restatements score 80 to 100 and
the closest distinct findings ("Frontline teams told us they had no waiting lists ..." / "Local
authority leaders told us the OT provider had no waiting lists ...") 79 and below; the tests
hold both sides.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz

from cqckg.extract.records import FindingRecord

THRESHOLD = 80.0

_CONNECTIVE = re.compile(
    r"^(?:additionally|also|however|overall|in addition|furthermore|moreover|similarly|"
    r"as a result|in contrast|equally)\b,?\s*",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# a citation in brackets ("(ASCS, 2023)"): the press release often leaves it out
_CITATION = re.compile(r"\s*\([^()]*\b(?:19|20)\d\d\b[^()]*\)")
_NON_WORD = re.compile(r"[^\w%]+")


def comparable(text: str) -> str:
    """The form two statements of a finding are compared in.

    >>> comparable("Additionally, 70.44% of people felt they had ‘control’.")
    '70 44% of people felt they had control'
    """
    t = _CITATION.sub("", unicodedata.normalize("NFKC", text)).strip()
    t = _CONNECTIVE.sub("", t)
    return _NON_WORD.sub(" ", t.casefold().replace("’", "'").replace("'", "")).strip()


def figures(text: str) -> frozenset[str]:
    """The numbers a text states (as printed, thousands separators dropped), citations aside.

    >>> sorted(figures("70.44% ... the England average of 77.21% (ASCS, 2023)."))
    ['70.44', '77.21']
    """
    return frozenset(m.group().replace(",", "") for m in _NUMBER.finditer(_CITATION.sub("", text)))


def likeness(a: str, b: str) -> float:
    """How alike two finding texts are, 0 to 100 (see the module's rule)."""
    x, y = comparable(a), comparable(b)
    return max(fuzz.ratio(x, y), fuzz.token_sort_ratio(x, y))


def same_finding(a: FindingRecord, b: FindingRecord) -> bool:
    """Whether two findings of one assessment are the same finding (the module's rule)."""
    if a.kind is not b.kind:
        return False
    x, y = comparable(a.text), comparable(b.text)
    short, long = sorted((x, y), key=len)
    if x == y or (short.count(" ") >= 7 and long.startswith(short + " ")):
        return figures(short) <= figures(long)  # the summary's shorter statement of it
    if figures(a.text) != figures(b.text):
        return False
    if min(len(x), len(y)) < 0.6 * max(len(x), len(y)):
        return False  # neither score can reach the threshold
    return max(fuzz.ratio(x, y), fuzz.token_sort_ratio(x, y)) >= THRESHOLD


def merge_findings(records: Sequence[FindingRecord]) -> list[FindingRecord]:
    """Findings with the same finding's statements merged into the first (records come in the
    order of their documents' priority): its text, every anchor, what the first lacks filled in.
    """
    merged: list[FindingRecord] = []
    for rec in records:
        for i, old in enumerate(merged):
            if same_finding(old, rec):
                merged[i] = dataclasses.replace(
                    old,
                    anchors=tuple(sorted(set(old.anchors) | set(rec.anchors))),
                    quality_statement=old.quality_statement or rec.quality_statement,
                    evidence_category=old.evidence_category or rec.evidence_category,
                    topics=tuple(sorted(set(old.topics) | set(rec.topics))),
                    gap_kind=old.gap_kind or rec.gap_kind,
                )
                break
        else:
            merged.append(rec)
    return merged
