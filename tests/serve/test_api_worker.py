"""The query worker process on its own: the frames it reads and writes (``cqckg.serve.workers``)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
import pytest

from cqckg.core.errors import StoreError
from cqckg.serve.workers import (
    FRAME,
    QueryPool,
    _Worker,
    allocator_library,
    decode_reply,
    encode_frame,
    start_worker,
)
from cqckg.store import answers

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
        [sys.executable, "-m", "cqckg.serve.worker_process"],
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


def _one_triple_recording(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, list[_Worker]]:
    """A snapshot of one triple, and the list each worker is appended to as it takes a query."""
    snapshot = tmp_path / "snapshot.nq"
    snapshot.write_bytes(
        b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
    )
    answered: list[_Worker] = []
    exchange = _Worker.exchange

    async def recording(self: _Worker, job: dict[str, Any]) -> Any:
        if job["op"] == "query":
            answered.append(self)
        return await exchange(self, job)

    monkeypatch.setattr(_Worker, "exchange", recording)
    return snapshot, answered


def test_the_pool_hands_the_next_job_to_the_worker_that_answered_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One client at a time is served by one worker (its caches warm), not by each in turn;
    concurrent jobs still spread over the pool."""
    snapshot, answered = _one_triple_recording(tmp_path, monkeypatch)
    job = _select("ASK { ?s ?p ?o }", "json", 10)

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


def test_background_jobs_run_on_their_own_worker_at_the_lowest_priority(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Background jobs (the pages' summaries after a write) go to the background worker, which
    runs at the lowest priority, and never take a request worker; request jobs never go to it."""
    snapshot, answered = _one_triple_recording(tmp_path, monkeypatch)
    job = _select("ASK { ?s ?p ?o }", "json", 10)

    async def run() -> None:
        pool = QueryPool(2, snapshot, background=1)
        await pool.start()
        try:
            assert (pool.ready, pool.background_ready) == (2, 1)
            (background,) = [w for w in pool._all if w.background]
            pid = background.process.pid
            assert os.getpriority(os.PRIO_PROCESS, pid) == 19
            replies = await asyncio.gather(*(pool.run(job, 30, background=True) for _ in range(3)))
            assert all(r.header["ok"] for r in replies) and set(answered) == {background}
            answered.clear()
            await asyncio.gather(*(pool.run(job, 30) for _ in range(4)))
            assert background not in answered and len(set(answered)) == 2
            for worker in answered:
                assert os.getpriority(os.PRIO_PROCESS, worker.process.pid) == 0
        finally:
            await pool.close()

    asyncio.run(run())


def test_without_background_workers_background_jobs_share_the_pool(tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.nq"
    snapshot.write_bytes(b"")
    job = _select("ASK { ?s ?p ?o }", "json", 10)

    async def run() -> bool:
        pool = QueryPool(1, snapshot)
        await pool.start()
        try:
            reply = await pool.run(job, 30, background=True)
            return bool(reply.header["ok"]) and pool.background_ready == 0
        finally:
            await pool.close()

    assert asyncio.run(run())


def _pool_run(snapshot: Path, jobs: list[dict[str, Any]], **pool: Any) -> list[Any]:
    """Run ``jobs`` one after another on a real pool of one worker; their replies."""

    async def run() -> list[Any]:
        queries = QueryPool(1, snapshot, **pool)
        await queries.start()
        try:
            return [await queries.run(job, 60) for job in jobs]
        finally:
            await queries.close()

    return asyncio.run(run())


def _select(query: str, fmt: str, max_results: int) -> dict[str, Any]:
    return {
        "op": "query",
        "query": query,
        "union": True,
        "results_format": fmt,
        "graph_format": None,
        "max_results": max_results,
    }


EMPTY_ROWS = "SELECT * WHERE { VALUES ?x { UNDEF UNDEF UNDEF UNDEF } }"


def _rows(body: bytes, fmt: str) -> list[str]:
    """The ``?x`` value of each row ('' when unbound), read by a parser of the format."""
    if fmt == "csv":  # the engine does not read CSV back (it is lossy)
        header, *rows = csv.reader(io.StringIO(body.decode()))
        assert header == ["x"]
        return [row[0] if row else "" for row in rows]
    parse = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}.get(
        fmt, ox.QueryResultsFormat.TSV
    )
    solutions = ox.parse_query_results(body, parse)
    assert isinstance(solutions, ox.QuerySolutions)
    return [s["x"].value if s["x"] is not None else "" for s in solutions]


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_answers_written_straight_or_counted_keep_the_cap(tmp_path: Path, fmt: str) -> None:
    """A short answer is written straight in the asked format; one that might hold more rows
    than the cap (even rows with no bindings, the shortest there are) is counted and cut."""
    snapshot = tmp_path / "snapshot.nq"
    snapshot.write_bytes(b"")
    rows = "SELECT ?x WHERE { VALUES ?x { 1 2 3 4 5 6 7 8 9 10 } }"
    replies = _pool_run(
        snapshot,
        [
            _select(rows, fmt, 10),
            _select(rows, fmt, 4),
            _select(EMPTY_ROWS, fmt, 4),
            _select(EMPTY_ROWS, fmt, 3),
        ],
    )
    counts = []
    for reply in replies:
        assert reply.header["ok"] and reply.header["format"] == fmt
        counts.append((len(_rows(reply.body, fmt)), reply.header["truncated"]))
    assert counts == [(10, False), (4, True), (4, False), (3, True)]
    assert _rows(replies[0].body, fmt) == [str(i) for i in range(1, 11)]
    assert _rows(replies[2].body, fmt) == [""] * 4


def test_jobs_and_answers_larger_than_a_pipe_pass_whole(tmp_path: Path) -> None:
    """A job larger than the pipe holds is written as the pipe drains; an answer larger than
    one read is put together from several."""
    snapshot = tmp_path / "snapshot.nq"
    snapshot.write_bytes(b"")
    values = " ".join(f'"{i:07d}{"x" * 40}"' for i in range(30_000))  # about 1.5 MB of query
    query = f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}"
    (reply,) = _pool_run(snapshot, [_select(query, "tsv", 100_000)])
    lines = reply.body.splitlines()
    assert len(reply.body) > 1 << 20 and len(lines) == 30_001
    assert lines[1] == b'"0000000' + b"x" * 40 + b'"' and lines[-1].startswith(b'"0029999')


def _maps(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux /proc")
def test_workers_preload_the_allocator_they_are_given(tmp_path: Path) -> None:
    found = allocator_library("auto")
    if found is None:
        pytest.skip("neither mimalloc nor jemalloc is installed (scripts/test.sh installs it)")
    snapshot = tmp_path / "snapshot.nq"
    snapshot.write_bytes(b"")
    stem = found.split("/")[-1].split(".")[0]  # libmimalloc

    async def run(allocator: str | None) -> str:
        pool = QueryPool(1, snapshot, allocator)
        await pool.start()
        try:
            (worker,) = pool._all
            return _maps(worker.process.pid)
        finally:
            await pool.close()

    assert stem in asyncio.run(run(found))
    assert stem not in asyncio.run(run(allocator_library("system")))
    assert allocator_library("system") is None
    with pytest.raises(StoreError, match="not a file"):
        allocator_library(str(tmp_path / "no-such-library.so"))


@pytest.mark.parametrize("fmt", ["json", "xml", "csv"])
def test_only_an_answer_too_long_to_be_sure_of_is_evaluated_again(fmt: str) -> None:
    store = ox.Store()
    rows = "SELECT ?x WHERE { VALUES ?x { 1 2 3 4 5 6 7 8 9 10 } }"
    for max_results, evaluations, cut in ((100_000, 1, False), (10, 2, False), (4, 2, True)):
        calls: list[int] = []

        def evaluate(calls: list[int] = calls) -> object:
            calls.append(1)
            return store.query(rows)

        header, body = answers.serialise_answer(
            evaluate(), _select(rows, fmt, max_results), evaluate
        )
        assert (len(calls), header["truncated"]) == (evaluations, cut)
        assert _rows(body, fmt) == [str(i) for i in range(1, (5 if cut else 11))]


def test_a_malformed_reply_fails_the_job_instead_of_hanging_it() -> None:
    """A reply that cannot be read fails its job at once (not at its deadline), and the
    worker's pipes are closed: it is not trusted with another job."""
    junk = (
        "import os, struct, sys\n"
        "sys.stdin.buffer.read(8)\n"
        "payload = struct.pack('>I', 5) + b'{oops'\n"
        "os.write(1, struct.pack('>Q', len(payload)) + payload)\n"
        "sys.stdin.buffer.read()\n"
    )

    async def run() -> None:
        worker = await start_worker([sys.executable, "-c", junk], None)
        try:
            with pytest.raises(ConnectionError, match="malformed reply"):
                await asyncio.wait_for(worker.exchange({"op": "open"}), 30)
            with pytest.raises(ConnectionError):
                await worker.exchange({"op": "open"})
        finally:
            worker.kill()
            await worker.process.wait()

    asyncio.run(run())
