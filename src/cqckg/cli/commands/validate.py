"""``cqckg validate [PATH...]``: check files, or every graph of the store, against the shapes.

Exit codes: 0 the graphs conform (warnings are printed but allowed), 1 at least one Violation,
2 validation could not run (unreadable file, RDF syntax error given as ``file:line:column``,
store error).
"""

from __future__ import annotations

import argparse
import dataclasses
import json

from cqckg.cli import EXIT_OK, EXIT_PROBLEMS, add_store_option
from cqckg.store import open_store
from cqckg.validate import ValidationReport, format_report, validate_files, validate_store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "validate", help="check Turtle/TriG files, or every graph of the store, against the shapes"
    )
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="Turtle, TriG, N-Triples or N-Quads files (default: every graph of the store)",
    )
    add_store_option(p)
    p.add_argument("--format", choices=("text", "json"), default="text", help="report format")
    p.set_defaults(func=run)


def _json(report: ValidationReport) -> str:
    return json.dumps(
        {
            "conforms": report.conforms,
            "violations": report.violations,
            "warnings": report.warnings,
            "results": [dataclasses.asdict(r) for r in report.results],
        },
        indent=2,
        ensure_ascii=False,
    )


def run(args: argparse.Namespace) -> int:
    if args.paths:
        report = validate_files(args.paths)
    else:
        store = open_store(args.store)
        try:
            report = validate_store(store)
        finally:
            store.close()
    print(_json(report) if args.format == "json" else format_report(report), end="")
    if args.format == "json":
        print()
    return EXIT_OK if report.conforms else EXIT_PROBLEMS
