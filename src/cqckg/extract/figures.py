"""Local figures: "About" facts (population, area, deprivation, budget and spend, people
supported) and every other count, percentage, amount or duration a report prints.

A figure is a number with a unit (:mod:`cqckg.extract.numbers`) that is not part of something
else. Left out: the numbers of a statistic (its value, its comparator and anything between them,
such as "91 days" in "people over 65 were still at home 91 days after discharge"), years and
periods, dates, ranges, ordinals, designators ("Section 42", "Pathway 1", "Theme 2"), names
("Five-year Reablement Strategy"), ages ("aged over 65", "age 17", "65+"), the scale of a score
("with 10 being the highest"), and anything in a heading or a score line.

Its label is the phrase it counts: the words after it when they name something ("425 people
were supported in out of area placements", "22% of the budget was spent on ..."), otherwise the
words before it ("its total budget would be £363,119,000" gives "total budget"). Its period is
the year or reporting period printed in its sentence (the nearest one), or the previous
sentence's when it says "that year".
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from cqckg.extract.anchors import sentence_anchor
from cqckg.extract.numbers import Period, Quantity, find_periods, find_quantities
from cqckg.extract.records import FigureRecord, StatisticRecord
from cqckg.extract.statistics import MeasureVocabulary, measure_in
from cqckg.read.model import Document, Sentence

__all__ = ["FigureVocabulary", "extract_figures", "figure_label"]


class FigureVocabulary(MeasureVocabulary, Protocol):
    """What figures need from :mod:`cqckg.core.vocabulary`."""

    @property
    def concepts(self) -> Mapping[str, Mapping[str, object]]: ...

    def quality_statement_for(self, heading: str) -> str | None: ...


_SCORE_LINE = re.compile(
    r"^\s*(?:#+\s*)?(?:indicative\s+)?score\s*:|^\s*\d\s*[-–—]\s*evidence\s+shows|"
    r"^\s*(?:\d+[.)]\s*)?[^.]{3,80}?\s[-–—]\s*\d\s*$",
    re.IGNORECASE,
)
_MONTH = re.compile(
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s*$"
)
# "Section 42", "Pathway 1", "Theme 2": a capitalised word naming the number (not a sentence's
# first word, which is capitalised anyway).
_DESIGNATOR = re.compile(r"(?:(?<=[\w,;:)] )|^)(?-i:[A-Z][A-Za-z]*|[A-Z]+)\s*:?\s*$")
# Capitalised only because they open a sentence: "All 3 local authorities", "Over 100 people".
_OPENERS = frozenset(
    {
        "all",
        "only",
        "about",
        "around",
        "over",
        "almost",
        "approximately",
        "nearly",
        "some",
        "just",
        "of",
        "in",
        "with",
        "between",
        "under",
        "more",
        "less",
        "fewer",
        "at",
        "for",
        "by",
        "within",
        "up",
        "the",
        "another",
        "and",
        "but",
        "also",
        "each",
        "every",
        "total",
    }
)
_AGE_BEFORE = re.compile(
    r"\b(?:aged?|ages|reaching|turning|from\s+the\s+age\s+of|(?:are|were|is|people|adults|those)"
    r"\s+(?:over|under))\s+(?:of\s+)?(?:over\s+|under\s+|between\s+)?$",
    re.IGNORECASE,
)
_AGE_AFTER = re.compile(r"^(?:\s*\+|\s+and\s+(?:over|above|older)|\s+years?\s+old|\s*-year-olds?)")
_SCALE_AFTER = re.compile(r"^\s+being\b")
_AGO = re.compile(r"^\s+ago\b")
_DURATIONS = frozenset(("hours", "days", "weeks", "months", "years"))
_NAME_AFTER = re.compile(r"^\s+(?-i:[A-Z])")
_THAT_YEAR = re.compile(r"\b(?:that|the\s+same)\s+year\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[;:]|,\s|\s[-–—]\s")
_BRACKETED = re.compile(r"\([^()]*\)?")
_AFTER_END = re.compile(
    r",|;|:|\(|\)|\.(?:\s|$)|\s[-–—]\s|\s(?=[£\d])|\b(?:which|compared|since|and\s+(?=\d|approximately|"
    r"over|around))\b",
    re.IGNORECASE,
)
# Words that start a phrase about the number rather than naming what it counts.
_NOT_A_NAME = re.compile(
    r"^(?:was|were|is|are|be|been|more|less|per|in|on|at|to|for|and|or|which|who|that|being|as"
    r"|by|with|from|since|each|rated|increase|higher|lower|than|of\s+these"
    r"|later|ago|after|before|stay|period|timeframe|target|completion)\b",
    re.IGNORECASE,
)
_FILLER = frozenset(
    {
        "which",
        "that",
        "was",
        "were",
        "is",
        "are",
        "would",
        "will",
        "be",
        "been",
        "being",
        "had",
        "has",
        "have",
        "by",
        "of",
        "at",
        "as",
        "to",
        "in",
        "within",
        "during",
        "for",
        "after",
        "a",
        "an",
        "the",
        "with",
        "value",
        "around",
        "approximately",
        "over",
        "almost",
        "about",
        "nearly",
        "up",
        "under",
        "some",
        "totalling",
        "reported",
        "showed",
        "shows",
        "documents",
        "indicated",
        "rated",
        "ranked",
        "and",
        "or",
    }
)
_BE_PREDICATE = re.compile(r"^(?:are|were|is|was)\s+(?!(?:more|less|higher|lower)\b)", re.I)
_LEAD = re.compile(
    r"^(?:(?:and|but|also|with|of\s+which|of|where|while|however|its|their|the|a|an|this|these"
    r"|there(?:\s+(?:are|were|is|was))?)\b\s*,?\s*)+",
    re.IGNORECASE,
)
# A verb or preposition after which the rest of a clause names the figure: "home to", "with a".
_HEAD_CUT = re.compile(
    r".*\b(?:with|has|had|have|showed|shows|indicated|that(?!\s+year)|of\s+which)\s+",
    re.IGNORECASE,
)
_MAX_WORDS = 14


def extract_figures(
    doc: Document, vocab: FigureVocabulary, statistics: Sequence[StatisticRecord]
) -> list[FigureRecord]:
    """Every local figure in a document, in text order, leaving out the statistics' numbers."""
    taken = _statistic_spans(doc, statistics)
    units = vocab.concepts.get("unit", {})
    headings = sorted((s.heading_start, s.heading_end) for s in doc.sections)
    out = []
    previous_periods: dict[int, list[Period]] = {}
    for sentence in doc.sentences:
        periods = [p for p in find_periods(sentence.text, sentence.start) if _is_period(doc, p)]
        if not periods and _THAT_YEAR.search(sentence.text):
            periods = previous_periods.get(sentence.paragraph, [])
        if periods:
            previous_periods[sentence.paragraph] = periods
        if _skipped(sentence, vocab, headings):
            continue
        for q in find_quantities(sentence.text, sentence.start):
            if any(a <= q.start < b for a, b in taken) or not _is_figure(doc.text, sentence, q):
                continue
            if units and q.unit not in units:
                continue  # a unit the graph cannot state yet (minutes)
            label = figure_label(doc.text, sentence, q)
            clause = _clause(doc.text, sentence, q)
            out.append(
                FigureRecord(
                    value=q.value,
                    unit=q.unit,
                    label=label,
                    measure=measure_in(vocab, q.unit, clause, label),
                    period=_nearest(periods, q),
                    quality_statement=_quality_statement(doc, sentence),
                    anchors=(sentence_anchor(doc, sentence),),
                )
            )
    return out


def _statistic_spans(doc: Document, statistics: Iterable[StatisticRecord]) -> list[tuple[int, int]]:
    """From a statistic's value to its comparator's value (both included), per statistic."""
    spans = []
    for record in statistics:
        a = record.anchors[0]
        if a.document_sha256 != doc.sha256:
            continue
        qs = find_quantities(doc.text[a.start : a.end], a.start)
        values = [q for q in qs if q.value == record.value and q.unit == record.unit]
        comparators = [q for q in qs if q.value == record.comparator_value]
        if values and comparators:
            ends = (values[0].start, values[0].end, comparators[-1].start, comparators[-1].end)
            spans.append((min(ends), max(ends)))
    return spans


def _skipped(sentence: Sentence, vocab: FigureVocabulary, headings: list[tuple[int, int]]) -> bool:
    """Headings, score lines and lists of statement scores carry no figures."""
    i = bisect.bisect_right(headings, (sentence.start, len(headings) and headings[-1][1]))
    if i and headings[i - 1][0] <= sentence.start < headings[i - 1][1]:
        return True
    if _SCORE_LINE.match(sentence.text):
        return True
    return len(sentence.text) <= 80 and vocab.quality_statement_for(sentence.text) is not None


def _is_period(doc: Document, period: Period) -> bool:
    """A year in a name ("Carers Strategy 2023-2028", "Care Act 2014") is not a period."""
    before = doc.text[max(0, period.start - 40) : period.start]
    return _MONTH.search(before) is not None or _DESIGNATOR.search(before) is None


def _is_figure(text: str, sentence: Sentence, q: Quantity) -> bool:
    before = text[max(sentence.start, q.start - 40) : q.start]
    after = text[q.end : min(sentence.end, q.end + 30)]
    if _SCALE_AFTER.match(after):
        return False
    if q.unit in ("count", "years") and (_AGE_BEFORE.search(before) or _AGE_AFTER.match(after)):
        return False
    if q.unit == "count":
        designator = _DESIGNATOR.search(text[max(sentence.start, q.start - 30) : q.start])
        if designator and designator.group(0).strip(" :").lower() not in _OPENERS:
            return False
    if q.unit in _DURATIONS and _AGO.match(after):
        return False  # "3 years ago" dates something, it does not measure it
    return not ("-" in q.text and q.unit != "gbp" and _NAME_AFTER.match(after))


def figure_label(text: str, sentence: Sentence, q: Quantity) -> str:
    """The phrase a figure counts: after it when that names something, else before it.

    >>> s = "As of 31 January 2024, 425 people were supported in out of area placements."
    >>> q = find_quantities(s)[0]
    >>> figure_label(s, Sentence(0, s, 0, len(s), 0, None), q)
    'people were supported in out of area placements'
    >>> s = "Its actual spend for that year was **£386,922,000**, which was more."
    >>> figure_label(s, Sentence(0, s, 0, len(s), 0, None), find_quantities(s)[0])
    'actual spend for that year'
    """
    raw = text[q.end : sentence.end].lstrip("* ")
    raw = re.sub(r"^(?:of\s+(?!these\b|which\b))", "", raw, flags=re.IGNORECASE)
    stop = _AFTER_END.search(raw)
    raw = _strip_tail(_LEAD.sub("", _words(raw[: stop.start() if stop else len(raw)], first=True)))
    # a duration, rank or rate is described by what comes before it
    tail = raw if q.unit in ("count", "percent", "gbp") else ""
    if tail and (
        not _NOT_A_NAME.match(tail) or (q.unit == "percent" and _BE_PREDICATE.match(tail))
    ):
        return tail
    heads = _heads(text, sentence, q)
    if heads and heads[0]:
        return heads[0]
    return tail or next((h for h in heads if h), "") or _words(f"{q.text} {raw}", first=True)


def _heads(text: str, sentence: Sentence, q: Quantity) -> list[str]:
    """The words before a figure back to each clause start (nearest first), without filler.

    Bracketed asides are blanked out first ("score of 5 (with 10 being the highest) and is
    rated 87th" reads "score of 5 and is rated 87th").
    """
    before = _BRACKETED.sub(lambda m: " " * len(m.group(0)), text[sentence.start : q.start])
    segments = {0}
    segments.update(m.end() for m in _CLAUSE_BREAK.finditer(before))
    segments.update(o.end for o in find_quantities(before))
    out = []
    for begin in sorted(segments, reverse=True):
        phrase = _strip_tail(before[begin:].replace("**", ""))
        cut = _HEAD_CUT.match(phrase)
        phrase = phrase[cut.end() :] if cut else phrase
        phrase = _LEAD.sub("", phrase.strip(" ,*"), count=1).strip()
        phrase = re.sub(r"^(?:[\d/–-]+\s+)+", "", phrase)  # the end of a period: "2023 the rate"
        out.append("" if re.fullmatch(r"\W*", phrase) else _words(phrase, first=False))
    return out


def _strip_tail(phrase: str) -> str:
    """A phrase without its trailing filler words ("total budget would be" -> "total budget")."""
    words = phrase.replace("**", "").split()
    while words and (words[-1].lower().strip(",*(") in _FILLER or not words[-1].strip(",*(")):
        words.pop()
    return " ".join(words)


def _words(phrase: str, *, first: bool) -> str:
    """At most ``_MAX_WORDS`` words of a phrase: its first ones or its last ones."""
    words = phrase.replace("**", "").split()
    words = words[:_MAX_WORDS] if first else words[-_MAX_WORDS:]
    return " ".join(words).strip(" ,.;:'\"’”*")


def _clause(text: str, sentence: Sentence, q: Quantity) -> str:
    """The clause around a figure, for recognising its measure (not reaching other figures)."""
    others = [o for o in find_quantities(sentence.text, sentence.start) if o.start != q.start]
    start = max([sentence.start, *(o.end for o in others if o.end <= q.start)])
    stop = min([sentence.end, *(o.start for o in others if o.start >= q.end)])
    for m in re.finditer(
        r";|,\s+(?:and|of\s+which)\b|\band\s+(?=approximately\b)", text[start : q.start]
    ):
        start = start + m.end()
    after = re.search(r";|,\s+and\b|\s+and\s+(?=approximately\b)|\.\s", text[q.end : stop])
    end = q.end + after.start() if after else stop
    return text[start:end].replace("**", "")


def _nearest(periods: list[Period], q: Quantity) -> str | None:
    if not periods:
        return None
    before = [p for p in periods if p.end <= q.start]
    if before:
        return before[-1].text
    return min(periods, key=lambda p: abs(p.start - q.end)).text


def _quality_statement(doc: Document, sentence: Sentence) -> str | None:
    section = doc.section_of(sentence)
    return (section.quality_statement if section else None) or doc.quality_statement
