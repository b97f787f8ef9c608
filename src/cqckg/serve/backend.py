"""The server's one stateful object: the store it owns, the query pool and the result cache.

The main process owns the on-disk store and is its only writer. Every write runs in a thread
under one lock and then publishes a new snapshot, which the query workers switch to before their
next job; reads never touch the live store (see docs/decisions/0002-query-execution.md).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from cqckg.serve.negotiation import Format
from cqckg.serve.settings import Settings
from cqckg.serve.workers import QueryPool, allocator_library
from cqckg.store import GraphStore, ReadPool, open_store
from cqckg.store.base import ReadReply
from cqckg.store.load import ensure_shipped_graph

log = logging.getLogger(__name__)

T = TypeVar("T")

_CACHEABLE_BYTES = 1024 * 1024

# Set in the tasks :meth:`Backend.warm` starts: their reads go to the background workers.
_IN_BACKGROUND: contextvars.ContextVar[bool] = contextvars.ContextVar("background", default=False)


@dataclass(frozen=True)
class Answer:
    """A successful read: the body as the engine wrote it, its format and whether it was cut."""

    body: bytes
    format: Format
    truncated: bool = False


def select_job(query: str, results_format: Format, max_results: int) -> dict[str, Any]:
    """The pool's job for a SELECT (or ASK) ``query`` over the union of the named graphs, its
    results written by the engine in ``results_format``."""
    return {
        "op": "query",
        "query": query,
        "base_iri": None,
        "union": True,
        "default_graphs": None,
        "named_graphs": None,
        "results_format": results_format.value,
        "graph_format": None,
        "max_results": max_results,
    }


class WorkerRefusal(Exception):
    """A worker answered a job with an error (syntax, not acceptable, not found, engine)."""

    def __init__(self, error: str, message: str) -> None:
        self.error = error
        self.message = message
        super().__init__(message)


class Backend:
    """Store, query pool, snapshot versions and result cache of one running server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        store = open_store(settings.store or None)
        self.store: GraphStore = store
        if settings.load_shipped:
            summary = ensure_shipped_graph(store)
            if summary is not None:
                log.info("loaded the shipped graph: %s", summary)
        self.version = 0
        self._snapshots = Path(tempfile.mkdtemp(prefix="cqckg-snapshots-"))
        self._lock = asyncio.Lock()
        self._cache: OrderedDict[Hashable, Answer] = OrderedDict()
        # Values derived from a version of the store (e.g. the home page's summary of it).
        self._derived: dict[str, tuple[int, Any]] = {}
        self._derived_locks: dict[tuple[str, bool], asyncio.Lock] = {}
        # Computations of derived values to start after each write (and at start), so a page
        # needing them seldom waits; see :meth:`warm`.
        self.warmers: list[Callable[[Backend], Awaitable[object]]] = []
        self._warming: set[asyncio.Task[None]] = set()
        # A remote store answers reads itself (and may be written by others: nothing is cached);
        # the embedded one is read by query workers from snapshots.
        self.pool: QueryPool | ReadPool = store.read_pool(settings.workers) or QueryPool(
            settings.workers,
            self._take_snapshot(),
            allocator_library(settings.worker_allocator),
            settings.background_workers,
        )

    def _take_snapshot(self) -> Path:
        target = self._snapshots / f"v{self.version}"
        self.store.snapshot(target)
        return target

    async def start(self) -> None:
        await self.pool.start()

    @property
    def background_workers(self) -> int:
        """Background workers running (see :meth:`warm`)."""
        return self.pool.background_ready if isinstance(self.pool, QueryPool) else 0

    @property
    def refreshing(self) -> int:
        """Computations :meth:`warm` started that have not finished."""
        return len(self._warming)

    async def close(self) -> None:
        for task in list(self._warming):
            task.cancel()
        await self.pool.close()
        self.store.close()
        shutil.rmtree(self._snapshots, ignore_errors=True)

    async def read(self, job: dict[str, Any], timeout: float) -> Answer:
        """Run a read job (``op`` ``query`` or ``graph``) on the pool, through the cache.

        Raises:
            WorkerRefusal: the worker refused the job.
            QueryTimeout, StoreError: from the pool.
        """
        caching = bool(self.settings.cache_entries) and isinstance(self.pool, QueryPool)
        if caching:  # the key costs a repr of the whole job: not made when the cache is off
            key_text = repr(sorted(job.items()))
            key = (self.version, key_text)
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        if isinstance(self.pool, QueryPool):
            reply: ReadReply = await self.pool.run(job, timeout, _IN_BACKGROUND.get())
        else:
            reply = await self.pool.run(job, timeout)
        header = reply.header
        if not header.get("ok"):
            raise WorkerRefusal(header.get("error", "engine"), header.get("message", ""))
        answer = Answer(reply.body, Format(header["format"]), bool(header.get("truncated")))
        if caching and len(answer.body) + len(key_text) <= _CACHEABLE_BYTES:
            self._cache[key] = answer
            if len(self._cache) > self.settings.cache_entries:
                self._cache.popitem(last=False)
        return answer

    async def derived(self, key: str, make: Callable[[], Awaitable[T]]) -> T:
        """``make()``'s value, kept until the store changes (as the result cache is: not for
        a remote store, which others may write, nor with the cache off).

        One computation at a time for each ``key`` among requests, and one among background
        tasks (:meth:`warm`): a request never waits for the background one, whose worker may
        get no CPU while requests keep the cores busy.
        """
        if not self.settings.cache_entries or not isinstance(self.pool, QueryPool):
            return await make()
        lock = self._derived_locks.setdefault((key, _IN_BACKGROUND.get()), asyncio.Lock())
        async with lock:  # one computation per version, however many requests wait for it
            version = self.version
            kept = self._derived.get(key)
            if kept is not None and kept[0] == version:
                value: T = kept[1]
                return value
            value = await make()
            kept = self._derived.get(key)
            if kept is None or kept[0] < version:  # not over a newer version's
                self._derived[key] = (version, value)
            return value

    def warm(self) -> None:
        """Start each of :attr:`warmers` in the background (errors are logged, not raised);
        nothing when derived values are not kept (see :meth:`derived`).

        Their reads run on the pool's background workers, so requests arriving meanwhile
        neither wait for a worker nor share the CPU evenly with them; a request needing a value
        not computed yet computes it itself (see :meth:`derived`).
        """
        if not self.settings.cache_entries or not isinstance(self.pool, QueryPool):
            return

        async def run(warmer: Callable[[Backend], Awaitable[object]]) -> None:
            _IN_BACKGROUND.set(True)  # this task's own context: requests are not affected
            try:
                await warmer(self)
            except Exception:  # a page asking for the value will raise it where it belongs
                log.warning("warming %s failed", getattr(warmer, "__name__", warmer), exc_info=True)

        for warmer in self.warmers:
            task = asyncio.get_running_loop().create_task(run(warmer))
            self._warming.add(task)
            task.add_done_callback(self._warming.discard)

    async def write(self, change: Callable[[Any], Any]) -> Any:
        """Apply ``change`` to the store in a thread, then publish a new snapshot (embedded store).

        Returns what ``change`` returns. Writes are serialised by one lock.
        """
        async with self._lock:
            result = await run_in_threadpool(change, self.store)
            self.version += 1
            self._cache.clear()
            if isinstance(self.pool, QueryPool):
                self.pool.snapshot = await run_in_threadpool(self._take_snapshot)
            self.warm()
            return result
