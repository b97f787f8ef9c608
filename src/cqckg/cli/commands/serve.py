"""``cqckg serve``: open (or build) the store and serve it over HTTP.

Options override the ``CQCKG_*`` environment (see :class:`cqckg.serve.settings.Settings`). One
uvicorn process on uvloop and httptools answers HTTP; queries run in ``--workers`` separate
processes.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

import uvicorn

from cqckg.serve.app import create_app
from cqckg.serve.settings import check_port, check_store_folder, check_store_opens, load_settings

_OPTIONS = {
    "host": "address to listen on (default 127.0.0.1)",
    "port": "port to listen on (default 8000)",
    "store": "the store's folder, :memory: or a SPARQL store URL, e.g. http://host:7878 "
    "(default $CQCKG_STORE, else a per-user folder; see docs/deploying.md)",
    "base_iri": "base of the graph's IRIs (default https://w3id.org/cqc-kg/)",
    "workers": "query worker processes (default: cores + 1, 2 to 8)",
    "timeout": "longest a query may run, in seconds (default 10)",
}


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="serve the graph: SPARQL at /sparql, Graph Store at /store, Update at /update",
        description=__doc__,
    )
    for name, text in _OPTIONS.items():
        kind = {"port": int, "workers": int, "timeout": float}.get(name, str)
        flag = "--" + name.replace("_", "-")
        parser.add_argument(flag, dest=name, type=kind, default=None, help=text)
    parser.add_argument(
        "--no-load", action="store_true", help="do not load the shipped graph into an empty store"
    )
    parser.add_argument(
        "--allow-service",
        dest="allow_service",
        metavar="URL",
        action="append",
        default=None,
        help="let queries use SERVICE <URL> (repeat for more endpoints; default "
        "$CQCKG_ALLOWED_SERVICE_ENDPOINTS, else none)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    given = {
        "host": args.host,
        "port": args.port,
        "store": args.store,
        "base_iri": args.base_iri,
        "workers": args.workers,
        "query_timeout": args.timeout,
        "allowed_service_endpoints": args.allow_service,
    }
    overrides: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if args.no_load:
        overrides["load_shipped"] = False
    settings = load_settings(**overrides)
    # Checked here so a wrong folder or a busy port is one line, not a server's traceback.
    check_store_folder(settings.store)
    check_port(settings.host, settings.port)
    check_store_opens(settings.store)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        server_header=False,  # responses do not name the server software
    )
    return 0
