"""The finding cues, text patterns and word lists of ``graph/cues.ttl``, read once per process.

The Turtle is the source of the words: each finding cue is a SKOS concept with its pattern
(``cqc:pattern``, one regular-expression alternative per line), its weight (``cqc:cueWeight``)
and the gap kind it counts towards (``cqc:indicatesGapKind``); three ordered collections say in
which order the negated-problem, gap and strength cues are weighed. Text patterns (CQC's page
templates' boilerplate, phrases introducing partners or a strategy's purpose) are concepts with
a pattern only; word lists (the nouns ending organisations' and strategies' names) have their
words as ``cqc:signal``. The extractors keep the mechanism (scoring, masking, splitting,
anchoring).

A pattern that does not compile, or a cue without a pattern or weight, is refused with a
:class:`DocumentError` naming the file, the line and the cue.

>>> cues = finding_cues()
>>> [c.name for c in cues.strengths]
['positive', 'good', 'improved', 'above-average']
>>> bool(text_pattern("no-findings-heading", "^(?:", ")").match("Financial facts"))
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SKOS

from cqckg.core.errors import DocumentError, SourceLocation
from cqckg.core.namespaces import CQC, ID
from cqckg.core.paths import graph_dir
from cqckg.extract.patterns import any_of, leading_texts, may_match
from cqckg.extract.records import GapKind

CUES_FILE = "cues.ttl"
# The ordered collections of finding cues, in the order findings.py weighs them.
_GROUPS = ("negated-problem", "gap", "strength")


@dataclass(frozen=True)
class Cue:
    name: str
    pattern: re.Pattern[str]
    weight: float
    gap_kind: GapKind | None = None
    # Every match begins with one of these (see ``leading_texts``); None: no such texts.
    leading: tuple[str, ...] | None = None

    def may_match(self, folded: str) -> bool:
        """False when the pattern cannot match a text whose ``fold_case`` is ``folded``."""
        return may_match(self.leading, folded)


@dataclass(frozen=True)
class FindingCues:
    """The cues of the three groups, each in the order it is weighed."""

    negated_problems: tuple[Cue, ...]
    gaps: tuple[Cue, ...]
    strengths: tuple[Cue, ...]


@cache
def finding_cues(directory: Path | None = None) -> FindingCues:
    """The finding cues of ``cues.ttl`` in ``directory`` (``graph/`` by default), compiled
    (cached: weighing a sentence asks for them)."""
    return _cues(_read(_path(directory)))


@cache
def text_pattern(
    slug: str,
    prefix: str = "",
    suffix: str = "",
    flags: int = re.IGNORECASE,
    directory: Path | None = None,
) -> re.Pattern[str]:
    """The text pattern ``id/text-pattern/{slug}`` of ``cues.ttl``, its alternatives between
    ``prefix`` and ``suffix`` (the anchors the caller's mechanism needs), compiled once (a
    call with the same arguments is a dictionary look-up)."""
    source = _read(_path(directory))
    alternatives = _pattern(source, URIRef(ID[f"text-pattern/{slug}"]), f"text pattern {slug}")
    return re.compile(f"{prefix}{alternatives}{suffix}", flags)


@cache
def word_list(slug: str, directory: Path | None = None) -> frozenset[str]:
    """The words (``cqc:signal``, lower case) of the word list ``id/word-list/{slug}`` of
    ``cues.ttl``."""
    source = _read(_path(directory))
    iri = URIRef(ID[f"word-list/{slug}"])
    words = frozenset(str(o) for o in source.graph.objects(iri, CQC.signal))
    if not words:
        raise _refusal(source, iri, "word-list", f"word list {slug} has no cqc:signal words")
    return words


@cache
def concept_group(slug: str, directory: Path | None = None) -> tuple[str, ...]:
    """The slugs of the concepts in the collection ``id/concept-group/{slug}`` of ``cues.ttl``:
    in its order for an ordered collection (``skos:memberList``), else sorted."""
    source = _read(_path(directory))
    iri = URIRef(ID[f"concept-group/{slug}"])
    ordered = source.graph.value(iri, SKOS.memberList)
    if ordered is not None:
        members = [_slug(m) for m in Collection(source.graph, ordered)]
    else:
        members = sorted(_slug(m) for m in source.graph.objects(iri, SKOS.member))
    if not members:
        why = f"concept group {slug} has no skos:member or skos:memberList"
        raise _refusal(source, iri, "concept-group", why)
    return tuple(members)


def _refusal(source: _Source, iri: URIRef, rule: str, message: str) -> DocumentError:
    """The one-line error for the entry ``iri`` of the cues file, at its line."""
    return DocumentError(SourceLocation(source.path, _line(source, iri)), rule, message)


def _path(directory: Path | None) -> Path:
    return (directory or graph_dir()).resolve() / CUES_FILE


@dataclass(frozen=True, eq=False)
class _Source:
    path: Path
    graph: Graph
    lines: tuple[str, ...]


@cache
def _read(path: Path) -> _Source:
    try:
        text = path.read_text(encoding="utf-8")
        graph = Graph().parse(data=text, format="turtle")
    except FileNotFoundError as exc:
        raise DocumentError(SourceLocation(path), "file-exists", "no such file") from exc
    except Exception as exc:  # rdflib's BadSyntax: a 0-based line and a reason
        line = getattr(exc, "lines", None)
        where = SourceLocation(path, line + 1 if isinstance(line, int) else None)
        why = getattr(exc, "_why", None) or " ".join(str(exc).split())
        raise DocumentError(where, "turtle-syntax", f"not valid Turtle: {why}") from exc
    return _Source(path, graph, tuple(text.splitlines()))


def _cues(source: _Source) -> FindingCues:
    groups = []
    listed: set[URIRef] = set()
    for name in _GROUPS:
        members = source.graph.value(URIRef(ID[f"finding-cue-group/{name}"]), SKOS.memberList)
        if members is None:
            raise DocumentError(
                SourceLocation(source.path),
                "finding-cue-group",
                f"no ordered collection finding-cue-group/{name} with a skos:memberList",
            )
        group = [URIRef(str(m)) for m in Collection(source.graph, members)]
        for iri in group:
            if iri in listed:
                raise DocumentError(
                    SourceLocation(source.path, _line(source, iri)),
                    "finding-cue-group",
                    f"finding cue {_slug(iri)} is listed twice in the groups",
                )
            listed.add(iri)
        groups.append(tuple(_cue(source, iri) for iri in group))
    unlisted = {URIRef(str(s)) for s in source.graph.subjects(RDF.type, CQC.FindingCue)} - listed
    if unlisted:
        first = min(unlisted)
        raise DocumentError(
            SourceLocation(source.path, _line(source, first)),
            "finding-cue-group",
            f"finding cue {_slug(first)} is in no group (the skos:memberList of "
            f"finding-cue-group/{', /'.join(_GROUPS)}): it would never be weighed",
        )
    return FindingCues(*groups)


def _slug(iri: object) -> str:
    return str(iri).rpartition("/")[2]


def _cue(source: _Source, iri: URIRef) -> Cue:
    slug = _slug(iri)
    what = f"finding cue {slug}"
    pattern = _pattern(source, iri, what)
    weights = [
        w.toPython() if isinstance(w, Literal) else w
        for w in source.graph.objects(iri, CQC.cueWeight)
    ]
    if len(weights) != 1 or not isinstance(weights[0], int | Decimal) or weights[0] < 0:
        raise DocumentError(
            SourceLocation(source.path, _line(source, iri)),
            "finding-cue",
            f"{what} needs one number of at least 0 as cqc:cueWeight",
        )
    gap = source.graph.value(iri, CQC.indicatesGapKind)
    gap_kind = None
    if gap is not None:
        try:
            gap_kind = GapKind(str(gap).removeprefix(str(ID["gap-kind/"])))
        except ValueError:
            raise DocumentError(
                SourceLocation(source.path, _line(source, iri)),
                "finding-cue",
                f"{what}: cqc:indicatesGapKind {gap} is not a gap kind",
            ) from None
    return Cue(
        slug,
        re.compile(pattern, re.IGNORECASE),
        float(weights[0]),
        gap_kind,
        leading_texts(pattern),
    )


def _pattern(source: _Source, iri: URIRef, what: str) -> str:
    """The concept's one ``cqc:pattern``, its lines (trimmed, blank ones left out) joined as
    alternatives; each line must compile on its own."""
    values = list(source.graph.objects(iri, CQC.pattern))
    if len(values) != 1 or not isinstance(values[0], Literal):
        raise DocumentError(
            SourceLocation(source.path, _line(source, iri)),
            "cue-pattern",
            f"{what} needs exactly one cqc:pattern literal (found {len(values)})",
        )
    alternatives = [line.strip() for line in str(values[0]).splitlines() if line.strip()]
    if not alternatives:
        raise DocumentError(
            SourceLocation(source.path, _line(source, iri)), "cue-pattern", f"{what}: empty pattern"
        )
    for alternative in alternatives:
        try:
            re.compile(alternative)
        except re.error as err:
            raise DocumentError(
                SourceLocation(source.path, _line(source, iri, alternative)),
                "cue-pattern",
                f"{what}: {alternative!r} is not a valid regular expression ({err})",
            ) from None
    return any_of(*alternatives)


def _line(source: _Source, iri: URIRef, alternative: str | None = None) -> int | None:
    """The line (1-based) where the concept's description starts, or where its alternative is
    written (backslashes doubled, as Turtle writes them); None when neither is found."""
    slug = _slug(iri)
    heads = (f"<{iri}>", f"cue:{slug} ", f"text:{slug} ", f"words:{slug} ")
    start = next(
        (i for i, line in enumerate(source.lines) if line.startswith(heads)),
        None,
    )
    if start is None:
        return None
    if alternative is not None:
        written = alternative.replace("\\", "\\\\")
        for i in range(start, len(source.lines)):
            if source.lines[i].strip() == written:
                return i + 1
    return start + 1
