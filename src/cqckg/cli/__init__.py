"""The ``cqckg`` command.

Each command lives in its own module under :mod:`cqckg.cli.commands` with a ``register(subparsers)``
function; this module only puts them together and maps errors to exit codes:

======  =====================================================================
code    meaning
======  =====================================================================
0       success (for ``validate`` and ``verify``: the graph conforms)
1       the command ran and found problems (SHACL violations, broken anchors)
2       the command could not run (bad input, unreadable file, store error, bad setting)
======  =====================================================================

An error is one line naming what is wrong; ``cqckg --debug COMMAND`` shows its traceback too.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence

from cqckg import __version__
from cqckg.core.errors import CqcKgError

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_COULD_NOT_RUN = 2

# One module per command, in the order ``cqckg --help`` lists them.
COMMANDS: tuple[str, ...] = (
    "serve",
    "ingest",
    "fetch",
    "import_scores",
    "build",
    "validate",
    "verify",
    "question",
    "query",
    "export",
    "push",
    "bench",
)


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """``--store PATH_OR_URL``, shared by every command that reads or writes the graph."""
    parser.add_argument(
        "--store",
        metavar="PATH_OR_URL",
        default=None,
        help="the store: a folder for the embedded store, :memory:, or a SPARQL endpoint URL "
        "(default: $CQCKG_STORE, else a per-user data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cqckg",
        description="A validated knowledge graph of CQC's local authority assessments, "
        "with a SPARQL endpoint.",
        epilog="Exit codes: 0 success or conforms, 1 problems found, 2 could not run.",
    )
    parser.add_argument("--version", action="version", version=f"cqckg {__version__}")
    parser.add_argument("--debug", action="store_true", help="on an error, show the traceback too")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"cqckg.cli.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except CqcKgError as exc:
        if getattr(args, "debug", False):
            traceback.print_exc()
        print(f"cqckg {args.command}: {exc}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
