"""``cqckg query``: run an ad-hoc SPARQL query over the store (the union of its named graphs)."""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

from cqckg.cli import EXIT_OK, add_store_option
from cqckg.core.errors import QueryError
from cqckg.core.formats import Format
from cqckg.questions import render_table
from cqckg.store import open_store

# --format NAME -> the media type the engine writes, for each kind of query result (the names
# of the formats table).
RESULT_FORMATS = {f.value: f.media_type for f in (Format.CSV, Format.TSV, Format.JSON, Format.XML)}
GRAPH_FORMATS = {
    f.value: f.media_type
    for f in (Format.TURTLE, Format.N_TRIPLES, Format.N_QUADS, Format.JSON_LD, Format.RDF_XML)
}

# What comes before the query form: white space, comments, PREFIX and BASE declarations.
_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*|(?:PREFIX|BASE)\b[^<#]*<[^>]*>)*", re.IGNORECASE)
_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(query: str) -> str:
    """The form of a query: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``.

    Raises :class:`QueryError` for anything else (updates included).

    >>> query_form("PREFIX ex: <http://example.org/> # note\\nconstruct { ?s ?p ?o } WHERE {}")
    'CONSTRUCT'
    """
    prologue = _PROLOGUE.match(query)
    form = _FORM.match(query, prologue.end() if prologue else 0)
    if form is None:
        raise QueryError("expected a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    return form.group(1).upper()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "query",
        help="run a SPARQL query over the store",
        description="Run a SPARQL 1.1 query over the union of the store's named graphs.",
        epilog="Exit codes: 0 success, 2 the query is malformed or the store could not be read.",
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("query", nargs="?", metavar="SPARQL", help="the query text")
    source.add_argument("--file", type=Path, metavar="FILE", help="read the query from FILE")
    p.add_argument(
        "--format",
        choices=["table", *RESULT_FORMATS, *GRAPH_FORMATS],
        default="table",
        help="table (the default: SELECT as a table, ASK as true/false, graphs as Turtle); "
        "csv, tsv, json or xml for SELECT and ASK; turtle, ntriples, nquads, jsonld or rdfxml "
        "for CONSTRUCT and DESCRIBE",
    )
    add_store_option(p)
    p.set_defaults(func=run)


def _read_query(args: argparse.Namespace) -> str:
    if args.file is None:
        return str(args.query)
    try:
        return Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"cannot read {args.file}: {exc}") from exc


def _media_type(form: str, fmt: str) -> str | None:
    """The media type to ask the engine for, or ``None`` for a table of SELECT or ASK results."""
    graph = form in ("CONSTRUCT", "DESCRIBE")
    if fmt == "table":
        return GRAPH_FORMATS["turtle"] if graph else None
    if graph and fmt in RESULT_FORMATS:
        raise QueryError(f"a {form} query gives a graph: use --format {'|'.join(GRAPH_FORMATS)}")
    if not graph and fmt in GRAPH_FORMATS:
        raise QueryError(
            f"a {form} query gives results, not a graph: use --format {'|'.join(RESULT_FORMATS)}"
        )
    return GRAPH_FORMATS.get(fmt) or RESULT_FORMATS[fmt]


def run(args: argparse.Namespace) -> int:
    query = _read_query(args)
    form = query_form(query)
    media_type = _media_type(form, args.format)
    store = open_store(args.store)
    try:
        if media_type is not None:
            output = store.query_serialized(query, media_type)
        elif form == "ASK":
            output = b"true\n" if store.ask(query) else b"false\n"
        else:
            # The engine's CSV carries the header even when there are no rows.
            text = store.query_serialized(query, RESULT_FORMATS["csv"]).decode("utf-8")
            header, *rows = list(csv.reader(io.StringIO(text, newline="")))
            output = render_table(header, rows).encode("utf-8")
    finally:
        store.close()
    sys.stdout.buffer.write(output)
    sys.stdout.flush()
    return EXIT_OK
