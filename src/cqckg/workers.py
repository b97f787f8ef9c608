"""A pool of query worker processes that can be stopped for real.

pyoxigraph cannot cancel a query, so every read runs in a separate process (``python -m
cqckg.worker_process``) holding its own read-only view of a store snapshot. At the deadline the
process is killed and a fresh one started in the background; the other workers keep serving.
The main process talks to each worker over its stdin/stdout with length-prefixed frames: one
JSON job in, one JSON header and one body out. See ``docs/decisions/0002-query-execution.md``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cqckg.errors import QueryTimeout, StoreError

log = logging.getLogger(__name__)

FRAME = struct.Struct(">Q")


def encode_frame(payload: bytes) -> bytes:
    """A frame: the payload's length (8 bytes, big-endian), then the payload."""
    return FRAME.pack(len(payload)) + payload


@dataclass
class Reply:
    """What a worker answered: a JSON header and the (engine-serialised) body."""

    header: dict[str, Any]
    body: bytes


@dataclass(eq=False)
class _Worker:
    process: asyncio.subprocess.Process
    snapshot: Path | None = None

    async def exchange(self, job: dict[str, Any]) -> Reply:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(encode_frame(json.dumps(job).encode("utf-8")))
        await self.process.stdin.drain()
        header = json.loads(await self._read())
        return Reply(header, await self._read())

    async def _read(self) -> bytes:
        assert self.process.stdout is not None
        (size,) = FRAME.unpack(await self.process.stdout.readexactly(FRAME.size))
        return await self.process.stdout.readexactly(size)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()


@dataclass
class QueryPool:
    """``size`` worker processes serving reads from the current snapshot.

    ``snapshot`` names the snapshot every new job is answered from; a worker still on an older
    one reopens before its next job, so a write is visible to every read that starts after it.
    """

    size: int
    snapshot: Path
    # Last in, first out: at low concurrency the worker that answered last (its caches warm)
    # takes the next job instead of every worker in turn.
    _idle: asyncio.Queue[_Worker] = field(default_factory=asyncio.LifoQueue)
    _all: set[_Worker] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _closing: bool = False
    _collected: frozenset[Path | None] = frozenset()

    async def start(self) -> None:
        """Start every worker and wait until each has opened the snapshot."""
        await asyncio.gather(*(self._spawn() for _ in range(self.size)))

    @property
    def ready(self) -> int:
        """Workers started and not killed (busy or idle)."""
        return len(self._all)

    async def _spawn(self) -> None:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "cqckg.worker_process",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=2**20,
        )
        worker = _Worker(process)
        try:
            reply = await worker.exchange({"op": "open", "snapshot": str(self.snapshot)})
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
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
        self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self._all.discard(worker)
        self._collect()
        if not self._closing:
            task = asyncio.get_running_loop().create_task(self._respawn())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _respawn(self) -> None:
        try:
            await self._spawn()
        except StoreError:
            log.exception("could not replace a query worker")

    async def run(self, job: dict[str, Any], timeout: float) -> Reply:
        """Run one job on an idle worker within ``timeout`` seconds, waiting included.

        Raises:
            QueryTimeout: the deadline passed; the worker (if any) was killed and replaced.
            StoreError: the worker died while answering.
        """
        worker: _Worker | None = None
        try:
            # One deadline for the wait and the answer (one timer a request, not two).
            async with asyncio.timeout(timeout):
                worker = await self._idle.get()
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
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
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
            self._idle.put_nowait(worker)
            self._collect()
        return reply

    def _collect(self) -> None:
        """Delete snapshots that are neither current nor still open in a worker."""
        in_use = frozenset({w.snapshot for w in self._all} | {self.snapshot})
        if in_use == self._collected:
            return  # nothing was published or let go since the last look (the usual request)
        self._collected = in_use
        for old in self.snapshot.parent.glob("v*"):
            if old not in in_use:
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
