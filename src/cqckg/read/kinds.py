"""Recognising what kind of CQC document a text is, and whether it is from the pilot.

Each kind is recognised by signals that CQC's documents of that kind carry, whatever the
council (see :data:`RULES`); the signals found are kept so a decision can be explained.

>>> kind, evidence = detect_kind("Overall summary\\nLocal authority rating\\nGood\\n"
...                              "Summary of strengths, areas for development and next steps")
>>> kind.value, evidence
('overall-summary', ('overall summary', 'rating line', 'summary of strengths'))
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from cqckg.read.model import DocumentKind

__all__ = ["RULES", "DocumentKind", "KindRule", "Signals", "detect_kind", "is_pilot"]

# CQC's pilot assessments (indicative scores and ratings) were published in 2023; its formal
# assessments of local authorities began in December 2023 and were first published in 2024.
PILOT_YEAR = 2023

_QUOTES = {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"}
_SPACES = re.compile(r"\s+")


def _straight_quotes(text: str) -> str:
    """Curly quotes and long dashes made plain (``str.replace`` is much faster on a whole
    document than ``str.translate``)."""
    for curly, plain in _QUOTES.items():
        text = text.replace(curly, plain)
    return text


def fold_lines(text: str) -> list[str]:
    """The text's lines folded for matching: case, quotes, dashes, markdown heading marks."""
    folded = _straight_quotes(text).casefold().replace("\ufeff", "")
    return [_SPACES.sub(" ", line.strip().lstrip("#").strip(" *")) for line in folded.split("\n")]


def _count(pattern: str) -> Callable[[list[str]], int]:
    regex = re.compile(pattern)
    return lambda lines: sum(1 for line in lines if regex.search(line))


# Named signals: the number of lines that show each one.
SIGNALS: dict[str, Callable[[list[str]], int]] = {
    "theme headings": _count(r"^theme \d+\s*:"),
    "quality statement scores": _count(r"^quality statement scores$"),
    "overall summary": _count(r"^overall summary$"),
    "key findings": _count(r"^key findings for this quality statement:?$"),
    "score line": _count(r"^(?:indicative )?score\s*:"),
    "statement parts": _count(r"^(?:what people expect|the local authority commitment):?$"),
    "rating line": _count(r"^local authority (?:indicative )?rating"),
    "summary of strengths": _count(r"^summary of strengths"),
    "how we assess": _count(r"^\[?how we assess local authorities\b"),
    "assessment published": _count(r"^assessment published:"),
    "about the council": _count(
        r"^(?:about (?!the care quality commission).+|demographics|financial facts)$"
    ),
    "press headline": _count(r"^cqc (?:rates|publishes|has rated)\b"),
    "has rated": _count(r"\bthe care quality commission \(cqc\),? has rated\b"),
    "numbered scores": _count(r"^(?:\d+\.\s+|[-•*]\s*)\S.*\s-\s*\d\s*$"),
    "published line": _count(r"^published: \d{1,2} \w+ \d{4}"),
}


@dataclass(frozen=True)
class Signals:
    """How many lines show each signal."""

    counts: dict[str, int]

    @classmethod
    def of(cls, text: str) -> Signals:
        lines = fold_lines(text)
        return cls({name: count(lines) for name, count in SIGNALS.items()})

    def __getitem__(self, name: str) -> int:
        return self.counts[name]


@dataclass(frozen=True)
class KindRule:
    """A kind and the test its signals must pass; rules are tried in order."""

    kind: DocumentKind
    description: str
    test: Callable[[Signals], bool]
    shown_by: tuple[str, ...]


RULES: tuple[KindRule, ...] = (
    KindRule(
        DocumentKind.FULL_REPORT,
        "several themes or statements, with the overall summary or the statement scores",
        lambda s: (
            (s["theme headings"] >= 2 or s["key findings"] >= 2)
            and (s["overall summary"] + s["quality statement scores"] > 0)
        ),
        ("theme headings", "key findings", "overall summary", "quality statement scores"),
    ),
    KindRule(
        DocumentKind.PRESS_RELEASE,
        "a 'CQC rates/publishes ...' headline or 'The Care Quality Commission (CQC), has rated'",
        lambda s: s["press headline"] + s["has rated"] > 0,
        ("press headline", "has rated", "numbered scores", "published line"),
    ),
    KindRule(
        DocumentKind.QUALITY_STATEMENT_PAGE,
        "one score line with 'Key findings for this quality statement' or the I/We statements",
        lambda s: s["score line"] == 1 and s["key findings"] + s["statement parts"] > 0,
        ("score line", "key findings", "statement parts"),
    ),
    KindRule(
        DocumentKind.OVERALL_SUMMARY,
        "'Overall summary' with a rating line or 'Summary of strengths ...'",
        lambda s: s["overall summary"] > 0 and s["rating line"] + s["summary of strengths"] > 0,
        ("overall summary", "rating line", "summary of strengths"),
    ),
    KindRule(
        DocumentKind.LANDING_PAGE,
        "'How we assess local authorities', 'Assessment published:' and 'About ...' facts",
        lambda s: (
            s["how we assess"] > 0 and s["assessment published"] > 0 and s["about the council"] > 0
        ),
        ("how we assess", "assessment published", "about the council"),
    ),
)


def detect_kind(text: str) -> tuple[DocumentKind | None, tuple[str, ...]]:
    """The kind of a document and the signals that show it, or ``None`` and no signals."""
    signals = Signals.of(text)
    for rule in RULES:
        if rule.test(signals):
            return rule.kind, tuple(name for name in rule.shown_by if signals[name] > 0)
    return None, ()


def expected_kinds() -> str:
    """What the rules look for, for an error message."""
    return "; ".join(f"{rule.kind.value}: {rule.description}" for rule in RULES)


_INDICATIVE = re.compile(r"\bindicative (?:score|rating)\b|\brating: indicative\b")


def is_pilot(text: str, published: dt.date | None) -> bool:
    """Whether a document is from CQC's pilot: indicative scores or rating, or a 2023 date.

    >>> is_pilot("Indicative score:\\n2 - Evidence shows some shortfalls", None)
    True
    >>> is_pilot("Score: 3", dt.date(2024, 11, 8))
    False
    """
    folded = _straight_quotes(text).casefold()
    indicative = _INDICATIVE.search(folded)
    return indicative is not None or (published is not None and published.year == PILOT_YEAR)
