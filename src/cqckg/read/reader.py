"""Read a source document: check it, recognise it and split it into a :class:`Document`.

The text is kept exactly as stored, so offsets (anchors) point into the file's real text;
only copies are folded for matching. A file that cannot be read or recognised raises
:class:`~cqckg.core.errors.DocumentError` naming the file, the line, the rule broken and what was
expected.

>>> from cqckg.core.paths import graph_dir
>>> docs = read_documents([graph_dir() / "sources"])
>>> sorted({d.kind.value for d in docs})
['full-report', 'landing-page', 'overall-summary', 'press-release', 'quality-statement-page']
>>> all(d.text[s.start : s.end] == s.text for d in docs for s in d.sentences)
True
"""

from __future__ import annotations

import bisect
import codecs
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from cqckg.core.authorities import Authority, AuthorityRegistry
from cqckg.core.errors import DocumentError, SourceLocation
from cqckg.core.formats import DOCUMENT_SUFFIXES, EXTRACTED_SUFFIXES
from cqckg.read import segment
from cqckg.read.convert import convert, in_extracted_text, read_bytes
from cqckg.read.dates import address_month
from cqckg.read.kinds import detect_kind, expected_kinds, is_pilot
from cqckg.read.model import Document, DocumentKind, Section, SectionRole
from cqckg.read.origin import Origin
from cqckg.read.segment import HeadingVocabulary, LineIndex

__all__ = ["MAX_BYTES", "SUFFIXES", "read_document", "read_documents"]

MAX_BYTES = 5 * 1024 * 1024
# What a folder is expanded to: text files as kept, and web pages and PDF reports, whose text is
# extracted first (cqckg.read.convert): anchors point into the extracted text.
SUFFIXES = DOCUMENT_SUFFIXES
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", *EXTRACTED_SUFFIXES})

# UTF-32 before UTF-16: the UTF-32 little-endian mark begins with the UTF-16 one.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_SOURCE_LINE = re.compile(r"\ufeff?Source:[ \t]*(\S+)[ \t]*\r?$")
_NOTE_LINE = re.compile(r"[ \t]*\(.*\)[ \t]*\r?$")
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE = rf"(\d{{1,2}})\s+({_MONTHS})(?:\s+(\d{{4}}))?\b"
# Most certain first; a press release may only say it "will be published on ... 8 November".
_DATE_PATTERNS = (
    re.compile(rf"assessment published:\s*{_DATE}", re.I),
    re.compile(rf"^\W*published:\s*{_DATE}", re.I | re.M),
    re.compile(rf"\bpublished on\b[^.\n]*?\b{_DATE}", re.I),
)
_FULL_DATE = re.compile(rf"\b\d{{1,2}}\s+(?:{_MONTHS})\s+(\d{{4}})\b", re.I)
_SCORE_VALUE = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?(?P<label>(?:indicative[ \t]+)?score)[ \t]*:"
    r"[ \t]*(?P<value>.*?)[ \t]*\r?$",
    re.I,
)
# "2 - Evidence shows some shortfalls", "1 – Inadequate: Evidence shows significant shortfalls"
_DESCRIPTOR = re.compile(
    r"^[ \t]*(?P<value>\d+)[ \t]*[-–—:][ \t]*"
    r"(?:(?:inadequate|requires improvement|good|outstanding)[ \t]*[:\-–—][ \t]*)?evidence shows\b",
    re.I,
)
_NUMBERED_SCORE = re.compile(
    r"^[ \t]*(?:\d+\.[ \t]+|[-•*][ \t]*)(?P<name>\S.*?)[ \t]+[-–—][ \t]*(?P<value>\d+)[ \t]*\r?$"
)
_HAS_RATED = re.compile(r"\bhas rated (?P<subject>.+?) as\b", re.I)
_REPORT_SLUG = re.compile(r"local-authority-assessment-reports/(?P<slug>[a-z0-9-]+)", re.I)
_RELEASE_SLUG = re.compile(
    r"/press-release/cqc-(?:rates|publishes-report(?:-on)?)-(?P<name>[a-z0-9-]+?)-"
    r"(?:adult-social-care|care-act)\b",
    re.I,
)


@dataclass(frozen=True)
class _Header:
    """The lines before the document proper: ``Source: <url>`` and curator's notes."""

    source_url: str | None
    lines: int


def read_document(
    path: Path | str,
    *,
    registry: AuthorityRegistry | None = None,
    vocabulary: HeadingVocabulary | None = None,
) -> Document:
    """Read, check, recognise and split one document.

    Raises :class:`DocumentError` (rules ``size-limit``, ``empty``, ``binary``, ``encoding``,
    ``kind-unknown``, ``council-unknown``, ``council-conflict``, ``score-range``,
    ``score-missing``, ``statement-unknown``, ``theme-missing``).
    """
    path = Path(path)
    if path.suffix.lower() in EXTRACTED_SUFFIXES:
        text, origin = convert(path, MAX_BYTES)
        try:
            return parse_document(
                text, path, registry=registry, vocabulary=vocabulary, origin=origin
            )
        except DocumentError as e:
            raise in_extracted_text(e, text, origin) from None
    return parse_document(_decode(path), path, registry=registry, vocabulary=vocabulary)


def parse_document(
    text: str,
    path: Path | str,
    *,
    registry: AuthorityRegistry | None = None,
    vocabulary: HeadingVocabulary | None = None,
    origin: Origin | None = None,
) -> Document:
    """Recognise and split a document's text, as :func:`read_document` does for a file.

    ``path`` names the document in errors and tells markdown from plain text; it is not read
    (ingestion re-reads documents already in the store this way). ``origin`` is the web page or
    PDF the text was extracted from (its text is Markdown).
    """
    path = Path(path)
    registry = registry or AuthorityRegistry.load()
    vocabulary = vocabulary or _default_vocabulary()
    if not text.strip():
        raise DocumentError(SourceLocation(path, 1), "empty", "the document has no text")
    lines = LineIndex(text)
    header = _header(text, lines)
    _check_score_values(path, text, lines, vocabulary)
    kind, evidence = detect_kind(text[lines.starts[min(header.lines, len(lines) - 1)] :])
    if kind is None:
        raise DocumentError(
            SourceLocation(path, header.lines + 1),
            "kind-unknown",
            f"not a CQC local authority assessment document; expected one of: {expected_kinds()}",
        )
    if path.suffix.lower() in MARKDOWN_SUFFIXES:
        blocks = segment.markdown_blocks(text, lines, header.lines)
    else:
        blocks = segment.plain_blocks(text, lines, vocabulary, header.lines)
    blocks = segment.normalise_blocks(text, blocks)
    title = _title(blocks)
    warnings: list[str] = []
    authority = _subject(path, text, lines, title, blocks, header, registry, warnings)
    sections = segment.build_sections(
        text, blocks, vocabulary, _authority_to_generic(authority, registry)
    )
    paragraphs, sentences = segment.split_passages(text, blocks, sections)
    _check_score_statements(path, text, lines, sections, vocabulary)
    _check_themes(path, lines, kind, sections, vocabulary)
    published = _published(text)
    month = address_month(header.source_url)
    statements = {s.quality_statement for s in sections if s.role is SectionRole.QUALITY_STATEMENT}
    return Document(
        path=path,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        kind=kind,
        authority_gss=authority.gss,
        authority_name=authority.name,
        published=published,
        pilot=is_pilot(text, published or (dt.date(int(month[:4]), 1, 1) if month else None)),
        title=text[title[0] : title[1]],
        source_url=header.source_url,
        address_month=month,
        warnings=warnings,
        quality_statement=(
            statements.pop()
            if kind is DocumentKind.QUALITY_STATEMENT_PAGE and len(statements) == 1
            else None
        ),
        sections=sections,
        paragraphs=paragraphs,
        sentences=sentences,
        kind_evidence=evidence,
        origin=origin,
    )


def read_documents(
    paths: Iterable[Path | str],
    *,
    registry: AuthorityRegistry | None = None,
    vocabulary: HeadingVocabulary | None = None,
) -> list[Document]:
    """Read files, and folders recursively (sorted; ``.md``, ``.markdown``, ``.txt``, ``.html``,
    ``.htm``, ``.pdf``; not ``README.md``), stopping at the first file that cannot be read with
    its location.
    """
    registry = registry or AuthorityRegistry.load()
    vocabulary = vocabulary or _default_vocabulary()
    return [read_document(p, registry=registry, vocabulary=vocabulary) for p in expand_paths(paths)]


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """The files to read: files as given, folders expanded (see :func:`read_documents`)."""
    out: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            out.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in SUFFIXES
                and p.name.lower() != "readme.md"
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            out.append(path)
    return out


def _default_vocabulary() -> HeadingVocabulary:
    from cqckg.core.vocabulary import load_vocabulary

    return load_vocabulary()


# -- checks on the bytes --------------------------------------------------------------------


def _decode(path: Path) -> str:
    data = read_bytes(path, MAX_BYTES)
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            raise DocumentError(
                SourceLocation(path, 1, 1),
                "encoding",
                f"{name} text (byte order mark 0x{bom.hex()}); expected UTF-8 text, "
                "re-save the file as UTF-8",
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _byte_position(data, nul)
        raise DocumentError(
            SourceLocation(path, line, column),
            "binary",
            f"NUL byte at byte {nul}; expected a text file (Markdown or plain text)",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line, column = _byte_position(data, e.start)
        raise DocumentError(
            SourceLocation(path, line, column),
            "encoding",
            f"invalid UTF-8 at byte {e.start} (0x{data[e.start]:02x}); expected UTF-8 text, "
            "re-save the file as UTF-8",
        ) from None


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in bytes) of a byte offset."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def _header(text: str, lines: LineIndex) -> _Header:
    start, end = lines.span(0)
    source = _SOURCE_LINE.match(text, start, end + 1 if end < len(text) else end)
    if source is None:
        return _Header(None, 0)
    n = 1
    while n < len(lines) and _NOTE_LINE.fullmatch(text, *lines.span(n)):
        n += 1
    return _Header(source.group(1), n)


# -- recognition ------------------------------------------------------------------------------


def _title(blocks: list[segment.Block]) -> tuple[int, int]:
    first = next((b for b in blocks if b.kind == "heading"), blocks[0] if blocks else None)
    return (0, 0) if first is None else (first.start, first.end)


def _subject(
    path: Path,
    text: str,
    lines: LineIndex,
    title: tuple[int, int],
    blocks: list[segment.Block],
    header: _Header,
    registry: AuthorityRegistry,
    warnings: list[str],
) -> Authority:
    """The council a document is about, from the places that name its subject.

    Those are the title (or a press release's headline), an 'About <council>' heading and the
    document's address; they must agree. A press release's 'has rated <council> as' names the
    subject only when none of those does: where it names another council (a slip in the
    source), the title and address stand and the slip is reported in ``warnings``. Councils
    named elsewhere (partners, neighbours) are never the subject.
    """
    places: list[tuple[int, list[Authority]]] = []
    places.append((title[0], _authorities(registry, text[title[0] : title[1]])))
    for b in blocks:
        heading = text[b.start : b.end]
        if b.kind == "heading" and heading.casefold().startswith("about "):
            places.append((b.start, _authorities(registry, heading)))
    if header.source_url:
        found = _address_authority(header.source_url, registry)
        places.append((0, [found] if found else []))
    named: dict[str, tuple[int, Authority]] = {}
    for offset, authorities in places:
        for a in authorities:
            named.setdefault(a.gss, (offset, a))
    rated = _HAS_RATED.search(text)
    rated_authorities = _authorities(registry, rated.group("subject")) if rated else []
    if not named and rated is not None:
        named = {a.gss: (rated.start(), a) for a in rated_authorities}
    elif (
        rated is not None
        and rated_authorities
        and not any(a.gss in named for a in rated_authorities)
    ):
        subject = next(iter(named.values()))[1]
        warnings.append(
            f"{path}:{lines.line_of(rated.start()) + 1}: the text says CQC has rated "
            f"{', '.join(a.name for a in rated_authorities)}, but its title and address are about "
            f"{subject.name}; kept {subject.name}"
        )
    if not named:
        raise DocumentError(
            SourceLocation(path, lines.line_of(title[0]) + 1),
            "council-unknown",
            f"no council recognised in the title {text[title[0] : title[1]]!r} or the other "
            "places that name the subject; expected e.g. '<council name>: local authority "
            "assessment' or 'CQC rates <council name>'s adult social care'",
        )
    if len(named) > 1:
        offset = sorted(o for o, _ in named.values())[-1]
        names = ", ".join(sorted(a.name for _, a in named.values()))
        raise DocumentError(
            SourceLocation(path, lines.line_of(offset) + 1),
            "council-conflict",
            f"the document names more than one council as its subject ({names}); expected one",
        )
    return next(iter(named.values()))[1]


def _address_authority(url: str, registry: AuthorityRegistry) -> Authority | None:
    """The council a report's or press release's address names.

    Report slugs are ``<name>-MMYY[...]`` or ``<name>-cc``; press releases are
    ``cqc-rates-<name>s-adult-social-care-provision-<rating>`` or
    ``cqc-publishes-report-<name>s-care-act-responsibilities`` (the name run together or
    hyphenated, with a possessive ``s``). Only an exact match of the name counts.
    """
    report = _REPORT_SLUG.search(url)
    if report:
        return registry.match(report.group("slug"), cutoff=100.0)
    release = _RELEASE_SLUG.search(url)
    words = release.group("name").casefold().split("-") if release else []
    for start in range(len(words)):
        tail = words[start:]
        # the name hyphenated or run together, with or without its possessive 's'
        for variant in (tail, [*tail[:-1], tail[-1][:-1]] if tail[-1].endswith("s") else None):
            if variant:
                found = registry.match(" ".join(variant), cutoff=100.0) or registry.match(
                    "".join(variant), cutoff=100.0
                )
                if found is not None:
                    return found
    return None


def _authorities(registry: AuthorityRegistry, text: str) -> list[Authority]:
    return list({a.gss: a for a, _, _ in registry.find_in_text(text)}.values())


def _authority_to_generic(
    authority: Authority, registry: AuthorityRegistry
) -> Callable[[str], str]:
    """Put "the local authority" for the council's name, as the framework words theme headings."""

    def prepare(heading: str) -> str:
        for a, start, end in reversed(registry.find_in_text(heading)):
            if a.gss == authority.gss:
                heading = heading[:start] + "the local authority" + heading[end:]
        return heading

    return prepare


def _published(text: str) -> dt.date | None:
    """The publication date the document states.

    'Assessment published: 8 November 2024', 'Published: 17 November 2023 Page last updated:
    ...', or 'will be published ... on Friday 8 November' (its year then taken from the
    document's other dates; without one the date is unknown).

    >>> _published("The assessment will be published on Friday 8 November.")
    >>> _published("It will be published on Friday 8 November.\\nUpdated: 8 November 2024")
    datetime.date(2024, 11, 8)
    """
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            day, month, year = m.groups()
            if year is None:
                years = set(_FULL_DATE.findall(text))
                if len(years) != 1:
                    continue
                year = years.pop()
            try:
                return dt.datetime.strptime(f"{day} {month} {year}", "%d %B %Y").date()
            except ValueError:
                continue
    return None


# -- scores ----------------------------------------------------------------------------------


def _check_score_values(
    path: Path, text: str, lines: LineIndex, vocabulary: HeadingVocabulary
) -> None:
    """Every score given is a whole number from 1 to 4, and no score line is left empty."""
    for n in range(len(lines)):
        start, end = lines.span(n)
        line = text[start:end]
        score = _SCORE_VALUE.match(line)
        if score is not None:
            value = score.group("value")
            column = score.start("value") + 1
            if value:
                _check_value(path, n + 1, column, value, line)
            elif _next_line(text, lines, n) is None:
                raise DocumentError(
                    SourceLocation(path, n + 1, column),
                    "score-missing",
                    f"'{score.group('label')}:' with no score after it (the file ends); "
                    "expected a score 1-4 on the line or '<1-4> - Evidence shows ...' after it",
                )
            continue
        descriptor = _DESCRIPTOR.match(line)
        if descriptor is not None:
            _check_value(path, n + 1, descriptor.start("value") + 1, descriptor["value"], line)
            continue
        numbered = _NUMBERED_SCORE.match(line)
        if numbered and vocabulary.quality_statement_for(numbered.group("name")):
            _check_value(path, n + 1, numbered.start("value") + 1, numbered["value"], line)


def _check_score_statements(
    path: Path,
    text: str,
    lines: LineIndex,
    sections: list[Section],
    vocabulary: HeadingVocabulary,
) -> None:
    """Every score line is given under a quality statement."""
    starts = [s.heading_start for s in sections]
    for n in range(len(lines)):
        start, end = lines.span(n)
        if _SCORE_VALUE.match(text[start:end]):
            _check_statement(path, text, lines, n, sections, starts, vocabulary)


def _check_themes(
    path: Path,
    lines: LineIndex,
    kind: DocumentKind,
    sections: list[Section],
    vocabulary: HeadingVocabulary,
) -> None:
    """A full report has a section for every theme; one without was cut short or edited."""
    if kind is not DocumentKind.FULL_REPORT:
        return
    expected = {info.theme for info in vocabulary.quality_statements.values()}
    found = {s.theme for s in sections if s.role is SectionRole.THEME}
    missing = sorted(expected - found)
    if missing:
        raise DocumentError(
            SourceLocation(path, len(lines)),
            "theme-missing",
            f"a full report with no section for the theme(s) {', '.join(missing)}; expected "
            f"all {len(expected)} themes of the framework (is the file cut short?)",
        )


def _next_line(text: str, lines: LineIndex, n: int) -> int | None:
    for m in range(n + 1, len(lines)):
        if text[slice(*lines.span(m))].strip():
            return m
    return None


def _check_value(path: Path, line: int, column: int, value: str, written: str) -> None:
    m = re.match(r"(\d+)(?:\s*(?:/|out of)\s*4)?\b", value)
    if m is None or not 1 <= int(m.group(1)) <= 4:
        raise DocumentError(
            SourceLocation(path, line, column),
            "score-range",
            f"score {value.split()[0] if value.split() else value!r} in {written.strip()!r}; "
            "expected a whole number from 1 to 4",
        )


def _check_statement(
    path: Path,
    text: str,
    lines: LineIndex,
    n: int,
    sections: list[Section],
    starts: list[int],
    vocabulary: HeadingVocabulary,
) -> None:
    """A score belongs to the heading just above it, or the line just above in a list."""
    start = lines.starts[n]
    if n > 0:
        above = text[slice(*lines.span(n - 1))]
        listed = above.strip() and not above.lstrip().startswith("#")
        if listed and vocabulary.quality_statement_for(above) is not None:
            return
    at = bisect.bisect_right(starts, start) - 1
    section = sections[at] if at >= 0 else None
    if section is not None and section.role is SectionRole.QUALITY_STATEMENT:
        return
    heading = section.heading if section else "(none)"
    raise DocumentError(
        SourceLocation(path, n + 1, 1),
        "statement-unknown",
        f"a score is given under {heading!r}, which names no quality statement; expected "
        "one of the nine quality statements (e.g. 'Assessing needs', 'Safeguarding')",
    )
