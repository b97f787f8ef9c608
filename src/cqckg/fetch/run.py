"""``cqckg fetch`` end to end: list, select, gather each assessment's pages, ingest them."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from cqckg.core.authorities import Authority, AuthorityRegistry
from cqckg.core.errors import AuthorityNotFound, DocumentError, ValidationFailed
from cqckg.fetch.authorities import report_authority, slug_authority
from cqckg.fetch.client import FetchError, FetchSettings, SiteClient
from cqckg.fetch.crawl import ReportPages, fetch_report, list_reports
from cqckg.fetch.saved import Folder
from cqckg.fetch.site import ReportLink, SiteLayout
from cqckg.store import ENV_STORE, GraphStore, default_store_location, open_store

DEFAULT_SITE = "https://www.cqc.org.uk"
SITE_CACHE = "_site"  # the folder under --out keeping robots.txt and the list's pages


def default_out() -> Path:
    """Where fetched documents go by default: ``documents/`` in the per-user data folder."""
    return Path(platformdirs.user_data_dir("cqckg")) / "documents"


@dataclass
class Outcome:
    """What happened to one assessment (or to a council with none in the list)."""

    label: str  # the report's slug, or the council asked for
    authority: Authority | None
    status: str  # new, updated, unchanged or failed
    reason: str = ""
    pages: ReportPages | None = None
    folder: Path | None = None
    ingest: str = ""  # what ingesting it did

    @property
    def failed(self) -> bool:
        return self.status == "failed"


@dataclass
class FetchRun:
    """The options of one ``cqckg fetch``."""

    authorities: Sequence[str]  # empty: every report in the list
    site: str = DEFAULT_SITE
    out: Path = field(default_factory=default_out)
    settings: FetchSettings = field(default_factory=FetchSettings)
    ingest: bool = True
    store: str | None = None
    progress: bool = False


def resolve_authorities(args: Sequence[str], registry: AuthorityRegistry) -> dict[str, Authority]:
    """Each argument's council (a name in any spelling, a GSS code or a report slug), before
    anything is fetched: an argument naming none stops the run with a one-line error."""
    layout = SiteLayout.load()
    out = {}
    for arg in args:
        try:
            out[arg] = registry.resolve(arg)
        except AuthorityNotFound:
            found = slug_authority(arg, registry, layout)
            if found is None:
                raise
            out[arg] = found
    return out


def is_slug(arg: str, layout: SiteLayout) -> bool:
    """Whether an argument is written as a report's slug (``{name}-0225``, ``{name}-cc``)
    rather than a council's name or code."""
    return (
        re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", arg) is not None
        and re.fullmatch(r"[ewsn]\d{8}", arg) is None
        and layout.slug_suffix.search(arg) is not None
    )


def fetch(run: FetchRun, echo: Callable[[str], None] = lambda _: None) -> list[Outcome]:
    """Gather (and unless told not to, ingest) the assessments ``run`` asks for."""
    layout, registry = SiteLayout.load(), AuthorityRegistry.load()
    wanted = resolve_authorities(run.authorities, registry)
    with SiteClient(run.site, run.settings) as client:
        links = list_reports(client, layout, Folder(run.out / SITE_CACHE))
        chosen, outcomes, found = _select(links, wanted, layout, registry)
        echo(f"{found} report(s) in the site's list; fetching {len(chosen)}")
        with _bar(run.progress, len(chosen), "assessments") as overall:
            for report, authority in chosen:
                outcomes.append(_gather(client, layout, report, authority, run))
                overall(1)
    if run.ingest:
        _ingest_all([o for o in outcomes if not o.failed and o.folder], run.store)
    return outcomes


def _select(
    reports: list[ReportLink],
    wanted: dict[str, Authority],
    layout: SiteLayout,
    registry: AuthorityRegistry,
) -> tuple[list[tuple[ReportLink, Authority | None]], list[Outcome], int]:
    """The reports asked for, with their councils; a council without one is a failure.

    A list link is a report when its text says so ("<Council>: local authority assessment") or
    its slug names a council; one that says so but names no known council is kept (and fails:
    a council the registry lacks is worth knowing about)."""
    authorities = {r.slug: report_authority(r.slug, r.title, registry, layout) for r in reports}
    reports = [r for r in reports if authorities[r.slug] or layout.authority_in_title(r.title)]
    if not wanted:
        return [(r, authorities[r.slug]) for r in reports], [], len(reports)
    chosen: dict[str, tuple[ReportLink, Authority | None]] = {}
    missing = []
    for arg, authority in wanted.items():
        theirs = [r for r in reports if authorities[r.slug] == authority]
        exact = [r for r in reports if r.slug == arg.strip().lower()]
        hits = exact or ([] if is_slug(arg, layout) else theirs)
        for r in hits:
            chosen.setdefault(r.slug, (r, authorities[r.slug]))
        if not hits:
            what = f"report {arg}" if is_slug(arg, layout) else f"report on {authority.name}"
            others = f" ({authority.name}'s: {', '.join(r.slug for r in theirs)})" if theirs else ""
            missing.append(
                Outcome(arg, authority, "failed", f"no {what} in the site's list{others}")
            )
    return list(chosen.values()), missing, len(reports)


def _gather(
    client: SiteClient,
    layout: SiteLayout,
    report: ReportLink,
    authority: Authority | None,
    run: FetchRun,
) -> Outcome:
    folder = Folder(run.out / report.slug)
    folder.data["report"] = {
        "slug": report.slug,
        "url": report.url,
        "title": report.title,
        "council": authority.gss if authority else None,
    }
    if authority is None:
        return Outcome(report.slug, None, "failed", f"no council matches {report.title!r}")
    try:
        with _bar(run.progress, None, report.slug, unit="page") as step:
            pages = fetch_report(client, layout, report, folder, lambda: step(1))
    except FetchError as exc:
        folder.write_manifest()
        return Outcome(report.slug, authority, "failed", str(exc), folder=folder.path)
    status = "new" if pages.new else "updated" if pages.changed else "unchanged"
    return Outcome(report.slug, authority, status, pages=pages, folder=folder.path)


def _ingest_all(outcomes: list[Outcome], location: str | None) -> None:
    """Ingest each assessment's folder on its own (all-or-nothing per assessment), unless the
    store already holds exactly these files (recorded in the folder's manifest)."""
    from cqckg.core.namespaces import FRAMEWORK_GRAPH
    from cqckg.store.load import reference_graphs

    if not outcomes:
        return
    key = _store_key(location)
    store = open_store(location)
    try:
        if FRAMEWORK_GRAPH.toPython() not in store.named_graphs():
            store.replace_graphs(reference_graphs())
        for o in outcomes:
            assert o.folder is not None
            folder = Folder(o.folder)
            done: dict[str, Any] = folder.data.setdefault("ingested", {})
            if key is not None and done.get(key) == folder.fingerprint():
                o.ingest = "already in the store"
                continue
            _ingest_one(o, folder, store)
            if not o.failed and key is not None:
                done[key] = folder.fingerprint()
                folder.write_manifest()
    finally:
        store.close()


def _ingest_one(o: Outcome, folder: Folder, store: GraphStore) -> None:
    from cqckg.ingest import ingest

    try:
        result = ingest([folder.path], store)
    except (DocumentError, ValidationFailed) as exc:
        o.status, o.reason = "failed", "not ingested: " + str(exc).splitlines()[0]
        return
    if not result.assessments:
        o.status = "failed"
        o.reason = f"not ingested: no document in {folder.path} could be read"
        return
    parts = []
    for a in result.assessments:
        ex = a.extraction
        rating = ex.rating.rating if ex.rating else "no rating"
        parts.append(f"{a.gss} {a.published}: {rating}, {len(ex.scores)} scores")
    o.ingest = "ingested " + "; ".join(parts)


def _store_key(location: str | None) -> str | None:
    """How the manifest names a store (``None``: an in-memory one, never the same twice)."""
    loc = location if location is not None else os.environ.get(ENV_STORE) or ""
    if loc == ":memory:":
        return None
    if loc.startswith(("http://", "https://")):
        return loc
    return str(Path(loc).expanduser().resolve() if loc else default_store_location())


@contextmanager
def _bar(
    enabled: bool, total: int | None, what: str, unit: str = "assessment"
) -> Iterator[Callable[[int], object]]:
    """A tqdm bar (or nothing) and its ``update``."""
    if not enabled:
        yield lambda _n: None
        return
    from tqdm import tqdm

    position = 0 if unit == "assessment" else 1
    with tqdm(total=total, desc=what, unit=unit, leave=False, position=position) as bar:
        yield bar.update
