"""A kind of fact, declared once: its record, how documents state it, how several documents'
statements become one assessment's, its triples, the shapes that check it and the questions that
report it.

The declarations are in ``cqckg.build.facts`` (one module per kind, listed in ``FACT_KINDS`` in
the order they are extracted, merged and built). Ingestion and the builder only walk that list:
adding a kind is its record, its extractor, its module here, its terms in the ontology, its shape
and its question (docs/adding-a-fact-kind.md).
"""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from cqckg.build.builder import Builder
from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.vocabulary import Vocabulary
from cqckg.extract.records import Anchor, Disagreement, Extraction
from cqckg.read.model import Document

R = TypeVar("R")


class Anchored(Protocol):
    @property
    def anchors(self) -> tuple[Anchor, ...]: ...


A = TypeVar("A", bound=Anchored)


@dataclass(frozen=True)
class Found:
    """What an extractor is given: one document and what the kinds before it found in it."""

    document: Document
    vocab: Vocabulary
    registry: AuthorityRegistry
    earlier: Extraction


@dataclass(frozen=True)
class Stated(Generic[R]):
    """What one document of an assessment states of a kind (documents come most trusted first)."""

    document: Document
    path: str  # relative to the sources folder, as reported in disagreements
    records: Sequence[R]


@dataclass(frozen=True)
class Merged(Generic[R]):
    records: list[R]
    disagreements: list[Disagreement] = dataclasses.field(default_factory=list)


# How the records documents state become the assessment's (``Extraction``: the kinds merged so far)
Merge = Callable[[Sequence[Stated[R]], Extraction], Merged[R]]


@dataclass(frozen=True)
class FactKind(Generic[R]):
    """One kind of fact, from the documents' words to the graph's triples."""

    name: str  # its field of :class:`~cqckg.extract.records.Extraction`
    record: type[R]
    extract: Callable[[Found], Sequence[R]]
    # The assessment's records from every document's, in trust order; ``Extraction`` holds the
    # kinds merged before (a link names a merged finding).
    merge: Merge[R]
    triples: Callable[[Builder, Sequence[R]], None]
    # The ontology class (or the assessment's property) the kind's triples state, as a CURIE.
    term: str
    shapes: tuple[str, ...]  # the shapes (local names in shapes/) that check its triples
    questions: tuple[str, ...]  # the named questions that report it
    # The kinds it reads while extracted, merged or built (declared earlier in FACT_KINDS).
    needs: tuple[str, ...] = ()

    @functools.cached_property
    def single(self) -> bool:
        """At most one per assessment: the ``Extraction`` field holds a record or None."""
        return not isinstance(getattr(Extraction(), self.name), list)

    def records_in(self, extraction: Extraction) -> list[R]:
        value = getattr(extraction, self.name)
        if isinstance(value, list):
            return value
        return [] if value is None else [value]

    def put(self, extraction: Extraction, records: Sequence[R]) -> None:
        if self.single:
            if len(records) > 1:
                raise ValueError(f"{self.name}: one record expected, got {len(records)}")
            setattr(extraction, self.name, records[0] if records else None)
        else:
            setattr(extraction, self.name, list(records))


AnyFactKind = FactKind[Any]


def merge_anchors(
    key: Callable[[A], Hashable],
) -> Callable[[Sequence[Stated[A]], Extraction], Merged[A]]:
    """Records with the same key are one fact, with the anchors of each (first one's fields)."""

    def merge(stated: Sequence[Stated[A]], _merged: Extraction) -> Merged[A]:
        merged: dict[Hashable, A] = {}
        for s in stated:
            for rec in s.records:
                k = key(rec)
                old = merged.get(k)
                if old is None:
                    merged[k] = rec
                else:
                    anchors = tuple(sorted(set(old.anchors) | set(rec.anchors)))
                    merged[k] = dataclasses.replace(old, anchors=anchors)  # type: ignore[type-var]
        return Merged(list(merged.values()))

    return merge


def merge_all(
    merge: Callable[[list[R]], list[R]],
) -> Merge[R]:
    """Every document's records, given in trust order to the kind's own merge rule."""
    return lambda stated, _merged: Merged(merge([r for s in stated for r in s.records]))


def single_valued(
    value: Callable[[A], Hashable],
    fact: str,
    shown: Callable[[A], str] = str,
    key: Callable[[A], str] | None = None,
    combine: Callable[[A, Sequence[A]], A] | None = None,
) -> Merge[A]:
    """One value per assessment (or per ``key``): the most trusted document's.

    It keeps the anchors of every document stating the same value; documents stating other
    values give a :class:`Disagreement` on ``fact`` (``{key}`` in it is the key). ``combine``
    folds the others' fields into the chosen record (a score is indicative if any says so).
    """

    def merge(stated: Sequence[Stated[A]], _merged: Extraction) -> Merged[A]:
        groups: dict[str, list[tuple[A, str]]] = defaultdict(list)
        for s in stated:
            for rec in s.records:
                groups[key(rec) if key else ""].append((rec, s.path))
        out = Merged[A]([])
        for k, said in sorted(groups.items()):
            chosen = said[0][0]
            if len({value(r) for r, _ in said}) > 1:
                shown_values = tuple((shown(r), path) for r, path in said)
                out.disagreements.append(Disagreement(fact.format(key=k), shown_values))
            anchors = {a for r, _ in said if value(r) == value(chosen) for a in r.anchors}
            record = dataclasses.replace(chosen, anchors=tuple(sorted(anchors)))  # type: ignore[type-var]
            if combine is not None:
                record = combine(record, [r for r, _ in said])
            out.records.append(record)
        return out

    return merge
