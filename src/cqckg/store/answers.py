"""A query's answer written in the format a job asks for, cut at its ``max_results``.

Used by the query workers (:mod:`cqckg.serve.worker_process`) and by the remote store's read path
(:mod:`cqckg.store.remote`), so a client gets the same answer from either. The result cap is applied
without handling rows in Python. SELECT results asked for as JSON, XML or CSV are written
straight in that format when the answer is short enough to be sure it has at most
``max_results`` rows (see :data:`_MIN_ROW_BYTES`): the usual answer. Otherwise SELECT results
are written as TSV and CONSTRUCT results as N-Triples, one row or triple per line, into a buffer
that stops the engine after ``max_results`` lines; that buffer is then parsed and re-serialised
by the engine when another format was asked for, or when rows had to be cut. (A SELECT answer
that was too long to be written straight is evaluated a second time for this.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, cast

import pyoxigraph as ox

from cqckg.core.formats import Format

__all__ = ["Reply", "serialise_answer"]


@dataclass
class Reply:
    """An answer as a query worker or a remote store gives it: a JSON header and the
    (engine-serialised) body."""

    header: dict[str, Any]
    body: bytes


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

    Most answers are: they skip the TSV round trip below.
    Returns ``None`` (the solutions partly consumed) when the answer was too long to tell.
    """
    buffer = _CappedBuffer(size=_MIN_ROW_BYTES[fmt] * max_results)
    try:
        results.serialize(cast("IO[bytes]", buffer), format=fmt.results)
    except _Full:
        return None
    return b"".join(buffer.chunks)


def serialise_answer(
    results: object, job: dict[str, Any], again: Callable[[], object]
) -> tuple[dict[str, Any], bytes]:
    """The reply head and body for ``results`` of ``job`` (its ``results_format`` or
    ``graph_format``, and ``max_results``); ``again`` evaluates the query afresh."""
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
