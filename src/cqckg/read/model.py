"""Typed records produced by reading a document: the document, its sections and sentences.

All offsets are Python string indices into :attr:`Document.text` (end exclusive), so
``doc.text[s.start:s.end] == s.text`` always holds.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from cqckg.read.origin import Origin

_NEWLINE = re.compile("\n")


class DocumentKind(StrEnum):
    """The kinds of published document the corpus shows (a concept in ``id/document-kind/``)."""

    FULL_REPORT = "full-report"
    QUALITY_STATEMENT_PAGE = "quality-statement-page"
    LANDING_PAGE = "landing-page"
    OVERALL_SUMMARY = "overall-summary"
    PRESS_RELEASE = "press-release"


class SectionRole(StrEnum):
    """What a heading is in the outline of a CQC document, whatever its markup level."""

    TITLE = "title"
    PART = "part"  # "About ...", "Overall summary"
    PART_CHILD = "part-child"  # "Demographics", "Quality statement scores", "Summary of ..."
    THEME = "theme"
    QUALITY_STATEMENT = "quality-statement"
    STATEMENT_PART = "statement-part"  # "What people expect", "Key findings for ..."
    OTHER = "other"  # a sub-heading of the key findings, or anything not recognised


@dataclass(frozen=True)
class Section:
    """A heading and the text under it, up to the next heading of the same or a higher level.

    ``quality_statement`` and ``theme`` are framework slugs (``assessing-needs``,
    ``how-the-local-authority-works-with-people``) when the section lies within one.
    ``level`` is the level in the document's real outline (1 = top), which the markup does not
    always show; ``markup_level`` is the heading's ``#`` count as written. ``heading`` is
    ``text[heading_start:heading_end]``; the section runs from ``heading_start`` to ``end``.
    """

    index: int
    heading: str
    level: int
    start: int
    end: int
    heading_start: int
    heading_end: int
    path: tuple[str, ...]
    quality_statement: str | None = None
    theme: str | None = None
    role: SectionRole = SectionRole.OTHER
    markup_level: int | None = None  # the number of '#' as written; None for plain text


@dataclass(frozen=True)
class Sentence:
    """One sentence with its offsets, its paragraph (passage) and its section."""

    index: int
    text: str
    start: int
    end: int
    paragraph: int
    section: int | None


@dataclass(frozen=True)
class Paragraph:
    """A passage: consecutive lines of prose between blank lines or block boundaries."""

    index: int
    start: int
    end: int
    section: int | None


@dataclass
class Document:
    """A source document read from disk, recognised and split."""

    path: Path
    text: str
    sha256: str
    kind: DocumentKind
    authority_gss: str
    authority_name: str
    published: dt.date | None
    pilot: bool
    title: str
    source_url: str | None = None
    # The month of publication the report's address encodes (``<name>-MMYY``), as ``YYYY-MM``.
    address_month: str | None = None
    quality_statement: str | None = None
    sections: list[Section] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    kind_evidence: tuple[str, ...] = ()  # the signals that decided ``kind``, for explanations
    origin: Origin | None = None  # the web page or PDF the text was extracted from
    warnings: list[str] = field(default_factory=list)  # slips in the source, kept as read
    _line_starts: list[int] = field(default_factory=list, repr=False)
    _sentence_starts: list[int] = field(default_factory=list, repr=False, compare=False)

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset.

        >>> d = Document(Path("x"), "a\\nb\\nc", "", DocumentKind.FULL_REPORT, "E", "x", None,
        ...              False, "t")
        >>> d.line_of(0), d.line_of(2), d.line_of(4)
        (1, 2, 3)
        """
        if not self._line_starts:
            self._line_starts = [0] + [m.end() for m in _NEWLINE.finditer(self.text)]
        return bisect.bisect_right(self._line_starts, offset)

    def column_of(self, offset: int) -> int:
        """1-based column of a character offset."""
        line = self.line_of(offset)
        return offset - self._line_starts[line - 1] + 1

    def section_of(self, sentence: Sentence) -> Section | None:
        return None if sentence.section is None else self.sections[sentence.section]

    def sentences_overlapping(self, start: int, end: int) -> list[Sentence]:
        """The sentences holding a character of ``text[start:end]``, in text order.

        >>> sentences = [Sentence(0, "One.", 0, 4, 0, None), Sentence(1, "Two.", 5, 9, 0, None),
        ...              Sentence(2, "Three.", 10, 16, 0, None)]
        >>> d = Document(Path("x"), "One. Two. Three.", "", DocumentKind.FULL_REPORT, "E", "x",
        ...              None, False, "t", sentences=sentences)
        >>> [s.text for s in d.sentences_overlapping(3, 6)], d.sentences_overlapping(4, 5)
        (['One.', 'Two.'], [])
        """
        if not self._sentence_starts:
            self._sentence_starts = [s.start for s in self.sentences]
        # sentences follow each other without overlapping: look from the last one starting
        # at or before ``start``
        i = max(0, bisect.bisect_right(self._sentence_starts, start) - 1)
        out = []
        while i < len(self.sentences) and self.sentences[i].start < end:
            if start < self.sentences[i].end:
                out.append(self.sentences[i])
            i += 1
        return out

    def sentences_in(self, paragraph: int) -> list[Sentence]:
        return [s for s in self.sentences if s.paragraph == paragraph]
