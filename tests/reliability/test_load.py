"""A bounded load test: many concurrent clients, mixed requests, no 5xx, no dropped connection.

32 clients (``CQCKG_LOAD_CLIENTS``) send requests back to back for ``CQCKG_LOAD_SECONDS``
(default 8; set 30 for the full run) over the real corpus (the ``ld_server`` fixture): named
questions in JSON and CSV, ad-hoc SELECT in every results format, CONSTRUCT in every graph
format, ASK, Graph Store reads, linked-data pages and the status. Some queries carry a fresh
number so the result cache cannot answer them. The figures are printed; only correctness is
asserted (speed is for the benchmarks).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest
from reliability_support import percentile

from conftest import RunningServer

pytestmark = pytest.mark.slow

CLIENTS = int(os.environ.get("CQCKG_LOAD_CLIENTS", "32"))
SECONDS = float(os.environ.get("CQCKG_LOAD_SECONDS", "8"))
WESTMINSTER = "E09000033"

RESULTS_FORMATS = ["json", "xml", "csv", "tsv"]
GRAPH_FORMATS = ["turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads"]
SELECT = (
    "PREFIX cqc: <https://w3id.org/cqc-kg/def#> "
    "SELECT ?a ?score WHERE {{ ?s cqc:assessment ?a ; cqc:score ?score . "
    "FILTER(?score > {n} - {n}) }} LIMIT 50"
)
CONSTRUCT = (
    "PREFIX cqc: <https://w3id.org/cqc-kg/def#> "
    "CONSTRUCT {{ ?a cqc:overallRating ?r }} WHERE {{ ?a cqc:overallRating ?r . "
    "FILTER({n} >= 0) }}"
)


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)


def requests(rng: random.Random, questions: list[str]) -> tuple[str, str, dict[str, str]]:
    """One request of the mix: method, path, parameters."""
    n = str(rng.randrange(10_000))
    kind = rng.randrange(7)
    if kind == 0:
        name = rng.choice(questions)
        params = {"format": rng.choice(["json", "csv"])}
        return "GET", f"/api/questions/{name}", params
    if kind == 1:
        query = SELECT.format(n=n)
        return "GET", "/sparql", {"query": query, "format": rng.choice(RESULTS_FORMATS)}
    if kind == 2:
        query = CONSTRUCT.format(n=n)
        return "POST", "/sparql", {"query": query, "format": rng.choice(GRAPH_FORMATS)}
    if kind == 3:
        return "GET", "/sparql", {"query": f"ASK {{ ?s ?p {n} }}"}
    if kind == 4:
        graph = f"https://w3id.org/cqc-kg/doc/authorities#{n}"
        return "GET", "/store", {"graph": graph}  # mostly 404: an absent graph
    if kind == 5:
        return "GET", f"/doc/authority/{WESTMINSTER}", {}
    return "GET", "/status", {}


async def client(base: str, questions: list[str], seed: int, until: float, tally: Tally) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        while time.monotonic() < until:
            method, path, params = requests(rng, questions)
            start = time.perf_counter()
            try:
                if method == "POST":
                    r = await http.post(path, data=params)
                else:
                    r = await http.get(path, params=params)
            except httpx.TransportError as exc:
                tally.errors[type(exc).__name__] += 1
                continue
            tally.seconds.append(time.perf_counter() - start)
            tally.statuses[r.status_code] += 1


def test_load_without_errors(ld_server: RunningServer) -> None:
    listed = httpx.get(f"{ld_server.url}/api/questions").json()
    questions = [q["name"] for q in listed if not any(p["required"] for p in q["parameters"])]
    assert questions
    tally = Tally()

    async def main() -> None:
        until = time.monotonic() + SECONDS
        await asyncio.gather(
            *(client(ld_server.url, questions, i, until, tally) for i in range(CLIENTS))
        )

    started = time.monotonic()
    asyncio.run(main())
    elapsed = time.monotonic() - started
    total = sum(tally.statuses.values())
    print(
        f"\nload: {CLIENTS} clients for {elapsed:.1f} s: {total} requests "
        f"({total / elapsed:.0f}/s), p50 {percentile(tally.seconds, 50) * 1000:.1f} ms, "
        f"p99 {percentile(tally.seconds, 99) * 1000:.1f} ms, statuses {dict(tally.statuses)}, "
        f"transport errors {dict(tally.errors)}"
    )
    assert not tally.errors, "connections were dropped"
    assert not [s for s in tally.statuses if s >= 500]
    assert set(tally.statuses) <= {200, 404}
    assert tally.statuses[200] > total / 2
    # The pool is whole again: a worker stopped with a request a client gave up on is replaced
    # (on a loaded machine the replacement may still be starting when the load ends).
    deadline = time.monotonic() + 15
    status = httpx.get(f"{ld_server.url}/status").json()
    while status["workers"] != status["size"] and time.monotonic() < deadline:
        time.sleep(0.2)
        status = httpx.get(f"{ld_server.url}/status").json()
    assert status["workers"] == status["size"]
