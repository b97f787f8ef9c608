"""Finding reports in the site's list and gathering each report's pages into its folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cqckg.fetch.client import Disallowed, FetchError, SiteClient
from cqckg.fetch.links import Link, page_links
from cqckg.fetch.saved import Folder, Saved, file_stem
from cqckg.fetch.site import PageKind, ReportLink, SiteLayout, link_path

# What the list's pages saved for conditional re-runs end with: not a suffix the readers take, so
# that ingesting the whole --out folder reads assessments only.
CACHED = ".cached"


def list_reports(client: SiteClient, layout: SiteLayout, cache: Folder) -> list[ReportLink]:
    """Every link in the site's list to an address shaped like a report, following its "next"
    links, in the list's order (which of them are reports, the caller decides).

    The list pages are kept in ``cache`` so that a later run asks for them conditionally."""
    url: str | None = client.site + layout.listing
    seen: set[str] = set()
    reports: dict[str, ReportLink] = {}
    while url is not None and url not in seen:
        if len(seen) >= layout.max_listing_pages:
            raise FetchError(url, f"the list has more than {layout.max_listing_pages} pages")
        seen.add(url)
        page = cache.fetch(client, url, f"list-{len(seen)}", CACHED)
        links = page_links(page.body, page.url)
        for link in links:
            found = layout.report(link.url, link.text)
            if found is None:
                continue
            # a report linked twice (an image, then its title): keep the text naming the council
            if found.slug not in reports or not layout.authority_in_title(
                reports[found.slug].title
            ):
                reports[found.slug] = found
        url = _next_page(links, layout, page.url)
    if not reports:
        raise FetchError(
            client.site + layout.listing,
            "no report links found in the list (has the site changed? see docs/cqc-site.md)",
        )
    return list(reports.values())


def _next_page(links: list[Link], layout: SiteLayout, here: str) -> str | None:
    """The list's next page: a link marked rel="next", or a link to the list itself (another
    query) whose text or title says "next"."""
    for link in links:
        if link.url == here:
            continue
        if "next" in link.rel or (
            link_path(link.url) == link_path(here) and layout.next_link_text.search(link.text)
        ):
            return link.url
    return None


@dataclass
class ReportPages:
    """What one report's fetch found and saved."""

    report: ReportLink
    saved: dict[PageKind, list[Saved]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # addresses robots.txt disallows
    offsite: list[str] = field(default_factory=list)  # links to the report on other sites
    twins: list[str] = field(default_factory=list)  # addresses whose page was saved already
    removed: list[str] = field(default_factory=list)  # files of pages the report links no more

    @property
    def files(self) -> list[Saved]:
        return [s for kind in PageKind for s in self.saved.get(kind, [])]

    @property
    def changed(self) -> bool:
        return bool(self.removed) or any(s.changed for s in self.files)

    @property
    def new(self) -> bool:
        return all(s.new for s in self.files)


def fetch_report(
    client: SiteClient,
    layout: SiteLayout,
    report: ReportLink,
    folder: Folder,
    on_page: Callable[[], object] = lambda: None,
) -> ReportPages:
    """Save a report's pages: its landing page, then every page of it the report's own pages
    link (summary, quality statements, PDF, press release). A page that cannot be fetched
    raises :class:`FetchError`; one robots.txt disallows is skipped (not the landing page).

    Once every page is saved, files of pages the report no longer links are deleted: a page that
    moved to a new address would otherwise be ingested twice."""
    out = ReportPages(report)
    queue: list[tuple[str, PageKind]] = [(report.url, PageKind.LANDING)]
    queued = {report.url}
    for url, kind in _drain(queue):
        if len(queued) > layout.max_report_pages:
            raise FetchError(report.url, f"links more than {layout.max_report_pages} pages")
        try:
            saved = folder.fetch(client, url, _stem(url, kind, layout))
        except Disallowed:
            if kind is PageKind.LANDING:
                raise
            out.skipped.append(url)
            continue
        finally:
            on_page()
        if saved.twin_of:
            out.twins.append(url)
            continue
        out.saved.setdefault(kind, []).append(saved)
        if kind in (PageKind.PDF, PageKind.PRESS_RELEASE) or not _is_html(saved):
            continue  # only the report's own pages are followed
        for link in page_links(saved.body, saved.url):
            if link.url in queued or urlsplit(link.url).scheme not in ("http", "https"):
                continue
            found = layout.page_kind(report, link.url, link.text)
            if found is None or found is PageKind.LANDING:
                continue
            queued.add(link.url)
            if client.on_site(link.url):
                queue.append((link.url, found))
            else:
                out.offsite.append(link.url)
    out.removed = folder.prune({s.url for s in out.files} | set(out.twins))
    return out


def _drain(queue: list[tuple[str, PageKind]]) -> Iterator[tuple[str, PageKind]]:
    while queue:
        yield queue.pop(0)


def _stem(url: str, kind: PageKind, layout: SiteLayout) -> str:
    stem = file_stem(url, layout.listing)
    return f"press-release-{stem}" if kind is PageKind.PRESS_RELEASE else stem


def _is_html(saved: Saved) -> bool:
    return saved.path.suffix == ".html"
