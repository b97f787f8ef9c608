"""``cqckg fetch COUNCIL... | --all``: gather assessments from CQC's site and ingest them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cqckg.cli import EXIT_COULD_NOT_RUN, EXIT_OK, add_store_option
from cqckg.fetch.client import FetchSettings
from cqckg.fetch.run import DEFAULT_SITE, FetchRun, Outcome, default_out, fetch
from cqckg.fetch.site import PageKind


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "fetch",
        help="download councils' assessments from CQC's site (one folder each) and ingest them",
        description="Find each council's local authority assessment reports in the site's list, "
        "save their pages (landing, summary, quality statements, PDF, press release) one folder "
        "per assessment, and ingest each assessment (all-or-nothing). A re-run downloads only "
        "what changed.",
    )
    p.add_argument(
        "authorities",
        nargs="*",
        metavar="COUNCIL",
        help="a council's name in any usual spelling, its GSS code, or a report's slug",
    )
    p.add_argument("--all", action="store_true", help="every report in the site's list")
    p.add_argument(
        "--site", default=DEFAULT_SITE, metavar="URL", help=f"the site (default {DEFAULT_SITE})"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"where the folders go (default {default_out()})",
    )
    p.add_argument("--no-ingest", action="store_true", help="save the files only")
    p.add_argument(
        "--rate",
        type=float,
        default=FetchSettings.rate,
        metavar="R",
        help="at most R requests a second (default %(default)g)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=FetchSettings.timeout,
        metavar="S",
        help="seconds to wait for a connection or for data (default %(default)g)",
    )
    p.add_argument(
        "--retries",
        type=int,
        default=FetchSettings.retries,
        metavar="N",
        help="retries after a 429, a 5xx or a network failure (default %(default)d)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    add_store_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.all == bool(args.authorities):
        print("cqckg fetch: name one or more councils, or --all", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    settings = FetchSettings(rate=args.rate, timeout=args.timeout, retries=max(0, args.retries))
    options = FetchRun(
        authorities=args.authorities,
        site=args.site,
        out=args.out or default_out(),
        settings=settings,
        ingest=not args.no_ingest,
        store=args.store,
        progress=not args.no_progress and sys.stderr.isatty(),
    )
    outcomes = fetch(options, echo=lambda line: print(line, file=sys.stderr))
    for o in outcomes:
        print(_line(o))
    counts = {s: sum(o.status == s for o in outcomes) for s in ("new", "updated", "unchanged")}
    failed = [o for o in outcomes if o.failed]
    found = sum(o.pages is not None or o.folder is not None for o in outcomes)
    print(
        f"assessments found: {found}, new: {counts['new']}, updated: {counts['updated']}, "
        f"unchanged: {counts['unchanged']}, failed: {len(failed)}"
    )
    print(f"saved in {options.out}")
    for o in failed:
        print(f"cqckg fetch: {o.label}: {o.reason}", file=sys.stderr)
    return EXIT_COULD_NOT_RUN if failed else EXIT_OK


def _line(o: Outcome) -> str:
    who = f"{o.authority.name} ({o.authority.gss})" if o.authority else "unknown council"
    if o.failed:
        return f"{o.label}: {who}: failed: {o.reason}"
    assert o.pages is not None
    count = {k: len(o.pages.saved.get(k, [])) for k in PageKind}
    parts = [f"{len(o.pages.files)} file(s)"]
    statements = count[PageKind.STATEMENT]
    parts.append(f"{statements} quality statement page(s)" + ("" if statements == 9 else " of 9"))
    parts.append("PDF" if count[PageKind.PDF] else "no PDF")
    if count[PageKind.PRESS_RELEASE]:
        parts.append("press release")
    if o.pages.skipped:
        parts.append(f"{len(o.pages.skipped)} disallowed by robots.txt")
    if o.pages.removed:
        parts.append(f"{len(o.pages.removed)} file(s) of pages no longer linked removed")
    if o.pages.offsite:
        parts.append(f"{len(o.pages.offsite)} link(s) to other sites not followed")
    text = f"{o.label}: {who}: {o.status}: " + ", ".join(parts)
    return text + (f"; {o.ingest}" if o.ingest else "")
