"""Making text anchors: the one way every extractor points a fact at its sentence."""

from __future__ import annotations

from cqckg.extract.records import Anchor
from cqckg.read.model import Document, Sentence

CONTEXT = 32


def anchor(doc: Document, start: int, end: int) -> Anchor:
    """An anchor on ``doc.text[start:end]`` with up to 32 characters of context either side.

    Leading and trailing white space is trimmed off the span so the quote is exact text.
    """
    if not 0 <= start <= end <= len(doc.text):
        raise ValueError(f"span {start}-{end} outside {doc.path} ({len(doc.text)} characters)")
    while start < end and doc.text[start].isspace():
        start += 1
    while end > start and doc.text[end - 1].isspace():
        end -= 1
    section = None
    for s in doc.sections:
        if s.start <= start < s.end:
            section = s.heading  # the innermost section wins: sections are in document order
    return Anchor(
        document_sha256=doc.sha256,
        start=start,
        end=end,
        exact=doc.text[start:end],
        prefix=doc.text[max(0, start - CONTEXT) : start],
        suffix=doc.text[end : end + CONTEXT],
        section=section,
        line=doc.line_of(start),
    )


def sentence_anchor(doc: Document, *sentences: Sentence) -> Anchor:
    """An anchor covering one sentence or a run of consecutive sentences."""
    if not sentences:
        raise ValueError("no sentence to anchor")
    return anchor(doc, min(s.start for s in sentences), max(s.end for s in sentences))
