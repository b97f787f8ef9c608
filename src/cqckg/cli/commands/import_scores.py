"""``cqckg import-scores FILE.csv``: load a table of published ratings and scores."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cqckg.cli import EXIT_OK, EXIT_PROBLEMS, add_store_option
from cqckg.ingest.scores_table import import_scores
from cqckg.store import open_store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "import-scores",
        help="load a CSV of published ratings and quality statement scores for many councils",
        description="Import a table with columns council (name or GSS code), published, overall "
        "rating, the nine quality statement scores and an optional pilot flag. Each row becomes "
        "its assessment's named graph, anchored to the row; where the graph already holds the "
        "assessment from its report, differing values are reported and recorded as "
        "disagreements, and the report's value is kept.",
        epilog="Exit codes: 0 every row imported without conflict, 1 rows refused or conflicts "
        "found (the other rows were imported), 2 the file or store could not be read.",
    )
    p.add_argument("file", type=Path, metavar="FILE.csv", help="the ratings table")
    add_store_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = open_store(args.store)
    try:
        result = import_scores(args.file, store)
    finally:
        store.close()
    for problem in result.refused:
        print(f"refused: {problem}", file=sys.stderr)
    for conflict in result.conflicts:
        print(f"conflict: {args.file}:{conflict}", file=sys.stderr)
    print(
        f"imported {len(result.imported)} assessments from {args.file}; "
        f"{len(result.refused)} rows refused, {len(result.conflicts)} conflicts"
    )
    return EXIT_PROBLEMS if result.refused or result.conflicts else EXIT_OK
