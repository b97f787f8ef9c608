"""National statistics: a value for the council set against an England, London or regional one.

CQC's reports state them in a handful of recurring shapes, all read by the rules below:

- value, then comparator in one sentence: "55.98% of people were satisfied ..., which is lower
  than the England average of 61.21%" (also "(17.3%)" in brackets after the average, and
  "compared to the 75.99% England average" with the number first);
- value in the sentence before, comparator in a sentence that opens by referring back to it:
  "66.11% of people felt ... . This was slightly lower than the England average of 69.81%";
- value after a bracketed comparator: "more diverse than the England average (19%) with 40% ...";
- two comparators for one value ("similar to the England average of 66.26%, and higher than
  the regional average of 62.35%"): one record per comparator, each with its own direction.

A comparator is only an area's average with a number. "In line with national averages" with no
number gives no record: a :class:`StatisticRecord` needs both values. Past values ("compared to
42% 6 years ago") are not comparators either; such numbers are left to :mod:`figures`.

The direction is the one the report states, read from the words nearest the comparator
("lower than", "in line with", "statistically comparable", "fewer ... than"); only when the
text states none is it computed from the two numbers.

The cited source is the bracketed citation after the comparator ("(ASCS, 2023)", "(SALT 2023)"),
else the first one in the next sentences of the same paragraph (a citation closing a passage
covers the figures before it), else a source named before the value ("From the Adult Social
Care Survey (ASCS), 72.63% ..."). Its year is the year printed in it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from cqckg.extract.anchors import anchor, sentence_anchor
from cqckg.extract.numbers import Quantity, find_quantities
from cqckg.extract.records import Anchor, ComparatorArea, Direction, StatisticRecord
from cqckg.read.model import Document, Sentence

__all__ = [
    "Citation",
    "FoundStatistic",
    "MeasureVocabulary",
    "extract_statistics",
    "find_statistics",
]


class _MeasureUnit(Protocol):
    @property
    def unit(self) -> str | None: ...


class MeasureVocabulary(Protocol):
    """What statistics and figures need from :mod:`cqckg.core.vocabulary`."""

    @property
    def measures(self) -> Mapping[str, _MeasureUnit]: ...

    def measure_for(self, text: str) -> str | None: ...

    def data_source_for(self, citation: str) -> str | None: ...


def measure_in(vocab: MeasureVocabulary, unit: str, *texts: str) -> str | None:
    """The measure the first of ``texts`` that names one signals, if its unit is ``unit``.

    A measure whose default unit differs is not what a value in another unit measures (a
    percentage of the population is not the population).
    """
    for text in texts:
        slug = vocab.measure_for(text)
        if slug is not None:
            measure = vocab.measures.get(slug)
            if measure is None or measure.unit in (None, unit):
                return slug
    return None


_AREAS = {
    "england": ComparatorArea.ENGLAND,
    "english": ComparatorArea.ENGLAND,
    "national": ComparatorArea.NATIONAL,
    "london": ComparatorArea.LONDON,
    "regional": ComparatorArea.REGIONAL,
    "region": ComparatorArea.REGIONAL,
}
_KIND = r"(?:average|rate|figure|mean|benchmark)s?"
# "the England average", "the London rate", "the average for England".
_COMPARATOR = re.compile(
    rf"\b(?P<area>England|English|national|London|regional)\s+{_KIND}\b"
    rf"|\b{_KIND}\s+(?:for|in|across)\s+(?:the\s+)?(?P<area2>England|London|region)\b",
    re.IGNORECASE,
)
# Between the comparator and its number: "of", "(", "was", "for local authorities of", ...
_COMPARATOR_TO_VALUE = re.compile(
    r"\s*(?:for\s+[^,.;:()%\d]{1,60}?\s*)?,?\s*(?:(?:which\s+)?(?:was|is|were|stood\s+at|at|of|:|=)\s*)?\(?\s*",
    re.IGNORECASE,
)
# A sentence that continues the previous one's figure: "This was slightly lower than ...".
_REFERS_BACK = re.compile(
    r"\s*(?:This|That|It|These|Which|The\s+(?:figure|rate|proportion|percentage|number))\b"
)
_SIMILAR = (
    r"in\s+line\s+with|similar\s+(?:to|with)|(?:statistically\s+)?comparable|"
    r"(?:about|roughly|broadly)?\s*the\s+same\s+as|consistent\s+with|close\s+to|on\s+a\s+par|"
    r"level\s+with|in\s+keeping\s+with|not\s+(?:significantly|statistically)\s+different"
)
_HIGHER = r"higher|greater|above|exceed\w*|more\s+(?:[\w-]+\s+){0,3}?than|larger|over\s+the"
_LOWER = r"lower|below|fewer|less|smaller|under\s+the"
_DIRECTION = re.compile(
    rf"\b(?:(?P<similar>{_SIMILAR})|(?P<higher>{_HIGHER})|(?P<lower>{_LOWER}))\b", re.IGNORECASE
)
_YEAR = re.compile(r"\b(?:19|20)\d\d(?:\s*[/–-]\s*\d\d(?:\d\d)?)?\b")
_BRACKETED = re.compile(r"\(([^()]{2,160})\)")
# A source named in front of the value: "From the Adult Social Care Survey (ASCS), 72.63% ...".
_SOURCE_BEFORE = re.compile(
    r"\b(?i:from|according\s+to|data\s+from)\s+(?:the\s+)?"
    r"(?P<source>[A-Z][\w'’&-]*(?:\s+(?:[A-Z][\w'’&-]*|of|for|and|in|the))*(?:\s*\([A-Za-z&-]+\))?)",
)
# What goes before the value in a label but is not what is measured.
_LABEL_LEAD = re.compile(
    r"^(?:(?:also|and|but|however|similarly|furthermore|additionally|in\s+addition)\s*,?\s*)*"
    r"(?:(?:national\s+)?data(?:\s+(?:in|for|from)\s+[^,]+?)?\s+"
    r"(?:showed|shows|indicated|indicates|suggested|suggests|supported\s+this\s+\w+\s+with|"
    r"supports\s+these\s+findings\s+showing)\s+(?:that\s+)?)?"
    r"(?:(?:this|it)\s+(?:was|is)\s+(?:reflected|evidenced|shown)\s+in\s+(?:the\s+)?)?"
    r"(?:(?:in|for|during)\s+\d{4}(?:[/–-]\d{2,4})?\s*,?\s*)?"
    r"(?:there\s+(?:are|were|is|was)\s+)?(?:(?:fewer|more|less)\s+)?",
    re.IGNORECASE,
)
_LABEL_TAIL = re.compile(
    r"(?:\s*,?\s*\b(?:which|that|who|it|was|were|is|are|remains?|remained|stood|reported|as|"
    r"at|of|with|low|high|be|been|had|has|showed|shows|indicated|recorded)\b\s*,?)+$|"
    r"[\s,(]+$",
    re.IGNORECASE,
)
_LABEL_END = re.compile(
    r",(?!\s+(?-i:[A-Z]))|;|:|\(|\bwhich\b|\bcompared\b|\bin\s+comparison\b|\bthis\s+has\b|\bthan\b"
    r"|\b(?:is|was|were|are)\s+(?:also\s+)?(?:slightly\s+|significantly\s+)?"
    rf"(?:{_HIGHER}|{_LOWER}|similar|in\s+line)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Citation:
    """A cited source as printed (without brackets) and where it is."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class FoundStatistic:
    """A statistic found in a run of sentences, before vocabulary look-ups and anchors."""

    value: Quantity
    comparator: ComparatorArea
    comparator_value: Quantity
    direction: Direction
    stated: bool  # the direction is the report's word, not computed
    label: str
    citation: Citation | None
    first_sentence: int  # index into the sentences given
    last_sentence: int


@dataclass(frozen=True)
class _Mention:
    area: ComparatorArea
    start: int  # the comparator phrase
    end: int
    value: Quantity


def extract_statistics(doc: Document, vocab: MeasureVocabulary) -> list[StatisticRecord]:
    """Every statistic with a comparator in a document, in text order.

    Raises ``ValueError`` (from :func:`anchor`) only if the document's offsets are broken.
    """
    records = []
    for sentences in _by_paragraph(doc.sentences):
        for found in find_statistics(sentences, doc.text):
            records.append(_record(doc, vocab, sentences, found))
    return records


def find_statistics(sentences: Sequence[Sentence], text: str) -> list[FoundStatistic]:
    """The statistics stated in one paragraph's sentences (offsets are into ``text``).

    >>> s = "Data showed 66.11% of people felt safe. This was lower than the England average of "
    >>> s += "69.81% (ASCS, 2023)."
    >>> sents = [Sentence(0, s[:39], 0, 39, 0, None), Sentence(1, s[40:], 40, len(s), 0, None)]
    >>> [(f.value.text, f.comparator.value, f.comparator_value.text, f.direction.value,
    ...   f.label, f.citation and f.citation.text) for f in find_statistics(sents, s)]
    [('66.11%', 'england', '69.81%', 'lower', 'people felt safe', 'ASCS, 2023')]
    """
    quantities = [find_quantities(s.text, s.start) for s in sentences]
    mentions = [_mentions(s, qs) for s, qs in zip(sentences, quantities, strict=True)]
    taken = {(m.value.start, m.value.end) for ms in mentions for m in ms}
    out = []
    for i, sentence_mentions in enumerate(mentions):
        for j, mention in enumerate(sentence_mentions):
            previous = sentence_mentions[j - 1] if j else None
            found = _statistic(sentences, quantities, taken, i, mention, previous, text)
            if found is not None:
                out.append(found)
    return out


def _mentions(sentence: Sentence, quantities: list[Quantity]) -> list[_Mention]:
    """The comparator phrases of a sentence that carry a number."""
    out = []
    for m in _COMPARATOR.finditer(sentence.text):
        area = _AREAS[(m.group("area") or m.group("area2")).lower()]
        start, end = sentence.start + m.start(), sentence.start + m.end()
        value = _comparator_value(sentence, quantities, start, end)
        if value is not None:
            out.append(_Mention(area, start, end, value))
    return out


def _comparator_value(
    sentence: Sentence, quantities: list[Quantity], start: int, end: int
) -> Quantity | None:
    """The number printed with a comparator: "average of 61.21%", "average (17.3%)", "the 75.99%
    England average"."""
    local = sentence.start
    for q in quantities:
        if q.start >= end:
            gap = _COMPARATOR_TO_VALUE.fullmatch(sentence.text, end - local, q.start - local)
            return q if gap is not None else None
    before = [q for q in quantities if q.end <= start]
    if before and re.fullmatch(r"\s*", sentence.text[before[-1].end - local : start - local]):
        return before[-1]
    return None


def _statistic(
    sentences: Sequence[Sentence],
    quantities: list[list[Quantity]],
    taken: set[tuple[int, int]],
    i: int,
    mention: _Mention,
    previous: _Mention | None,
    text: str,
) -> FoundStatistic | None:
    sentence = sentences[i]
    unit = mention.value.unit

    def candidates(qs: list[Quantity]) -> list[Quantity]:
        return [q for q in qs if q.unit == unit and (q.start, q.end) not in taken]

    first = i
    before = [q for q in candidates(quantities[i]) if q.end <= mention.start]
    after = [q for q in candidates(quantities[i]) if q.start >= mention.value.end]
    if before:
        value = before[-1]
    elif after and _joins(text[mention.value.end : after[0].start]):
        value = after[0]
    elif i > 0 and _REFERS_BACK.match(sentence.text) and candidates(quantities[i - 1]):
        value = candidates(quantities[i - 1])[-1]
        first = i - 1
    else:
        return None

    direction, stated = _direction(text, sentences[first], value, mention, previous)
    return FoundStatistic(
        value=value,
        comparator=mention.area,
        comparator_value=mention.value,
        direction=direction,
        stated=stated,
        label=_label(text, sentences[first], value),
        citation=_citation(sentences, i, mention, value, first, text),
        first_sentence=first,
        last_sentence=i,
    )


def _joins(between: str) -> bool:
    """A value right after a bracketed comparator: "the England average (19%) with 40% ..."."""
    return re.fullmatch(r"\)?\s*,?\s*(?:with|at|and)\s+", between) is not None


def _direction(
    text: str,
    value_sentence: Sentence,
    value: Quantity,
    mention: _Mention,
    previous: _Mention | None,
) -> tuple[Direction, bool]:
    """The direction the words nearest the comparator state, else the numbers' comparison."""
    starts = [mention.start - 300]
    if value.end <= mention.start:
        starts.append(value.end)
    else:  # the value follows the comparator: read the sentence up to the comparator
        starts.append(value_sentence.start)
    if previous is not None:
        starts.append(previous.value.end)
    if mention.start < value_sentence.start or value.end > mention.start:
        starts.append(value_sentence.start)
    window = text[max(starts) : mention.start]
    cue = _last_cue(window)
    if cue is None and value.end <= mention.start:
        lead_start = max(value_sentence.start, previous.value.end if previous else 0)
        if lead_start < value.start:
            cue = _last_cue(text[lead_start : value.start])
    if cue is not None:
        return cue, True
    if value.value > mention.value.value:
        return Direction.HIGHER, False
    if value.value < mention.value.value:
        return Direction.LOWER, False
    return Direction.SIMILAR, False


def _last_cue(window: str) -> Direction | None:
    cue = None
    for m in _DIRECTION.finditer(window):
        cue = m.lastgroup
    return None if cue is None else Direction(cue)


def _label(text: str, sentence: Sentence, value: Quantity) -> str:
    """What is measured, in the report's words: the phrase after the value ("of people who ..."),
    else the one before it ("staff turnover rate was 5.3%")."""
    after = text[value.end : sentence.end]
    after = re.sub(r"^\s*\)?\s*(?:of\s+(?:the\s+)?)?", "", after)
    stop = _LABEL_END.search(after)
    tail = after[: stop.start() if stop else len(after)].strip(" .,;*'\"’”")
    clause_start = sentence.start
    for m in re.finditer(
        r"[;:]|,\s+(?=(?:and|but|while|whereas)\b)", text[sentence.start : value.start]
    ):
        clause_start = sentence.start + m.end()
    head = text[clause_start : value.start]
    head = _LABEL_TAIL.sub("", _LABEL_LEAD.sub("", head.strip(" *(")).strip()).strip(" ,*(")
    parenthesised = text[value.start - 1 : value.start] == "("
    if parenthesised and head:
        return _tidy(f"{head} {tail}" if tail else head)
    if tail and not re.fullmatch(r"(?:days?|weeks?|months?|years?|hours?)", tail, re.IGNORECASE):
        return _tidy(tail)
    return _tidy(head)


def _tidy(label: str) -> str:
    return re.sub(r"\s+", " ", label.replace("**", "")).strip(" ,.;")


def _citation(
    sentences: Sequence[Sentence], i: int, mention: _Mention, value: Quantity, first: int, text: str
) -> Citation | None:
    sentence = sentences[i]
    found = _bracketed_citation(text, mention.value.end, sentence.end)
    for later in sentences[i + 1 : i + 4]:
        if found is not None:
            break
        found = _bracketed_citation(text, later.start, later.end)
    if found is None:
        lead = text[sentences[first].start : value.start]
        m = _SOURCE_BEFORE.search(lead)
        if m is not None:
            start = sentences[first].start + m.start("source")
            found = Citation(m.group("source"), start, start + len(m.group("source")))
    return found


def _bracketed_citation(text: str, start: int, end: int) -> Citation | None:
    """The first bracketed citation in ``text[start:end]``: a year with a name, or an acronym."""
    for m in _BRACKETED.finditer(text, start, end):
        inner = m.group(1)
        has_year = _YEAR.search(inner) is not None
        has_name = re.search(r"[A-Z]{2,}|[A-Z][a-z]+\s+[A-Za-z]", inner) is not None
        if has_year and has_name:
            return Citation(inner.strip(), m.start(1), m.end(1))
    return None


def _by_paragraph(sentences: Sequence[Sentence]) -> list[list[Sentence]]:
    groups: dict[int, list[Sentence]] = {}
    for s in sentences:
        groups.setdefault(s.paragraph, []).append(s)
    return list(groups.values())


def _record(
    doc: Document, vocab: MeasureVocabulary, sentences: Sequence[Sentence], found: FoundStatistic
) -> StatisticRecord:
    run = sentences[found.first_sentence : found.last_sentence + 1]
    anchors: list[Anchor] = [sentence_anchor(doc, *run)]
    citation = found.citation
    source = None if citation is None else vocab.data_source_for(citation.text)
    if citation is not None and source is None and citation.start < found.value.start:
        citation = None  # a name before the value counts only if it is a known data source
    if citation is not None and not run[0].start <= citation.start < run[-1].end:
        anchors.append(anchor(doc, citation.start, citation.end))
    period = None  # the year of the citation ("ASCS, 2023")
    if citation is not None:
        m = _YEAR.search(citation.text)
        period = m.group(0) if m else None
    section = doc.section_of(sentences[found.last_sentence])
    quality_statement = (section.quality_statement if section else None) or doc.quality_statement
    return StatisticRecord(
        measure=measure_in(vocab, found.value.unit, found.label, " ".join(s.text for s in run)),
        measure_label=found.label,
        value=found.value.value,
        unit=found.value.unit,
        comparator=found.comparator,
        comparator_value=found.comparator_value.value,
        direction=found.direction,
        source=source,
        source_text=None if citation is None else citation.text,
        period=period,
        quality_statement=quality_statement,
        anchors=tuple(anchors),
    )
