"""Published files (web pages, PDF reports) read into the text the reader splits.

:func:`convert` checks a file's bytes (size, kind, encoding), extracts its text
(:mod:`cqckg.read.html_text`, :mod:`cqckg.read.pdf_text`) and says where it came from
(:class:`~cqckg.read.origin.Origin`). Errors are :class:`~cqckg.core.errors.DocumentError`\\ s
naming the file and the rule broken; nothing in a file is run or fetched.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

from cqckg.core.errors import DocumentError, SourceLocation
from cqckg.core.formats import EXTRACTED_SUFFIXES
from cqckg.read.html_text import extract_page
from cqckg.read.limits import run_limited
from cqckg.read.origin import Origin
from cqckg.read.pdf_text import extract_pdf

__all__ = ["MAX_FILE_BYTES", "convert", "extract_text", "read_bytes"]

# A saved page or a report with its images is larger than its text: 20 MiB (the text extracted
# is still held to the reader's limit for a text file).
MAX_FILE_BYTES = 20 * 1024 * 1024

_META_CHARSET = re.compile(
    rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.I
)
# A page parsed in this process: up to 1 MiB and 256 elements deep (real pages: tens of KiB, a
# few dozen deep); beyond either, in a child held to a budget (cqckg.read.limits).
_INLINE_BYTES = 1024 * 1024
_INLINE_DEPTH = 256
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
# Void elements and those whose end tag may be left out: no depth of their own.
_NO_END_TAG = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead",
        "tbody", "tfoot", "colgroup", "rb", "rt", "rp", "caption", "html", "head", "body",
    }
)  # fmt: skip
# Labels the HTML standard reads as windows-1252.
_WINDOWS_1252 = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"})


def convert(path: Path, max_text_bytes: int) -> tuple[str, Origin]:
    """The text of a web page or PDF report file, and its origin."""
    media_type = EXTRACTED_SUFFIXES[path.suffix.lower()]
    data = read_bytes(path)
    text, pages = extract_text(data, media_type, path)
    size = len(text.encode("utf-8"))
    if size > max_text_bytes:
        raise DocumentError(
            SourceLocation(path),
            "size-limit",
            f"{size} bytes of text extracted; expected a document of at most {max_text_bytes}",
        )
    if not text.strip():
        raise DocumentError(
            SourceLocation(path),
            "empty",
            "no text in the page's main content; expected a CQC document",
        )
    return text, Origin(media_type, hashlib.sha256(data).hexdigest(), pages)


def in_extracted_text(error: DocumentError, text: str, origin: Origin) -> DocumentError:
    """An error found in a page's or PDF's extracted text, placed in the file: the line of the
    extracted text it names, and for a PDF the page that line comes from.

    >>> e = DocumentError(SourceLocation("r.pdf", 3, 1), "score-range", "score 7")
    >>> str(in_extracted_text(e, "a\\nb\\nc\\n", Origin("application/pdf", "0" * 64, (0, 4))))
    'r.pdf: [score-range] score 7 (line 3 of the text extracted from it, on page 2)'
    """
    line = error.location.line
    if line is None:
        return error
    where = f"line {line} of the text extracted from it"
    if origin.page_starts:
        offset = sum(len(row) + 1 for row in text.split("\n")[: line - 1])
        where += f", on page {origin.page_of(offset)}"
    return DocumentError(
        SourceLocation(error.location.path), error.rule, f"{error.message} ({where})"
    )


def extract_text(data: bytes, media_type: str, path: Path) -> tuple[str, tuple[int, ...]]:
    """The text extracted from a file's bytes, and where its pages start (PDF only)."""
    if media_type == "application/pdf":
        if b"%PDF-" not in data[:1024]:
            raise DocumentError(
                SourceLocation(path, 1, 1),
                "binary",
                "no '%PDF-' header; expected a PDF file",
            )
        pdf = run_limited(lambda: extract_pdf(data, path), path)  # a PDF may unpack to GBs
        return pdf.text, pdf.page_starts
    html = _decode_html(data, path)
    if len(data) > _INLINE_BYTES or nesting(html) > _INLINE_DEPTH:
        # HTML5 tree building is quadratic in the depth of nesting: a large or deeply nested
        # page is parsed in a child held to the time and memory budget
        return run_limited(lambda: extract_page(html).text, path), ()
    return extract_page(html).text, ()


def nesting(html: str) -> int:
    """How deep a page's elements nest at most, counting only those that need an end tag.

    >>> nesting("<div><p>one<p>two<br><b>three</b></div>"), nesting("<div>" * 3)
    (2, 3)
    """
    depth = deepest = 0
    for m in _TAG.finditer(html):
        if m.group(2).lower() in _NO_END_TAG:
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A source file's bytes: refused when unreadable, over ``limit`` bytes, or empty."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise DocumentError(
                SourceLocation(path),
                "size-limit",
                f"{size} bytes; expected a file of at most {limit} bytes",
            )
        data = path.read_bytes()
    except OSError as e:
        raise DocumentError(SourceLocation(path), "unreadable", str(e)) from e
    if not data.strip():
        raise DocumentError(SourceLocation(path, 1), "empty", "no content; expected a CQC document")
    return data


def _decode_html(data: bytes, path: Path) -> str:
    """A page's text as its byte order mark or ``<meta charset>`` says, else UTF-8."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16")):
        if data.startswith(bom) or (name == "utf-16" and data.startswith(codecs.BOM_UTF16_BE)):
            return _decoded(data, name, path)
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise DocumentError(
            SourceLocation(path, line),
            "binary",
            f"NUL byte at byte {nul}; expected an HTML page (text)",
        )
    declared = _META_CHARSET.search(data[:4096])
    encoding = "utf-8"
    if declared:
        label = declared.group(1).decode("ascii").lower()
        try:
            encoding = codecs.lookup(label).name
        except LookupError:
            raise DocumentError(
                SourceLocation(path, data.count(b"\n", 0, declared.start()) + 1),
                "encoding",
                f"the page declares the unknown character set {label!r}; expected e.g. UTF-8",
            ) from None
        if label in _WINDOWS_1252 or encoding in ("latin-1", "iso8859-1", "ascii"):
            encoding = "cp1252"
    return _decoded(data, encoding, path)


def _decoded(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise DocumentError(
            SourceLocation(path, line),
            "encoding",
            f"invalid {encoding} at byte {e.start} (0x{data[e.start]:02x}); expected an HTML "
            "page in the character set it declares (UTF-8 when it declares none)",
        ) from None
