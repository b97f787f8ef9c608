"""Split a document's text into sections, paragraphs and sentences with exact offsets.

Markdown is read with markdown-it-py: its block tokens carry the source lines (``.map``) they
came from, which give the offsets. Plain text (pages saved from the web) is read line by line:
each line is a paragraph unless it is a heading, recognised by the headings CQC uses and by
short title-like lines. A heading's level is taken from what it *is* (a theme, a quality
statement, a part of a statement, ...), not from its ``#`` count, which converted reports use
inconsistently; a quality statement runs until the next statement, theme or part heading.

Sentences come from pysbd, run paragraph by paragraph (see :class:`SentenceSplitter`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal, Protocol

from markdown_it import MarkdownIt
from pysbd.lang.english import English
from pysbd.processor import Processor

from cqckg.read.model import Paragraph, Section, SectionRole, Sentence


class _StatementInfo(Protocol):
    @property
    def theme(self) -> str: ...


class HeadingVocabulary(Protocol):
    """What segmentation needs from :class:`cqckg.core.vocabulary.Vocabulary`."""

    @property
    def quality_statements(self) -> Mapping[str, _StatementInfo]: ...

    def quality_statement_for(self, heading: str) -> str | None: ...

    def theme_for(self, heading: str) -> str | None: ...


# -- headings --------------------------------------------------------------------------------

# A score is a field of its statement, not a heading, even where converted as "## Score: 3".
SCORE_LINE = re.compile(r"^[ \t]*(?:#{1,6}[ \t]*)?(?:indicative[ \t]+)?score[ \t]*:", re.I)
_STATEMENT_PART = re.compile(
    r"^(?:what people expect|the local authority commitment"
    r"|key findings for this quality statement)$"
)
_PART_CHILD = re.compile(
    r"^(?:demographics|financial facts|quality statement scores"
    r"|local authority (?:indicative )?rating(?: and score)?"
    r"|summary of (?:people's experiences?|strengths\b.*))$"
)
_PART = re.compile(r"^(?:overall summary|about [^.:]+)$")
# Links of the web pages' navigation, kept as text but heading nothing.
_NAVIGATION = re.compile(r"^(?:how we assess local authorities|downloads|categories)$")
_NUMBERED_THEME = re.compile(r"^theme \d+\b")
_TITLE_LIKE_END = frozenset(".:;,!?…\"'”’“‘")
_FIRST_PERSON = re.compile(r"^(?:I|We|I'm|I've)\b")
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*•+]|\d{1,3}[.)])[ \t]+(?=\S)")


def heading_key(text: str) -> str:
    """A heading folded for the fixed patterns: case, quotes, markup and a final colon.

    >>> heading_key("## What people expect: ")
    'what people expect'
    """
    key = text.strip().lstrip("#").strip().replace("’", "'").replace("‘", "'").casefold()
    key = re.sub(r"\s+", " ", key.strip("*_ "))
    return key.rstrip(":").strip()


@dataclass(frozen=True)
class HeadingKind:
    """A heading's role in the outline and the statement or theme it names."""

    role: SectionRole
    quality_statement: str | None = None
    theme: str | None = None


def classify_heading(text: str, vocabulary: HeadingVocabulary) -> HeadingKind:
    """Recognise a heading by the patterns of CQC documents.

    >>> from cqckg.core.vocabulary import load_vocabulary
    >>> v = load_vocabulary()
    >>> classify_heading("Supporting people to lead healthier lives", v).quality_statement
    'supporting-people-to-live-healthier-lives'
    >>> classify_heading("Theme 2: Providing support", v).role.value
    'theme'
    >>> classify_heading("Timeliness of assessments", v).role.value
    'other'
    """
    key = heading_key(text)
    if _STATEMENT_PART.match(key):
        return HeadingKind(SectionRole.STATEMENT_PART)
    if _PART_CHILD.match(key):
        return HeadingKind(SectionRole.PART_CHILD)
    if _PART.match(key):
        return HeadingKind(SectionRole.PART)
    if _NUMBERED_THEME.match(key):
        return HeadingKind(SectionRole.THEME, theme=vocabulary.theme_for(text))
    statement = vocabulary.quality_statement_for(text)
    if statement is not None:
        return HeadingKind(SectionRole.QUALITY_STATEMENT, quality_statement=statement)
    theme = vocabulary.theme_for(text)
    if theme is not None:
        return HeadingKind(SectionRole.THEME, theme=theme)
    return HeadingKind(SectionRole.OTHER)


def is_title_like(line: str) -> bool:
    """A short line that reads as a heading: capitalised, a few words, no final punctuation.

    >>> is_title_like("Arrangements to prevent, delay or reduce needs")
    True
    >>> is_title_like("Good: Evidence shows a good standard"), is_title_like("Downloads")
    (False, False)
    """
    text = line.strip()
    words = text.split()
    return (
        2 <= len(words) <= 12
        and len(text) <= 80
        and text[0].isupper()
        and text[-1] not in _TITLE_LIKE_END
        and ":" not in text
        and not _FIRST_PERSON.match(text)
    )


# -- blocks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph: ``start``/``end`` delimit its text without markup."""

    kind: Literal["heading", "paragraph"]
    start: int
    end: int
    line_start: int
    markup_level: int | None = None


class LineIndex:
    """Offsets of the lines of a text (split on ``\\n`` only, as :class:`Document` counts)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def __len__(self) -> int:
        return len(self.starts)

    def span(self, line: int) -> tuple[int, int]:
        """Start and end of a 0-based line's content, without its line break."""
        start = self.starts[line]
        end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
        if end > start and self.text[end - 1] == "\r":
            end -= 1
        return start, end

    def line_of(self, offset: int) -> int:
        """0-based line of an offset."""
        return bisect.bisect_right(self.starts, offset) - 1


_MARKDOWN = MarkdownIt("commonmark")
_ATX_OPEN = re.compile(r"[ \t]{0,3}(#{1,6})(?:[ \t]+|$)")
_ATX_CLOSE = re.compile(r"(?:[ \t]+#+)?[ \t]*$")
_CONTAINER_PREFIX = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$))?")


def _blank(ch: str) -> bool:
    return ch.isspace() or ch == "\ufeff"  # a byte order mark is no text


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and _blank(text[start]):
        start += 1
    while end > start and _blank(text[end - 1]):
        end -= 1
    return start, end


def markdown_blocks(text: str, lines: LineIndex, first_line: int = 0) -> list[Block]:
    """Headings and paragraphs of a Markdown text, from markdown-it-py's block tokens.

    List items and block quotes give paragraphs without their markers; thematic breaks
    (``---``), code and blank lines only separate blocks.
    """
    blocks: list[Block] = []
    containers = 0
    for token in _MARKDOWN.parse(text):
        if token.type in ("list_item_open", "blockquote_open"):
            containers += 1
        elif token.type in ("list_item_close", "blockquote_close"):
            containers -= 1
        elif token.map is None or token.map[0] < first_line:
            continue
        elif token.type == "heading_open":
            line_start, end = lines.span(token.map[0])
            start = line_start
            markup_level = len(token.markup) if token.markup.startswith("#") else None
            if markup_level is not None:
                opened = _ATX_OPEN.match(text, start, end)
                start = opened.end() if opened else start
                closed = _ATX_CLOSE.search(text, start, end)
                end = closed.start() if closed else end
            else:  # setext: the underline is the second line
                markup_level = 1 if token.markup == "=" else 2
            start, end = _trim(text, start, end)
            blocks.append(Block("heading", start, end, line_start, markup_level))
        elif token.type in ("paragraph_open", "html_block"):
            line_start = start = lines.starts[token.map[0]]
            if containers:
                prefix = _CONTAINER_PREFIX.match(text, start)
                start = prefix.end() if prefix else start
            end = lines.span(token.map[1] - 1)[1]
            start, end = _trim(text, start, end)
            if start < end:
                blocks.append(Block("paragraph", start, end, line_start))
    return blocks


def plain_blocks(
    text: str, lines: LineIndex, vocabulary: HeadingVocabulary, first_line: int = 0
) -> list[Block]:
    """Headings and paragraphs of a plain text page: one block per non-blank line.

    The first line is the page's heading; after it a line is a heading when it is a known CQC
    heading, or title-like and not the page's last line (excerpts end mid-sentence).
    """
    spans = [lines.span(i) for i in range(first_line, len(lines))]
    spans = [s for s in (_trim(text, a, b) for a, b in spans) if s[0] < s[1]]
    blocks: list[Block] = []
    for n, (start, end) in enumerate(spans):
        line = text[start:end]
        line_start = lines.starts[lines.line_of(start)]
        marker = _LIST_MARKER.match(text, line_start, end)
        if marker:
            blocks.append(Block("paragraph", marker.end(), end, line_start))
            continue
        heading = n == 0 or (
            not _NAVIGATION.match(heading_key(line))
            and (
                classify_heading(line, vocabulary).role is not SectionRole.OTHER
                or (n + 1 < len(spans) and is_title_like(line))
            )
        )
        blocks.append(Block("heading" if heading else "paragraph", start, end, line_start))
    return blocks


def normalise_blocks(text: str, blocks: Sequence[Block]) -> list[Block]:
    """Make blocks mean the same in every format.

    A score is a paragraph of its statement even when marked up as a heading ("## Score: 3",
    the ``#`` left out of the span); a paragraph that is only a statement part's heading
    ("What people expect") is that heading.
    """
    out = []
    for b in blocks:
        body = text[b.start : b.end]
        if b.kind == "heading" and SCORE_LINE.match(body):
            out.append(Block("paragraph", b.start, b.end, b.line_start))
        elif (
            b.kind == "paragraph" and "\n" not in body and _STATEMENT_PART.match(heading_key(body))
        ):
            out.append(Block("heading", b.start, b.end, b.line_start))
        else:
            out.append(b)
    return out


# -- outline -----------------------------------------------------------------------------------

_CONTAINERS = frozenset(
    {SectionRole.TITLE, SectionRole.PART, SectionRole.PART_CHILD, SectionRole.THEME}
)


@dataclass(frozen=True)
class _Open:
    heading: str
    level: int
    kind: HeadingKind
    markup_level: int | None


def _innermost(stack: Sequence[_Open], roles: frozenset[SectionRole]) -> _Open | None:
    return next((o for o in reversed(stack) if o.kind.role in roles), None)


def _level(stack: Sequence[_Open], kind: HeadingKind, markup_level: int | None) -> int:
    """The outline level of a heading, given the headings still open above it."""
    role = kind.role
    if role in (SectionRole.TITLE, SectionRole.PART, SectionRole.THEME):
        return 1
    if role is SectionRole.PART_CHILD:
        return 2
    if role is SectionRole.QUALITY_STATEMENT:
        parent = _innermost(stack, _CONTAINERS)
    elif role is SectionRole.STATEMENT_PART:
        parent = _innermost(stack, frozenset({SectionRole.QUALITY_STATEMENT}))
        parent = parent or _innermost(stack, _CONTAINERS)
    else:
        top = stack[-1] if stack else None
        if (
            top is not None
            and top.kind.role is SectionRole.OTHER
            and top.markup_level is not None
            and markup_level is not None
            and markup_level > top.markup_level
        ):
            parent = top  # a sub-heading nested the way its markup says
        else:
            parent = _innermost(stack, frozenset(SectionRole) - {SectionRole.OTHER})
    return 1 if parent is None else parent.level + 1


def build_sections(
    text: str,
    blocks: Sequence[Block],
    vocabulary: HeadingVocabulary,
    prepare: Callable[[str], str] | None = None,
) -> list[Section]:
    """Sections from the heading blocks, levelled by role, tagged with statement and theme.

    ``prepare`` may rewrite a heading before it is matched (e.g. put "the local authority" for
    the council's name); the section keeps the heading as written. A section ends where the
    next heading of the same or a higher outline level starts.
    """
    headings = [b for b in blocks if b.kind == "heading"]
    stack: list[_Open] = []
    sections: list[Section] = []
    for n, b in enumerate(headings):
        written = text[b.start : b.end]
        kind = classify_heading(prepare(written) if prepare else written, vocabulary)
        if n == 0 and kind.role is SectionRole.OTHER:
            kind = HeadingKind(SectionRole.TITLE)
        level = _level(stack, kind, b.markup_level)
        while stack and stack[-1].level >= level:
            stack.pop()
        stack.append(_Open(written, level, kind, b.markup_level))
        statement = next(
            (o.kind.quality_statement for o in reversed(stack) if o.kind.quality_statement), None
        )
        theme = next((o.kind.theme for o in reversed(stack) if o.kind.theme), None)
        if theme is None and statement is not None:
            theme = vocabulary.quality_statements[statement].theme
        sections.append(
            Section(
                index=n,
                heading=written,
                level=level,
                start=b.start,
                end=len(text),
                heading_start=b.start,
                heading_end=b.end,
                path=tuple(o.heading for o in stack),
                quality_statement=statement,
                theme=theme,
                role=kind.role,
                markup_level=b.markup_level,
            )
        )
    return _close_sections(text, sections, [b.line_start for b in headings])


def _close_sections(text: str, sections: list[Section], line_starts: list[int]) -> list[Section]:
    """Set each section's end: where the next heading at its level or above starts."""
    out = []
    for n, s in enumerate(sections):
        end = len(text)
        for later, line_start in zip(sections[n + 1 :], line_starts[n + 1 :], strict=True):
            if later.level <= s.level:
                end = line_start
                break
        while end > s.heading_end and text[end - 1].isspace():
            end -= 1
        out.append(replace(s, end=end))
    return out


# -- paragraphs and sentences --------------------------------------------------------------------

# pysbd's abbreviations (it tries each one against every text it is given, the main cost).
_ABBREVIATIONS = tuple(
    dict.fromkeys(
        a.strip().lower()
        for a in (
            *English.Abbreviation.ABBREVIATIONS,
            *English.Abbreviation.PREPOSITIVE_ABBREVIATIONS,
            *English.Abbreviation.NUMBER_ABBREVIATIONS,
        )
    )
)
_ABBREVIATION_SET = frozenset(_ABBREVIATIONS)
# Terminal punctuation, closing quotes or brackets, then white space: a possible boundary.
_CANDIDATE = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+\S)")
_PLAIN_WORD = re.compile(r"[A-Za-z][a-z]+|[A-Z]{2,}|\d+(?:\.\d+)?%|.*\)")
_HARD_BREAK = re.compile(r"(?:[ \t]{2,}|\\)\r?\n")
_LEADING_HASHES = re.compile(r"#{1,6}[ \t]+")


@cache
def _english_with(abbreviations: tuple[str, ...]) -> Any:
    """pysbd's English rules, trying only the abbreviations that occur in the text.

    An abbreviation not found followed by a period in the text cannot change pysbd's output,
    so leaving it out gives the same sentences several times faster.
    """
    abbreviation = type(
        "Abbreviation", (English.Abbreviation,), {"ABBREVIATIONS": list(abbreviations)}
    )
    return type("FocusedEnglish", (English,), {"Abbreviation": abbreviation})


class SentenceSplitter:
    """Sentence boundaries by pysbd, with offsets, fast enough for a whole report.

    pysbd is run on a copy of a passage with line breaks made spaces (same length, so offsets
    hold) and its sentences are found back in the passage. Before that, boundaries no rule of
    pysbd's could question (a plain word, then ``.``, ``?`` or ``!`` outside brackets and
    quotes, then a capital) are cut directly, and only pieces that still hold a possible
    boundary go to pysbd: abbreviations, initials, numbers, ellipses, quotations.

    >>> s = SentenceSplitter()
    >>> t = "Pay rose by £1.50 per hour, e.g. for carers. It was 5.3 % (ASCS, 2023). No. 5 was met."
    >>> [t[a:b] for a, b in s.split(t)]
    ['Pay rose by £1.50 per hour, e.g. for carers.', 'It was 5.3 % (ASCS, 2023).', 'No. 5 was met.']
    """

    def split(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """Spans of the sentences of ``text[start:end]``, trimmed of white space."""
        end = len(text) if end is None else end
        spans: list[tuple[int, int]] = []
        pos = start
        for m in _HARD_BREAK.finditer(text, start, end):
            spans.extend(self._split_line(text, pos, m.start()))
            pos = m.end()
        spans.extend(self._split_line(text, pos, end))
        return spans

    def _split_line(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        out = []
        for a, b in self._cut_plain(text, start, end):
            if _CANDIDATE.search(text, a, b):
                out.extend(self._pysbd(text, a, b))
            else:
                out.append((a, b))
        return [s for s in (_unmark(text, *_trim(text, a, b)) for a, b in out) if s[0] < s[1]]

    @staticmethod
    def _cut_plain(text: str, start: int, end: int) -> list[tuple[int, int]]:
        """Cut at the boundaries that need no rules; the pieces may hold others."""
        pieces: list[tuple[int, int]] = []
        depth = 0
        pos = scanned = start
        for m in _CANDIDATE.finditer(text, start, end):
            depth = max(0, depth + _depth_change(text[scanned : m.end()]))
            scanned = m.end()
            word_start = text.rfind(" ", start, m.start()) + 1
            word = text[max(word_start, start) : m.start()].lstrip("([“‘\"'")
            after = m.end()
            while after < end and text[after].isspace():
                after += 1
            plain = text[m.start()] in "?!" or (
                _PLAIN_WORD.fullmatch(word) is not None and word.lower() not in _ABBREVIATION_SET
            )
            if depth == 0 and plain and after < end and text[after].isupper():
                pieces.append((pos, m.end()))
                pos = m.end()
        pieces.append((pos, end))
        return pieces

    @staticmethod
    def _pysbd(text: str, start: int, end: int) -> list[tuple[int, int]]:
        passage = text[start:end].replace("\r", " ").replace("\n", " ")
        lowered = passage.lower()
        found = tuple(a for a in _ABBREVIATIONS if a + "." in lowered)
        spans: list[tuple[int, int]] = []
        cursor = 0
        for sentence in Processor(passage, _english_with(found)).process():
            exact = str(sentence).strip()
            at = passage.find(exact, cursor) if exact else -1
            if at < 0:
                continue
            if at > cursor and spans:  # keep any text pysbd dropped with the sentence before
                spans[-1] = (spans[-1][0], start + at)
            spans.append((start + (cursor if not spans else at), start + at + len(exact)))
            cursor = at + len(exact)
        if not spans:
            return [(start, end)]
        spans[-1] = (spans[-1][0], end)
        return spans


def _depth_change(chunk: str) -> int:
    """How many brackets or curly quotes a piece of text opens and leaves open."""
    return (
        chunk.count("(")
        - chunk.count(")")
        + chunk.count("[")
        - chunk.count("]")
        + chunk.count("“")
        - chunk.count("”")
    )


def _unmark(text: str, start: int, end: int) -> tuple[int, int]:
    """Leave leading heading marks, and bold marks that would be left unbalanced, out of a span."""
    hashes = _LEADING_HASHES.match(text, start, end)
    if hashes:
        start = hashes.end()
    if text.startswith("**", start):
        marks = text.count("**", start, end)
        if marks == 2 and text.endswith("**", start, end) and end - start > 4:
            return start + 2, end - 2
        if marks % 2:
            return start + 2, end
    return start, end


def split_passages(
    text: str, blocks: Sequence[Block], sections: Sequence[Section]
) -> tuple[list[Paragraph], list[Sentence]]:
    """Paragraphs (the non-heading blocks) and their sentences, each in its section."""
    section_starts = [s.heading_start for s in sections]
    paragraphs: list[Paragraph] = []
    sentences: list[Sentence] = []
    splitter = SentenceSplitter()
    for b in blocks:
        if b.kind != "paragraph":
            continue
        at = bisect.bisect_right(section_starts, b.start) - 1
        section = at if at >= 0 else None
        paragraph = Paragraph(len(paragraphs), b.start, b.end, section)
        paragraphs.append(paragraph)
        for a, z in splitter.split(text, b.start, b.end):
            sentences.append(Sentence(len(sentences), text[a:z], a, z, paragraph.index, section))
    return paragraphs, sentences
