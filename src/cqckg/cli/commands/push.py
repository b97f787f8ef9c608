"""``cqckg push URL``: copy the graph, named graphs and all, into a remote SPARQL store."""

from __future__ import annotations

import argparse
import time

from cqckg.cli import EXIT_OK, add_store_option
from cqckg.core.errors import StoreError
from cqckg.store import open_store
from cqckg.store.remote import push


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "push",
        help="upload every named graph to a remote SPARQL store (Graph Store Protocol)",
        description="PUT each named graph of the store into a remote SPARQL 1.1 store, "
        "reference data and source texts first, assessments last. Safe to repeat: each PUT "
        "replaces that graph. There is no transaction across graphs (see docs/deploying.md).",
        epilog="URL: http://host:7878 (Oxigraph server), or add a profile such as "
        "#fuseki, #virtuoso, #graphdb, #neptune. Exit codes: 0 pushed, 2 could not run.",
    )
    p.add_argument("url", metavar="URL", help="the remote store")
    p.add_argument(
        "--prune",
        action="store_true",
        help="afterwards, delete remote graphs under cqc-kg's base IRI that the store lacks",
    )
    add_store_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.url.startswith(("http://", "https://")):
        raise StoreError(f"push needs a remote store URL (http:// or https://), not {args.url!r}")
    target = open_store(args.url)
    source = open_store(args.store)
    started = time.perf_counter()
    try:
        summary = push(source, target, prune=args.prune)
    finally:
        source.close()
        target.close()
    seconds = time.perf_counter() - started
    print(
        f"pushed {summary.graphs} graphs ({summary.triples} triples, {summary.bytes} bytes) "
        f"to {target.location} in {seconds:.1f} s"
        + (f"; pruned {summary.pruned}" if args.prune else "")
    )
    return EXIT_OK
