"""``cqckg ingest PATH_OR_URL...``: read CQC documents and add their assessments to the store.

An argument that is a web address is fetched first (politely, see :mod:`cqckg.fetch`) into
``--out``/<host>/, and the saved file is ingested with the others."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cqckg.cli import EXIT_COULD_NOT_RUN, EXIT_OK, EXIT_PROBLEMS, add_store_option
from cqckg.core.errors import DocumentError, ValidationFailed
from cqckg.core.namespaces import FRAMEWORK_GRAPH
from cqckg.fetch.run import default_out
from cqckg.fetch.urls import download, is_address
from cqckg.ingest import ingest
from cqckg.read.dates import parse_published
from cqckg.store import open_store
from cqckg.store.load import reference_graphs


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "ingest", help="read CQC assessment documents (files or folders) into the store"
    )
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH_OR_URL",
        help="documents, folders of documents, or web addresses of documents",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="where documents given as addresses are saved, one folder per site "
        f"(default {default_out()})",
    )
    p.add_argument(
        "--published",
        type=_published,
        metavar="YYYY-MM[-DD]",
        help="when the assessment was published, for documents that do not say and whose "
        "address does not encode it",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="build and validate assessments in N processes (0: one per core; default 1)",
    )
    add_store_option(p)
    p.set_defaults(func=run)


def _published(text: str) -> str:
    try:
        return parse_published(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    store = open_store(args.store)
    try:
        if FRAMEWORK_GRAPH.toPython() not in store.named_graphs():
            store.replace_graphs(reference_graphs())
        jobs = args.jobs if args.jobs > 0 else os.cpu_count() or 1
        progress = not args.no_progress and sys.stderr.isatty()
        result = ingest(_paths(args), store, progress=progress, jobs=jobs, published=args.published)
    except DocumentError as exc:
        print(f"cqckg ingest: {exc}\nnothing was written", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except ValidationFailed as exc:
        print(f"cqckg ingest: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    finally:
        store.close()
    for a in result.assessments:
        ex = a.extraction
        rating = ex.rating.rating if ex.rating else "no rating"
        pilot = " (pilot)" if a.pilot else ""
        print(
            f"{a.gss} {a.published}{pilot}: {len(a.documents)} document(s), {rating}, "
            f"{len(ex.scores)} scores, {len(ex.statistics)} statistics, "
            f"{len(ex.findings)} findings, {len(ex.partners)} partners, "
            f"{len(ex.strategies)} strategies, {len(ex.links)} links"
        )
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return EXIT_OK


def _paths(args: argparse.Namespace) -> list[Path]:
    """The files and folders to ingest, web addresses fetched into ``--out`` first."""
    urls = [a for a in args.paths if is_address(a)]
    fetched = dict(zip(urls, download(urls, args.out or default_out()), strict=True))
    return [fetched[a] if a in fetched else Path(a) for a in args.paths]
