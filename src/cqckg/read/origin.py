"""Where a document's text came from when it was extracted from a published file.

A web page (HTML) or a PDF report is not stored as it is: its text is extracted into the
structure the reader already knows (Markdown headings and paragraphs), and anchors point into
that text. :class:`Origin` keeps what the extraction leaves behind: the file's media type, the
SHA-256 of its bytes (so ``cqckg verify`` can tell the file changed) and, for a PDF, where each
page starts in the text (so every anchor can name its page).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

__all__ = ["Origin", "page_of", "parse_page_starts"]


@dataclass(frozen=True)
class Origin:
    """The published file a document's text was extracted from."""

    media_type: str  # "text/html" or "application/pdf"
    file_sha256: str  # SHA-256 of the file's bytes, lowercase hex
    page_starts: tuple[int, ...] = ()  # text offset where page 1, 2, ... starts (PDF only)

    def page_of(self, offset: int) -> int | None:
        """The 1-based page holding a text offset, or ``None`` for a file without pages."""
        return page_of(self.page_starts, offset)

    def page_starts_text(self) -> str:
        """The page starts as stored in the graph (``cqc:pageStarts``): offsets, space-separated."""
        return " ".join(str(s) for s in self.page_starts)


def page_of(starts: tuple[int, ...], offset: int) -> int | None:
    """The 1-based page whose text holds ``offset``.

    >>> page_of((0, 120, 300), 0), page_of((0, 120, 300), 119), page_of((0, 120, 300), 300)
    (1, 1, 3)
    >>> page_of((), 5) is None
    True
    """
    if not starts:
        return None
    return max(1, bisect.bisect_right(starts, offset))


def parse_page_starts(text: str | None) -> tuple[int, ...]:
    """Page starts as stored (see :meth:`Origin.page_starts_text`); ``()`` when absent or bad.

    >>> parse_page_starts("0 120 300"), parse_page_starts(None), parse_page_starts("x")
    ((0, 120, 300), (), ())
    """
    if not text:
        return ()
    parts = text.split()
    if not all(p.isdigit() for p in parts):
        return ()
    return tuple(int(p) for p in parts)
