"""The query worker process: reads jobs on stdin, answers on stdout (see :mod:`cqckg.workers`).

It opens store snapshots read-only (a snapshot is never written, so this is safe while the main
process writes the live store) and lets pyoxigraph serialise every answer. The result cap is
applied without handling rows in Python. SELECT results asked for as JSON, XML or CSV are written
straight in that format when the answer is short enough to be sure it has at most
``max_results`` rows (see :data:`_MIN_ROW_BYTES`): the usual answer. Otherwise SELECT results
are written as TSV and CONSTRUCT results as N-Triples, one row or triple per line, into a buffer
that stops the engine after ``max_results`` lines; that buffer is then parsed and re-serialised
by the engine when another format was asked for, or when rows had to be cut. (A SELECT answer
that was too long to be written straight is evaluated a second time for this.)
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

import pyoxigraph as ox

from cqckg.api.negotiation import Format
from cqckg.workers import reply_head

# Seconds a job runs at normal priority; the usual query takes milliseconds.
DEMOTE_AFTER = 0.25
# Bytes of output buffered before they are written: a pipe's capacity, so that the usual reply
# (its head and body) leaves in one write and wakes the HTTP process once, while a larger body
# is written from where it lies, without being copied behind its head first.
OUT_BUFFER = 64 * 1024


class _Full(Exception):
    """The buffer has more lines, or bytes, than allowed."""


class _CappedBuffer:
    """A write target raising :class:`_Full` once it holds more than ``lines``
    newline-terminated lines, or more than ``size`` bytes, whichever is given."""

    def __init__(self, *, lines: int | None = None, size: int | None = None) -> None:
        self.lines = lines
        self.size = size
        self.seen_lines = self.seen_bytes = 0
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        self.chunks.append(chunk)
        self.seen_bytes += len(chunk)
        if self.size is not None and self.seen_bytes > self.size:
            raise _Full
        if self.lines is not None:
            self.seen_lines += chunk.count(b"\n")
            if self.seen_lines > self.lines:
                raise _Full
        return len(chunk)

    def flush(self) -> None:
        """Nothing to flush: the chunks are kept in memory."""

    def kept(self) -> bytes:
        """The first ``lines`` lines written."""
        assert self.lines is not None
        data = b"".join(self.chunks)
        end = -1
        for _ in range(self.lines):
            end = data.index(b"\n", end + 1)
        return data[: end + 1]


def open_snapshot(path: Path) -> ox.Store:
    """A read-only store for a snapshot folder, or an in-memory one loaded from N-Quads."""
    if path.is_dir():
        return ox.Store.read_only(str(path))
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


def _capped(results: ox.QuerySolutions | ox.QueryTriples, lines: int) -> tuple[bytes, bool]:
    buffer = _CappedBuffer(lines=lines)
    try:
        if isinstance(results, ox.QuerySolutions):
            results.serialize(cast("IO[bytes]", buffer), format=ox.QueryResultsFormat.TSV)
        else:
            results.serialize(cast("IO[bytes]", buffer), format=ox.RdfFormat.N_TRIPLES)
    except _Full:
        return buffer.kept(), True
    return b"".join(buffer.chunks), False


# Bytes each solution takes at least in a results format (``{}`` and a comma in JSON, an empty
# ``<result/>`` in XML, a line end in CSV): an answer no longer than ``max_results`` times this
# cannot hold more than ``max_results`` rows.
_MIN_ROW_BYTES = {Format.JSON: 3, Format.XML: 9, Format.CSV: 2}


def _direct(results: ox.QuerySolutions, fmt: Format, max_results: int) -> bytes | None:
    """The answer written straight in ``fmt``, when it is short enough to need no cut.

    Most answers are: they skip the TSV round trip below (a tenth of a cheap query's time).
    Returns ``None`` (the solutions partly consumed) when the answer was too long to tell.
    """
    buffer = _CappedBuffer(size=_MIN_ROW_BYTES[fmt] * max_results)
    try:
        results.serialize(cast("IO[bytes]", buffer), format=fmt.results)
    except _Full:
        return None
    return b"".join(buffer.chunks)


def _serialise(
    results: object, job: dict[str, Any], again: Callable[[], object]
) -> tuple[dict[str, Any], bytes]:
    kind = "graph" if isinstance(results, ox.QueryTriples) else "results"
    name = job.get(f"{kind}_format")
    if name is None:
        return {"ok": False, "error": "not_acceptable", "message": kind}, b""
    fmt = Format(name)
    if isinstance(results, ox.QueryBoolean):
        return {"ok": True, "format": name}, results.serialize(format=fmt.results) or b""
    max_results: int = job["max_results"]
    if isinstance(results, ox.QuerySolutions):
        if fmt in _MIN_ROW_BYTES:
            direct = _direct(results, fmt, max_results)
            if direct is not None:
                return {"ok": True, "format": name, "truncated": False}, direct
            results = again()  # a long answer: evaluated again, counted and cut below
            assert isinstance(results, ox.QuerySolutions)
        data, cut = _capped(results, max_results + 1)  # + the header line
        if fmt is not Format.TSV or cut:
            parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.TSV)
            data = parsed.serialize(format=fmt.results) or b""
    else:
        assert isinstance(results, ox.QueryTriples)
        data, cut = _capped(results, max_results)
        if fmt is not Format.N_TRIPLES or cut:
            triples = (q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
            data = ox.serialize(triples, format=fmt.rdf) or b""
    return {"ok": True, "format": name, "truncated": cut}, data


def _graphs(names: list[str] | None) -> list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None:
    if names is None:
        return None
    return [ox.NamedNode(n) for n in names]


def _query(store: ox.Store, job: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    default = _graphs(job.get("default_graphs"))
    named = job.get("named_graphs")
    if named is not None and default is None:
        default = []  # the protocol's dataset has an empty default graph then

    def evaluate() -> object:
        return store.query(
            job["query"],
            base_iri=job.get("base_iri"),
            use_default_graph_as_union=job.get("union", False),
            default_graph=default,
            named_graphs=None if named is None else [ox.NamedNode(n) for n in named],
        )

    return _serialise(evaluate(), job, evaluate)


def _graph(store: ox.Store, job: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    iri = job.get("graph")
    graph = ox.DefaultGraph() if iri is None else ox.NamedNode(iri)
    if isinstance(graph, ox.NamedNode) and not store.contains_named_graph(graph):
        return {"ok": False, "error": "not_found", "message": f"no graph <{iri}>"}, b""
    body = store.dump(format=Format(job["format"]).rdf, from_graph=graph)
    return {"ok": True, "format": job["format"]}, body or b""


def _answer(store: ox.Store, job: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    try:
        return _query(store, job) if job["op"] == "query" else _graph(store, job)
    except SyntaxError as exc:
        return {"ok": False, "error": "syntax", "message": str(exc)}, b""
    except Exception as exc:  # noqa: BLE001 - a worker reports every failure and lives on
        return {"ok": False, "error": "engine", "message": f"{type(exc).__name__}: {exc}"}, b""


def _read(stream: BinaryIO) -> bytes | None:
    head = stream.read(8)
    if len(head) < 8:
        return None
    return stream.read(int.from_bytes(head, "big"))


class _Demotion:
    """Lower the priority of the thread answering jobs once a job has run ``after`` seconds.

    A long query then yields the CPU to cheap ones (the other workers, the HTTP process) instead
    of sharing it equally. The priority cannot be raised again without privileges, so a demoted
    worker asks to be replaced (``recycle`` in its answer's header).

    One watcher thread for the worker's life looks at the running job every ``tick`` seconds:
    starting and joining a timer thread for every job cost about a fifth of a cheap query's time.
    """

    def __init__(self, after: float = DEMOTE_AFTER, tick: float = 0.05) -> None:
        self.demoted = False
        self._after = after
        self._tick = tick
        self._started: float | None = None
        self._lock = threading.Lock()
        self._thread_id = threading.get_native_id()
        threading.Thread(target=self._watch, name="demotion", daemon=True).start()

    def _watch(self) -> None:
        while True:
            time.sleep(self._tick)
            with self._lock:
                started = self._started
                late = started is not None and time.monotonic() - started >= self._after
                if late and not self.demoted:
                    self._demote()

    def _demote(self) -> None:
        with contextlib.suppress(OSError, AttributeError):  # not every platform has this
            os.setpriority(os.PRIO_PROCESS, self._thread_id, 19)
            self.demoted = True

    def begin(self) -> None:
        """A job starts (on the thread that created this watcher)."""
        with self._lock:
            self._started = time.monotonic()

    def end(self) -> bool:
        """The job is done: whether the thread was demoted (and so the worker should go)."""
        with self._lock:
            self._started = None
            return self.demoted


def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Answer jobs until stdin closes; each reply is one frame (see
    :func:`cqckg.workers.reply_head`), flushed once."""
    store: ox.Store | None = None
    opened = ""
    demotion = _Demotion()
    while (frame := _read(stdin)) is not None:
        job = json.loads(frame)
        if job["snapshot"] != opened or store is None:
            store = None  # release the old snapshot before opening the new one
            store = open_snapshot(Path(job["snapshot"]))
            opened = job["snapshot"]
        if job["op"] == "open":
            header, body = {"ok": True}, b""
        else:
            demotion.begin()
            try:
                header, body = _answer(store, job)
            finally:
                demoted = demotion.end()
            if demoted:
                header["recycle"] = True
        head = json.dumps(header).encode("utf-8")
        stdout.write(reply_head(head, len(body)))
        stdout.write(body)
        stdout.flush()


def main() -> None:
    """Serve on stdin/stdout, stdout buffered whatever ``PYTHONUNBUFFERED`` says (see
    :data:`OUT_BUFFER`)."""
    with open(sys.stdout.fileno(), "wb", buffering=OUT_BUFFER, closefd=False) as stdout:
        serve(sys.stdin.buffer, stdout)


if __name__ == "__main__":
    main()
