"""The query worker process on its own: the frames it reads and writes (``cqckg.workers``)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
import pytest

from cqckg.workers import FRAME, QueryPool, _Worker, decode_reply, encode_frame

EX = "http://example.org/"


def _exchange(stdin: IO[bytes], stdout: IO[bytes], job: dict[str, Any]) -> tuple[Any, bytes]:
    stdin.write(encode_frame(json.dumps(job).encode()))
    stdin.flush()
    (size,) = FRAME.unpack(stdout.read(FRAME.size))
    reply = decode_reply(stdout.read(size))
    return reply.header, reply.body


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_the_worker_answers_whatever_the_output_buffering(tmp_path: Path, unbuffered: str) -> None:
    """Answers of every size arrive whole, with ``PYTHONUNBUFFERED`` set or not (the worker
    buffers its own output so that an answer leaves in one write)."""
    snapshot = tmp_path / "snapshot.nq"
    quads = [
        ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), ox.Literal("x" * 100))
        for i in range(2000)  # about 250 KB of results: more than the output buffer
    ]
    snapshot.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    env = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
    worker = subprocess.Popen(
        [sys.executable, "-m", "cqckg.worker_process"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    assert worker.stdin is not None and worker.stdout is not None
    try:
        opened, _ = _exchange(
            worker.stdin, worker.stdout, {"op": "open", "snapshot": str(snapshot)}
        )
        assert opened == {"ok": True}
        job = {
            "op": "query",
            "snapshot": str(snapshot),
            "union": True,
            "results_format": "tsv",
            "graph_format": None,
            "max_results": 100_000,
        }
        for query, rows in (
            ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", 3),
            ("SELECT * {?s ?p ?o}", 2000),
        ):
            header, body = _exchange(worker.stdin, worker.stdout, {**job, "query": query})
            assert header == {"ok": True, "format": "tsv", "truncated": False}
            assert body.count(b"\n") == rows + 1
        header, body = _exchange(worker.stdin, worker.stdout, {**job, "query": "ASK {"})
        assert (header["ok"], header["error"], body) == (False, "syntax", b"")
    finally:
        worker.stdin.close()
        assert worker.wait(timeout=30) == 0


def test_the_pool_hands_the_next_job_to_the_worker_that_answered_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One client at a time is served by one worker (its caches warm), not by each in turn;
    concurrent jobs still spread over the pool."""
    snapshot = tmp_path / "snapshot.nq"
    snapshot.write_bytes(
        b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
    )
    answered: list[object] = []
    exchange = _Worker.exchange

    async def recording(self: _Worker, job: dict[str, Any]) -> Any:
        if job["op"] == "query":
            answered.append(self)
        return await exchange(self, job)

    monkeypatch.setattr(_Worker, "exchange", recording)
    job = {
        "op": "query",
        "query": "ASK { ?s ?p ?o }",
        "union": True,
        "results_format": "json",
        "graph_format": None,
        "max_results": 10,
    }

    async def run() -> None:
        pool = QueryPool(3, snapshot)
        await pool.start()
        try:
            for _ in range(6):
                reply = await pool.run(job, 30)
                assert reply.header["ok"] and json.loads(reply.body) == {
                    "head": {},
                    "boolean": True,
                }
            assert len(set(answered)) == 1
            answered.clear()
            await asyncio.gather(*(pool.run(job, 30) for _ in range(3)))
            assert len(set(answered)) == 3
        finally:
            await pool.close()

    asyncio.run(run())
