"""``cqckg verify``: check every text anchor against the stored source documents."""

from __future__ import annotations

import argparse
from pathlib import Path

from cqckg.cli import EXIT_OK, EXIT_PROBLEMS, add_store_option
from cqckg.core.paths import sources_dir
from cqckg.ingest.verify import verify_store
from cqckg.store import open_store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "verify", help="check that every anchor's quote is still found at its offsets"
    )
    p.add_argument(
        "--sources",
        type=Path,
        default=None,
        metavar="DIR",
        help="the folder the documents were ingested from, to check the files too (their "
        "source paths are relative to it; default graph/sources): a text file's hash, a web "
        "page's or PDF's hash and the hash of its text extracted again",
    )
    add_store_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = open_store(args.store)
    report = verify_store(store, args.sources or sources_dir())
    for problem in report.problems:
        print(problem)
    print(
        f"{report.anchors} anchors in {report.documents} documents: "
        f"{len(report.problems)} problem(s)"
    )
    return EXIT_OK if report.ok else EXIT_PROBLEMS
