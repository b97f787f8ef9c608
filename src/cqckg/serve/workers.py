"""A pool of query worker processes that can be stopped for real.

pyoxigraph cannot cancel a query, so every read runs in a separate process (``python -m
cqckg.serve.worker_process``) holding its own read-only view of a store snapshot. At the
deadline the process is killed and a fresh one started in the background; the other workers keep
serving.
The main process talks to each worker over two pipes with length-prefixed frames: one JSON job
in, one reply out (a JSON header and the engine-serialised body, see :func:`encode_reply`). The
pipes are read and written by the event loop directly (a reader callback for the worker's life,
one future per job): asyncio's stream layer cost a fifth of the HTTP process's time on a cheap
query. See ``docs/decisions/0002-query-execution.md``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes.util
import json
import logging
import os
import re
import shutil
import struct
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cqckg.core.errors import QueryTimeout, StoreError
from cqckg.store.answers import Reply

log = logging.getLogger(__name__)

FRAME = struct.Struct(">Q")
_HEADER = struct.Struct(">I")
# Bytes read from a worker's pipe at once: a usual answer arrives in one read.
_READ = 1 << 20

# Allocators a worker may run with, best first (Debian packages libmimalloc2.0, libjemalloc2).
ALLOCATORS = ("mimalloc", "jemalloc")


def encode_frame(payload: bytes) -> bytes:
    """A frame: the payload's length (8 bytes, big-endian), then the payload."""
    return FRAME.pack(len(payload)) + payload


def reply_head(header: bytes, body_size: int) -> bytes:
    """What a worker's reply frame starts with: the frame's length, the header's length (4
    bytes) and the header; the body (``body_size`` bytes) follows."""
    size = _HEADER.size + len(header) + body_size
    return FRAME.pack(size) + _HEADER.pack(len(header)) + header


def encode_reply(header: bytes, body: bytes) -> bytes:
    """A worker's reply as one frame (see :func:`reply_head`).

    >>> decode_reply(encode_reply(b'{"ok": true}', b"body")[FRAME.size :])
    Reply(header={'ok': True}, body=b'body')
    """
    return reply_head(header, len(body)) + body


def decode_reply(payload: bytes) -> Reply:
    """The reply in a frame's payload (see :func:`encode_reply`)."""
    (size,) = _HEADER.unpack_from(payload)
    end = _HEADER.size + size
    return Reply(json.loads(payload[_HEADER.size : end]), payload[end:])


def allocator_library(choice: str) -> str | None:
    """The shared library a worker preloads as its memory allocator, or ``None`` for the C
    library's own.

    ``choice`` is ``auto`` (the first of :data:`ALLOCATORS` installed), ``system``, or a path.
    Most of pyoxigraph's time outside the store goes to allocating while it parses and plans a
    query; glibc's allocator took a quarter of a worker's CPU time on a cheap query.

    >>> allocator_library("system") is None
    True

    Raises:
        StoreError: ``choice`` names a library file that does not exist.
    """
    if choice == "system":
        return None
    if choice == "auto":
        for name in ALLOCATORS:
            found = ctypes.util.find_library(name)
            if found:
                return found
        return None
    if not Path(choice).is_file():
        raise StoreError(f"the query workers' allocator {choice!r} is not a file")
    return choice


def preload_environment(library: str | None, environ: Mapping[str, str]) -> dict[str, str] | None:
    """The environment a worker starts with to preload ``library`` (``None``: the server's own).

    A library the operator already preloads stays, after ours.

    >>> preload_environment("libmimalloc.so.2", {"LD_PRELOAD": "libx.so", "A": "1"})
    {'LD_PRELOAD': 'libmimalloc.so.2 libx.so', 'A': '1'}
    """
    if library is None:
        return None
    already = environ.get("LD_PRELOAD", "").strip()
    return {**environ, "LD_PRELOAD": f"{library} {already}".strip()}


@dataclass(eq=False)
class _Worker:
    """One worker process and the main process's ends of its two pipes (non-blocking)."""

    process: asyncio.subprocess.Process
    jobs: int  # written by the main process, the worker's stdin
    replies: int  # read by the main process, the worker's stdout
    snapshot: Path | None = None
    background: bool = False  # runs at the lowest priority, for background jobs only
    _received: bytearray = field(default_factory=bytearray)
    _unsent: bytes = b""
    _waiting: asyncio.Future[Reply] | None = None
    _closed: bool = False

    def __post_init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self.replies, self._readable)

    async def exchange(self, job: dict[str, Any]) -> Reply:
        """Send ``job`` and wait for the reply.

        Raises:
            ConnectionError: the worker is gone (it died, or was killed meanwhile).
        """
        if self._closed:
            raise ConnectionError("the query worker was stopped")
        waiting: asyncio.Future[Reply] = self._loop.create_future()
        self._waiting = waiting
        self._send(encode_frame(json.dumps(job).encode("utf-8")))
        return await waiting

    def _send(self, data: bytes) -> None:
        try:
            sent = os.write(self.jobs, data)
        except BlockingIOError:
            sent = 0
        except OSError as exc:  # the worker is gone (EPIPE)
            self._fail(f"could not write to the query worker: {exc}")
            return
        if sent < len(data):  # a job larger than the pipe holds: the rest when it drains
            self._unsent = data[sent:]
            self._loop.add_writer(self.jobs, self._writable)

    def _writable(self) -> None:
        data, self._unsent = self._unsent, b""
        self._loop.remove_writer(self.jobs)
        self._send(data)

    def _readable(self) -> None:
        try:
            chunk = os.read(self.replies, _READ)
        except BlockingIOError:
            return
        except OSError as exc:
            self._fail(f"could not read from the query worker: {exc}")
            return
        if not chunk:
            self._fail("the query worker stopped (its output closed)")
            return
        received = self._received
        received += chunk
        while len(received) >= FRAME.size:
            (size,) = FRAME.unpack_from(received)
            end = FRAME.size + size
            if len(received) < end:
                break
            payload = bytes(received[FRAME.size : end])
            del received[:end]
            try:
                reply = decode_reply(payload)
            except (ValueError, struct.error) as exc:  # not a reply: the worker cannot be trusted
                self._fail(f"the query worker sent a malformed reply: {exc}")
                return
            waiting, self._waiting = self._waiting, None
            if waiting is not None and not waiting.done():
                waiting.set_result(reply)

    def _fail(self, message: str) -> None:
        self._stop()
        waiting, self._waiting = self._waiting, None
        if waiting is not None and not waiting.done():
            waiting.set_exception(ConnectionError(message))

    def _stop(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._loop.remove_reader(self.replies)
        self._loop.remove_writer(self.jobs)
        for fd in (self.jobs, self.replies):
            with contextlib.suppress(OSError):
                os.close(fd)

    def kill(self) -> None:
        self._fail("the query worker was stopped")
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()


async def start_worker(command: list[str], env: dict[str, str] | None) -> _Worker:
    """Start a worker process on two pipes of our own (asyncio's subprocess transports would
    read them through streams), the main process's ends non-blocking.

    Raises:
        StoreError: the process could not be started.
    """
    job_in, job_out = os.pipe()
    reply_in, reply_out = os.pipe()
    try:
        process = await asyncio.create_subprocess_exec(
            *command, stdin=job_in, stdout=reply_out, env=env
        )
    except OSError as exc:
        for fd in (job_in, job_out, reply_in, reply_out):
            os.close(fd)
        raise StoreError(f"a query worker could not start: {exc}") from exc
    os.close(job_in)
    os.close(reply_out)
    os.set_blocking(job_out, False)
    os.set_blocking(reply_in, False)
    return _Worker(process, job_out, reply_in)


@dataclass
class QueryPool:
    """``size`` worker processes serving reads from the current snapshot, and ``background``
    more for work nobody waits on (see :meth:`run`).

    ``snapshot`` names the snapshot every new job is answered from; a worker still on an older
    one reopens before its next job, so a write is visible to every read that starts after it.
    """

    size: int
    snapshot: Path
    # The allocator library each worker preloads (see :func:`allocator_library`), if any.
    allocator: str | None = None
    # Workers for background jobs, run at the lowest CPU priority (see :meth:`run`).
    background: int = 0
    # Last in, first out: at low concurrency the worker that answered last (its caches warm)
    # takes the next job instead of every worker in turn.
    _idle: asyncio.Queue[_Worker] = field(default_factory=asyncio.LifoQueue)
    _idle_background: asyncio.Queue[_Worker] = field(default_factory=asyncio.LifoQueue)
    _all: set[_Worker] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _closing: bool = False
    _collected: frozenset[Path | None] = frozenset()

    async def start(self) -> None:
        """Start every worker and wait until each has opened the snapshot."""
        kinds = [False] * self.size + [True] * self.background
        await asyncio.gather(*(self._spawn(background) for background in kinds))

    @property
    def ready(self) -> int:
        """Workers for requests started and not killed (busy or idle)."""
        return sum(not w.background for w in self._all)

    @property
    def background_ready(self) -> int:
        """Background workers started and not killed."""
        return sum(w.background for w in self._all)

    async def _spawn(self, background: bool = False) -> None:
        env = preload_environment(self.allocator, os.environ)
        command = [sys.executable, "-m", "cqckg.serve.worker_process"]
        worker = await start_worker([*command, "--background"] if background else command, env)
        worker.background = background
        try:
            reply = await worker.exchange({"op": "open", "snapshot": str(self.snapshot)})
        except ConnectionError as exc:
            worker.kill()
            raise StoreError(f"a query worker could not start: {exc}") from exc
        if not reply.header.get("ok"):
            worker.kill()
            raise StoreError(f"a query worker could not open the store: {reply.header}")
        worker.snapshot = self.snapshot
        if self._closing:
            worker.kill()
            return
        self._all.add(worker)
        self._idle_for(background).put_nowait(worker)

    def _idle_for(self, background: bool) -> asyncio.Queue[_Worker]:
        return self._idle_background if background else self._idle

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self._all.discard(worker)
        self._collect()
        if not self._closing:
            task = asyncio.get_running_loop().create_task(self._respawn(worker.background))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _respawn(self, background: bool) -> None:
        try:
            await self._spawn(background)
        except StoreError:
            log.exception("could not replace a query worker")

    async def run(self, job: dict[str, Any], timeout: float, background: bool = False) -> Reply:
        """Run one job on an idle worker within ``timeout`` seconds, waiting included.

        A ``background`` job (work done ahead for later requests, such as the home page's
        summaries after a write) runs on a background worker when the pool has one: it never
        holds a worker a request waits for, and the machine's cores go to requests first.

        Raises:
            QueryTimeout: the deadline passed; the worker (if any) was killed and replaced.
            StoreError: the worker died while answering.
        """
        idle = self._idle_for(background and self.background > 0)
        worker: _Worker | None = None
        try:
            # One deadline for the wait and the answer (one timer a request, not two).
            async with asyncio.timeout(timeout):
                worker = await idle.get()
                snapshot = worker.snapshot = self.snapshot
                reply = await worker.exchange({**job, "snapshot": str(snapshot)})
        except TimeoutError:
            if worker is None:
                raise QueryTimeout(
                    f"no query worker became free within {timeout:g} s; try again later"
                ) from None
            self._replace(worker)
            raise QueryTimeout(
                f"the query ran past its {timeout:g} s limit and was stopped"
            ) from None
        except ConnectionError as exc:
            assert worker is not None  # only an exchange reads or writes
            self._replace(worker)
            raise StoreError(f"the query worker stopped unexpectedly: {exc}") from exc
        except BaseException:
            # Cancelled mid-exchange (e.g. the client went away): the worker's state is unknown.
            if worker is not None:
                self._replace(worker)
            raise
        if reply.header.get("recycle"):
            self._replace(worker)  # it runs at a lowered priority after a long job
        else:
            idle.put_nowait(worker)
            self._collect()
        return reply

    def _collect(self) -> None:
        """Delete snapshots that are neither current nor still open in a worker."""
        in_use = frozenset({w.snapshot for w in self._all} | {self.snapshot})
        if in_use == self._collected:
            return  # nothing was published or let go since the last look (the usual request)
        self._collected = in_use
        # Only versions before the current one: a newer one (or its ``.tmp`` folder) is being
        # written by a write that has not published it yet.
        current = _version(self.snapshot)
        for old in self.snapshot.parent.glob("v*"):
            version = _version(old)
            if (
                old not in in_use
                and version is not None
                and current is not None
                and version < current
            ):
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink(missing_ok=True)

    async def close(self) -> None:
        """Stop every worker."""
        self._closing = True
        for task in list(self._tasks):
            task.cancel()
        for worker in list(self._all):
            worker.kill()
            with contextlib.suppress(ProcessLookupError):
                await worker.process.wait()
        self._all.clear()


def _version(snapshot: Path) -> int | None:
    """The version a snapshot's name gives (``v12`` is 12); ``None`` for anything else, such as
    a snapshot still being written (``v13.tmp``)."""
    m = re.fullmatch(r"v(\d+)", snapshot.name)
    return None if m is None else int(m.group(1))
