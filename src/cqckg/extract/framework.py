"""Scores, overall rating, "I" and "We" statements and key-findings sections.

These follow CQC's page template, so the rules are line patterns over the document text:

* a quality statement's name on a line of its own (any heading level, or none), then
  ``Score: 3`` / ``## Score: 3`` / ``Indicative score:`` and ``2 - Evidence shows some shortfalls``;
* a numbered list ``1. assessing people's needs - 3`` (press releases);
* ``Local authority rating and score`` / ``Local authority indicative rating`` followed by the
  rating, or ``has rated <council> as good`` (press releases);
* ``What people expect`` then the I statements, ``The local authority commitment`` then the We
  statement, ``Key findings for this quality statement`` then the section headings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from cqckg.core.vocabulary import Vocabulary
from cqckg.extract.anchors import anchor
from cqckg.extract.records import (
    FrameworkStatementRecord,
    PercentageRecord,
    RatingRecord,
    ReportSectionRecord,
    StatementScoreRecord,
)
from cqckg.read.model import Document, DocumentKind

_SCORE_LINE = re.compile(r"^\W*(?P<ind>indicative\s+)?score\s*:?\s*(?P<n>\d)?\s*$", re.IGNORECASE)
# "2 - Evidence shows some shortfalls", "1 – Inadequate: Evidence shows significant shortfalls"
_LEVEL_LINE = re.compile(
    r"^\W*(?P<n>\d)\s*[-–—:]\s*"
    r"(?:(?:inadequate|requires improvement|good|outstanding)\s*[:\-–—]\s*)?evidence shows\b",
    re.IGNORECASE,
)
# A listed score: "1. Assessing people's needs – 2", "- assessing people's needs - 2",
# "• Leadership (governance, management and sustainability) – indicative score of two".
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4"}
_LIST_SCORE = re.compile(
    r"^\s*(?:\d{1,2}[.)]\s+|[-•*–]\s*)?(?P<name>[A-Za-z].+?)\s*[-–—:]\s*"
    r"(?:(?P<ind>indicative\s+)?score(?:\s+of)?\s*)?(?P<n>[1-4]|one|two|three|four)\.?\s*$",
    re.IGNORECASE,
)
_RATED = re.compile(
    r"\brated\s+(?:the\s+)?(?P<who>[^.]{3,120}?)\s+as\s+"
    r"(?P<r>outstanding|good|requires improvement|inadequate)\b",
    re.IGNORECASE,
)
_RATES_HEADLINE = re.compile(
    r"\bCQC rates\b[^\n]{3,160}?\bas\s+(?P<r>outstanding|good|requires improvement|inadequate)\b",
    re.IGNORECASE,
)
_RATING_HEADING = re.compile(r"^\W*local authority (?P<ind>indicative\s+)?rating\b", re.IGNORECASE)
_EXPECT = re.compile(r"^\W*what people expect\W*$", re.IGNORECASE)
_COMMIT = re.compile(r"^\W*the local authority commitment\W*$", re.IGNORECASE)
_KEY_FINDINGS = re.compile(r"^\W*key findings for this quality statement\W*$", re.IGNORECASE)
_SEPARATOR = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_BOILERPLATE = re.compile(
    r"^(?:what people expect|the local authority commitment|"
    r"key findings for this quality statement|"
    r"(?:indicative )?score\b.*|downloads|how we assess local authorities|overall summary|"
    r"quality statement scores|local authority (?:indicative )?rating.*|source:.*)$",
    re.IGNORECASE,
)


_HEADING_MARKS = re.compile(r"^\s*#{1,6}\s*")
_HEADING_LEVEL = re.compile(r"^\s*(#{1,6})\s")


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    raw: str

    @property
    def clean(self) -> str:
        """The line without markdown heading/emphasis marks, quotes and trailing colon."""
        t = _HEADING_MARKS.sub("", self.raw)
        t = t.replace("**", "").strip().strip('“”"').strip()
        return t.rstrip(":").strip()

    @property
    def heading_level(self) -> int | None:
        m = _HEADING_LEVEL.match(self.raw)
        return len(m.group(1)) if m else None


def lines(doc: Document) -> list[Line]:
    out, pos = [], 0
    for raw in doc.text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        out.append(Line(pos, pos + len(body), body))
        pos += len(raw)
    return out


def _nonblank(ls: list[Line], i: int) -> Iterator[tuple[int, Line]]:
    for j in range(i, len(ls)):
        if ls[j].raw.strip() and not _SEPARATOR.match(ls[j].raw):
            yield j, ls[j]


def _statement_of_line(vocab: Vocabulary, line: Line) -> str | None:
    text = line.clean
    if not text or len(text) > 80 or text.endswith(".") or _SCORE_LINE.match(text):
        return None
    return vocab.quality_statement_for(text)


_PARENTHESIS = re.compile(r"\(([^()]{6,})\)")
_NAME_PARTS = re.compile(r"\s+[-–—]\s+|:\s+")


def listed_statement(vocab: Vocabulary, name: str) -> str | None:
    """The quality statement a listed score names: the name itself, or the statement a theme
    name gives in brackets ("Providing support (care provision, integration and continuity)").
    A theme alone names no statement: its score is not a statement's and is not taken."""
    qs = vocab.quality_statement_for(name)
    if qs is not None:
        return qs
    inner = _PARENTHESIS.search(name)
    if inner is not None:
        return vocab.quality_statement_for(inner.group(1))
    # "How the local authority works with people – assessing needs": one part names it
    named = {vocab.quality_statement_for(part) for part in _NAME_PARTS.split(name)} - {None}
    return named.pop() if len(named) == 1 else None


def extract_scores(doc: Document, vocab: Vocabulary) -> list[StatementScoreRecord]:
    """Every quality-statement score the document states, with the lines that state it."""
    ls = lines(doc)
    found: dict[str, StatementScoreRecord] = {}
    current: tuple[str, int] | None = None  # (quality statement, line index of its name)
    if doc.quality_statement:
        current = (doc.quality_statement, 0)
    for i, line in enumerate(ls):
        m = _LIST_SCORE.match(line.raw)
        if m:
            qs = listed_statement(vocab, m.group("name"))
            if qs is not None:
                listed = int(_NUMBER_WORDS.get(m.group("n").casefold(), m.group("n")))
                start = line.start + len(line.raw) - len(line.raw.lstrip())
                found.setdefault(
                    qs,
                    StatementScoreRecord(
                        qs,
                        listed,
                        bool(m.group("ind")) or doc.pilot,
                        (anchor(doc, start, line.end),),
                    ),
                )
                continue
        qs = _statement_of_line(vocab, line)
        if qs is not None:
            current = (qs, i)
            continue
        sm = _SCORE_LINE.match(line.clean) if line.clean else None
        if sm is None or current is None:
            continue
        value, end = sm.group("n"), line.end
        indicative = bool(sm.group("ind"))
        for j, nxt in _nonblank(ls, i + 1):
            lm = _LEVEL_LINE.match(nxt.clean)
            if lm is not None and (value is None or lm.group("n") == value):
                value, end = lm.group("n"), nxt.end
            if j > i + 3 or lm is not None:
                break
        if value is None:
            continue
        qs_name, name_line = current
        start = ls[name_line].start if name_line > 0 or not doc.quality_statement else line.start
        if i - name_line > 12:
            start = line.start
        rec = StatementScoreRecord(
            qs_name, int(value), indicative or doc.pilot, (anchor(doc, start, end),)
        )
        found.setdefault(qs_name, rec)
        current = None if not doc.quality_statement else current
    return sorted(found.values(), key=lambda r: r.quality_statement)


def extract_rating(doc: Document, vocab: Vocabulary) -> RatingRecord | None:
    """The overall rating the document states, if any."""
    ls = lines(doc)
    for i, line in enumerate(ls):
        m = _RATING_HEADING.match(line.clean)
        if not m:
            continue
        for _j, nxt in list(_nonblank(ls, i + 1))[:3]:
            rating = vocab.rating_for_label(nxt.clean)
            if rating is not None:
                indicative = bool(m.group("ind")) or doc.pilot
                start = line.start + len(line.raw) - len(re.sub(r"^[\s#*]+", "", line.raw))
                return RatingRecord(rating, indicative, (anchor(doc, start, nxt.end),))
    for rx in (_RATES_HEADLINE, _RATED):
        rm = rx.search(doc.text)
        if rm:
            rating = vocab.rating_for_label(rm.group("r"))
            if rating is not None:
                s, e = _sentence_around(doc, rm.start(), rm.end())
                indicative = doc.pilot or "indicative" in doc.text[s:e].lower()
                return RatingRecord(rating, indicative, (anchor(doc, s, e),))
    return None


# "Overall rating for <council>: 64%" (summary pages); "scored 64 out of 100 overall" (2024).
_PERCENTAGE = (
    re.compile(r"^\W*overall rating for [^:\n]{2,120}:\s*(?P<p>\d{1,3})\s*%", re.I | re.M),
    re.compile(r"\bscored\s+(?P<p>\d{1,3})\s*(?:%|per ?cent|out of 100)\s+overall\b", re.I),
)


def displayed_percentage(scores: list[StatementScoreRecord]) -> int:
    """The overall percentage as CQC shows it: the sum of the scores over 4 per statement,
    rounded up to a whole number (25/36 is shown as 70%, 21/36 as 59%).

    >>> three = StatementScoreRecord("a", 3, False, ())
    >>> two = StatementScoreRecord("b", 2, False, ())
    >>> displayed_percentage([three] * 7 + [two] * 2), displayed_percentage([three] * 9)
    (70, 75)
    """
    total, most = sum(s.score for s in scores), 4 * len(scores)
    return -(-100 * total // most)


def extract_percentage(doc: Document) -> PercentageRecord | None:
    """The overall percentage the document states, if it states one from 25 to 100."""
    for rx in _PERCENTAGE:
        m = rx.search(doc.text)
        if m is not None and 25 <= int(m.group("p")) <= 100:
            start = m.start() + len(m.group(0)) - len(m.group(0).lstrip(" \t#*•-"))
            return PercentageRecord(int(m.group("p")), (anchor(doc, start, m.end()),))
    return None


def rating_disagreement(doc: Document) -> tuple[str, str] | None:
    """The headline's rating word and the body's, where a press release's differ (a slip in
    the source: the headline's is the one kept, see :func:`extract_rating`)."""
    headline, body = _RATES_HEADLINE.search(doc.text), _RATED.search(doc.text)
    if headline is None or body is None:
        return None
    said = (headline.group("r").casefold(), body.group("r").casefold())
    return None if said[0] == said[1] else (said[0] + " (headline)", said[1] + " (text)")


def _sentence_around(doc: Document, start: int, end: int) -> tuple[int, int]:
    for s in doc.sentences:
        if s.start <= start < s.end:
            return s.start, max(s.end, min(end, len(doc.text)))
    line_start = doc.text.rfind("\n", 0, start) + 1
    line_end = doc.text.find("\n", end)
    return line_start, len(doc.text) if line_end < 0 else line_end


def extract_framework_statements(
    doc: Document, vocab: Vocabulary
) -> list[FrameworkStatementRecord]:
    """The I statements after "What people expect" and the We statement after the commitment."""
    ls = lines(doc)
    out: list[FrameworkStatementRecord] = []
    current = doc.quality_statement
    mode: str | None = None
    for line in ls:
        qs = _statement_of_line(vocab, line)
        if qs is not None and not _EXPECT.match(line.clean):
            current, mode = qs, None
            continue
        text = line.clean
        if _EXPECT.match(text):
            mode = "I"
            continue
        if _COMMIT.match(text):
            mode = "We"
            continue
        if _KEY_FINDINGS.match(text) or _SCORE_LINE.match(text) or _LEVEL_LINE.match(text):
            mode = None
            continue
        if mode is None or current is None or not text or _SEPARATOR.match(line.raw):
            continue
        if line.heading_level is not None and not re.search(r"\b(I|We)\b", text):
            mode = None
            continue
        if not re.search(r"\b(I|We|me|my|our)\b", text):
            continue
        for part in re.split(r"(?<=[.!?])\s+(?=[“\"]?I\s)", text) if mode == "I" else [text]:
            body = part.strip().strip('“”"').strip()
            offset = doc.text.find(body, line.start, line.end + 1)
            if offset < 0 or not body:
                continue
            out.append(
                FrameworkStatementRecord(
                    current, mode, body, (anchor(doc, offset, offset + len(body)),)
                )
            )
    unique: dict[tuple[str, str, str], FrameworkStatementRecord] = {}
    for rec in out:
        unique.setdefault((rec.quality_statement, rec.person, rec.text), rec)
    return list(unique.values())


def extract_sections(doc: Document) -> list[ReportSectionRecord]:
    """The key-findings headings of each quality statement, and the summary headings."""
    out: list[ReportSectionRecord] = []
    seen: set[tuple[str | None, str]] = set()
    in_findings: dict[str | None, bool] = {}
    for sec in doc.sections:
        head = re.sub(r"^\W+|[\s:]+$", "", sec.heading.replace("**", "")).strip()
        qs = sec.quality_statement or doc.quality_statement
        if _KEY_FINDINGS.match(head):
            in_findings[qs] = True
            continue
        if not head or _BOILERPLATE.match(head) or _SCORE_LINE.match(head):
            continue
        is_summary = head.lower().startswith("summary of")
        if not (is_summary or (qs is not None and in_findings.get(qs))):
            continue
        if head.lower() == (qs or "").replace("-", " "):
            continue
        key = (None if is_summary else qs, head)
        if key in seen:
            continue
        seen.add(key)
        parent = None
        if len(sec.path) > 1:
            for ancestor in reversed(sec.path[:-1]):
                if (key[0], ancestor) in seen:
                    parent = ancestor
                    break
        out.append(
            ReportSectionRecord(
                key[0], head, sec.level, parent, (anchor(doc, sec.heading_start, sec.heading_end),)
            )
        )
    return out


def is_summary_kind(doc: Document) -> bool:
    return doc.kind in (
        DocumentKind.FULL_REPORT,
        DocumentKind.PRESS_RELEASE,
        DocumentKind.OVERALL_SUMMARY,
    )
