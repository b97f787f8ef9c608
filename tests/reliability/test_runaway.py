"""Runaway queries: stopped at the deadline, cheap queries unaffected, workers back in service.

A cross product over 3,000 triples (2.7e10 rows) would run for hours. While one (then two at
once) runs, cheap queries are timed and compared with the same cheap queries timed just before,
in the same test: medians of several requests, allowed up to twice the baseline or the baseline
plus 50 ms, whichever is larger, so a busy two-core machine does not make the test flaky.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import EX, SERVER_DATA, RunningServer, run_server

pytestmark = pytest.mark.slow

RUNAWAY = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{EX}big> {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} }}"
DEADLINE = 2.0
WORKERS = 3


@pytest.fixture(scope="module")
def pool_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {"CQCKG_WORKERS": str(WORKERS), "CQCKG_QUERY_TIMEOUT": "30"}
    with run_server(tmp_path_factory.mktemp("runaway"), SERVER_DATA, env) as running:
        yield running


def cheap_latencies(client: httpx.Client, n: int = 15) -> list[float]:
    """Seconds each of ``n`` cheap, uncached queries took."""
    seconds = []
    for i in range(n):
        query = f"ASK {{ <{EX}alice> ?p ?o . FILTER({time.time_ns()} > {i}) }}"
        start = time.perf_counter()
        r = client.get("/sparql", params={"query": query})
        seconds.append(time.perf_counter() - start)
        assert r.status_code == 200
    return seconds


def run_runaway(url: str, outcome: list[tuple[int, str, float, str | None]]) -> None:
    start = time.monotonic()
    r = httpx.get(f"{url}/sparql", params={"query": RUNAWAY, "timeout": str(DEADLINE)}, timeout=60)
    outcome.append((r.status_code, r.text, time.monotonic() - start, r.headers.get("retry-after")))


def wait_for_full_pool(url: str) -> float:
    start = time.monotonic()
    while httpx.get(f"{url}/status").json()["workers"] < WORKERS:
        assert time.monotonic() - start < 15, "the pool did not get back to full strength"
        time.sleep(0.05)
    return time.monotonic() - start


@pytest.mark.parametrize("runaways", [1, 2])
def test_runaway_queries_are_stopped_while_cheap_ones_keep_their_latency(
    pool_server: RunningServer, runaways: int, tmp_path: Path
) -> None:
    with httpx.Client(base_url=pool_server.url) as client:
        cheap_latencies(client, 5)  # warm the connection and the workers
        before = statistics.median(cheap_latencies(client))
        for round_ in range(2):  # the replaced workers serve the next round as well
            outcome: list[tuple[int, str, float, str | None]] = []
            threads = [
                threading.Thread(target=run_runaway, args=(pool_server.url, outcome))
                for _ in range(runaways)
            ]
            for t in threads:
                t.start()
            time.sleep(0.3)  # the runaways are evaluating now
            during = statistics.median(cheap_latencies(client))
            for t in threads:
                t.join()
            refilled = wait_for_full_pool(pool_server.url)
            after = statistics.median(cheap_latencies(client))
            print(
                f"\n{runaways} runaway(s), round {round_ + 1}: cheap query median "
                f"{before * 1000:.1f} ms before, {during * 1000:.1f} ms during, "
                f"{after * 1000:.1f} ms after; runaways answered in "
                f"{', '.join(f'{o[2]:.2f}' for o in outcome)} s; pool full again "
                f"{refilled:.2f} s later"
            )
            assert during <= max(2 * before, before + 0.05)
            assert len(outcome) == runaways
            for status, text, seconds, retry_after in outcome:
                assert status == 503
                assert "stopped" in text and f"{DEADLINE:g} s" in text
                assert retry_after == "1"
                assert DEADLINE - 0.1 < seconds < DEADLINE + 3
    status = httpx.get(f"{pool_server.url}/status").json()
    assert status["workers"] == status["size"] == WORKERS


def test_more_runaways_than_workers_all_stop_and_the_pool_recovers(
    pool_server: RunningServer,
) -> None:
    outcome: list[tuple[int, str, float, str | None]] = []
    threads = [
        threading.Thread(target=run_runaway, args=(pool_server.url, outcome))
        for _ in range(WORKERS + 2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o[0] for o in outcome) == [503] * (WORKERS + 2)
    # The two that found no free worker waited out their deadline instead of running.
    assert sum("no query worker became free" in o[1] for o in outcome) == 2
    wait_for_full_pool(pool_server.url)
    r = httpx.get(f"{pool_server.url}/sparql", params={"query": f"ASK {{ <{EX}alice> ?p ?o }}"})
    assert r.status_code == 200 and r.json()["boolean"] is True
