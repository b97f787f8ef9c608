"""The server's summaries of each store version are computed on the background worker, so
requests arriving after a write neither wait for a worker nor share the CPU with them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

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
