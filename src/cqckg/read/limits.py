"""Run a parser in a child process held to a memory and time budget.

A file can ask for far more than its size: a few hundred kilobytes of a PDF's compressed
content stream can unpack to gigabytes of text, and building the tree of an HTML page nested
tens of thousands deep takes time quadratic in the depth; no parser bounds that for us.
Reading one in a forked child whose address space and CPU time are capped (``setrlimit``) keeps
any such file to the budget: the child fails, the caller gets a :class:`DocumentError`, and
the process that ingests (or serves) is untouched.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from cqckg.core.errors import DocumentError, SourceLocation

__all__ = ["MEMORY_BUDGET", "SECONDS_BUDGET", "run_limited"]

T = TypeVar("T")

MEMORY_BUDGET = 1024 * 1024 * 1024  # bytes of address space the child may add to its parent's
SECONDS_BUDGET = 60  # of CPU time, and (twice that) of wall-clock time


def run_limited(
    work: Callable[[], T],
    path: Path,
    *,
    memory: int | None = None,
    seconds: int | None = None,
) -> T:
    """``work()`` run in a forked child held to ``memory`` more bytes and ``seconds`` of CPU
    (by default :data:`MEMORY_BUDGET` and :data:`SECONDS_BUDGET`).

    A :class:`DocumentError` raised by ``work`` is raised here; passing a limit raises one
    with rule ``resource-limit``. Without ``fork`` (not Linux), ``work`` runs here unbounded.
    """
    if not hasattr(os, "fork"):
        return work()
    memory = MEMORY_BUDGET if memory is None else memory
    seconds = SECONDS_BUDGET if seconds is None else seconds
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 1
        try:
            os.close(read_end)
            # a child stopped by its limit (SIGABRT from the allocator) reports through the
            # pipe, not with a crash dump on the terminal
            faulthandler.disable()
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 2)
            _limit(memory, seconds)
            try:
                outcome: tuple[str, object] = ("ok", work())
            except DocumentError as e:
                outcome = ("error", e)
            except MemoryError:
                outcome = ("memory", None)
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(outcome, out)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    data = _read_all(read_end, pid, deadline=time.monotonic() + 2 * seconds)
    _, wait_status = os.waitpid(pid, 0)
    if not data:
        raise _limit_error(path, memory, seconds, os.waitstatus_to_exitcode(wait_status))
    kind, value = pickle.loads(data)  # noqa: S301 - our own child's answer, over our own pipe
    if kind == "ok":
        return value  # type: ignore[no-any-return]
    if kind == "error":
        raise value
    raise _limit_error(path, memory, seconds, None)


def _limit(memory: int, seconds: int) -> None:
    statm = Path("/proc/self/statm").read_text(encoding="ascii")
    in_use = int(statm.split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (in_use + memory, in_use + memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))


def _read_all(fd: int, pid: int, deadline: float) -> bytes:
    """Everything the child writes, or what it wrote by ``deadline`` (then it is killed)."""
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(0.0, left))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                return b""
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def _limit_error(path: Path, memory: int, seconds: int, code: int | None) -> DocumentError:
    how = f" (the reader stopped with code {code})" if code not in (None, 0) else ""
    return DocumentError(
        SourceLocation(path),
        "resource-limit",
        f"reading the file took more than {memory // (1024 * 1024)} MiB of memory or "
        f"{seconds} s of CPU time{how}; expected a document a reader can take in (a PDF "
        "that unpacks to gigabytes, or markup nested thousands deep?)",
    )
