"""``cqckg export --out DIR``: the graph, each assessment, researcher tables and a DCAT/VoID
description of them, ready to publish."""

from __future__ import annotations

import argparse
from pathlib import Path

from cqckg.cli import EXIT_OK, add_store_option
from cqckg.export import DEFAULT_DOWNLOAD_BASE, export
from cqckg.store import open_store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "export",
        help="write the graph (Turtle, N-Triples, N-Quads, TriG, JSON-LD), tables and VoID",
        description="Export the whole graph and one file per assessment in Turtle, N-Triples, "
        "N-Quads, TriG and JSON-LD; one CSV per named question with a data dictionary; and a "
        "DCAT 3 / VoID description (void.ttl, void.jsonld) with sizes and SHA-256 of each file.",
        epilog="Exit codes: 0 written, 2 the store could not be read or DIR written.",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    p.add_argument(
        "--base-url",
        default=DEFAULT_DOWNLOAD_BASE,
        metavar="URL",
        help=f"where the files will be published (default {DEFAULT_DOWNLOAD_BASE})",
    )
    add_store_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    base = args.base_url if args.base_url.endswith("/") else args.base_url + "/"
    store = open_store(args.store)
    try:
        result = export(store, Path(args.out), download_base=base)
    finally:
        store.close()
    print(
        f"wrote {len(result.files)} files ({result.total_bytes} bytes) to {result.folder}: "
        f"{result.triples} triples in {result.graphs} named graphs"
    )
    return EXIT_OK
