"""``cqckg build``: regenerate graph/assessments/ from the shipped documents, byte for byte."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cqckg.cli import EXIT_OK, EXIT_PROBLEMS
from cqckg.core.namespaces import assessment_graph_iri
from cqckg.core.paths import assessments_dir, sources_dir
from cqckg.core.turtle import serialize_sorted
from cqckg.ingest import build_graphs


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "build", help="rebuild the committed graph (graph/assessments) from graph/sources"
    )
    p.add_argument(
        "--sources",
        type=Path,
        default=None,
        help="folder of source documents (default graph/sources)",
    )
    p.add_argument(
        "--out", type=Path, default=None, help="output folder (default graph/assessments)"
    )
    p.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the files would change"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    sources = args.sources or sources_dir()
    out: Path = args.out or assessments_dir()
    result = build_graphs([sources], root=sources)
    wanted: dict[Path, str] = {}
    sizes: dict[Path, int] = {}
    for a in result.assessments:
        graph = result.graphs[assessment_graph_iri(a.gss, a.published)]
        path = out / f"{a.gss}-{a.published}.ttl"
        wanted[path], sizes[path] = serialize_sorted(graph), len(graph)
    existing = set(out.glob("*.ttl")) if out.is_dir() else set()
    changed = sorted(
        p for p, text in wanted.items() if not p.exists() or p.read_text(encoding="utf-8") != text
    )
    stale = sorted(existing - set(wanted))
    if args.check:
        for p in changed:
            print(f"would change: {p}")
        for p in stale:
            print(f"would remove: {p}")
        return EXIT_PROBLEMS if changed or stale else EXIT_OK
    out.mkdir(parents=True, exist_ok=True)
    for p in changed:
        p.write_text(wanted[p], encoding="utf-8")
    for p in stale:
        p.unlink()
    for path, size in sorted(sizes.items()):
        state = "written" if path in changed else "unchanged"
        print(f"{path}: {size} triples ({state})")
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return EXIT_OK
