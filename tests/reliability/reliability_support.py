"""Helpers for the reliability and security tests: tripwires that notice outbound contact.

:class:`Listener` is a TCP server on a free loopback port that records every connection made to
it. :class:`Canary` is a named pipe (FIFO) under a test's ``tmp_path``: opening it for reading is
observed by a thread blocked on opening its write end, so any attempt to read the file is seen
even if the reader gives up at once, and a reader that waits for data would hang (and time out)
instead of passing unnoticed.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import statistics
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path


class Listener:
    """A loopback TCP listener counting the connections it accepts."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.1)
        self.port: int = self._socket.getsockname()[1]
        self.connections = 0
        self.received = b""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(0.5)
                with contextlib.suppress(OSError):
                    self.received += conn.recv(4096)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()


@contextlib.contextmanager
def listening() -> Iterator[Listener]:
    """A :class:`Listener` for the duration of the block."""
    listener = Listener()
    try:
        yield listener
    finally:
        listener.close()


class Canary:
    """A FIFO at ``path`` that records whether anything opened it for reading."""

    def __init__(self, path: Path) -> None:
        self.path = path
        os.mkfifo(path)
        self.opened = False
        self._closing = False
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    @property
    def uri(self) -> str:
        return self.path.resolve().as_uri()

    def _watch(self) -> None:
        # Opening the write end blocks until some process opens the read end.
        with self.path.open("wb") as writer:
            if not self._closing:
                self.opened = True
                writer.write(b"<http://canary.example/s> <http://canary.example/p> 1 .\n")

    def close(self) -> None:
        self._closing = True
        # Open the read end ourselves so the watcher's blocking open returns.
        fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        self._thread.join(timeout=5)
        os.close(fd)


@contextlib.contextmanager
def canary(path: Path) -> Iterator[Canary]:
    """A :class:`Canary` for the duration of the block."""
    watched = Canary(path)
    try:
        yield watched
    finally:
        watched.close()


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, by the nearest-rank method.

    >>> percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50)
    3.0
    >>> percentile([5.0, 1.0, 3.0, 2.0, 4.0], 99)
    5.0
    """
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return statistics.median(values)
