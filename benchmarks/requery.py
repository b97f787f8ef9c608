"""Query latency and throughput again, on the stores a run of ``benchmarks/run.py`` left behind.

    .venv/bin/python benchmarks/requery.py SCALE_DIR [--runs 20] [--seconds 10] [--out FILE]

``SCALE_DIR`` holds ``store`` (the cqc-kg store ingest wrote) and ``oxigraph`` (the same data
loaded by ``oxigraph load``), as in ``run.py``'s working folder for one scale. Measures every
named question on ``oxigraph serve`` and on ``cqckg serve`` with the cache off and on, and the
8-client throughput of the cheap question cycling through every council, the same way as
``run.py`` (its functions). For when a long run was stopped after the stores were built.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scale_dir", type=Path)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    store, oxi_dir = args.scale_dir / "store", args.scale_dir / "oxigraph"
    out: dict[str, Any] = {"load_average": [["start", *os.getloadavg()]]}
    qs = run.questions(store)
    tq = run.authority_queries(store)
    oxi_port, cq_port = run._free_port(), run._free_port()
    oxi_cmd = [str(run.BIN / "oxigraph"), "serve-read-only", "--location", str(oxi_dir)]
    oxi_cmd += ["--bind", f"127.0.0.1:{oxi_port}", "--union-default-graph"]
    cq_cmd = [str(run.BIN / "cqckg"), "serve", "--store", str(store), "--no-load"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        lat: dict[str, Any] = {}
        tp: dict[str, Any] = {}
        oxi_url = f"http://127.0.0.1:{oxi_port}/query"
        with run._server(oxi_cmd, oxi_port):
            lat.update(
                run.latency(qs, {"oxigraph serve": lambda q: run._time_http(oxi_url, q, args.runs)})
            )
            tp["oxigraph serve"] = run._load_wrk(oxi_url, tq, 8, args.seconds, work)
        for mode, entries in (("cache off", "0"), ("cache on", None)):
            env = {"CQCKG_CACHE_ENTRIES": entries} if entries is not None else None
            with run._server([*cq_cmd, "--port", str(cq_port)], cq_port, env=env) as pid:
                url = f"http://127.0.0.1:{cq_port}/sparql"
                name = f"cqc-kg ({mode})"
                lat.update(
                    run.latency(qs, {name: lambda q, u=url: run._time_http(u, q, args.runs)})
                )
                tp[name] = run._load_wrk(url, tq, 8, args.seconds, work)
                out[f"memory {name}"] = run._tree_rss(pid)
            out["load_average"].append([mode, *os.getloadavg()])
    out["latency"] = lat
    out["throughput_8_clients"] = tp
    out["councils"] = len(tq)
    out["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    text = json.dumps(out, indent=1)
    if args.out:
        args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
