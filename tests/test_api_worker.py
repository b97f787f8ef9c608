"""The query worker process on its own: the frames it reads and writes (``cqckg.workers``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
import pytest

from cqckg.workers import FRAME, encode_frame

EX = "http://example.org/"


def _exchange(stdin: IO[bytes], stdout: IO[bytes], job: dict[str, Any]) -> tuple[Any, bytes]:
    stdin.write(encode_frame(json.dumps(job).encode()))
    stdin.flush()
    parts = []
    for _ in range(2):
        (size,) = FRAME.unpack(stdout.read(FRAME.size))
        parts.append(stdout.read(size))
    return json.loads(parts[0]), parts[1]


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
