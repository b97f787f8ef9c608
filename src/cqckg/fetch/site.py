"""What ``cqckg fetch`` knows about the site's structure, read from ``cqc-site.toml``.

The file holds every address and pattern; this module only compiles them and answers the two
questions the crawler asks: is this list link a report, and which of a report's pages (if any)
is this link.
"""

from __future__ import annotations

import enum
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

LAYOUT_FILE = Path(__file__).with_name("cqc-site.toml")


class PageKind(enum.Enum):
    """The pages of one report, in the order they are fetched and listed."""

    LANDING = "landing"
    SUMMARY = "summary"
    STATEMENT = "statement"
    PDF = "pdf"
    PRESS_RELEASE = "press-release"


@dataclass(frozen=True)
class ReportLink:
    """A report found in the site's list: its slug, address and link text."""

    slug: str
    url: str
    title: str


@dataclass(frozen=True)
class SiteLayout:
    listing: str
    next_link_text: re.Pattern[str]
    max_listing_pages: int
    report_path: re.Pattern[str]
    report_title: re.Pattern[str]
    slug_suffix: re.Pattern[str]
    max_report_pages: int
    summary: tuple[re.Pattern[str], ...]
    statement: tuple[re.Pattern[str], ...]
    pdf_path: re.Pattern[str]
    pdf_text: re.Pattern[str]
    press_release_path: re.Pattern[str]

    @classmethod
    def load(cls, path: Path | None = None) -> SiteLayout:
        return _load(path or LAYOUT_FILE)

    def report(self, url: str, text: str) -> ReportLink | None:
        """The report a list link points to, or ``None`` for any other link."""
        m = self.report_path.fullmatch(link_path(url))
        if m is None:
            return None
        return ReportLink(m["slug"].lower(), url, " ".join(text.split()))

    def authority_in_title(self, title: str) -> str | None:
        """The council's name in a report link's text ("<Name>: local authority assessment")."""
        m = self.report_title.fullmatch(title)
        return m["council"] if m else None

    def slug_name(self, slug: str) -> str:
        """A slug without what it adds to the council's name: ``{name}-0225`` -> ``{name}``."""
        return self.slug_suffix.sub("", slug)

    def page_kind(self, report: ReportLink, url: str, text: str) -> PageKind | None:
        """Which page of ``report`` a link on one of its pages is (``None``: not one of them)."""
        path = link_path(url)
        base = link_path(report.url)
        if path.lower() == base.lower():
            return PageKind.LANDING
        if path.lower().startswith(base.lower()):
            rest = path[len(base) :]
            if any(p.fullmatch(rest) for p in self.summary):
                return PageKind.SUMMARY
            if any(p.fullmatch(rest) for p in self.statement):
                return PageKind.STATEMENT
        if self.pdf_path.search(path) or self.pdf_text.search(" ".join(text.split())):
            return PageKind.PDF
        if self.press_release_path.fullmatch(path) and self._names_report(path, report):
            return PageKind.PRESS_RELEASE
        return None

    def _names_report(self, path: str, report: ReportLink) -> bool:
        """Whether a press release's address names the report's council as its slug does
        (``cqc-rates-{name}-...`` for ``{name}-1124``): pages also link other news."""
        name = re.sub(r"[^a-z0-9]", "", self.slug_name(report.slug).lower())
        return bool(name) and name in re.sub(r"[^a-z0-9]", "", path.lower())


def link_path(url: str) -> str:
    """A URL's path, percent-decoded, without a trailing slash."""
    path = unquote(urlsplit(url).path)
    return path.rstrip("/") or "/"


@cache
def _load(path: Path) -> SiteLayout:
    data = tomllib.loads(path.read_text(encoding="utf-8"))

    def rx(pattern: str) -> re.Pattern[str]:
        return re.compile(pattern, re.IGNORECASE)

    return SiteLayout(
        listing=str(data["listing"]),
        next_link_text=rx(data["next_link_text"]),
        max_listing_pages=int(data["max_listing_pages"]),
        report_path=rx(data["report_path"]),
        report_title=rx(data["report_title"]),
        slug_suffix=rx(data["slug_suffix"]),
        max_report_pages=int(data["max_report_pages"]),
        summary=tuple(rx(p) for p in data["pages"]["summary"]),
        statement=tuple(rx(p) for p in data["pages"]["statement"]),
        pdf_path=rx(data["pdf"]["path"]),
        pdf_text=rx(data["pdf"]["text"]),
        press_release_path=rx(data["press_release"]["path"]),
    )
