"""The text layer of a PDF report as the Markdown text the reader understands.

The PDF is read with pypdfium2, the Python binding of PDFium (the PDF engine of Chromium,
fuzzed continuously): fast enough for a long report (its text, positions and fonts come from C),
and it runs no JavaScript and fetches nothing. Each page's lines, with their box and font, are
laid out again by :mod:`cqckg.read.pdf_layout` (running headers, footers and page numbers out
of the flow; headings; paragraphs joined across lines and pages). A PDF without any text (a
scan) is refused: cqckg does no OCR.
"""

from __future__ import annotations

import ctypes
import math
import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from cqckg.core.errors import DocumentError, SourceLocation
from cqckg.read.pdf_layout import ExtractedPdf, Line, lay_out

__all__ = ["MAX_PAGES", "ExtractedPdf", "extract_pdf"]

MAX_PAGES = 1000  # CQC's reports have tens of pages; a page tree claiming more is refused
MAX_CHARS = 5 * 1024 * 1024  # the text layer's size limit, as the reader's for a text file

_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demibold", re.I)
_LINE = re.compile(r"[^\r\n]+")


def extract_pdf(data: bytes, path: Path) -> ExtractedPdf:
    """The text of a PDF file's bytes (see the module's description).

    Raises :class:`DocumentError` (rules ``pdf-unreadable``, ``page-limit``, ``size-limit``,
    ``no-text-layer``).
    """
    lines, pages = _read_lines(data, path)
    if not any(ch.isalpha() for line in lines for ch in line.text):
        raise DocumentError(
            SourceLocation(path),
            "no-text-layer",
            f"none of the {pages} page(s) has a text layer (a scanned report?); expected a PDF "
            "with text, as CQC publishes its reports (cqckg does no OCR)",
        )
    return lay_out(lines, pages)


# -- reading the text layer ------------------------------------------------------------------


def _read_lines(data: bytes, path: Path) -> tuple[list[Line], int]:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise DocumentError(
            SourceLocation(path), "pdf-unreadable", f"not a readable PDF ({e}); expected a PDF"
        ) from None
    try:
        pages = len(pdf)
        if pages > MAX_PAGES:
            raise DocumentError(
                SourceLocation(path),
                "page-limit",
                f"{pages} pages; expected a report of at most {MAX_PAGES} pages",
            )
        lines: list[Line] = []
        chars = 0
        for n in range(pages):
            try:
                page = pdf[n]
            except pdfium.PdfiumError as e:
                raise DocumentError(
                    SourceLocation(path), "pdf-unreadable", f"page {n + 1} cannot be read ({e})"
                ) from None
            try:
                found, count = _page_lines(page, n)
            finally:
                page.close()
            chars += count
            if chars > MAX_CHARS:
                raise DocumentError(
                    SourceLocation(path),
                    "size-limit",
                    f"the text layer passes {MAX_CHARS} characters by page {n + 1}; expected a "
                    "report's text",
                )
            lines.extend(found)
        return lines, pages
    finally:
        pdf.close()


def _page_lines(page: pdfium.PdfPage, n: int) -> tuple[list[Line], int]:
    """The lines of one page in reading order, fragments of one visual line put together."""
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        if count <= 0:
            return [], 0
        if count > MAX_CHARS:
            return [], count
        text = textpage.get_text_range()
        handle = textpage.raw
        out: list[Line] = []
        for m in _LINE.finditer(text):
            raw = m.group()
            words = " ".join(raw.split())
            if not words:
                continue
            first = m.start() + len(raw) - len(raw.lstrip())
            last = m.start() + len(raw.rstrip()) - 1
            angle = pdfium_c.FPDFText_GetCharAngle(handle, first)
            if angle > 0.05 and abs(angle - 2 * math.pi) > 0.05:
                continue  # rotated text: a watermark or a margin note, not the flow
            loose, end = pdfium_c.FS_RECTF(), pdfium_c.FS_RECTF()
            pdfium_c.FPDFText_GetLooseCharBox(handle, first, loose)
            pdfium_c.FPDFText_GetLooseCharBox(handle, last, end)
            left, right = _char_x(handle, first)[0], _char_x(handle, last)[1]
            line = Line(
                words,
                n,
                top=loose.top,
                bottom=loose.bottom,
                left=left,
                right=right,
                # the largest of three: a superscript starting or ending a line is smaller
                size=round(
                    max(
                        pdfium_c.FPDFText_GetFontSize(handle, i)
                        for i in (first, (first + last) // 2, last)
                    ),
                    1,
                ),
                bold=_bold(handle, first) and _bold(handle, last),
                end_top=end.top,
            )
            if out and _same_visual_line(out[-1], line):
                out[-1] = _joined(out[-1], line)
            else:
                out.append(line)
        return out, count
    finally:
        textpage.close()


def _char_x(handle: pdfium_c.FPDF_TEXTPAGE, index: int) -> tuple[float, float]:
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    pdfium_c.FPDFText_GetCharBox(handle, index, left, right, bottom, top)
    return left.value, right.value


def _bold(handle: pdfium_c.FPDF_TEXTPAGE, index: int) -> bool:
    if pdfium_c.FPDFText_GetFontWeight(handle, index) >= 600:
        return True
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    pdfium_c.FPDFText_GetFontInfo(handle, index, name, len(name), flags)
    return bool(_BOLD_FONT.search(name.value.decode("latin-1")))


def _same_visual_line(a: Line, b: Line) -> bool:
    """``b`` continues ``a`` on the same line (a superscript, a change of font)."""
    overlap = min(a.end_top, b.top) - max(a.bottom, b.bottom)
    height = min(a.top - a.bottom, b.top - b.bottom)
    return height > 0 and overlap >= 0.5 * height and b.left >= a.right - 1


def _joined(a: Line, b: Line) -> Line:
    gap = b.left - a.right
    text = a.text + ("" if gap < 0.15 * max(a.size, b.size) else " ") + b.text
    main = a if len(a.text) >= len(b.text) else b
    return Line(
        text,
        a.page,
        top=max(a.top, b.top),
        bottom=min(a.bottom, b.bottom),
        left=a.left,
        right=b.right,
        size=main.size,
        bold=a.bold and b.bold,
        end_top=b.end_top,
    )
