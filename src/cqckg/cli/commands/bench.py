"""``cqckg bench``: the national-scale benchmarks (``benchmarks/run.py``), from a source checkout.

The benchmark scripts live in the repository's ``benchmarks/`` folder, not in the installed
package, so this command works from a source checkout (an editable install); see
``benchmarks/run.py`` for what is measured and ``BENCHMARKS.md`` for the last published run.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from cqckg.cli import EXIT_COULD_NOT_RUN
from cqckg.core.paths import data_root


def _script() -> Path:
    return data_root() / "benchmarks" / "run.py"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "bench",
        help="benchmarks at national scale against the reference engines (source checkout only)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--scale", default="1,10", help="comma-separated corpus scales (default 1,10)")
    p.add_argument("--quick", action="store_true", help="tiny sizes, a few seconds")
    p.add_argument("--out", type=Path, default=None, help="output folder (default benchmarks/out)")
    p.add_argument(
        "--rdflib-bound",
        type=float,
        default=None,
        help="seconds a question may take on rdflib's engines before it is reported as not "
        "finishing (default 5)",
    )
    p.add_argument("--no-rdflib", action="store_true", help="skip rdflib and rdflib-endpoint")
    p.add_argument(
        "--publish",
        action="store_true",
        help="also write BENCHMARKS.md and benchmarks/results.json in the checkout",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    script = _script()
    if not script.exists():
        print(
            f"cqckg bench: {script} not found; run it from a source checkout of cqc-kg",
            file=sys.stderr,
        )
        return EXIT_COULD_NOT_RUN
    spec = importlib.util.spec_from_file_location("cqckg_benchmarks_run", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered before it runs, so worker processes can find its functions by name.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    argv = ["--scale", args.scale]
    if args.quick:
        argv.append("--quick")
    if args.out is not None:
        argv += ["--out", str(args.out)]
    if args.rdflib_bound is not None:
        argv += ["--rdflib-bound", str(args.rdflib_bound)]
    if args.no_rdflib:
        argv.append("--no-rdflib")
    if args.publish:
        argv.append("--publish")
    code: int = module.main(argv)
    return code
