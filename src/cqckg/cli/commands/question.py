"""``cqckg question NAME``: run a named question; ``cqckg question --list`` names them all."""

from __future__ import annotations

import argparse
import os
import sys

from cqckg.cli import EXIT_OK, add_store_option
from cqckg.core.errors import QuestionError
from cqckg.questions import OutputFormat, get_question, list_questions, run_question_serialized
from cqckg.serve.settings import check_store_folder
from cqckg.store import ENV_STORE, open_store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "question",
        help="run a named question (--list shows them all)",
        description="Run one of the named competency questions over the store. Every question "
        "but 'evidence' takes an optional council; 'evidence' takes the IRI of a fact.",
        epilog="Exit codes: 0 success, 2 bad input (unknown question or parameter, no or "
        "several councils match, malformed IRI) "
        "or the store could not be read.",
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="the question, e.g. gaps")
    p.add_argument("--list", action="store_true", help="list the questions and what they ask")
    p.add_argument(
        "--authority",
        metavar="COUNCIL",
        help="only this council: its name in any usual spelling (with or without 'City of', "
        "'&' or 'and'), its GSS code or a CQC report slug (NAME-MMYY)",
    )
    p.add_argument("--iri", metavar="IRI", help="the fact to show the evidence for ('evidence')")
    p.add_argument(
        "--measure",
        metavar="SLUG",
        help="a measure, e.g. ascs-feel-safe ('statistic-across-councils')",
    )
    p.add_argument(
        "--basis",
        choices=["stated", "same-passage", "shared-topic"],
        help="only links of this basis ('strategies-addressing-gaps'): stated = said in the report",
    )
    p.add_argument(
        "--format",
        choices=[f.value for f in OutputFormat],
        default=OutputFormat.TABLE.value,
        help="table (long cells cut short), csv or json (default: table)",
    )
    add_store_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.list:
        questions = list_questions()
        width = max(len(q.name) for q in questions)
        for q in questions:
            print(f"{q.name.ljust(width)}  {q.description}")
        return EXIT_OK
    if not args.name:
        raise QuestionError("name a question, or ask for the list with --list")
    params = {
        "authority": args.authority,
        "iri": args.iri,
        "measure": args.measure,
        "basis": args.basis,
    }
    params = {k: v for k, v in params.items() if v is not None}
    # Check the question and its parameters before touching the store.
    get_question(args.name).bind(params)
    fmt = OutputFormat(args.format)
    check_store_folder(args.store or os.environ.get(ENV_STORE, ""))
    store = open_store(args.store)
    try:
        output = run_question_serialized(store, args.name, params, fmt.media_type)
    finally:
        store.close()
    sys.stdout.buffer.write(output)
    if fmt is OutputFormat.JSON:
        sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()
    return EXIT_OK
