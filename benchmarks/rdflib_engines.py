"""rdflib's two engines for ``benchmarks/run.py``, each question bounded in time.

    .venv/bin/python benchmarks/rdflib_engines.py DUMP.nq QUESTIONS.json BOUND_S RUNS

Loads the N-Quads dump into an rdflib ``Dataset`` once, then

* in memory: runs each question in a forked child (copy-on-write, so the dataset is not loaded
  again) which is killed when the question's time is up: a question whose first run takes longer
  than ``BOUND_S`` is reported as not finishing, never waited for;
* ``rdflib-endpoint``: serves the same dataset from a forked child and times each question over
  HTTP; a question past the bound gets the server killed and forked afresh, so a query still
  running inside it cannot slow the next. A question rdflib's engine did not finish in memory is
  not sent to the endpoint (it runs the same engine behind HTTP).

Slow engines get fewer runs: a question's runs stop when the next one would take it past the
bound, and a first run longer than a tenth of the bound counts as a measurement rather than a
warm-up. Prints one JSON object on stdout.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Times = list[float] | str


def _dnf(bound: float) -> str:
    return f"did not finish within {bound:g} s"


def _runs(once: Callable[[], object], runs: int, bound: float) -> list[float]:
    """Time ``once`` up to ``runs`` times (after a warm-up) within ``bound`` seconds."""
    start = time.perf_counter()
    times: list[float] = []
    t = time.perf_counter()
    once()
    first = time.perf_counter() - t
    if first > bound / 10:
        times.append(first)
    while len(times) < runs:
        last = times[-1] if times else first
        if time.perf_counter() - start + last > bound * 0.9:
            break
        t = time.perf_counter()
        once()
        times.append(time.perf_counter() - t)
    return times


def _in_child(work: Callable[[], object], bound: float) -> Any:
    """Run ``work`` in a forked child; its JSON result, or a did-not-finish note at ``bound``."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            data = json.dumps(work())
        except BaseException as exc:  # noqa: BLE001 - reported, the child exits either way
            data = json.dumps(f"error: {type(exc).__name__}: {exc}"[:300])
        with os.fdopen(write, "w") as out:
            out.write(data)
        os._exit(0)
    os.close(write)
    deadline = time.monotonic() + bound
    with os.fdopen(read) as result:
        while os.waitpid(pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return _dnf(bound)
            time.sleep(0.01)
        return json.loads(result.read() or '"error: no result"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(ds: Any, port: int) -> int:
    """Fork a child serving ``ds`` with rdflib-endpoint; wait until it answers."""
    import httpx

    pid = os.fork()
    if pid == 0:
        import uvicorn
        from rdflib_endpoint import SparqlEndpoint

        uvicorn.run(SparqlEndpoint(graph=ds), host="127.0.0.1", port=port, log_level="warning")
        os._exit(0)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return pid
        time.sleep(0.2)
    raise RuntimeError("rdflib-endpoint did not start")


def _stop(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _rss(pid: int) -> tuple[int, int]:
    now = peak = 0
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) * 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    return now, peak


def main(argv: list[str]) -> int:
    import httpx
    from rdflib import Dataset

    dump, questions_file, bound, runs = argv[0], argv[1], float(argv[2]), int(argv[3])
    questions: dict[str, str] = json.loads(Path(questions_file).read_text())
    t = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(dump, format="nquads")
    load_s = time.perf_counter() - t
    load_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"  rdflib: loaded in {load_s:.0f} s", file=sys.stderr)

    def in_memory(query: str) -> Callable[[], list[float]]:
        return lambda: _runs(lambda: len(list(ds.query(query))), runs, bound)

    memory: dict[str, Times] = {
        q: _in_child(in_memory(text), bound) for q, text in questions.items()
    }
    print("  latency measured: rdflib in-memory", file=sys.stderr)

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    pid = _serve(ds, port)
    endpoint: dict[str, Times] = {}
    client = httpx.Client(timeout=bound)

    def over_http(query: str) -> None:
        r = client.get(url, params={"query": query}, headers={"Accept": _JSON})
        if r.status_code != 200:
            raise RuntimeError(f"HTTP {r.status_code}")

    for name, text in questions.items():
        if isinstance(memory[name], str):
            endpoint[name] = f"not run: rdflib in memory {memory[name]}"
            continue
        try:
            endpoint[name] = _runs(lambda q=text: over_http(q), runs, bound)  # type: ignore[misc]
        except httpx.TimeoutException:
            endpoint[name] = _dnf(bound)
            _stop(pid)
            client.close()
            client = httpx.Client(timeout=bound)
            pid = _serve(ds, port)
        except RuntimeError as exc:
            endpoint[name] = str(exc)
    endpoint_rss = _rss(pid)
    _stop(pid)
    client.close()
    print("  latency measured: rdflib-endpoint", file=sys.stderr)
    json.dump(
        {
            "load_s": load_s,
            "load_peak_rss": load_rss,
            "endpoint_rss": endpoint_rss,
            "bound_s": bound,
            "in_memory": memory,
            "endpoint": endpoint,
        },
        sys.stdout,
    )
    return 0


_JSON = "application/sparql-results+json"

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
