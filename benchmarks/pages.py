"""First-render and cached timings of the largest linked-data pages and the site's pages.

    .venv/bin/python benchmarks/pages.py [--store DIR | --corpus DIR] [--runs 5] [--pages 3]

    # the home, compare and council pages over a synthetic national corpus (153 councils):
    .venv/bin/python benchmarks/generate.py benchmarks/out/national --councils 153 --rounds 2
    .venv/bin/python benchmarks/pages.py --corpus benchmarks/out/national --runs 10 --budget 200

Starts a ``cqckg serve`` (its default query workers, as deployed) over a store holding the
corpus in ``graph/sources`` (ingested into a temporary folder unless ``--store`` names one, which
is copied so it is never written), finds the assessments and councils with the most facts, and
times for each of their pages, over ``--runs`` rounds:

- *first*: the first request after the store changed, so the server's page and result caches
  are empty (before each page one triple is written to a scratch graph through the Graph Store
  protocol, which starts a new store version; the page is requested once the server's
  background summaries of that version are ready, and every query worker has moved to it, as
  on a running server). The time from the write until the summaries were ready is printed on
  its own line;
- *cached*: the same request again.

The site's pages are timed too: the home page (as it opens, and sorted and filtered), its table
as CSV, the compare page and API for 2 and 5 councils, and the page of the council with the most
assessments (with its change over time). ``--corpus`` ingests another folder of documents, e.g.
the synthetic national corpus ``benchmarks/generate.py`` writes; ``--budget MS`` marks the pages
whose median first render is over it; ``--only /doc/`` times only the linked-data pages.

Prints the median and worst of each, the server's own figure (``Server-Timing``) and the body
size, and the machine's load average before and after (other work on the machine slows every
figure). Timings are measured here, never asserted in the tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "benchmark-pages-token-0123456789"
SCRATCH = "https://w3id.org/cqc-kg/benchmark/scratch"
BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"

# The assessments (and their councils) with the most facts: the largest pages.
LARGEST = """
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
SELECT ?assessment ?authority (COUNT(?fact) AS ?facts)
WHERE {
  ?assessment a cqc:Assessment ; cqc:assessedAuthority ?authority .
  ?fact cqc:assessment ?assessment
}
GROUP BY ?assessment ?authority ORDER BY DESC(?facts) ?assessment LIMIT %d
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# The councils with the most assessments (then facts): the compare and council pages' subjects.
BUSIEST = """
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
SELECT ?gss (COUNT(DISTINCT ?assessment) AS ?assessments) (COUNT(?fact) AS ?facts)
WHERE {
  ?assessment a cqc:Assessment ; cqc:assessedAuthority/cqc:gssCode ?gss .
  OPTIONAL { ?fact cqc:assessment ?assessment }
}
GROUP BY ?gss ORDER BY DESC(?assessments) DESC(?facts) ?gss LIMIT 5
"""


def _store(folder: Path, given: Path | None, corpus: Path | None = None) -> Path:
    store = folder / "store"
    if given is not None:
        shutil.copytree(given, store)
        return store
    sources = corpus or ROOT / "graph" / "sources"
    command = [sys.executable, "-m", "cqckg.cli", "ingest", str(sources)]
    subprocess.run([*command, "--no-progress", "--store", str(store)], check=True)
    return store


def _serve(store: Path, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "CQCKG_LOAD_SHIPPED": "false", "CQCKG_WRITE_TOKEN": TOKEN}
    command = [sys.executable, "-m", "cqckg.cli", "serve", "--store", str(store)]
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/sparql", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"cqckg serve did not start; see {folder / 'server.log'}")


def _largest(client: httpx.Client, count: int) -> list[str]:
    response = client.get(
        "/sparql",
        params={"query": LARGEST % count},
        headers={"Accept": "application/sparql-results+json"},
    )
    response.raise_for_status()
    paths: list[str] = []
    for row in response.json()["results"]["bindings"]:
        assessment = row["assessment"]["value"].split("/id/", 1)[1]
        authority = row["authority"]["value"].split("/id/", 1)[1]
        paths += [f"/doc/{assessment}", f"/doc/{assessment}/gaps", f"/doc/{assessment}.ttl"]
        paths.append(f"/doc/{authority}")
    return list(dict.fromkeys(paths))


def _site(client: httpx.Client) -> list[str]:
    """The home page (plain, sorted and filtered, its CSV), compare for 2 and 5 councils (page
    and API) and the busiest council's page."""
    response = client.get(
        "/sparql", params={"query": BUSIEST}, headers={"Accept": "application/sparql-results+json"}
    )
    response.raise_for_status()
    codes = [row["gss"]["value"] for row in response.json()["results"]["bindings"]]
    paths = ["/", "/?sort=percentage&order=desc", "/?region=London&sort=rating"]
    paths.append("/api/nation?format=csv")
    for count in (2, 5):
        if len(codes) >= count:
            query = "&".join(f"authority={gss}" for gss in codes[:count])
            paths += [f"/compare?{query}", f"/api/compare?{query}"]
    if codes:
        paths.append(f"/doc/authority/{codes[0]}")
    return paths


def _touch(client: httpx.Client, round_: int, workers: int) -> float:
    """Start a new store version (the page and result caches begin empty); the milliseconds
    from the write until the server's summaries of the new version were ready."""
    body = f'<{SCRATCH}> <{SCRATCH}#round> "{round_}" .\n'
    started = time.perf_counter()
    response = client.put(
        "/store",
        params={"graph": SCRATCH},
        content=body.encode(),
        headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"},
    )
    response.raise_for_status()
    # The summaries the home and compare pages use are computed in the background after each
    # write; the pages are timed once they are ready, as a running server spends nearly all
    # its time (the refresh is reported on its own).
    while client.get("/status").json()["refreshing"]:
        time.sleep(0.005)
    refreshed = (time.perf_counter() - started) * 1000
    # Every query worker moves to the new snapshot before the pages are timed (a running
    # server's workers are on the current one): different queries at once.
    with ThreadPoolExecutor(workers) as pool:
        first = round_ * workers
        queries = [f"SELECT * WHERE {{ BIND ({first + i} AS ?x) }}" for i in range(workers)]
        for answer in pool.map(lambda q: client.get("/sparql", params={"query": q}), queries):
            answer.raise_for_status()
    return refreshed


Timed = tuple[float, dict[str, float], int]  # client ms, Server-Timing phases, bytes


def _get(client: httpx.Client, path: str) -> Timed:
    started = time.perf_counter()
    response = client.get(path, headers={"Accept": BROWSER})
    total = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    phases = {}
    for part in response.headers.get("server-timing", "").split(","):
        name, _, duration = part.strip().partition(";dur=")
        if duration:
            phases[name] = float(duration)
    return total, phases, len(response.content)


def _median(runs: list[Timed], phase: str) -> str:
    found = [phases[phase] for _, phases, _ in runs if phase in phases]
    return f"{statistics.median(found):.1f}" if found else "-"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="an existing store folder (copied)")
    parser.add_argument("--runs", type=int, default=5, help="rounds of first renders (5)")
    parser.add_argument("--pages", type=int, default=3, help="largest assessments to time (3)")
    parser.add_argument("--corpus", type=Path, help="ingest this folder (default graph/sources)")
    parser.add_argument("--budget", type=float, help="mark pages whose median first render is over")
    parser.add_argument(
        "--only", metavar="PREFIX", help="time only the pages whose path starts so, e.g. /doc/"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cqckg-pages-") as tmp:
        folder = Path(tmp)
        process, url = _serve(_store(folder, args.store, args.corpus), folder)
        try:
            with httpx.Client(base_url=url, timeout=60) as client:
                # Warm the workers, as on a server that has been running (and leave out pages
                # this server does not have, to compare with older versions).
                paths = [
                    path
                    for path in [*_largest(client, args.pages), *_site(client)]
                    if path.startswith(args.only or "")
                    and client.get(path, headers={"Accept": BROWSER}).status_code == 200
                ]
                authorities = client.get("/api/nation").json()["rows"]
                workers = client.get("/status").json()["size"]
                load_before = _load()
                first: dict[str, list[Timed]] = {p: [] for p in paths}
                cached: dict[str, list[Timed]] = {p: [] for p in paths}
                refreshes: list[float] = []
                for round_ in range(args.runs):
                    for number, path in enumerate(paths):
                        refreshes.append(_touch(client, round_ * len(paths) + number, workers))
                        first[path].append(_get(client, path))
                        cached[path].append(_get(client, path))
                load_after = _load()
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(f"load average before {load_before}, after {load_after}; {os.cpu_count()} cores")
    print(f"{len(authorities)} assessed councils; {args.runs} runs; {workers} query workers")
    print(
        "summaries ready after a write (ms): median "
        f"{statistics.median(refreshes):.0f}, worst {max(refreshes):.0f}"
    )
    print("first: median ms of the first request after a store change (worst of the runs);")
    print("server, index, describe, render: medians of the server's Server-Timing phases")
    columns = ("first", "worst", "server", "index", "describe", "render", "cached", "KB")
    print(f"{'page':<52}" + "".join(f"{c:>9}" for c in columns))
    over = []
    for path in paths:
        totals = [t for t, _, _ in first[path]]
        cells = [
            f"{statistics.median(totals):.1f}",
            f"{max(totals):.1f}",
            *(_median(first[path], phase) for phase in ("app", "index", "describe", "render")),
            f"{statistics.median(t for t, _, _ in cached[path]):.1f}",
            f"{first[path][-1][2] / 1024:.0f}",
        ]
        late = args.budget is not None and statistics.median(totals) > args.budget
        if late:
            over.append(path)
        print(f"{path[:51]:<52}" + "".join(f"{c:>9}" for c in cells) + ("  OVER" if late else ""))
    if args.budget is not None:
        print(f"over {args.budget:g} ms (median first render): {', '.join(over) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
