"""The server's summaries of each store version are computed on the background worker, so
requests arriving after a write neither wait for a worker nor share the CPU with them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from cqckg.serve import backend as backend_module
from cqckg.serve.backend import Backend, select_job
from cqckg.serve.nation import load_gap_topics, load_nation
from cqckg.serve.negotiation import Format
from cqckg.serve.settings import Settings
from cqckg.serve.workers import QueryPool
from cqckg.store import GraphStore
from cqckg.store.answers import Reply


def test_summaries_are_refreshed_after_each_write_on_the_background_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[tuple[str, bool]] = []
    pool_run = QueryPool.run

    async def recording(
        self: QueryPool, job: dict[str, Any], timeout: float, background: bool = False
    ) -> Reply:
        runs.append((job["query"], background))
        return await pool_run(self, job, timeout, background)

    monkeypatch.setattr(QueryPool, "run", recording)
    settings = Settings(
        store=str(tmp_path / "store"), load_shipped=False, workers=1, background_workers=1
    )

    def write(store: GraphStore) -> None:
        store.update(
            "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> "
            "<http://example.org/p> 1 } }"
        )

    async def run() -> tuple[int, int, object, object]:
        backend = Backend(settings)
        await backend.start()
        try:
            backend.warmers = [load_nation, load_gap_topics]
            await backend.write(write)
            refreshing = backend.refreshing
            while backend.refreshing:
                await asyncio.sleep(0.01)
            version = backend.version
            kept = backend._derived["nation"][0], backend._derived["gap-topics"][0]
            await backend.read(select_job("ASK { ?s ?p ?o }", Format.JSON, 10), 30)
            return refreshing, version, kept, backend.background_workers
        finally:
            await backend.close()

    refreshing, version, kept, background = asyncio.run(run())
    assert refreshing == 2 and background == 1
    assert kept == (version, version)  # both summaries are of the version after the write
    summaries = [(query, bg) for query, bg in runs if "ASK" not in query]
    assert len(summaries) == 6 and all(bg for _, bg in summaries)
    assert runs[-1] == ("ASK { ?s ?p ?o }", False)  # a request's read is not a background one


def test_a_request_does_not_wait_for_a_summary_being_computed_in_the_background(
    tmp_path: Path,
) -> None:
    """While the background computation of a summary hangs, a request computes it itself (once
    for every request asking meanwhile); the background result does not replace it later."""
    settings = Settings(store=str(tmp_path / "store"), load_shipped=False, workers=1)

    async def run() -> tuple[list[str], str, str, str]:
        backend = Backend(settings)
        await backend.start()
        try:
            release = asyncio.Event()
            made: list[str] = []

            async def slow() -> str:
                made.append("background")
                await release.wait()
                return "from the background"

            async def quick() -> str:
                made.append("request")
                await asyncio.sleep(0.01)
                return "from a request"

            async def in_background() -> str:
                backend_module._IN_BACKGROUND.set(True)
                return await backend.derived("summary", slow)

            hanging = asyncio.create_task(in_background())
            await asyncio.sleep(0.01)
            answers = await asyncio.wait_for(
                asyncio.gather(*(backend.derived("summary", quick) for _ in range(3))), 5
            )
            release.set()
            late = await hanging
            kept = await backend.derived("summary", quick)
            assert answers == ["from a request"] * 3
            return made, late, kept, answers[0]
        finally:
            await backend.close()

    made, late, kept, answered = asyncio.run(run())
    assert made == ["background", "request"]  # the requests shared one computation
    assert late == "from the background" and kept == answered
