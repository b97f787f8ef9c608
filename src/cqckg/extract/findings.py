"""Findings: the sentences of an assessment that say what CQC found, as strengths or gaps.

Every sentence of the findings-bearing parts of a document (the key findings of each quality
statement, the summaries, a press release's findings) is weighed by cue patterns:

* gap cues: shortfall words ("lack of", "not always", "gap", "inconsistent", "unclear"), waiting
  ("waiting", "delays", "backlog"), risk ("at risk", "unsafe"), development needs ("area for
  improvement", "needed to", "more to do") and a statistic worse than its comparator;
* strength cues: appraisal words ("positive", "effective", "robust", "timely", "well"), and a
  statistic better than its comparator;
* negation turns a gap cue into a strength ("no waiting lists", "there weren't any waiting
  lists") and a strength cue into a gap ("was not recorded as being coproduced"); quantifiers
  count ("limited waits" is little waiting, "few people were supported" a shortfall); a
  concession's words ("despite varying quality") do not weigh; contrast markers ("However,",
  "In contrast,", "Although") weigh towards a gap.

A sentence stating a strength and a gap on either side of a contrast ("... was clear and concise
but was not recorded as being coproduced.") is split there into one of each, each quoted by its
clause. A sentence that cannot be read alone ("This was ...", "In both cases ...": the
discourse-marker vocabulary's references to the sentence before) is quoted with the sentence it
leans on, and replaces that sentence's own finding: one finding, one quote spanning both.

A sentence with a clear balance one way is a finding of that kind; one with cues both ways and
no clear balance is kept with polarity unknown (not guessed); a neutral sentence (context,
description) is not a finding. Each rule is a named pattern, so every classification can be
explained from the words it matched (see :func:`explain`). The patterns, their weights and gap
kinds are data: the finding cues of ``graph/cues.ttl`` (:mod:`cqckg.extract.cues`); this module
is the mechanism that weighs, masks and splits with them.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from cqckg.core.vocabulary import Vocabulary, load_vocabulary
from cqckg.extract.anchors import anchor
from cqckg.extract.cues import finding_cues, text_pattern
from cqckg.extract.patterns import fold_case
from cqckg.extract.records import (
    Direction,
    EvidenceCategory,
    FindingKind,
    FindingRecord,
    GapKind,
    StatisticRecord,
)
from cqckg.read.model import Document, DocumentKind, Sentence

# The text patterns of graph/cues.ttl this module reads, with the anchors and flags it needs.
_TEXT_PATTERNS: dict[str, tuple[str, str, int]] = {
    # a sentence CQC's pages repeat in every report
    "boilerplate-opening": ("^(?:", ")", re.IGNORECASE),
    # a heading of a part without findings ("What people expect", "Financial facts")
    "no-findings-heading": ("^(?:", ")", re.IGNORECASE),
    # a line of the quality statement template ("Score: 3", "I statements ...")
    "template-line": (r"^\W*(?:", ")", re.IGNORECASE),
    # the lines opening and closing the block of I and We statements
    "statement-block-start": (r"^\W*(?:", r")\W*$", re.IGNORECASE | re.MULTILINE),
    "statement-block-end": (r"^\W*(?:", r")\W*$", re.IGNORECASE | re.MULTILINE),
    # a measure's label (lower-cased) where lower is better
    "lower-is-better-measure": ("", "", 0),
}


@cache
def _text(slug: str) -> re.Pattern[str]:
    return text_pattern(slug, *_TEXT_PATTERNS[slug])


# a negation in the same clause shortly before a strength word
_NEGATED_BEFORE = re.compile(r"\b(?:not|never|no longer|n[’']t)\b[^,;.]*$", re.IGNORECASE)
# a leading "While ..., " clause concedes too (mid-sentence "while" is a contrast)
_LEADING_WHILE = re.compile(r"^\W*(?:while|whilst)\b[^,;.]*,", re.IGNORECASE)


def _markers(vocab: Vocabulary, kind: str) -> str:
    """The discourse-marker vocabulary's signals of one kind (``graph/vocabularies.ttl``), as a
    regex alternation, longest first, spaces matching any white space."""
    concept = vocab.concepts.get("discourse-marker", {}).get(kind)
    return _alternation(concept.signals if concept else ())


@lru_cache(maxsize=16)
def _alternation(signals: tuple[str, ...]) -> str:
    if not signals:
        return "(?!)"
    ordered = sorted(signals, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(s).replace("\\ ", "\\s+") for s in ordered) + ")"


@lru_cache(maxsize=1)
def _concession() -> re.Pattern[str]:
    """A concession ("despite varying quality", "apart from 2") up to the end of its clause."""
    return re.compile(rf"\b{_markers(load_vocabulary(), 'concession')}\b[^,;.]*", re.IGNORECASE)


# a strength needs this much more weight than the gap cues, or at least one cue and no gap cue
GAP_THRESHOLD = 1.5
MARGIN = 1.0


@dataclass(frozen=True)
class Weighing:
    """The cues a sentence matched, and the verdict they give."""

    kind: FindingKind | None
    gap_kind: GapKind | None
    gap: float
    strength: float
    matched: tuple[str, ...]


def _mask(text: str, spans: Sequence[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for s, e in spans:
        for i in range(s, e):
            chars[i] = " "
    return "".join(chars)


@dataclass(frozen=True)
class _CueWeights:
    """What the cue patterns alone say of a sentence."""

    gap: float
    strength: float
    kinds: tuple[tuple[GapKind, float], ...]
    matched: tuple[str, ...]
    appraisal: float = 0.0  # the part of ``strength`` from appraisal words ("good", "clear")


@lru_cache(maxsize=8192)
def _cue_weights(text: str) -> _CueWeights:
    """The cues' weights for a sentence; cached, as reports repeat sentences (a quality statement
    page repeats the full report's text)."""
    matched: list[str] = []
    strength = 0.0
    masked_spans: list[tuple[int, int]] = []
    folded = fold_case(text)
    cues = finding_cues()
    for cue in cues.negated_problems:
        if not cue.may_match(folded):
            continue
        for m in cue.pattern.finditer(text):
            strength += cue.weight
            if cue.weight:
                matched.append(cue.name)
            masked_spans.append(m.span())
    # a concession ("despite varying quality", "apart from 2") does not state the finding
    masked_spans += [m.span() for m in _concession().finditer(text)]
    masked_spans += [m.span() for m in _LEADING_WHILE.finditer(text)]
    rest = _mask(text, masked_spans)
    if masked_spans:
        folded = fold_case(rest)
    gap = 0.0
    kinds: dict[GapKind, float] = {}
    for cue in cues.gaps:
        if not cue.may_match(folded):
            continue
        hits = len(cue.pattern.findall(rest))
        if hits:
            w = cue.weight * min(hits, 1 if cue.weight < 2 else 2)
            gap += w
            matched.append(cue.name)
            if cue.gap_kind is not None:
                kinds[cue.gap_kind] = kinds.get(cue.gap_kind, 0.0) + w
    appraisal = 0.0
    for cue in cues.strengths:
        if not cue.may_match(folded):
            continue
        hits = 0
        for m in cue.pattern.finditer(rest):
            if _NEGATED_BEFORE.search(rest, max(0, m.start() - 40), m.start()):
                # "was not recorded as being coproduced", "not clear": a strength denied
                gap += 1.5
                kinds[GapKind.SHORTFALL] = kinds.get(GapKind.SHORTFALL, 0.0) + 1.5
                matched.append("negated-" + cue.name)
            else:
                hits += 1
        if hits:
            strength += cue.weight * min(hits, 3)
            appraisal += cue.weight * min(hits, 3)
            matched.append(cue.name)
    return _CueWeights(gap, strength, tuple(kinds.items()), tuple(matched), appraisal)


def weigh(text: str, statistics: Iterable[StatisticRecord] = ()) -> Weighing:
    """Classify one sentence.

    >>> weigh("However, staff told us this service was not always available.").kind
    <FindingKind.GAP: 'gap'>
    >>> weigh("Frontline teams told us they had no waiting lists for people.").kind
    <FindingKind.STRENGTH: 'strength'>
    >>> weigh("The team met monthly.").kind is None
    True
    """
    cues = _cue_weights(text)
    gap, strength, kinds, matched = cues.gap, cues.strength, dict(cues.kinds), list(cues.matched)
    for st in statistics:
        worse = _worse_than_comparator(st)
        if worse is True:
            gap += 2.5
            kinds[GapKind.BELOW_AVERAGE] = kinds.get(GapKind.BELOW_AVERAGE, 0.0) + 5.0
            matched.append("statistic-worse")
        elif worse is False:
            strength += 2.5
            matched.append("statistic-better")
    kind: FindingKind | None = None
    if gap >= GAP_THRESHOLD and gap >= strength - MARGIN:
        kind = FindingKind.GAP
    elif (strength >= 2.0 and strength > gap + MARGIN) or (cues.appraisal >= 1.0 and gap == 0):
        kind = FindingKind.STRENGTH
    elif gap >= 1.0 and strength >= 1.0:
        kind = FindingKind.UNKNOWN  # evidence both ways, neither outweighs: not guessed
    gap_kind = max(kinds, key=lambda k: kinds[k]) if kind is FindingKind.GAP and kinds else None
    if kind is FindingKind.GAP and gap_kind is None:
        gap_kind = GapKind.AREA_FOR_DEVELOPMENT
    return Weighing(kind, gap_kind, gap, strength, tuple(matched))


def explain(text: str) -> str:
    """A one-line account of why a sentence was classified as it was."""
    w = weigh(text)
    verdict = w.kind.value if w.kind else "not a finding"
    cues = ", ".join(w.matched) or "no cues"
    return f"{verdict} (gap {w.gap:.1f}, strength {w.strength:.1f}: {cues})"


def _worse_than_comparator(st: StatisticRecord) -> bool | None:
    if st.comparator_value is None or st.direction is None or st.direction is Direction.SIMILAR:
        return None
    # Measures where lower is better (vacancies, sickness, turnover, waits) invert the sense.
    label = st.measure_label.lower()
    lower_is_better = _text("lower-is-better-measure").search(label) is not None
    lower = st.direction is Direction.LOWER
    return lower != lower_is_better


def _excluded_spans(doc: Document) -> list[tuple[int, int]]:
    """Blocks holding the I and We statements (from their heading to the key findings)."""
    spans = []
    for m in _text("statement-block-start").finditer(doc.text):
        end = _text("statement-block-end").search(doc.text, m.end())
        spans.append((m.start(), end.start() if end else min(len(doc.text), m.end() + 1500)))
    return spans


def _eligible(doc: Document, sentence: Sentence, excluded: list[tuple[int, int]]) -> bool:
    if any(s <= sentence.start < e for s, e in excluded):
        return False
    text = sentence.text.strip()
    if (
        len(text) < 25
        or _text("boilerplate-opening").match(text)
        or _text("template-line").match(text)
    ):
        return False
    if not _LOWER_WORD.search(text) or text.count(" ") < 4:
        return False
    section = doc.section_of(sentence)
    headings = () if section is None else (*section.path, section.heading)
    if any(_holds_no_findings(h) for h in headings):
        return False
    if doc.kind is DocumentKind.LANDING_PAGE:
        # a landing page states findings only in its "About" part (health inequalities ...)
        return any(_is_summary(h) for h in headings)
    if doc.kind in (DocumentKind.FULL_REPORT, DocumentKind.QUALITY_STATEMENT_PAGE):
        qs = (section.quality_statement if section else None) or doc.quality_statement
        in_summary = any(_is_summary(h) for h in headings)
        return qs is not None or in_summary
    return True


_LOWER_WORD = re.compile(r"[a-z]{3,}")
_LEADING_NON_WORD = re.compile(r"^\W+")


@lru_cache(maxsize=1024)
def _holds_no_findings(heading: str) -> bool:
    """A heading of a part without findings ("What people expect", "Financial facts")."""
    clean = _LEADING_NON_WORD.sub("", heading.replace("**", "")).strip()
    return _text("no-findings-heading").match(clean) is not None


def _in_about(doc: Document, sentence: Sentence) -> bool:
    section = doc.section_of(sentence)
    headings = () if section is None else (*section.path, section.heading)
    return any(h.lower().lstrip("# ").startswith(("about ", "demographics")) for h in headings)


@lru_cache(maxsize=1024)
def _is_summary(heading: str) -> bool:
    return heading.lower().lstrip("# ").startswith(("summary of", "about ", "demographics"))


def _evidence(doc: Document, vocab: Vocabulary, sentence: Sentence) -> EvidenceCategory | None:
    """The sentence's own evidence cue, else the nearest cue before it in its paragraph: a CQC
    paragraph reports one source of evidence ("People told us ... They felt ...")."""
    i = sentence.index
    while i >= 0 and doc.sentences[i].paragraph == sentence.paragraph:
        slug = vocab.evidence_category_in(doc.sentences[i].text)
        if slug is not None:
            return EvidenceCategory(slug)
        i -= 1
    return None


def extract_findings(
    doc: Document, vocab: Vocabulary, statistics: Iterable[StatisticRecord] = ()
) -> list[FindingRecord]:
    """Strengths, gaps and findings of unknown polarity stated in one document: one per
    sentence, two for a sentence split at a contrast, one for a sentence and those leaning on it.
    """
    excluded = _excluded_spans(doc)
    by_sentence: dict[int, list[StatisticRecord]] = {}
    starts = [s.start for s in doc.sentences]
    for st in statistics:
        for a in st.anchors:
            if a.document_sha256 != doc.sha256:
                continue
            i = max(0, bisect.bisect_right(starts, a.start) - 1)
            while i < len(doc.sentences) and doc.sentences[i].start < a.end:
                if a.start < doc.sentences[i].end:
                    by_sentence.setdefault(i, []).append(st)
                i += 1
    out: list[FindingRecord] = []
    previous: Sentence | None = None
    for sentence in doc.sentences:
        if not _eligible(doc, sentence, excluded):
            previous = None
            continue
        # a figure of the "About" part describes the place, not how the council does
        stats = () if _in_about(doc, sentence) else by_sentence.get(sentence.index, ())
        found = _sentence_findings(doc, vocab, sentence, stats)
        leans = (
            previous is not None
            and previous.paragraph == sentence.paragraph
            and previous.index == sentence.index - 1
            and _leans_on_previous(vocab).match(sentence.text.strip()) is not None
        )
        if leans and len(found) == 1 and previous is not None:
            first = previous
            # the sentence before leans too ("... . It was ... . This was ..."): back to the start
            while (
                first.index > 0
                and _leans_on_previous(vocab).match(first.text.strip()) is not None
                and doc.sentences[first.index - 1].paragraph == first.paragraph
                and _eligible(doc, doc.sentences[first.index - 1], excluded)
            ):
                first = doc.sentences[first.index - 1]
            start = first.start
            if out and _ends_in(out[-1], previous):
                # a chain ("... . It was ... . This was ..."): from the start of the finding before
                start = min(start, out[-1].anchors[0].start)
            combined = _with_antecedent(doc, vocab, start, sentence, found[0])
            if out and _covers(combined, out[-1]):
                out.pop()  # the sentence before is this finding's own start: one finding of both
            found = [combined]
        out.extend(found)
        previous = sentence
    return out


def _leans_on_previous(vocab: Vocabulary) -> re.Pattern[str]:
    """A sentence that cannot be read without the one before: it opens with a reference to it
    ("This was ...", "In both cases ...": the discourse-marker vocabulary's
    antecedent-reference signals), or with "this"/"these" and a noun naming what the sentence
    before told of ("This initiative was developed ...")."""
    return re.compile(
        rf"^(?:{_markers(vocab, 'antecedent-reference')}\b"
        r"|(?:this|these) [a-z]+ (?:was|were|had|has|is|are|included|meant|showed)\b)",
        re.IGNORECASE,
    )


def _covers(outer: FindingRecord, inner: FindingRecord) -> bool:
    (a,) = outer.anchors[:1]
    return all(a.start <= b.start and b.end <= a.end for b in inner.anchors)


def _ends_in(rec: FindingRecord, sentence: Sentence) -> bool:
    a = rec.anchors[0]
    return sentence.start <= a.end <= sentence.end and len(rec.anchors) == 1


def _with_antecedent(
    doc: Document, vocab: Vocabulary, start: int, sentence: Sentence, rec: FindingRecord
) -> FindingRecord:
    """The finding quoted with the sentence it leans on: one anchor spanning both."""
    a = anchor(doc, start, sentence.end)
    return dataclasses.replace(rec, text=a.exact, anchors=(a,), topics=vocab.topics_in(a.exact))


def _contrast(vocab: Vocabulary) -> re.Pattern[str]:
    """Where a sentence turns from one side to the other ("..., but ...", "... however, ..."):
    the discourse-marker vocabulary's contrast signals inside a sentence."""
    return re.compile(rf",?\s+{_markers(vocab, 'contrast')}\b,?\s+", re.IGNORECASE)


def _sentence_findings(
    doc: Document, vocab: Vocabulary, sentence: Sentence, stats: Sequence[StatisticRecord]
) -> list[FindingRecord]:
    """The finding a sentence states, or a strength and a gap when it states one of each on
    either side of a contrast ("The strategy was clear and concise but was not recorded as being
    coproduced."): each quoted by its own clause, an exact span of the sentence."""
    text = sentence.text.strip()
    lead = sentence.text.index(text[:1]) if text else 0
    base = sentence.start + lead
    for m in _contrast(vocab).finditer(text):
        head, tail = text[: m.start()], text[m.start() :].lstrip(", ")
        if head.count(" ") < 3 or tail.count(" ") < 4:
            continue
        h, t = _side(head), _side(tail)
        if h is not None and t is not None and h != t:
            tail_start = base + len(text) - len(tail)
            return [
                _record(doc, vocab, sentence, base, base + len(head), h, stats),
                _record(doc, vocab, sentence, tail_start, base + len(text), t, stats),
            ]
    w = weigh(text, stats)
    if w.kind is None:
        return []
    return [_record(doc, vocab, sentence, base, base + len(text), w.kind, stats, w.gap_kind)]


def _side(clause: str) -> FindingKind | None:
    """One side of a contrast: a gap or a strength when its cues say only that."""
    c = _cue_weights(clause)
    if c.gap >= GAP_THRESHOLD and c.strength == 0:
        return FindingKind.GAP
    if c.appraisal >= 1.0 and c.gap == 0:
        return FindingKind.STRENGTH
    return None


def _record(
    doc: Document,
    vocab: Vocabulary,
    sentence: Sentence,
    start: int,
    end: int,
    kind: FindingKind,
    stats: Sequence[StatisticRecord],
    gap_kind: GapKind | None = None,
) -> FindingRecord:
    a = anchor(doc, start, end)
    if kind is FindingKind.GAP and gap_kind is None:
        gap_kind = weigh(a.exact, stats).gap_kind or GapKind.SHORTFALL
    category = _evidence(doc, vocab, sentence)
    if category is None and stats:
        category = EvidenceCategory.PROCESSES
    section = doc.section_of(sentence)
    qs = (section.quality_statement if section else None) or doc.quality_statement
    return FindingRecord(
        kind=kind,
        text=a.exact,
        quality_statement=qs,
        evidence_category=category,
        # a clause of a split sentence keeps the sentence's subject ("mental health provision
        # ... was good, but not always appropriate ...")
        topics=vocab.topics_in(sentence.text),
        anchors=(a,),
        gap_kind=gap_kind if kind is FindingKind.GAP else None,
    )
