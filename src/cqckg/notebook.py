"""The graph from Python, for notebooks: open the store, ask a named question by name with
keyword parameters, get rows (and a pandas DataFrame when pandas is installed):
``open_graph(folder).ask("scores", authority=<a council's name, GSS code or report slug>)``.
The README's "From a notebook" section has examples, run as doctests.

Parameters are checked exactly as for the CLI and the API (a council by any spelling, a GSS
code or a report slug; an ambiguous name lists the candidates); nothing is pasted into SPARQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, overload

from cqckg.core.authorities import Authority, AuthorityRegistry
from cqckg.core.errors import CqcKgError
from cqckg.questions import (
    QuestionResult,
    Value,
    get_question,
    lexical,
    list_questions,
    render_table,
    run_question,
    to_value,
)
from cqckg.serve.settings import check_store_folder
from cqckg.store import ENV_STORE, GraphStore, open_store
from cqckg.store.load import ensure_shipped_graph

if TYPE_CHECKING:
    import pandas

__all__ = ["KnowledgeGraph", "Rows", "open_graph"]


class Rows(Sequence[dict[str, Value]]):
    """An answer: a sequence of rows (column -> plain Python value), columns in order.

    ``str(rows)`` is a plain-text table; :meth:`to_frame` a pandas DataFrame.
    """

    def __init__(self, columns: Sequence[str], rows: Sequence[Sequence[Value]]) -> None:
        self.columns = tuple(columns)
        self.values = tuple(tuple(row) for row in rows)

    @classmethod
    def of(cls, result: QuestionResult) -> Rows:
        return cls(result.columns, result.rows)

    @overload
    def __getitem__(self, index: int) -> dict[str, Value]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Value]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Value] | list[dict[str, Value]]:
        if isinstance(index, slice):
            return [dict(zip(self.columns, row, strict=True)) for row in self.values[index]]
        return dict(zip(self.columns, self.values[index], strict=True))

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self) -> Iterator[dict[str, Value]]:
        for row in self.values:
            yield dict(zip(self.columns, row, strict=True))

    def __str__(self) -> str:
        return render_table(self.columns, [[lexical(v) for v in row] for row in self.values])

    def __repr__(self) -> str:
        return f"<Rows: {len(self)} rows of {', '.join(self.columns)}>"

    def to_frame(self) -> pandas.DataFrame:
        """The rows as a pandas DataFrame (columns in order); needs ``pip install pandas``."""
        try:
            import pandas
        except ImportError:
            raise CqcKgError(
                "to_frame needs pandas: pip install pandas (or cqckg[notebook])"
            ) from None
        return pandas.DataFrame(list(self.values), columns=list(self.columns))


class KnowledgeGraph:
    """A store opened for research; close it (or use ``with``) when done."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.councils = AuthorityRegistry.load()

    def questions(self) -> dict[str, str]:
        """Every named question's name and what it asks."""
        return {q.name: q.description for q in list_questions()}

    def parameters(self, question: str) -> list[str]:
        """The keyword parameters ``question`` takes."""
        return [p.name for p in get_question(question).parameters]

    def ask(self, question: str, **parameters: str | None) -> Rows:
        """Run the named ``question`` with keyword ``parameters`` (e.g. ``authority=`` a council's
        name in any usual spelling).

        Raises :class:`~cqckg.core.errors.QuestionError` for an unknown question or parameter,
        naming the ones there are.
        """
        return Rows.of(run_question(self.store, question, parameters))

    def frame(self, question: str, **parameters: str | None) -> pandas.DataFrame:
        """:meth:`ask` as a pandas DataFrame."""
        return self.ask(question, **parameters).to_frame()

    def sparql(self, query: str) -> Rows:
        """An ad-hoc SELECT query over the whole graph, as rows of plain values."""
        found = self.store.select(query)
        columns = list(found[0]) if found else []
        return Rows(columns, [[to_value(row[c]) for c in columns] for row in found])

    def council(self, name: str) -> Authority:
        """The council a name (any usual spelling), GSS code or report slug denotes."""
        return self.councils.resolve(name)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def open_graph(store: str | Path | None = None, *, load_shipped: bool = True) -> KnowledgeGraph:
    """Open the store (a folder, ``:memory:``, a SPARQL store URL; default ``$CQCKG_STORE``
    or the per-user one) as ``cqckg serve`` does: with ``load_shipped``, the shipped graph is
    loaded when the store does not hold this version of it."""
    check_store_folder(str(store) if store is not None else os.environ.get(ENV_STORE, ""))
    opened = open_store(store)
    try:
        if load_shipped:
            ensure_shipped_graph(opened)
    except BaseException:
        opened.close()
        raise
    return KnowledgeGraph(opened)
