"""Lines of a PDF's pages laid out again as the Markdown text the reader understands.

* running headers and footers (the same text, digits aside, at the same height on many pages)
  and page numbers at the top or bottom of a page are left out of the text flow;
* lines larger than the body text are headings, their level by size (a heading set in bold at
  the body's size comes last); a heading wrapped over two lines is one heading;
* a paragraph ends at a wider gap, an indented line (unless it carries on a bullet's text), the
  end of a list or a bullet; a short line without them is a line break within it; across a
  page break it goes on unless the page ended a sentence and the next starts a new one;
* a word hyphenated at a line's end is rejoined when the document uses the whole word elsewhere,
  and keeps its hyphen otherwise ("long-term" stays).

The result is Markdown (``#`` headings, paragraphs, ``-`` items), with where each page starts
in it, so every anchor can name its page. Nothing here reads a PDF (see
:mod:`cqckg.read.pdf_text`): it works on :class:`Line` records, so its rules can be tried on
any layout.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

__all__ = ["ExtractedPdf", "Line", "lay_out"]

_PAGE_NUMBER = re.compile(r"(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?", re.I)
_BULLET = re.compile(r"[•●▪◦‣∙·○■□–-]\s+")
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*$")
_HYPHENATED = re.compile(r"([A-Za-z]+)-$")
_WORD_START = re.compile(r"[A-Za-z]+")
_DASHES = ("-", "‐", "–", "—")
# PDFium writes a hyphen that ends a line inside a word as U+FFFE, and joins the two lines.
_SOFT_HYPHEN = re.compile("([A-Za-z]*)\ufffe([A-Za-z]*)")
_WORDS = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_MARKUP_START = re.compile(r"(?:#{1,6}(?:[ \t]|$)|[=-]+$|(?:[-*_][ \t]*){3,}$|>)")


@dataclass(frozen=True)
class ExtractedPdf:
    """A PDF's text as Markdown and the offset in it where each page starts (page 1 at 0)."""

    text: str
    page_starts: tuple[int, ...]


@dataclass
class Line:
    """One line of a page, as laid out: its text, box (points, y upwards) and font."""

    text: str
    page: int  # 0-based
    top: float
    bottom: float
    left: float
    right: float
    size: float
    bold: bool
    end_top: float  # the top of its last character: PDFium joins a hyphenated word's lines
    bullet: bool = False  # it started with a bullet (taken off its text)
    item: bool = False  # it is a line of a list item


@dataclass
class _Block:
    heading: int | None  # level, or None for a paragraph
    lines: list[Line] = field(default_factory=list)
    item: bool = False
    breaks: set[int] = field(default_factory=set)  # the lines that follow a line break


def lay_out(lines: list[Line], pages: int) -> ExtractedPdf:
    """The text of a PDF's lines (in reading order, page by page) and where each page starts."""
    return _compose(_blocks(_without_running_lines(lines, pages)), pages)


# -- running headers, footers and page numbers ----------------------------------------------


def _without_running_lines(lines: list[Line], pages: int) -> list[Line]:
    """The lines without running headers and footers and page numbers.

    Only the two topmost and two lowest lines of a page can be either. A running line is the
    same text (digits aside) at the same height on at least 30% of the pages (two at least).
    """
    by_page: dict[int, list[int]] = defaultdict(list)
    for i, line in enumerate(lines):
        by_page[line.page].append(i)
    edges: set[int] = set()
    for indices in by_page.values():
        ranked = sorted(indices, key=lambda i: -lines[i].top)
        edges.update(ranked[:2] + ranked[-2:])
    heights: dict[str, list[float]] = defaultdict(list)
    for i in edges:
        heights[_running_key(lines[i].text)].append(lines[i].top)
    needed = max(2, math.ceil(0.3 * pages))

    def running(line: Line) -> bool:
        tops = heights[_running_key(line.text)]
        return sum(abs(top - line.top) <= 6 for top in tops) >= needed

    return [
        line
        for i, line in enumerate(lines)
        if i not in edges or not (_PAGE_NUMBER.fullmatch(line.text) or running(line))
    ]


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.casefold())


# -- headings and paragraphs -----------------------------------------------------------------


@dataclass(frozen=True)
class _Metrics:
    """The body text's measures: font size, line pitch, column edges."""

    size: float
    pitch: float
    left: float
    right: float

    def short(self, line: Line) -> bool:
        """A line that stops well before the column's right edge: the end of a paragraph."""
        return line.right < self.right - 0.15 * (self.right - self.left)


def _metrics(lines: list[Line]) -> _Metrics:
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    size = sizes.most_common(1)[0][0]
    body = [line for line in lines if abs(line.size - size) < 0.5]
    pitches = [
        a.end_top - b.top
        for a, b in itertools.pairwise(body)
        if a.page == b.page and 0 < a.end_top - b.top < 3 * size
    ]
    lefts = sorted(line.left for line in body)
    rights = sorted(line.right for line in body)
    return _Metrics(
        size=size,
        pitch=statistics.median(pitches) if pitches else 1.2 * size,
        left=lefts[len(lefts) // 10],
        right=rights[(len(rights) * 9) // 10],
    )


def _blocks(lines: list[Line]) -> list[_Block]:
    if not lines:
        return []
    m = _metrics(lines)
    heading_sizes = sorted(
        {line.size for line in lines if line.size >= 1.15 * m.size}, reverse=True
    )
    levels = {s: min(6, n + 1) for n, s in enumerate(heading_sizes)}
    bold_level = min(6, len(heading_sizes) + 1)
    blocks: list[_Block] = []
    prev: Line | None = None
    for line in lines:
        level = levels.get(line.size)
        boundary = "block" if prev is None else _boundary(prev, line, m)
        last = blocks[-1] if blocks else None
        if level is not None:
            same = (
                last is not None
                and last.heading == level
                and prev is not None
                and prev.page == line.page
                and prev.end_top - line.top < 1.6 * line.size
            )
            if not same:
                blocks.append(_Block(level))
        elif last is None or last.heading is not None or boundary == "block":
            bullet = _BULLET.match(line.text)
            if bullet:
                line.text = line.text[bullet.end() :]
                line.bullet = True
            blocks.append(_Block(None, item=bool(bullet)))
        elif boundary == "break":
            last.breaks.add(len(last.lines))
        line.item = blocks[-1].item
        blocks[-1].lines.append(line)
        prev = line
    for block in blocks:
        if _bold_heading(block):
            block.heading = bold_level
    return blocks


def _bold_heading(block: _Block) -> bool:
    """A paragraph that is a heading set in bold: every line bold, short, no final stop."""
    lines = block.lines
    return (
        block.heading is None
        and not block.item
        and len(lines) <= 3
        and all(line.bold for line in lines)
        and sum(len(line.text.split()) for line in lines) <= 20
        and not _SENTENCE_END.search(lines[-1].text)
    )


def _boundary(prev: Line, line: Line, m: _Metrics) -> str:
    """What lies between ``prev`` and ``line``: a new paragraph (``block``), a line break
    within one (``break``: a short line without the wider gap paragraphs have) or nothing but
    the wrapping of a line (``join``)."""
    if _BULLET.match(line.text) or abs(line.size - prev.size) >= 0.5:
        return "block"
    if prev.page != line.page:
        ended = m.short(prev) or (_SENTENCE_END.search(prev.text) and not line.text[0].islower())
        return "block" if ended else "join"
    if prev.end_top - line.top > 1.4 * m.pitch:
        return "block"
    indent = line.left - prev.left
    if indent > 0.5 * m.size and not prev.bullet:
        return "block"  # a first line indented, or an indented block (not a bullet's text)
    if indent < -0.5 * m.size and prev.item:
        return "block"  # the text after a list
    if m.short(prev) and line.left > m.left + 0.5 * m.size and not prev.item:
        return "block"  # after a paragraph's last line, one with its first line indented
    return "break" if m.short(prev) else "join"


def _compose(blocks: list[_Block], pages: int) -> ExtractedPdf:
    """The Markdown text of the blocks and where each page starts in it."""
    known = _known_words(blocks)
    out: list[str] = []
    length = 0
    page_at: dict[int, int] = {}
    for block in blocks:
        pieces: list[str] = []
        if block.heading is not None:
            pieces.append("#" * block.heading + " ")
        elif block.item:
            pieces.append("- ")
        at = length + sum(map(len, pieces))
        for i, line in enumerate(block.lines):
            text = line.text
            if i == 0 and block.heading is None and not block.item and _MARKUP_START.match(text):
                text = "\\" + text  # kept as text, not read as a heading or a rule
            if i in block.breaks:
                pieces.append("  \n")  # a Markdown hard line break
                at += 3
            elif i > 0:
                joiner, unhyphenate = _joiner(pieces[-1], text, known)
                if unhyphenate:  # a word hyphenated at the line's end, rejoined
                    pieces[-1] = pieces[-1][:-1]
                    at -= 1
                pieces.append(joiner)
                at += len(joiner)
            text = _SOFT_HYPHEN.sub(lambda h: _rejoined(h[1], h[2], known), text)
            # a page starts at its first block's markup ("## "), or mid-paragraph at its text
            page_at.setdefault(line.page, length if i == 0 else at)
            pieces.append(text)
            at += len(text)
        block_text = "".join(pieces) + "\n\n"
        out.append(block_text)
        length += len(block_text)
    starts = [0] * pages
    following = length
    for page in range(pages - 1, 0, -1):
        following = page_at.get(page, following)
        starts[page] = following
    return ExtractedPdf("".join(out), tuple(starts))


def _known_words(blocks: list[_Block]) -> tuple[set[str], set[str]]:
    """The document's whole words, and its hyphenated compounds, case folded."""
    plain: set[str] = set()
    compounds: set[str] = set()
    for block in blocks:
        for line in block.lines:
            for word in _WORDS.findall(line.text):
                (compounds if "-" in word else plain).add(word.casefold())
    return plain, compounds


def _joiner(before: str, after: str, known: tuple[set[str], set[str]]) -> tuple[str, bool]:
    """What joins two lines of a paragraph, and whether the first's final hyphen goes: a space,
    or nothing after a hyphen or dash that ends a word ("2024-" "2027", "High-" "Risk"), the
    hyphen going when the document writes the word whole elsewhere."""
    if (
        not before.endswith(_DASHES)
        or len(before) < 2
        or before[-2].isspace()
        or not after[:1].isalnum()
    ):
        return " ", False
    hyphen = _HYPHENATED.search(before)
    start = _WORD_START.match(after)
    if hyphen is None or start is None:
        return "", False
    return "", _rejoined(hyphen.group(1), start.group(), known) == hyphen.group(1) + start.group()


def _rejoined(left: str, right: str, known: tuple[set[str], set[str]]) -> str:
    """A word hyphenated at a line's end: whole when the document writes it whole elsewhere and
    never with the hyphen, else with its hyphen.

    >>> known = ({"assessment"}, set())
    >>> _rejoined("assess", "ment", known), _rejoined("long", "term", known)
    ('assessment', 'long-term')
    """
    plain, compounds = known
    whole = left + right
    if whole.casefold() in plain and f"{left}-{right}".casefold() not in compounds:
        return whole
    return f"{left}-{right}"
