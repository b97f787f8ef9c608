"""Documents to assessments: which files are documents, and which assessment (authority and
publication date) each document belongs to."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from cqckg.core.errors import DocumentError, SourceLocation
from cqckg.core.paths import sources_dir
from cqckg.read import dates
from cqckg.read.model import Document, DocumentKind
from cqckg.read.reader import SUFFIXES

_RELEASE = DocumentKind.PRESS_RELEASE
_SOURCE_SUFFIXES = SUFFIXES


def relative_source_path(path: Path, root: Path | None = None) -> str:
    """Where a document sits relative to the sources folder (or its own folder when outside)."""
    base = (root or sources_dir()).resolve()
    p = path.resolve()
    try:
        return p.relative_to(base).as_posix()
    except ValueError:
        return f"{p.parent.name}/{p.name}"


def source_files(paths: Iterable[Path]) -> list[Path]:
    """The document files named by ``paths`` (folders expanded, README files skipped), sorted."""
    out: set[Path] = set()
    for p in paths:
        if p.is_dir():
            out.update(
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() in _SOURCE_SUFFIXES
                and f.stem.upper() != "README"
            )
        elif p.exists():
            out.add(p)
        else:
            raise DocumentError(SourceLocation(p), "file-exists", "no such file or folder")
    return sorted(out)


def group_documents(
    docs: list[Document],
    known: Mapping[str, Sequence[str]] | None = None,
    published: str | None = None,
) -> dict[tuple[str, str], list[Document]]:
    """Documents grouped into assessments: an authority and the date its assessment was published
    (ISO text, ``YYYY-MM-DD``, or ``YYYY-MM`` when only the month is known).

    A document's date is, in this order: the date it states; ``published`` (a date the user
    gives for the documents that state none); the month its report address encodes, which joins
    the authority's assessment published that month when the batch or the store (``known``, by
    GSS code) has one, and otherwise makes a month-dated assessment; the authority's one
    assessment in the batch, or else in the store. Press releases state dates that may differ
    from the report's by days: they join the authority's nearest assessment.
    """
    by_authority: dict[str, list[Document]] = defaultdict(list)
    for d in docs:
        by_authority[d.authority_gss].append(d)
    groups: dict[tuple[str, str], list[Document]] = defaultdict(list)
    for gss, authority_docs in sorted(by_authority.items()):
        for d, date in dated(authority_docs, list((known or {}).get(gss, ())), published):
            groups[(gss, date)].append(d)
    return dict(groups)


def dated(
    docs: list[Document], known: list[str], published: str | None
) -> list[tuple[Document, str]]:
    """Each of one authority's documents with the date of the assessment it belongs to."""
    stated = sorted(
        {d.published.isoformat() for d in docs if d.published and d.kind is not _RELEASE}
    ) or sorted({d.published.isoformat() for d in docs if d.published})
    days = sorted({*stated, *(k for k in known if not dates.is_month(k))})
    if published is not None and not dates.is_month(published):
        days = sorted({*days, published})

    def joined(month: str) -> str:
        """A month's assessment: the day-dated one of that month if any, else the month."""
        return next((day for day in days if dates.month_of(day) == month), month)

    out: list[tuple[Document, str]] = []
    undated: list[Document] = []
    for d in docs:
        if d.published is not None:
            day = d.published.isoformat()
            if day not in days:
                day = min(days, key=lambda x: abs(_ordinal(x) - d.published.toordinal()))  # type: ignore[union-attr]
            out.append((d, day))
        elif published is not None:
            if d.address_month not in (None, dates.month_of(published)):
                raise DocumentError(
                    SourceLocation(d.path, 1),
                    "publication-date",
                    f"--published {published} but the document's address says it was "
                    f"published in {d.address_month}; give the date of its month or leave "
                    "--published out",
                )
            out.append((d, published if not dates.is_month(published) else joined(published)))
        elif d.address_month is not None:
            out.append((d, joined(d.address_month)))
        else:
            undated.append(d)
    if undated:
        # the run's own assessment of the authority first; the store's only when the run has none
        found = sorted(
            {date for _, date in out} or {joined(k[:7]) for k in known}, key=dates.sort_key
        )
        if not found:
            raise DocumentError(
                SourceLocation(undated[0].path, 1),
                "publication-date",
                "nothing says when this assessment was published: no document states it "
                "('Assessment published: <date>', 'Published: <date>') and no report address "
                "encodes it ('<name>-MMYY'); give it with 'cqckg ingest --published YYYY-MM[-DD]' "
                "or ingest the document with its assessment's landing page, summary or report",
            )
        if len(found) > 1:
            raise DocumentError(
                SourceLocation(undated[0].path, 1),
                "ambiguous-assessment",
                f"undated document of a council with {len(found)} assessments "
                f"({', '.join(found)}); ingest each assessment separately or give its date "
                "with 'cqckg ingest --published YYYY-MM[-DD]'",
            )
        out.extend((d, found[0]) for d in undated)
    return out


def _ordinal(iso: str) -> int:
    """Days since year 1 of a date, a month counted from its first day."""
    return dt.date.fromisoformat(iso if len(iso) > 7 else f"{iso}-01").toordinal()


def refuse_duplicates(docs: Sequence[Document]) -> None:
    """The same text twice in one run is a mistake (a copied file), not two sources."""
    seen: dict[str, Path] = {}
    for d in docs:
        first = seen.setdefault(d.sha256, d.path)
        if first != d.path:
            raise DocumentError(
                SourceLocation(d.path, 1),
                "duplicate-document",
                f"the same text as {first}; expected each document once",
            )
