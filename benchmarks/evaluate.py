"""Scoring extracted records against the hand-annotated gold standard in ``tests/data/annotations``.

The gold files are described in ``tests/data/annotations/README.md``. This module only reads
records (:mod:`cqckg.extract.records`) and annotation mappings; it never imports an extractor, so
it measures them from the outside.

Per kind it counts true positives, false positives and false negatives, and gives precision and
recall. Matching is one-to-one (a maximum bipartite matching), so two extracted records can never
both be credited with the same annotated item; an extracted record that would match only an item
another record already took is a *duplicate*, reported apart and counted neither way.

Matching rules
--------------
Only records anchored in the scored document count (an anchor whose ``document_sha256`` is the
SHA-256 of the document text); records anchored only in other documents of the same assessment are
left out. Items marked ``"borderline": true`` are *ignored* both ways: not a miss when nobody finds
them, not a false positive when someone does.

``scores``
    quality statement and score equal. A wrong score is a false positive and a false negative.
``rating``
    the rating band slug equal; ``exact`` also needs the indicative flag equal.
``statistics``
    value and comparator value equal as decimals (``43.90`` = ``43.9``). Candidates whose anchor
    overlaps the annotated quote are paired first, so a figure stated twice pairs with the right
    sentence. ``exact`` also needs comparator area, direction, source and year equal.
``strategies``, ``partners``
    any folded name of the record (title or alternative titles) equals any folded name of
    the item (title or variants). The fold covers case, quotes, dashes, white space, a leading
    "the", a trailing full stop, ``#``, and years (``2023-33`` = ``2023-2033`` = ``2023 to 2033``,
    ``2023/24`` = ``2023-2024``); a name with a parenthesis also counts without it, and a trailing
    ``(ACRONYM)`` also counts alone. ``exact`` for strategies also needs kind and years equal.
``gaps``
    a gap finding matches an annotated gap when one of its anchors overlaps the annotated quote's
    span in the document. ``exact`` also needs quality statement and gap kind equal. A record
    classified as a gap that overlaps only annotated strengths is a false positive.
``strengths``
    in a file marked ``"strengths_complete": true`` (every strength annotated, as in the held-out
    pages) a strength finding is scored like a gap: it must overlap an annotated strength. In the
    other files the annotated strengths are a representative subset: a strength finding
    overlapping an annotated strength is a true positive, one overlapping only an annotated gap is a
    false positive, any other is unjudged (not counted). Recall is against what is annotated.
``links``
    the link's strategy matches the annotated link's strategy (by the strategy rule, using the
    titles of the extracted strategy the link names), and the linked gap overlaps the annotated gap
    quote: the gap is located through the extracted gap finding whose text equals
    ``AddressingLinkRecord.gap``, else by finding that text in the document, else by the link's own
    anchors. ``exact`` also needs the basis equal. Links are also scored per basis
    (``KindScore.by_basis``, see :class:`BasisScore`): recall by the annotated item's basis (how
    many of the *stated* links were found, whatever basis the extractor gave them), precision by
    the extracted link's own basis (what a user filtering the graph on that basis gets).
``statement_texts``
    person and folded text equal and the quality statement equal.

>>> text = "Score: 3. Carers Strategy 2023-2028 helps. There was a wait for equipment."
>>> sha = document_sha256(text)
>>> ann = {"scores": {"assessing-needs": 3}, "rating": None, "strategies": [
...     {"title": "Carers Strategy 2023-28", "variants": [], "quote": "Carers Strategy 2023-2028"}],
...     "gaps": [{"id": "g1", "quote": "There was a wait for equipment.", "gap_kind": "waiting",
...     "quality_statement": "assessing-needs"}]}
>>> from cqckg.extract.records import (Anchor, Extraction, StatementScoreRecord, StrategyRecord,
...     FindingRecord, FindingKind, GapKind)
>>> a = lambda s, e: (Anchor(sha, s, e, text[s:e]),)
>>> ex = Extraction(scores=[StatementScoreRecord("assessing-needs", 3, False, a(0, 8))],
...     strategies=[StrategyRecord("Carers Strategy 2023-2028", "strategy", 2023, 2028, a(10, 35))],
...     findings=[FindingRecord(FindingKind.GAP, "There was a wait", "assessing-needs", None, (),
...     a(43, 59), GapKind.WAITING)])
>>> report = evaluate(ex, ann, text)
>>> [(k, s.tp, s.fp, s.fn) for k, s in report.kinds.items()
...  if k in ("scores", "strategies", "gaps")]
[('scores', 1, 0, 0), ('strategies', 1, 0, 0), ('gaps', 1, 0, 0)]
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from cqckg.extract.records import (
    AddressingLinkRecord,
    Anchor,
    Extraction,
    FindingKind,
    FindingRecord,
    StatisticRecord,
    StrategyRecord,
)

KINDS = (
    "scores",
    "rating",
    "statistics",
    "strategies",
    "partners",
    "gaps",
    "strengths",
    "links",
    "statement_texts",
)

Span = tuple[int, int]
Annotation = Mapping[str, Any]

ROOT = Path(__file__).resolve().parent.parent
ANNOTATIONS = ROOT / "tests" / "data" / "annotations"
# the shipped graph's documents, then the held-out pages of councils it does not hold
SOURCE_ROOTS = (ROOT / "graph" / "sources", ROOT / "tests" / "data" / "sources")


def source_path(document: str) -> Path:
    """The file an annotation's ``document`` names (relative to one of the source folders)."""
    for root in SOURCE_ROOTS:
        if (root / document).is_file():
            return root / document
    raise FileNotFoundError(
        f"no source document {document} under {', '.join(map(str, SOURCE_ROOTS))}"
    )


def load_gold() -> dict[str, dict[str, Any]]:
    """Every gold annotation, by its document path."""
    out = {}
    for f in sorted(ANNOTATIONS.glob("*.json")):
        ann = json.loads(f.read_text(encoding="utf-8"))
        out[str(ann["document"])] = ann
    return out


def authority_of(document: str) -> str:
    """The council folder a document sits in (``westminster-2024/press-release.txt`` ->
    ``westminster-2024``)."""
    return document.split("/", 1)[0]


LINK_BASES = ("stated", "same-passage", "shared-topic")


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


@dataclass
class BasisScore:
    """Link counts for one basis.

    ``tp``/``fn`` count annotated links *of this basis* found or missed (recall); ``found``/``fp``
    count extracted links *given this basis* that match an annotated link or match nothing
    (precision); ``exact`` counts annotated links of this basis found with this basis.

    >>> b = BasisScore("stated", tp=3, fn=1, found=2, fp=2)
    >>> b.recall, b.precision
    (0.75, 0.5)
    """

    basis: str
    tp: int = 0
    fn: int = 0
    found: int = 0
    fp: int = 0
    exact: int = 0

    @property
    def precision(self) -> float | None:
        return _share(self.found, self.found + self.fp)

    @property
    def recall(self) -> float | None:
        return _share(self.tp, self.tp + self.fn)

    def add(self, other: BasisScore) -> None:
        for name in ("tp", "fn", "found", "fp", "exact"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fn": self.fn,
            "found": self.found,
            "fp": self.fp,
            "exact": self.exact,
            "precision": self.precision,
            "recall": self.recall,
        }


@dataclass
class KindScore:
    """Counts for one kind of fact in one document (or summed over documents)."""

    kind: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    duplicates: int = 0
    ignored: int = 0
    exact: int = 0
    annotated: int = 0
    extracted: int = 0
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    by_basis: dict[str, BasisScore] = field(default_factory=dict)  # links only

    @property
    def precision(self) -> float | None:
        """``tp / (tp + fp)``, or None when nothing was judged.

        >>> KindScore("x", tp=3, fp=1).precision
        0.75
        >>> KindScore("x").precision is None
        True
        """
        judged = self.tp + self.fp
        return None if judged == 0 else self.tp / judged

    @property
    def recall(self) -> float | None:
        """``tp / (tp + fn)``, or None when nothing was annotated.

        >>> KindScore("x", tp=1, fn=3).recall
        0.25
        """
        wanted = self.tp + self.fn
        return None if wanted == 0 else self.tp / wanted

    @property
    def exact_recall(self) -> float | None:
        """Share of the annotated items matched with every checked attribute right."""
        wanted = self.tp + self.fn
        return None if wanted == 0 else self.exact / wanted

    def add(self, other: KindScore) -> None:
        """Sum another document's counts into this one (micro-averaging)."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.duplicates += other.duplicates
        self.ignored += other.ignored
        self.exact += other.exact
        self.annotated += other.annotated
        self.extracted += other.extracted
        for basis, counts in other.by_basis.items():
            self.by_basis.setdefault(basis, BasisScore(basis)).add(counts)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "duplicates": self.duplicates,
            "ignored": self.ignored,
            "exact": self.exact,
            "annotated": self.annotated,
            "extracted": self.extracted,
            "precision": self.precision,
            "recall": self.recall,
            "exact_recall": self.exact_recall,
            "misses": list(self.misses),
            "false_positives": list(self.false_positives),
        }
        if self.by_basis:
            out["by_basis"] = {b: v.to_dict() for b, v in self.by_basis.items()}
        return out


@dataclass
class DocumentReport:
    document: str
    kinds: dict[str, KindScore]

    def to_dict(self) -> dict[str, Any]:
        return {"document": self.document, "kinds": {k: v.to_dict() for k, v in self.kinds.items()}}


# --- text helpers ---------------------------------------------------------------------------


def document_sha256(text: str) -> str:
    """The SHA-256 of the document text as UTF-8 (what anchors carry)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‑": "-"})


def fold_quote(s: str) -> str:
    """Lower case, straight quotes, single spaces.

    >>> fold_quote("  The ‘People  First’ website ")
    "the 'people first' website"
    """
    return re.sub(r"\s+", " ", s.translate(_QUOTES)).strip().lower()


def _expand_years(s: str) -> str:
    """Years written out in full, joined by a hyphen.

    >>> _expand_years("strategy 2023-33 and plan 2023/24, vision 2023 to 2028")
    'strategy 2023-2033 and plan 2023-2024, vision 2023-2028'
    >>> _expand_years("board 2022-25")
    'board 2022-2025'
    """

    def full(m: re.Match[str]) -> str:
        start, end = m.group(1), m.group(2)
        if len(end) == 2:
            end = start[:2] + end
        return f"{start}-{end}"

    return re.sub(r"\b((?:19|20)\d\d)\s*(?:-|/|to)\s*((?:19|20)?\d\d)\b", full, s)


def name_key(name: str) -> str:
    """The comparable form of a strategy or organisation name.

    >>> name_key("The ‘Carers Strategy 2023–28’.")
    'carers strategy 2023-2028'
    >>> name_key("'#2035' project") == name_key("#2035 Project")
    True
    """
    s = fold_quote(name)
    s = s.replace('"', "").replace("'s ", "s ").replace("'", "").replace("#", "")
    s = re.sub(r"\(\s*((?:19|20)\d\d[^()]*)\)", r"\1", s)  # "(2024-2029)" = "2024-2029"
    s = _expand_years(s)
    s = re.sub(r"[.,;:]+$", "", s).strip()
    s = re.sub(r"^the\s+", "", s)
    return re.sub(r"\s+", " ", s)


def name_keys(names: Iterable[str]) -> set[str]:
    """Every comparable form of some names: as written, without parentheses, the trailing acronym.

    >>> sorted(name_keys(["Royal Borough of Greenwich (RBG)"]))
    ['rbg', 'royal borough of greenwich', 'royal borough of greenwich (rbg)']
    >>> sorted(name_keys(["Black and Minority Ethnic (BAME) forum"]))
    ['black and minority ethnic (bame) forum', 'black and minority ethnic forum']
    """
    keys: set[str] = set()
    for name in names:
        if not name.strip():
            continue
        keys.add(name_key(name))
        bare = re.sub(r"\s*\([^)]*\)", "", name)
        if bare.strip():
            keys.add(name_key(bare))
        trailing = re.search(r"\(([^)]+)\)\s*$", name)
        if trailing and re.fullmatch(r"[A-Za-z&+]{2,10}", trailing.group(1).strip()):
            keys.add(name_key(trailing.group(1)))
    keys.discard("")
    return keys


def quote_span(text: str, quote: str, occurrence: int | None = None) -> Span:
    """Where a quote sits in the text: the ``occurrence``-th match (0-based), else the only one.

    >>> quote_span("ab ab", "ab", 1)
    (3, 5)
    >>> quote_span("abc", "b")
    (1, 2)
    """
    starts = [m.start() for m in re.finditer(re.escape(quote), text)]
    if not starts:
        raise ValueError(f"quote not in document: {quote[:60]!r}")
    if occurrence is None:
        if len(starts) > 1:
            raise ValueError(
                f"quote occurs {len(starts)} times, give an occurrence: {quote[:60]!r}"
            )
        occurrence = 0
    start = starts[occurrence]
    return start, start + len(quote)


def overlaps(a: Span, b: Span) -> bool:
    """Half-open spans share at least one character.

    >>> overlaps((0, 5), (4, 9)), overlaps((0, 5), (5, 9))
    (True, False)
    """
    return a[0] < b[1] and b[0] < a[1]


def _dec(value: object) -> Decimal | None:
    """A decimal from an annotation or record value.

    >>> _dec("43.90") == _dec(43.9), _dec(None), _dec("n/a")
    (True, None, None)
    """
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


# --- matching -------------------------------------------------------------------------------


def bipartite_match(
    edges: Mapping[int, Sequence[int]], fixed: Mapping[int, int] | None = None
) -> dict[int, int]:
    """A maximum matching of left nodes to right nodes (Kuhn's augmenting paths).

    ``fixed`` pairs are kept as they are and their nodes taken out.

    >>> bipartite_match({0: [0, 1], 1: [0]})
    {1: 0, 0: 1}
    >>> bipartite_match({0: [0], 1: [0]}, fixed={1: 0})
    {1: 0}
    """
    match_right: dict[int, int] = {}
    fixed = dict(fixed or {})
    taken_right = set(fixed.values())

    def augment(left: int, seen: set[int]) -> bool:
        for right in edges.get(left, ()):
            if right in seen or right in taken_right:
                continue
            seen.add(right)
            if right not in match_right or augment(match_right[right], seen):
                match_right[right] = left
                return True
        return False

    for left in edges:
        if left not in fixed:
            augment(left, set())
    result = dict(fixed)
    result.update({left: right for right, left in match_right.items()})
    return result


def _score_matching(
    kind: str,
    extracted: Sequence[Any],
    annotated: Sequence[Mapping[str, Any]],
    edges: Mapping[int, Sequence[int]],
    *,
    exact: Callable[[Any, Mapping[str, Any]], bool],
    label: Callable[[Any], str],
    fixed: Mapping[int, int] | None = None,
    unjudged: Callable[[Any], bool] | None = None,
    groups: tuple[Callable[[Any], str], Callable[[Mapping[str, Any]], str]] | None = None,
    group_names: Sequence[str] = (),
) -> KindScore:
    """Counts from a matching of extracted records (left) to annotated items (right).

    With ``groups`` (the group of a record, the group of an item) the counts are also broken
    down by group into ``by_basis``: recall by the item's group, precision by the record's.
    """
    score = KindScore(kind, annotated=len(annotated), extracted=len(extracted))
    firm = {j for j, item in enumerate(annotated) if not item.get("borderline")}
    firm_edges = {i: [j for j in js if j in firm] for i, js in edges.items()}
    matching = bipartite_match(firm_edges, fixed)
    matched_right = set(matching.values())
    false: list[int] = []
    for i, record in enumerate(extracted):
        if i in matching:
            score.tp += 1
            if exact(record, annotated[matching[i]]):
                score.exact += 1
        elif firm_edges.get(i):
            score.duplicates += 1
        elif edges.get(i):
            score.ignored += 1  # matches only borderline items
        elif unjudged is not None and unjudged(record):
            score.ignored += 1
        else:
            score.fp += 1
            score.false_positives.append(label(record))
            false.append(i)
    for j in sorted(firm - matched_right):
        score.fn += 1
        item = annotated[j]
        score.misses.append(label_item(item))
    if groups is not None:
        score.by_basis = {g: BasisScore(g) for g in group_names}
        _break_down(score, extracted, annotated, matching, false, groups, exact)
    return score


def label_item(item: Mapping[str, Any]) -> str:
    """How a missed annotated item is listed: its title or name, a link as strategy -> gap.

    >>> label_item({"strategy": "Carers Strategy", "gap": "No respite.", "basis": "stated"})
    'Carers Strategy -> No respite. [stated]'
    """
    if "strategy" in item and "gap" in item:
        return f"{item['strategy']} -> {str(item['gap'])[:80]} [{item.get('basis')}]"
    return str(item.get("title") or item.get("name") or item.get("quote", ""))[:120]


def _break_down(
    score: KindScore,
    extracted: Sequence[Any],
    annotated: Sequence[Mapping[str, Any]],
    matching: Mapping[int, int],
    false: Sequence[int],
    groups: tuple[Callable[[Any], str], Callable[[Mapping[str, Any]], str]],
    exact: Callable[[Any, Mapping[str, Any]], bool],
) -> None:
    of_record, of_item = groups

    def counts(group: str) -> BasisScore:
        return score.by_basis.setdefault(group, BasisScore(group))

    matched_right = {j: i for i, j in matching.items()}
    for j, item in enumerate(annotated):
        if item.get("borderline"):
            continue
        c = counts(of_item(item))
        if j in matched_right:
            c.tp += 1
            record = extracted[matched_right[j]]
            if of_record(record) == of_item(item) and exact(record, item):
                c.exact += 1
        else:
            c.fn += 1
    for i in matching:
        counts(of_record(extracted[i])).found += 1
    for i in false:
        counts(of_record(extracted[i])).fp += 1


def _spans(anchors: Iterable[Anchor], sha: str) -> list[Span]:
    return [(a.start, a.end) for a in anchors if a.document_sha256 == sha]


def _in_document(anchors: Iterable[Anchor], sha: str) -> bool:
    return bool(_spans(anchors, sha))


def _item_span(text: str, item: Mapping[str, Any]) -> Span:
    return quote_span(text, str(item["quote"]), item.get("occurrence"))


# --- per kind -------------------------------------------------------------------------------


def _score_scores(extraction: Extraction, annotation: Annotation, sha: str) -> KindScore:
    wanted: dict[str, int] = dict(annotation.get("scores") or {})
    records = [r for r in extraction.scores if _in_document(r.anchors, sha)]
    score = KindScore("scores", annotated=len(wanted), extracted=len(records))
    found: set[str] = set()
    for r in records:
        if r.quality_statement in found:
            score.duplicates += 1
        elif wanted.get(r.quality_statement) == r.score:
            score.tp += 1
            found.add(r.quality_statement)
            if r.indicative == bool(annotation.get("indicative", False)):
                score.exact += 1
        else:
            score.fp += 1
            score.false_positives.append(f"{r.quality_statement}={r.score}")
    for qs in sorted(set(wanted) - found):
        score.fn += 1
        score.misses.append(f"{qs}={wanted[qs]}")
    return score


def _score_rating(extraction: Extraction, annotation: Annotation, sha: str) -> KindScore:
    wanted = annotation.get("rating")
    record = extraction.rating
    if record is not None and not _in_document(record.anchors, sha):
        record = None
    score = KindScore(
        "rating", annotated=int(wanted is not None), extracted=int(record is not None)
    )
    if record is not None and wanted is not None and record.rating == wanted:
        score.tp = 1
        score.exact = int(record.indicative == bool(annotation.get("indicative", False)))
    else:
        if record is not None:
            score.fp = 1
            score.false_positives.append(record.rating)
        if wanted is not None:
            score.fn = 1
            score.misses.append(str(wanted))
    return score


def _score_statistics(
    extraction: Extraction, annotation: Annotation, text: str, sha: str
) -> KindScore:
    items: list[Mapping[str, Any]] = list(annotation.get("statistics") or [])
    records = [r for r in extraction.statistics if _in_document(r.anchors, sha)]
    spans = [_item_span(text, it) for it in items]

    def same_values(r: StatisticRecord, it: Mapping[str, Any]) -> bool:
        return _dec(r.value) == _dec(it.get("value")) and _dec(r.comparator_value) == _dec(
            it.get("comparator_value")
        )

    edges: dict[int, list[int]] = {}
    near: dict[int, list[int]] = {}
    for i, r in enumerate(records):
        rs = _spans(r.anchors, sha)
        for j, it in enumerate(items):
            if same_values(r, it):
                edges.setdefault(i, []).append(j)
                if any(overlaps(s, spans[j]) for s in rs):
                    near.setdefault(i, []).append(j)
    firm = {j for j, it in enumerate(items) if not it.get("borderline")}
    fixed = bipartite_match({i: [j for j in js if j in firm] for i, js in near.items()})

    def exact(r: StatisticRecord, it: Mapping[str, Any]) -> bool:
        return (
            (r.comparator.value if r.comparator else None) == it.get("comparator")
            and (r.direction.value if r.direction else None) == it.get("direction")
            and r.source == it.get("source")
            and (r.period or None) == it.get("year")
        )

    return _score_matching(
        "statistics",
        records,
        items,
        edges,
        exact=exact,
        label=lambda r: f"{r.value} vs {r.comparator_value}: {r.measure_label[:60]}",
        fixed=fixed,
    )


def _named_score(
    kind: str,
    records: Sequence[Any],
    names_of: Callable[[Any], list[str]],
    items: Sequence[Mapping[str, Any]],
    item_names: Callable[[Mapping[str, Any]], list[str]],
    exact: Callable[[Any, Mapping[str, Any]], bool],
) -> KindScore:
    item_keys = [name_keys(item_names(it)) for it in items]
    edges: dict[int, list[int]] = {}
    for i, r in enumerate(records):
        keys = name_keys(names_of(r))
        edges[i] = [j for j, ks in enumerate(item_keys) if keys & ks]
    return _score_matching(kind, records, items, edges, exact=exact, label=lambda r: names_of(r)[0])


def _strategy_names(it: Mapping[str, Any]) -> list[str]:
    return [str(it["title"]), *[str(v) for v in it.get("variants") or []]]


def _score_strategies(extraction: Extraction, annotation: Annotation, sha: str) -> KindScore:
    records = [r for r in extraction.strategies if _in_document(r.anchors, sha)]

    def exact(r: StrategyRecord, it: Mapping[str, Any]) -> bool:
        return (
            r.kind == it.get("kind")
            and r.start_year == it.get("start_year")
            and r.end_year == it.get("end_year")
        )

    return _named_score(
        "strategies",
        records,
        lambda r: [r.title, *r.alt_titles],
        list(annotation.get("strategies") or []),
        _strategy_names,
        exact,
    )


# The gold's finer partner types, as the partner-type vocabulary (graph/vocabularies.ttl) has them.
PARTNER_TYPE_IN_VOCABULARY = {
    "local-authority": "council",
    "council-committee": "board-or-forum",
    "board": "board-or-forum",
    "safeguarding-board": "board-or-forum",
    "forum": "board-or-forum",
    "panel": "board-or-forum",
    "partnership": "board-or-forum",
    "co-production-group": "board-or-forum",
    "community-group": "voluntary-and-community",
    "voluntary-sector": "voluntary-and-community",
    "faith-group": "voluntary-and-community",
    "social-enterprise": "voluntary-and-community",
    "police": "police-fire-and-emergency",
    "fire-service": "police-fire-and-emergency",
    "ombudsman": "regulator",
    "government-department": "government",
    "national-body": "government",
    "research-organisation": "education-and-research",
    "nhs": "nhs-other",
    "nhs-service": "nhs-other",
    "integrated-care-partnership": "integrated-care-system",
}


def partner_type_in_vocabulary(gold_type: str | None) -> str | None:
    """The vocabulary's partner type for a gold partner type.

    >>> partner_type_in_vocabulary("safeguarding-board"), partner_type_in_vocabulary("nhs-trust")
    ('board-or-forum', 'nhs-trust')
    """
    if gold_type is None:
        return None
    return PARTNER_TYPE_IN_VOCABULARY.get(gold_type, gold_type)


def _score_partners(extraction: Extraction, annotation: Annotation, sha: str) -> KindScore:
    records = [r for r in extraction.partners if _in_document(r.anchors, sha)]
    return _named_score(
        "partners",
        records,
        lambda r: [r.name, *r.alt_names],
        list(annotation.get("partners") or []),
        lambda it: [str(it["name"]), *[str(v) for v in it.get("variants") or []]],
        lambda r, it: r.partner_type == partner_type_in_vocabulary(it.get("partner_type")),
    )


def _findings(extraction: Extraction, kind: FindingKind, sha: str) -> list[FindingRecord]:
    return [f for f in extraction.findings if f.kind == kind and _in_document(f.anchors, sha)]


def _score_gaps(extraction: Extraction, annotation: Annotation, text: str, sha: str) -> KindScore:
    items: list[Mapping[str, Any]] = list(annotation.get("gaps") or [])
    spans = [_item_span(text, it) for it in items]
    records = _findings(extraction, FindingKind.GAP, sha)
    edges = {
        i: [j for j, s in enumerate(spans) if any(overlaps(a, s) for a in _spans(r.anchors, sha))]
        for i, r in enumerate(records)
    }

    def exact(r: FindingRecord, it: Mapping[str, Any]) -> bool:
        kind = r.gap_kind.value if r.gap_kind else None
        return r.quality_statement == it.get("quality_statement") and kind == it.get("gap_kind")

    return _score_matching(
        "gaps",
        records,
        items,
        edges,
        exact=exact,
        label=lambda r: r.text[:120],
    )


def _score_strengths(
    extraction: Extraction, annotation: Annotation, text: str, sha: str
) -> KindScore:
    items: list[Mapping[str, Any]] = list(annotation.get("strengths") or [])
    spans = [_item_span(text, it) for it in items]
    gap_spans = [
        _item_span(text, it) for it in annotation.get("gaps") or [] if not it.get("borderline")
    ]
    records = _findings(extraction, FindingKind.STRENGTH, sha)
    edges: dict[int, list[int]] = {}
    for i, r in enumerate(records):
        rs = _spans(r.anchors, sha)
        edges[i] = [j for j, s in enumerate(spans) if any(overlaps(a, s) for a in rs)]

    def off_the_gaps(r: FindingRecord) -> bool:
        return not any(overlaps(a, g) for a in _spans(r.anchors, sha) for g in gap_spans)

    return _score_matching(
        "strengths",
        records,
        items,
        edges,
        exact=lambda r, it: r.quality_statement == it.get("quality_statement"),
        label=lambda r: r.text[:120],
        unjudged=None if annotation.get("strengths_complete") else off_the_gaps,
    )


def _score_links(extraction: Extraction, annotation: Annotation, text: str, sha: str) -> KindScore:
    items: list[Mapping[str, Any]] = list(annotation.get("links") or [])
    gap_spans = [quote_span(text, str(it["gap"]), it.get("gap_occurrence")) for it in items]
    strategies: list[Mapping[str, Any]] = list(annotation.get("strategies") or [])
    by_title = {str(s["title"]): name_keys(_strategy_names(s)) for s in strategies}
    titles_of: dict[str, list[str]] = {}
    for s in extraction.strategies:
        titles_of.setdefault(s.title, []).extend([s.title, *s.alt_titles])
    finding_spans: dict[str, list[Span]] = {}
    for f in extraction.findings:
        if f.kind == FindingKind.GAP:
            finding_spans.setdefault(f.text, []).extend(_spans(f.anchors, sha))

    def link_gap_spans(r: AddressingLinkRecord) -> list[Span]:
        if finding_spans.get(r.gap):
            return finding_spans[r.gap]
        at = text.find(r.gap) if r.gap else -1
        if at >= 0:
            return [(at, at + len(r.gap))]
        return _spans(r.anchors, sha)

    records = [r for r in extraction.links if link_gap_spans(r)]
    edges: dict[int, list[int]] = {}
    for i, r in enumerate(records):
        keys = name_keys(titles_of.get(r.strategy, [r.strategy]))
        rs = link_gap_spans(r)
        edges[i] = [
            j
            for j, it in enumerate(items)
            if keys & by_title.get(str(it["strategy"]), name_keys([str(it["strategy"])]))
            and any(overlaps(s, gap_spans[j]) for s in rs)
        ]
    return _score_matching(
        "links",
        records,
        items,
        edges,
        exact=lambda r, it: r.basis.value == it.get("basis"),
        label=lambda r: f"{r.strategy} -> {r.gap[:80]} [{r.basis.value}]",
        groups=(lambda r: r.basis.value, lambda it: str(it.get("basis"))),
        group_names=LINK_BASES,
    )


def _score_statement_texts(extraction: Extraction, annotation: Annotation, sha: str) -> KindScore:
    items: list[Mapping[str, Any]] = list(annotation.get("statement_texts") or [])
    records = [r for r in extraction.framework_statements if _in_document(r.anchors, sha)]
    edges = {
        i: [
            j
            for j, it in enumerate(items)
            if r.person == it.get("person")
            and r.quality_statement == it.get("quality_statement")
            and fold_quote(r.text).strip("“”\"' .") == fold_quote(str(it["text"])).strip("“”\"' .")
        ]
        for i, r in enumerate(records)
    }
    return _score_matching(
        "statement_texts",
        records,
        items,
        edges,
        exact=lambda _r, _it: True,
        label=lambda r: f"{r.quality_statement} {r.person}: {r.text[:60]}",
    )


def evaluate(
    extraction: Extraction, annotation: Annotation, text: str, document: str = ""
) -> DocumentReport:
    """Score one document's extraction against its annotation; ``text`` is the document text."""
    sha = document_sha256(text)
    kinds = {
        "scores": _score_scores(extraction, annotation, sha),
        "rating": _score_rating(extraction, annotation, sha),
        "statistics": _score_statistics(extraction, annotation, text, sha),
        "strategies": _score_strategies(extraction, annotation, sha),
        "partners": _score_partners(extraction, annotation, sha),
        "gaps": _score_gaps(extraction, annotation, text, sha),
        "strengths": _score_strengths(extraction, annotation, text, sha),
        "links": _score_links(extraction, annotation, text, sha),
        "statement_texts": _score_statement_texts(extraction, annotation, sha),
    }
    return DocumentReport(document or str(annotation.get("document", "")), kinds)


def overall(reports: Iterable[DocumentReport]) -> dict[str, KindScore]:
    """Counts summed over documents, per kind (micro-averaged precision and recall).

    >>> a = DocumentReport("a", {"gaps": KindScore("gaps", tp=1, fn=1)})
    >>> b = DocumentReport("b", {"gaps": KindScore("gaps", tp=1, fp=2)})
    >>> total = overall([a, b])["gaps"]
    >>> total.tp, total.fp, total.fn, total.precision
    (2, 2, 1, 0.5)
    """
    totals = {kind: KindScore(kind) for kind in KINDS}
    for report in reports:
        for kind, score in report.kinds.items():
            totals.setdefault(kind, KindScore(kind)).add(score)
    return totals
