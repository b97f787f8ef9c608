"""The query worker process: reads jobs on stdin, answers on stdout (see
:mod:`cqckg.serve.workers`).

It opens store snapshots read-only (a snapshot is never written, so this is safe while the main
process writes the live store) and lets pyoxigraph serialise every answer, cut at the result cap
without handling rows in Python (:func:`cqckg.store.answers.serialise_answer`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from cqckg.core.formats import Format
from cqckg.serve.workers import reply_head
from cqckg.store.answers import serialise_answer

# Seconds a job runs at normal priority; the usual query takes milliseconds.
DEMOTE_AFTER = 0.25
# The niceness of a demoted thread and of a background worker: the lowest CPU priority.
LOWEST_PRIORITY = 19
# Bytes of output buffered before they are written: a pipe's capacity, so that the usual reply
# (its head and body) leaves in one write and wakes the HTTP process once, while a larger body
# is written from where it lies, without being copied behind its head first.
OUT_BUFFER = 64 * 1024


def open_snapshot(path: Path) -> ox.Store:
    """A read-only store for a snapshot folder, or an in-memory one loaded from N-Quads."""
    if path.is_dir():
        return ox.Store.read_only(str(path))
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


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

    return serialise_answer(evaluate(), job, evaluate)


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
    starting and joining a timer thread for every job cost more than the query itself often does.
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
            os.setpriority(os.PRIO_PROCESS, self._thread_id, LOWEST_PRIORITY)
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


def serve(stdin: BinaryIO, stdout: BinaryIO, background: bool = False) -> None:
    """Answer jobs until stdin closes; each reply is one frame (see
    :func:`cqckg.serve.workers.reply_head`), flushed once.

    A ``background`` worker runs at the lowest priority from the start (so it is never demoted
    and never asks to be replaced).
    """
    store: ox.Store | None = None
    opened = ""
    demotion = None
    if background:
        with contextlib.suppress(OSError, AttributeError):  # not every platform has this
            os.setpriority(os.PRIO_PROCESS, 0, LOWEST_PRIORITY)
    else:
        demotion = _Demotion()
    while (frame := _read(stdin)) is not None:
        job = json.loads(frame)
        if job["snapshot"] != opened or store is None:
            store = None  # release the old snapshot before opening the new one
            store = open_snapshot(Path(job["snapshot"]))
            opened = job["snapshot"]
        if job["op"] == "open":
            header, body = {"ok": True}, b""
        elif demotion is None:
            header, body = _answer(store, job)
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
    :data:`OUT_BUFFER`); ``--background``: a background worker (see :func:`serve`)."""
    with open(sys.stdout.fileno(), "wb", buffering=OUT_BUFFER, closefd=False) as stdout:
        serve(sys.stdin.buffer, stdout, background="--background" in sys.argv[1:])


if __name__ == "__main__":
    main()
