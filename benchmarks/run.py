"""National-scale benchmarks: ingest, validation, store load, queries and throughput, side by side
with the engines a user could pick instead, in one run.

    .venv/bin/python benchmarks/run.py [--scale 1,10] [--quick] [--out DIR]
    .venv/bin/cqckg bench ...            (the same, from a source checkout)

Scale 1 is one assessment round of all 153 councils (benchmarks/generate.py), scale N is N
rounds. Every figure is measured in this run, with its ratio to the reference (``oxigraph serve``
on the same exported data) where there is one. Prints a table and writes ``bench.json`` and
``BENCHMARKS.md`` to ``--out`` (default ``benchmarks/out``); ``--publish`` also writes the
committed copies (``BENCHMARKS.md`` and ``benchmarks/results.json`` at the repository root).

Load generator: ``wrk`` (``apt-get install wrk``) with a Lua script for POST bodies, one client
thread; without it an asyncio/httpx keep-alive client is used. Either way the client's own CPU
time is measured and reported, since client and server share this machine's cores.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))
if str(ROOT / "benchmarks") not in sys.path:
    sys.path.insert(0, str(ROOT / "benchmarks"))

import httpx  # noqa: E402
import pyoxigraph as ox  # noqa: E402

from cqckg.questions import list_questions  # noqa: E402
from cqckg.serve.workers import allocator_library  # noqa: E402
from cqckg.store import OxigraphStore  # noqa: E402

BIN = Path(sys.executable).parent
JSON_RESULTS = "application/sparql-results+json"
RDFLIB_TRIPLE_BOUND = 3_000_000  # beyond this rdflib needs several GiB and minutes to load


# -- measuring helpers ----------------------------------------------------------------------------


def _cpu() -> float:
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tree_rss(pid: int) -> tuple[int, int]:
    """(current, peak) resident memory in bytes of a process and its descendants."""
    now = peak = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for k in kids:
            pids.append(int(k))
            with contextlib.suppress(OSError):
                pids += [int(x) for x in Path(f"/proc/{k}/task/{k}/children").read_text().split()]
    for p in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    now += int(line.split()[1]) * 1024
                elif line.startswith("VmHWM:"):
                    peak += int(line.split()[1]) * 1024
    return now, peak


@contextlib.contextmanager
def _server(cmd: list[str], port: int, env: dict[str, str] | None = None) -> Iterator[int]:
    """Start a server, wait until it answers, yield its pid, stop it."""
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"{cmd[0]} exited: {err[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            time.sleep(0.2)
        yield proc.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 15)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


# -- the stages ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    versions = {}
    for dist in ("cqckg", "pyoxigraph", "rdflib", "pyshacl", "rdflib-endpoint", "fastapi"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[dist] = metadata.version(dist)
    versions["uvicorn"] = metadata.version("uvicorn")
    oxi = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
    if oxi:
        versions["oxigraph server"] = subprocess.run(
            [oxi, "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    wrk = shutil.which("wrk")
    if wrk:
        out = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
        versions["wrk"] = (out.stdout or out.stderr).split("[")[0].strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
        "versions": versions,
    }


def _text_caches() -> list[Any]:
    """The bounded caches cqc-kg keeps by text (sentence, word, title): not the ones that load
    the vocabularies once (unbounded)."""
    found = []
    for name, module in list(sys.modules.items()):
        if name.startswith("cqckg"):
            for value in vars(module).values():
                if (
                    isinstance(value, functools._lru_cache_wrapper)
                    and value.cache_info().maxsize is not None
                ):
                    found.append(value)
    return found


def _build_group_cold(key: Any) -> Any:
    """The worker's job with every text cache emptied first: what each assessment costs when
    no sentence of it was seen before (the synthetic corpus recombines the real corpus's
    sentences, about 5,000 distinct in 88,000, so the caches hit far more than on 153 real
    reports, which share little text beyond the framework's own wording)."""
    for cache in _text_caches():
        cache.cache_clear()
    return _REAL_BUILD_GROUP[0](key)


# The worker job ingest_cold replaces, kept for _build_group_cold to call.
_REAL_BUILD_GROUP: list[Callable[[Any], Any]] = []


def ingest_cold(round_dir: Path, store_dir: Path, jobs: int) -> dict[str, Any]:
    """One round ingested into a fresh store with the text caches emptied before each
    assessment (see :func:`_build_group_cold`)."""
    import cqckg.ingest.workers as pipeline

    real = pipeline._build_group
    _REAL_BUILD_GROUP[:] = [real]
    # The workers fork from this process, so they run the replaced function.
    pipeline._build_group = _build_group_cold
    try:
        return ingest_rounds([round_dir], store_dir, jobs)
    finally:
        pipeline._build_group = real
        shutil.rmtree(store_dir, ignore_errors=True)


def ingest_rounds(rounds: list[Path], store_dir: Path, jobs: int) -> dict[str, Any]:
    """Ingest each round through the real ingest path into one on-disk store."""
    from cqckg.ingest import ingest
    from cqckg.store.load import reference_graphs

    store = OxigraphStore(store_dir)
    store.replace_graphs(reference_graphs())
    per_round = []
    for folder in rounds:
        files = [p for p in folder.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        wall, cpu = time.perf_counter(), _cpu()
        result = ingest([folder], store, jobs=jobs)
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        per_round.append(
            {
                "documents": len(files),
                "mb": size / 1e6,
                "assessments": len(result.assessments),
                "wall_s": wall,
                "cpu_s": cpu,
            }
        )
        print(f"  ingested {folder.name}: {len(files)} docs in {wall:.1f} s", file=sys.stderr)
    store.close()
    docs = sum(r["documents"] for r in per_round)
    mb = sum(r["mb"] for r in per_round)
    wall = sum(r["wall_s"] for r in per_round)
    return {
        "rounds": per_round,
        "documents": docs,
        "assessments": sum(r["assessments"] for r in per_round),
        "mb": mb,
        "wall_s": wall,
        "cpu_s": sum(r["cpu_s"] for r in per_round),
        "docs_per_s": docs / wall,
        "mb_per_s": mb / wall,
        "jobs": jobs,
    }


def validation(store_dir: Path, sample: int | None) -> dict[str, Any]:
    """SHACL validation of assessment graphs one by one (as ingest does), and of the corpus."""
    from cqckg.core.namespaces import DOC
    from cqckg.validate import reference_graph, validate_graph

    store = OxigraphStore(store_dir)
    from rdflib import URIRef

    names = [n for n in store.named_graphs() if n.startswith(str(DOC["assessment/"]))]
    chosen = names if sample is None or sample >= len(names) else names[:: len(names) // sample]
    reference_graph()
    validate_graph(store.graph(URIRef(chosen[0])))  # warm-up: shapes parsed, pyshacl set up
    times, triples = [], []
    for name in chosen:
        g = store.graph(URIRef(name))
        t = time.perf_counter()
        report = validate_graph(g)
        times.append(time.perf_counter() - t)
        triples.append(len(g))
        assert report.conforms, name
    store.close()
    return {
        "assessments": len(names),
        "validated": len(chosen),
        "per_assessment_median_s": statistics.median(times),
        "per_assessment_mean_s": statistics.fmean(times),
        "per_1k_triples_s": sum(times) / (sum(triples) / 1000),
        "corpus_s": statistics.fmean(times) * len(names),
        "corpus_measured": len(chosen) == len(names),
    }


_LOAD_SCRIPT = """
import resource, sys, time
import pyoxigraph as ox
t = time.perf_counter()
s = ox.Store()
s.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
print(time.perf_counter() - t, len(s), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def export_and_load(store_dir: Path, work: Path) -> dict[str, Any]:
    """Dump the store as N-Quads, then time loading it into a fresh pyoxigraph store, into an
    ``oxigraph`` server folder and reopening the on-disk store."""
    dump = work / "dump.nq"
    store = ox.Store(str(store_dir))
    t = time.perf_counter()
    store.dump(str(dump), format=ox.RdfFormat.N_QUADS)
    dump_s = time.perf_counter() - t
    del store
    out = subprocess.run(
        [sys.executable, "-c", _LOAD_SCRIPT, str(dump)], capture_output=True, text=True, check=True
    ).stdout.split()
    oxi_dir = work / "oxigraph"
    shutil.rmtree(oxi_dir, ignore_errors=True)
    t = time.perf_counter()
    subprocess.run(
        [str(BIN / "oxigraph"), "load", "--location", str(oxi_dir), "--file", str(dump)],
        check=True,
        capture_output=True,
    )
    server_load_s = time.perf_counter() - t
    t = time.perf_counter()
    reopened = ox.Store(str(store_dir))
    len(reopened)
    reopen_s = time.perf_counter() - t
    del reopened
    return {
        "quads": int(out[1]),
        "dump_mb": dump.stat().st_size / 1e6,
        "dump_s": dump_s,
        "load_memory_s": float(out[0]),
        "load_memory_peak_rss_mb": int(out[2]) / 1e6,
        "oxigraph_load_s": server_load_s,
        "reopen_on_disk_s": reopen_s,
        "dump": str(dump),
        "oxigraph_dir": str(oxi_dir),
    }


def authority_queries(store_dir: Path, name: str = "scores") -> list[str]:
    """One named question bound to each assessed council in turn (for the throughput runs)."""
    rows = ox.Store.read_only(str(store_dir)).query(
        "SELECT DISTINCT ?a WHERE { GRAPH ?g { ?x <https://w3id.org/cqc-kg/def#assessedAuthority> "
        "?a } }"
    )
    assert isinstance(rows, ox.QuerySolutions)
    authorities = sorted(row[0].value.rsplit("/", 1)[-1] for row in rows)
    (question,) = (q for q in list_questions() if q.name == name)
    return [question.bind({"authority": c}) for c in authorities]


def questions(store_dir: Path) -> dict[str, str]:
    """Every named question, bound to one council (and a finding for ``evidence``).

    The council is the one with the most findings (ties broken by code), so the single-council
    questions are timed on a full assessment rather than on a short pilot page.
    """
    store = ox.Store.read_only(str(store_dir))
    authority = next(
        iter(
            store.query(
                "PREFIX cqc: <https://w3id.org/cqc-kg/def#> "
                "SELECT ?a (COUNT(?f) AS ?n) WHERE { GRAPH ?g { ?x cqc:assessedAuthority ?a . "
                "?f cqc:assessment ?x ; a ?t FILTER (?t IN (cqc:Gap, cqc:Strength)) } } "
                "GROUP BY ?a ORDER BY DESC(?n) ?a LIMIT 1"
            )
        )
    )[0].value.rsplit("/", 1)[-1]
    finding = next(
        iter(
            store.query(
                "SELECT ?f WHERE { GRAPH ?g { ?f a <https://w3id.org/cqc-kg/def#Gap> } } LIMIT 1"
            )
        )
    )[0].value
    out = {}
    for q in list_questions():
        params = {p.name: authority for p in q.parameters if p.name == "authority"}
        if any(p.name == "iri" for p in q.parameters):
            params = {"iri": finding}
        out[q.name] = q.bind(params)
    return out


# Seconds of timed runs per question and engine: a question that takes seconds at 10x gets fewer
# runs (at least one after the warm-up) rather than twenty.
QUESTION_BUDGET_S = 10.0
# Characters of query text sent in a GET URL at most (percent-encoding makes it longer).
GET_QUERY_LIMIT = 6000


# Seconds a request may take before the client gives up (and cqc-kg's query deadline here).
QUERY_BOUND_S = 60.0


def _time_http(url: str, query: str, runs: int, bound: float = QUERY_BOUND_S) -> list[float] | str:
    times: list[float] = []
    with httpx.Client(timeout=bound) as client:
        for i in range(runs + 1):
            if len(times) >= 1 and sum(times) + times[-1] > QUESTION_BUDGET_S:
                break
            t = time.perf_counter()
            try:
                # GET sends the request in one write; a POST body written after its headers can
                # wait on delayed ACKs and measure the client rather than the server. A query
                # too long for a URL (oxigraph serve refuses one of about 12 KB with 400) is
                # sent as a form, to every engine alike.
                if len(query) < GET_QUERY_LIMIT:
                    r = client.get(url, params={"query": query}, headers={"Accept": JSON_RESULTS})
                else:
                    r = client.post(url, data={"query": query}, headers={"Accept": JSON_RESULTS})
            except httpx.TimeoutException:
                return f"over {bound:.0f} s"
            elapsed = time.perf_counter() - t
            if r.status_code != 200:
                return f"HTTP {r.status_code}"
            if i:
                times.append(elapsed)
            if elapsed > bound:
                return f"over {bound:.0f} s"
    return times


def _summary(times: list[float] | str) -> dict[str, Any]:
    if isinstance(times, str):
        return {"error": times}
    return {
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": _pct(times, 0.95) * 1000,
        "runs": len(times),
    }


def _sample_load(res: dict[str, Any], stage: str) -> None:
    """Note the load average after a stage: the machine is shared."""
    res.setdefault("load_average", []).append([stage, *os.getloadavg()])


def latency(
    qs: dict[str, str], engines: dict[str, Callable[[str], list[float] | str]]
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for engine, run in engines.items():
        out[engine] = {}
        for name, query in qs.items():
            out[engine][name] = _summary(run(query))
        print(f"  latency measured: {engine}", file=sys.stderr)
    return out


_WRK_LUA = """
local bodies = {}
for line in io.lines(os.getenv("BENCH_BODIES")) do bodies[#bodies + 1] = line end
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Accept"] = "application/sparql-results+json",
}
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", nil, headers, bodies[i])
end
"""


def _load_wrk(
    url: str, queries: list[str], clients: int, seconds: float, work: Path
) -> dict[str, Any]:
    script = work / "post.lua"
    script.write_text(_WRK_LUA)
    bodies = work / "bodies.txt"
    bodies.write_text("".join("query=" + urllib.parse.quote_plus(q) + "\n" for q in queries))
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{clients}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        env={**os.environ, "BENCH_BODIES": str(bodies)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime)
    rps = float(next(ln.split()[1] for ln in out.splitlines() if ln.startswith("Requests/sec")))
    lat = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("50%", "99%"):
            lat[parts[0]] = _ms(parts[1])
    errors = [ln.strip() for ln in out.splitlines() if "Non-2xx" in ln or "Socket errors" in ln]
    return {
        "rps": rps,
        "p50_ms": lat.get("50%"),
        "p99_ms": lat.get("99%"),
        "errors": errors,
        "client_cpu_s": client_cpu,
        "client": "wrk -t1",
    }


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def _load_httpx(url: str, queries: list[str], clients: int, seconds: float) -> dict[str, Any]:
    import asyncio

    async def main() -> tuple[list[float], int]:
        lat: list[float] = []
        errors = 0
        end = time.perf_counter() + seconds
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:

            async def worker(start: int) -> None:
                nonlocal errors
                i = start
                while time.perf_counter() < end:
                    i += 1
                    t = time.perf_counter()
                    r = await client.post(
                        url,
                        data={"query": queries[i % len(queries)]},
                        headers={"Accept": JSON_RESULTS},
                    )
                    lat.append(time.perf_counter() - t)
                    errors += r.status_code != 200

            await asyncio.gather(*(worker(k) for k in range(clients)))
        return lat, errors

    cpu = time.process_time()
    t = time.perf_counter()
    lat, errors = asyncio.run(main())
    wall = time.perf_counter() - t
    return {
        "rps": len(lat) / wall,
        "p50_ms": _pct(lat, 0.5) * 1000,
        "p99_ms": _pct(lat, 0.99) * 1000,
        "errors": [f"{errors} non-200"] if errors else [],
        "client_cpu_s": time.process_time() - cpu,
        "client": "httpx asyncio",
    }


def throughput(url: str, queries: list[str], seconds: float, work: Path) -> dict[str, Any]:
    """Requests/s at 1, 8 and 32 clients, the requests cycling through ``queries``."""
    out = {}
    for clients in (1, 8, 32):
        if shutil.which("wrk"):
            out[str(clients)] = _load_wrk(url, queries, clients, seconds, work)
        else:
            out[str(clients)] = _load_httpx(url, queries, clients, seconds)
    return out


def rdflib_engines(
    dump: str, qs: dict[str, str], bound: float, runs: int, work: Path
) -> dict[str, Any]:
    """rdflib in memory and rdflib-endpoint, each question bounded (``rdflib_engines.py``)."""
    qfile = work / "questions.json"
    qfile.write_text(json.dumps(qs))
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "rdflib_engines.py"),
            *(dump, str(qfile), str(bound), str(runs)),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    sys.stderr.write(out.stderr)
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def scale_run(scale: int, args: argparse.Namespace, base: Path) -> dict[str, Any]:
    from generate import generate

    work = base / f"scale-{scale}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    print(f"scale {scale}: generating", file=sys.stderr)
    rounds = generate(work / "corpus", councils=args.councils, rounds=scale)
    res: dict[str, Any] = {"scale": scale}
    _sample_load(res, "generated")
    res["ingest"] = ingest_rounds(rounds, work / "store", args.jobs)
    _sample_load(res, "ingest")
    if scale == 1:
        res["ingest_cold"] = ingest_cold(rounds[0], work / "store-cold", args.jobs)
        _sample_load(res, "ingest, caches emptied")
    res["validation"] = validation(work / "store", None if scale == 1 else args.validation_sample)
    _sample_load(res, "validation")
    res["load"] = export_and_load(work / "store", work)
    _sample_load(res, "store load")
    qs = questions(work / "store")
    runs = args.runs

    oxi_port, cq_port, cq_nocache_port = _free_port(), _free_port(), _free_port()
    oxi_cmd = [
        str(BIN / "oxigraph"),
        "serve-read-only",
        "--location",
        res["load"]["oxigraph_dir"],
        "--bind",
        f"127.0.0.1:{oxi_port}",
        "--union-default-graph",
    ]
    cq_cmd = [str(BIN / "cqckg"), "serve", "--store", str(work / "store"), "--no-load"]
    # The server's deadline raised to the client's bound: `oxigraph serve` has none, and the
    # first run of a heavy question on a cold 10x store may pass the default 10 s.
    cq_env = {"CQCKG_QUERY_TIMEOUT": str(QUERY_BOUND_S)}
    engines: dict[str, Callable[[str], list[float] | str]] = {}
    memory: dict[str, Any] = {}
    tp: dict[str, Any] = {}
    oxi_url = f"http://127.0.0.1:{oxi_port}/query"
    with _server(oxi_cmd, oxi_port) as oxi_pid:
        with _server([*cq_cmd, "--port", str(cq_port)], cq_port, env=cq_env) as cq_pid:
            cq_url = f"http://127.0.0.1:{cq_port}/sparql"
            engines["oxigraph serve"] = lambda q: _time_http(oxi_url, q, runs)
            engines["cqc-kg (cache on)"] = lambda q: _time_http(cq_url, q, runs)
            lat = latency(qs, engines)
            _sample_load(res, "latency")
            memory["cqc-kg serve"] = _tree_rss(cq_pid)
            memory["oxigraph serve"] = _tree_rss(oxi_pid)
            tq = authority_queries(work / "store")
            res["throughput_queries"] = len(tq)
            tp["oxigraph serve"] = throughput(oxi_url, tq, args.seconds, work)
            tp["cqc-kg (cache on)"] = throughput(cq_url, tq, args.seconds, work)
            memory["cqc-kg serve after load"] = _tree_rss(cq_pid)
        with _server(
            [*cq_cmd, "--port", str(cq_nocache_port)],
            cq_nocache_port,
            env={**cq_env, "CQCKG_CACHE_ENTRIES": "0"},
        ):
            nc_url = f"http://127.0.0.1:{cq_nocache_port}/sparql"
            lat.update(latency(qs, {"cqc-kg (cache off)": lambda q: _time_http(nc_url, q, runs)}))
            tp["cqc-kg (cache off)"] = throughput(nc_url, tq, args.seconds, work)
            _sample_load(res, "throughput")

    quads = res["load"]["quads"]
    if quads <= RDFLIB_TRIPLE_BOUND and not args.no_rdflib:
        rl = rdflib_engines(res["load"]["dump"], qs, args.rdflib_bound, min(runs, 5), work)
        res["rdflib_load"] = {"load_s": rl["load_s"], "peak_rss_mb": rl["load_peak_rss"] / 1e6}
        lat["rdflib in-memory"] = {q: _summary(t) for q, t in rl["in_memory"].items()}
        lat["rdflib-endpoint"] = {q: _summary(t) for q, t in rl["endpoint"].items()}
        memory["rdflib-endpoint"] = tuple(rl["endpoint_rss"])
        _sample_load(res, "rdflib")
    else:
        skip = f"not run: {quads:,} quads is over the bound of {RDFLIB_TRIPLE_BOUND:,}"
        for engine in ("rdflib in-memory", "rdflib-endpoint"):
            lat[engine] = {name: {"error": skip} for name in qs}
    res["latency"] = lat
    res["throughput"] = tp
    res["memory"] = {k: {"rss_mb": v[0] / 1e6, "peak_mb": v[1] / 1e6} for k, v in memory.items()}
    return res


def extraction_quality(base: Path) -> dict[str, Any]:
    import extraction_quality as eq

    out = base / "extraction_quality.json"
    with contextlib.redirect_stdout(sys.stderr):
        eq.main(["--out", str(out)])
    data: dict[str, Any] = json.loads(out.read_text())
    return data.get("overall", data)


# -- reporting -----------------------------------------------------------------------------------


def _f(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def _ratio(x: float | None, ref: float | None) -> str:
    return "-" if x is None or not ref else f"{x / ref:.2f}x"


def report(results: dict[str, Any]) -> str:
    """The results as markdown: machine, targets, then one section per measurement."""
    m = results["machine"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `benchmarks/run.py` (`cqckg bench`); do not edit by hand. Synthetic corpus "
        "from `benchmarks/generate.py` (1x = one assessment round of every council; Nx = N "
        "rounds). Ratios are to the reference engine, `oxigraph serve` on the same exported "
        "data, measured in the same run.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}, Python "
        f"{m['python']}; load average at start {_loads(m, 'start')}, at end "
        f"{_loads(m, 'end')} (the machine was shared with other work).",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        "",
        f"Run: {results['started']}, {results['wall_s']:.0f} s, options `{results['options']}`.",
        "",
        f"Latency: each question is run once to warm up, then up to {results.get('runs_asked')} "
        f"times, fewer when the runs pass {results.get('question_budget_s')} s (the count is "
        "shown where it is lower). Every engine gets 60 s a request (`CQCKG_QUERY_TIMEOUT=60` "
        "for cqc-kg, whose default is 10 s; `oxigraph serve` has no deadline). The query workers "
        f"preload {results.get('worker_allocator') or 'no allocator (glibc malloc)'}. "
        "rdflib's engines get at most 5 runs and "
        f"{results.get('rdflib_bound_s')} s per question; a question still running then is "
        "stopped and reported as not finishing.",
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "|---|---|---|",
    ]
    for t in results["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else 'NO'} |")
    for sc in results["scales"]:
        s = sc["scale"]
        ing, val, ld = sc["ingest"], sc["validation"], sc["load"]
        lines += [
            "",
            f"## Scale {s}x: {ing['assessments']} assessments, {ing['documents']} documents, "
            f"{ing['mb']:.1f} MB, {ld['quads']:,} quads",
            "",
            "Load average (1 min) after each stage: "
            + ", ".join(f"{stage} {one:.1f}" for stage, one, *_ in sc.get("load_average", [])),
            "",
            "| measure | value |",
            "|---|---|",
            f"| ingest (read, extract, build, validate, write; {ing['jobs']} processes) | "
            f"{ing['wall_s']:.1f} s wall, {ing['cpu_s']:.1f} s CPU |",
            *(
                [
                    "| the same, text caches emptied before each assessment | "
                    f"{sc['ingest_cold']['wall_s']:.1f} s wall, "
                    f"{sc['ingest_cold']['cpu_s']:.1f} s CPU |"
                ]
                if "ingest_cold" in sc
                else []
            ),
            f"| ingest throughput | {ing['docs_per_s']:.1f} documents/s, "
            f"{ing['mb_per_s']:.2f} MB/s |",
            f"| ingest per round (first, last) | {ing['rounds'][0]['wall_s']:.1f} s, "
            f"{ing['rounds'][-1]['wall_s']:.1f} s |",
            f"| SHACL validation per assessment (median, mean) | "
            f"{val['per_assessment_median_s'] * 1000:.0f} ms, "
            f"{val['per_assessment_mean_s'] * 1000:.0f} ms |",
            f"| SHACL validation per 1,000 triples | {val['per_1k_triples_s'] * 1000:.1f} ms |",
            f"| SHACL validation, whole corpus (one assessment at a time) | {val['corpus_s']:.1f} s"
            + ("" if val["corpus_measured"] else f" (from {val['validated']} sampled)")
            + " |",
            f"| N-Quads dump | {ld['dump_mb']:.0f} MB in {ld['dump_s']:.1f} s |",
            f"| load into pyoxigraph in memory | {ld['load_memory_s']:.1f} s, peak RSS "
            f"{ld['load_memory_peak_rss_mb']:.0f} MB |",
            f"| `oxigraph load` (reference) | {ld['oxigraph_load_s']:.1f} s |",
            f"| reopen the on-disk store | {ld['reopen_on_disk_s']:.2f} s |",
        ]
        if "rdflib_load" in sc:
            rl = sc["rdflib_load"]
            lines.append(
                f"| load into rdflib | {rl['load_s']:.1f} s, peak RSS {rl['peak_rss_mb']:.0f} MB |"
            )
        for name, mem in sc["memory"].items():
            lines.append(
                f"| memory: {name} (RSS, peak) | {mem['rss_mb']:.0f} MB, {mem['peak_mb']:.0f} MB |"
            )
        lat = sc["latency"]
        engines = list(lat)
        ref = lat["oxigraph serve"]
        lines += [
            "",
            f"### Named question latency at {s}x: median ms (p95) and ratio to oxigraph serve",
            "",
            "| question | " + " | ".join(engines) + " |",
            "|---|" + "---|" * len(engines),
        ]
        for q in ref:
            cells = []
            for e in engines:
                r = lat[e][q]
                if "error" in r:
                    cells.append(r["error"])
                else:
                    few = r.get("runs", 0) < results.get("runs_asked", 20)
                    runs = f", {r['runs']} runs" if few and "runs" in r else ""
                    cells.append(
                        f"{r['median_ms']:.1f} ({r['p95_ms']:.1f}) "
                        f"{_ratio(r['median_ms'], ref[q].get('median_ms'))}{runs}"
                    )
            lines.append(f"| {q} | " + " | ".join(cells) + " |")
        tp = sc["throughput"]
        lines += [
            "",
            f"### Throughput at {s}x (question `scores`, the requests cycling through "
            f"{sc.get('throughput_queries', 1)} councils; requests/s, p50/p99 ms, ratio to "
            "oxigraph serve)",
            "",
            "| server | 1 client | 8 clients | 32 clients | client CPU s (1/8/32) |",
            "|---|---|---|---|---|",
        ]
        for server, by in tp.items():
            cells = [
                f"{by[c]['rps']:.0f} rps, {_f(by[c]['p50_ms'])}/{_f(by[c]['p99_ms'])} "
                f"({_ratio(by[c]['rps'], tp['oxigraph serve'][c]['rps'])})"
                + (" " + "; ".join(by[c]["errors"]) if by[c]["errors"] else "")
                for c in ("1", "8", "32")
            ]
            cpu = "/".join(f"{by[c]['client_cpu_s']:.2f}" for c in ("1", "8", "32"))
            lines.append(f"| {server} | " + " | ".join(cells) + f" | {cpu} |")
    q = results.get("extraction_quality")
    if q:
        lines += [
            "",
            "## Extraction quality (annotated test set)",
            "",
            "| kind | precision | recall |",
            "|---|---|---|",
        ]
        for kind, v in q.items():
            if isinstance(v, dict) and "precision" in v:
                lines.append(f"| {kind} | {_f(_pc(v['precision']))}% | {_f(_pc(v['recall']))}% |")
    if results.get("reach"):
        import reach

        lines += ["", *reach.markdown(results["reach"])]
    return "\n".join(lines) + "\n"


def _loads(m: dict[str, Any], when: str) -> str:
    return ", ".join(f"{x:.1f}" for x in m.get(f"load_average_at_{when}", ()))


def _pc(x: float | None) -> float | None:
    return None if x is None else 100 * x


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    one = next((s for s in results["scales"] if s["scale"] == 1), results["scales"][0])
    ing = one["ingest"]
    out.append(
        {
            "target": f"{ing['assessments']} assessments ingested and validated in under 60 s",
            "measured": f"{ing['wall_s']:.1f} s wall ({ing['cpu_s']:.1f} s CPU)",
            "met": ing["wall_s"] < 60,
        }
    )
    if "ingest_cold" in one:
        cold = one["ingest_cold"]
        out.append(
            {
                "target": "the same with the text caches emptied before each assessment",
                "measured": f"{cold['wall_s']:.1f} s wall ({cold['cpu_s']:.1f} s CPU)",
                "met": cold["wall_s"] < 60,
            }
        )
    mem = one["memory"].get("cqc-kg serve after load", one["memory"].get("cqc-kg serve", {}))
    out.append(
        {
            "target": "serving the 1x corpus in under 1 GiB",
            "measured": f"{mem.get('peak_mb', 0):.0f} MB peak RSS (server and query workers)",
            "met": mem.get("peak_mb", 1e9) < 1024,
        }
    )
    for sc in results["scales"]:
        lat = sc["latency"]
        ref = lat["oxigraph serve"]
        for mode in ("cqc-kg (cache off)", "cqc-kg (cache on)"):
            worst = max(
                (
                    lat[mode][q]["median_ms"] / ref[q]["median_ms"],
                    q,
                )
                for q in ref
                if "median_ms" in lat[mode][q] and ref[q].get("median_ms")
            )
            out.append(
                {
                    "target": "every question's median within 1.2x of oxigraph serve "
                    f"({sc['scale']}x, {mode})",
                    "measured": f"worst {worst[0]:.2f}x ({worst[1]})",
                    "met": worst[0] <= 1.2,
                }
            )
        tp = sc["throughput"]
        for mode in ("cqc-kg (cache off)", "cqc-kg (cache on)"):
            r = tp[mode]["8"]["rps"] / tp["oxigraph serve"]["8"]["rps"]
            out.append(
                {
                    "target": "throughput at 8 clients at least half of oxigraph serve's "
                    f"({sc['scale']}x, {mode})",
                    "measured": f"{r:.2f}x",
                    "met": r >= 0.5,
                }
            )
    if len(results["scales"]) > 1:
        a, b = results["scales"][0], results["scales"][-1]
        r = b["validation"]["per_1k_triples_s"] / a["validation"]["per_1k_triples_s"]
        out.append(
            {
                "target": "validation linear in the number of assessments (time per 1k triples "
                f"at {b['scale']}x / at {a['scale']}x)",
                "measured": f"{r:.2f}",
                "met": r < 1.3,
            }
        )
    if "westminster" in results:
        w = results["westminster"]
        out.append(
            {
                "target": "full Westminster report ingested and validated in under 1 s on one core",
                "measured": f"{w['total_s']:.2f} s (read {w['read_s']:.2f}, extract "
                f"{w['extract_s']:.2f}, build {w['build_s']:.2f}, validate {w['validate_s']:.2f})",
                "met": w["total_s"] < 1,
            }
        )
    return out


def westminster() -> dict[str, float]:
    """The largest real report, stage by stage, best of three (one process, one core)."""
    from cqckg.build import build_assessment
    from cqckg.core.authorities import AuthorityRegistry
    from cqckg.core.vocabulary import load_vocabulary
    from cqckg.ingest import assemble_groups
    from cqckg.read import read_document
    from cqckg.validate import ensure_valid, reference_graph

    path = ROOT / "graph" / "sources" / "westminster-2024" / "full-report.md"
    vocab, registry = load_vocabulary(), AuthorityRegistry.load()
    reference_graph()
    best: dict[str, float] = {}
    for _ in range(3):
        t0 = time.process_time()
        doc = read_document(path, registry=registry)
        t1 = time.process_time()
        assert doc.published is not None
        key = (doc.authority_gss, doc.published.isoformat())
        a = assemble_groups({key: [(doc, path.name)]}, vocab, registry)[0]
        t2 = time.process_time()
        g = build_assessment(a, vocab)
        t3 = time.process_time()
        ensure_valid(g)
        t4 = time.process_time()
        for k, v in (
            ("read_s", t1 - t0),
            ("extract_s", t2 - t1),
            ("build_s", t3 - t2),
            ("validate_s", t4 - t3),
        ):
            best[k] = min(best.get(k, 1e9), v)
    best["total_s"] = sum(best.values())
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="1,10", help="comma-separated scales (default 1,10)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: 3 councils, short runs")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--councils", type=int, default=None, help="councils (default all 153)")
    parser.add_argument(
        "--runs", type=int, default=200, help="timed runs per question (within its time budget)"
    )
    parser.add_argument("--seconds", type=float, default=10, help="each throughput run")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="ingest processes")
    parser.add_argument("--validation-sample", type=int, default=153)
    parser.add_argument("--no-rdflib", action="store_true", help="skip rdflib and rdflib-endpoint")
    parser.add_argument(
        "--rdflib-bound",
        type=float,
        default=5.0,
        help="seconds each question may take on rdflib's engines before it is reported as not "
        "finishing (default 5)",
    )
    parser.add_argument(
        "--publish",
        action="store_true",
        help="also write BENCHMARKS.md and benchmarks/results.json",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.councils, args.runs, args.seconds = args.councils or 3, 3, 1
        args.scale = args.scale if args.scale != "1,10" else "1"
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "options": " ".join(sys.argv[1:] if argv is None else argv),
        "machine": machine(),
        "runs_asked": args.runs,
        "question_budget_s": QUESTION_BUDGET_S,
        "rdflib_bound_s": args.rdflib_bound,
        "worker_allocator": allocator_library("auto"),
    }
    results["westminster"] = westminster()
    with tempfile.TemporaryDirectory(dir=args.out) as tmp:
        results["scales"] = []
        for s in str(args.scale).split(","):
            if s.strip():
                results["scales"].append(scale_run(int(s), args, Path(tmp)))
                # kept as it goes: a later scale that does not finish leaves the earlier ones
                (args.out / "bench.partial.json").write_text(
                    json.dumps(results, indent=1, default=str)
                )
    results["extraction_quality"] = extraction_quality(args.out)
    import reach

    results["reach"] = reach.measure()
    results["wall_s"] = time.perf_counter() - started
    results["machine"]["load_average_at_end"] = os.getloadavg()
    results["targets"] = targets(results)
    text = report(results)
    (args.out / "bench.json").write_text(json.dumps(results, indent=1, default=str))
    (args.out / "BENCHMARKS.md").write_text(text)
    if args.publish:
        (ROOT / "BENCHMARKS.md").write_text(text)
        (ROOT / "benchmarks" / "results.json").write_text(
            json.dumps(results, indent=1, default=str)
        )
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
