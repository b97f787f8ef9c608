"""What a request costs the smallest Python servers, next to ``oxigraph serve`` and cqc-kg.

    .venv/bin/python benchmarks/floor.py STORE OXIGRAPH_DIR [--runs 300] [--questions a,b]

``STORE`` is a store ``cqckg ingest`` wrote, ``OXIGRAPH_DIR`` the same data loaded by ``oxigraph
load`` (``run.py`` leaves both in its working folder for a scale). The cheapest named questions
are timed, with the same client as ``run.py``, on four servers one after another:

- ``oxigraph serve`` (the reference);
- ``minimal, in process``: uvloop and httptools, no framework, the query run by pyoxigraph in the
  HTTP process itself and written straight as JSON: the least a Python server can add, with
  queries that cannot be stopped at a deadline;
- ``minimal, worker``: the same, but each query sent to one worker process over two pipes (the
  design ``cqckg serve`` uses so that a deadline kills the query): the least that design adds;
- ``cqckg serve`` with its result cache off.

The difference between the two minimal servers is the price of the process hop alone; the one
between ``minimal, worker`` and ``cqckg serve`` is what the server's own work (routing, security
checks, limits, negotiation, headers) adds on top. Nothing here is used by ``cqckg serve``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run

_LENGTH = struct.Struct(">I")


def _worker(store_dir: str) -> None:
    """Answer length-prefixed queries on stdin with length-prefixed JSON on stdout."""
    import pyoxigraph as ox

    store = ox.Store.read_only(store_dir)
    pending = b""
    while True:
        while (
            len(pending) < _LENGTH.size
            or len(pending) < _LENGTH.size + _LENGTH.unpack_from(pending)[0]
        ):
            chunk = os.read(0, 1 << 20)
            if not chunk:
                return
            pending += chunk
        (size,) = _LENGTH.unpack_from(pending)
        query = pending[_LENGTH.size : _LENGTH.size + size].decode()
        pending = pending[_LENGTH.size + size :]
        results = store.query(query, use_default_graph_as_union=True)
        body = results.serialize(format=ox.QueryResultsFormat.JSON) or b""
        reply = memoryview(_LENGTH.pack(len(body)) + body)
        while reply:
            reply = reply[os.write(1, reply) :]


def _server(port: int, store_dir: str, hop: bool) -> None:
    """A minimal HTTP/1.1 server answering ``GET /?query=...`` with SPARQL JSON."""
    import httptools
    import pyoxigraph as ox
    import uvloop

    class Hop:
        """One worker process and a FIFO of the replies it owes."""

        def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
            self.process = subprocess.Popen(
                [sys.executable, __file__, "--worker", store_dir],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                bufsize=0,
            )
            assert self.process.stdin is not None and self.process.stdout is not None
            self.jobs, self.replies = self.process.stdin.fileno(), self.process.stdout.fileno()
            os.set_blocking(self.replies, False)
            self.pending = b""
            self.waiting: list[Any] = []
            loop.add_reader(self.replies, self.readable)

        def send(self, query: str, answer: Any) -> None:
            self.waiting.append(answer)
            data = query.encode()
            os.write(self.jobs, _LENGTH.pack(len(data)) + data)

        def readable(self) -> None:
            self.pending += os.read(self.replies, 1 << 20)
            while len(self.pending) >= _LENGTH.size:
                (size,) = _LENGTH.unpack_from(self.pending)
                if len(self.pending) < _LENGTH.size + size:
                    return
                body = self.pending[_LENGTH.size : _LENGTH.size + size]
                self.pending = self.pending[_LENGTH.size + size :]
                self.waiting.pop(0)(body)

    store = None if hop else ox.Store.read_only(store_dir)
    worker: Hop | None = None

    class Protocol(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.transport = transport
            self.parser = httptools.HttpRequestParser(self)
            self.url = b""

        def data_received(self, data: bytes) -> None:
            self.parser.feed_data(data)

        def on_url(self, url: bytes) -> None:
            self.url = url

        def on_message_complete(self) -> None:
            query_string = httptools.parse_url(self.url).query or b""
            query = parse_qs(query_string.decode()).get("query", ["ASK {}"])[0]
            if worker is not None:
                worker.send(query, self.answer)
            else:
                assert store is not None
                results = store.query(query, use_default_graph_as_union=True)
                self.answer(results.serialize(format=ox.QueryResultsFormat.JSON) or b"")

        def answer(self, body: bytes) -> None:
            head = (
                b"HTTP/1.1 200 OK\r\ncontent-type: application/sparql-results+json\r\n"
                b"content-length: %d\r\n\r\n" % len(body)
            )
            self.transport.write(head + body)

    async def main() -> None:
        nonlocal worker
        loop = asyncio.get_running_loop()
        if hop:
            worker = Hop(loop)
        server = await loop.create_server(Protocol, "127.0.0.1", port)
        await server.serve_forever()

    uvloop.run(main())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("oxigraph_dir", type=Path)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--questions", default="evidence,assessments,scores")
    args = parser.parse_args(argv)
    qs = run.questions(args.store)
    names = args.questions.split(",")
    servers: list[tuple[str, list[str], str, dict[str, str] | None]] = [
        (
            "oxigraph serve",
            [str(run.BIN / "oxigraph"), "serve-read-only", "--location", str(args.oxigraph_dir)],
            "/query",
            None,
        ),
        ("minimal, in process", [sys.executable, __file__, "--serve", str(args.store)], "/", None),
        ("minimal, worker", [sys.executable, __file__, "--serve-hop", str(args.store)], "/", None),
        (
            "cqckg serve (cache off)",
            [str(run.BIN / "cqckg"), "serve", "--store", str(args.store), "--no-load", "--port"],
            "/sparql",
            {"CQCKG_CACHE_ENTRIES": "0"},
        ),
    ]
    medians: dict[str, dict[str, float]] = {}
    for label, cmd, path, env in servers:
        port = run._free_port()
        if label == "oxigraph serve":
            cmd = [*cmd, "--union-default-graph", "--bind", f"127.0.0.1:{port}"]
        else:
            cmd = [*cmd, str(port)]
        with run._server(cmd, port, env=env):
            url = f"http://127.0.0.1:{port}{path}"
            for name in names:
                times = run._time_http(url, qs[name], args.runs)
                assert not isinstance(times, str), f"{label} {name}: {times}"
                medians.setdefault(label, {})[name] = statistics.median(times) * 1000
    reference = medians["oxigraph serve"]
    print(f"{'median ms (ratio to oxigraph serve)':36}" + "".join(f"{n:>22}" for n in names))
    for label, row in medians.items():
        cells = "".join(f"{row[n]:>13.3f} ({row[n] / reference[n]:.2f}x)" for n in names)
        print(f"{label:36}{cells}")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        _worker(sys.argv[2])
    elif sys.argv[1:2] in (["--serve"], ["--serve-hop"]):
        _server(int(sys.argv[3]), sys.argv[2], hop=sys.argv[1] == "--serve-hop")
    else:
        sys.exit(main())
