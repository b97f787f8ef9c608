"""Which strategies address which gaps, and on what basis.

Three bases, from strongest to weakest (``LinkBasis``):

* **stated**: the report says so. The strategy's sentence, or the sentence right after a gap,
  carries an addressing phrase ("to address this", "had plans to", "aimed to reduce", "was
  designed to", "in response to", "included this in their ... plan", "this was reflected in the
  ... Strategy", "as part of its ... strategy") and the gap is in the same
  sentence or the one before it, within one passage. In the gap's own sentence the phrase must
  come before the strategy's name ("they have included this in their Market Sustainability
  plan"): after it ("the Grant was used ... and aimed to reduce ...") the sentence describes the
  strategy, it does not answer a shortfall.
  Also stated, with less confidence: the report states what a strategy was set up to deal with
  ("set up to address life expectancy disparities ... and reduce the health inequalities",
  "designed at reducing health inequalities") and a gap elsewhere in the document names that
  very problem in the same words (a two-word term of the stated object that signals a specific
  topic: "health inequalities", "life expectancy"), not merely a related topic.
* **same-passage**: a gap and a strategy in different sentences of the same paragraph (at most
  four apart), sharing a topic. A gap sentence that names the strategy without an addressing
  phrase is about the strategy (it falls short, or is only its context), so it is not linked;
  nor is a gap sentence that names another strategy to a strategy of a neighbouring sentence
  (the gap is about the one it names).
* **shared-topic**: a gap and a strategy of the same quality statement sharing a specific topic
  that both the strategy's name and its stated purpose announce ("Carers Strategy ... to
  support unpaid carers"), that few gaps of the document carry, and that is not the subject of
  the gap's quality statement (a topic on more than 40% of its gaps: "safeguarding" under
  Safeguarding). Name alone, or a statement's own subject, linked strategies to most gaps of a
  statement and was wrong about two times in three on the gold set, so it is not enough.

Confidence falls with the basis and with distance. A gap nothing addresses stays unaddressed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from cqckg.core.vocabulary import Vocabulary
from cqckg.extract.anchors import sentence_anchor
from cqckg.extract.cues import concept_group, text_pattern
from cqckg.extract.records import (
    AddressingLinkRecord,
    Anchor,
    FindingKind,
    FindingRecord,
    LinkBasis,
    StrategyRecord,
)
from cqckg.read.model import Document, Sentence

# Topics broad enough to tag most sentences; sharing only these says nothing.

STATED_SAME_SENTENCE = 0.9
STATED_NEXT_SENTENCE = 0.8
STATED_PURPOSE = 0.7
SAME_PASSAGE = 0.6
SHARED_TOPIC = 0.4
MAX_INFERRED_PER_GAP = 1
# Between strategies equally fit for a gap, an inferred link goes to the broadest: a strategy
# covers every gap of its topic, a project or protocol usually one piece of it.


def _sentences_of(doc: Document, anchors: Iterable[Anchor]) -> list[Sentence]:
    out = []
    for a in anchors:
        if a.document_sha256 == doc.sha256:
            out.extend(doc.sentences_overlapping(a.start, a.end))
    return out


def _addressing() -> re.Pattern[str]:
    """Words saying something is done to deal with a problem ("to address", "aimed to", "in
    response to"): text:addressing-phrase in graph/cues.ttl."""
    return text_pattern("addressing-phrase")


def _purpose() -> re.Pattern[str]:
    """Words introducing what a strategy is for ("set up to", "focused on"):
    text:purpose-phrase in graph/cues.ttl."""
    return text_pattern("purpose-phrase", r"\b(?:", r")\b")


# What a strategy is stated to deal with: the noun phrase after "set up to address", "designed
# at reducing", "targeted funding to reduce", up to the end of its clause.
_REMEDY = re.compile(
    r"\b(?:set up|designed|aim(?:ed|s)?|intended|funding|used)\s+(?:to|at)\s+"
    r"(?:address|reduc|tackl|clos|prevent)\w*\s+(?:the\s+)?",
    re.IGNORECASE,
)
# After that opening, further remedies in the same sentence: "... and reduce the health
# inequalities".
_MORE_REMEDY = re.compile(r"\b(?:address|reduc|tackl|clos|prevent)\w*\s+(?:the\s+)?", re.I)
_CLAUSE_END = re.compile(
    r"[,;:.()]|\s(?:to|which|who|that|so|by|through|for|with|in|and (?:was|were|had|has|is|are))\b",
    re.IGNORECASE,
)


def remedy_terms(doc: Document, vocab: Vocabulary, strategy: StrategyRecord) -> dict[str, set[str]]:
    """The two-word terms naming the problem a strategy is said to be for, with their specific
    topics ("set up to address life expectancy disparities" -> {"life expectancy":
    {"health-inequalities"}, ...}). Only terms that signal a topic count."""
    terms: dict[str, set[str]] = {}
    for m in _sentences_of(doc, strategy.anchors):
        first = _REMEDY.search(m.text)
        if first is None:
            continue
        for found in (first, *_MORE_REMEDY.finditer(m.text, first.end())):
            rest = m.text[found.end() :]
            stop = _CLAUSE_END.search(rest)
            words = re.findall(r"[\w'’-]+", rest[: stop.start() if stop else len(rest)].casefold())
            for pair in itertools.pairwise(words):
                term = " ".join(pair)
                topics = _specific(vocab.topics_in(term))
                if topics:
                    terms[term] = topics
    return terms


def _names_problem(text: str, terms: dict[str, set[str]], topics: set[str]) -> bool:
    """A gap names a stated problem when it uses one of its terms, with a topic in common."""
    low = " ".join(re.findall(r"[\w'’-]+", text.casefold()))
    return any(f" {t} " in f" {low} " and found & topics for t, found in terms.items())


def _names_at(text: str, strategy: StrategyRecord) -> int | None:
    """Where the sentence names the strategy (any of its titles), or None."""
    low = text.casefold()
    hits = [low.find(t.casefold()) for t in (strategy.title, *strategy.alt_titles)]
    found = [h for h in hits if h >= 0]
    return min(found) if found else None


def _answers(text: str, strategy: StrategyRecord) -> bool:
    """A sentence naming both a gap and a strategy states a link when an addressing phrase comes
    before the strategy's name ("to address this gap ... worked with the Staying Safe Project")."""
    at = _names_at(text, strategy)
    phrase = _addressing().search(text)
    return phrase is not None and (at is None or phrase.start() < at)


def _specific(topics: Iterable[str]) -> set[str]:
    broad = concept_group("broad-topics")  # too broad to link on
    return {t for t in topics if t not in broad}


_ANAPHOR = re.compile(
    r"^\W*(?:this|these|it|the (?:strategy|plan|project|programme|approach|fund|aim))\b", re.I
)


def title_topics(vocab: Vocabulary, strategy: StrategyRecord) -> set[str]:
    """The topics a strategy's name announces ("Carers Strategy" -> unpaid carers)."""
    topics: set[str] = set()
    for title in (strategy.title, *strategy.alt_titles):
        topics.update(vocab.topics_in(title))
    return _specific(topics)


def purpose_topics(doc: Document, vocab: Vocabulary, strategy: StrategyRecord) -> set[str]:
    """What the report says a strategy is for: the topics after a purpose phrase in its sentences.

    Only the words after "set up to address", "aimed to reduce", "made specific reference to" ...
    count, so the context a strategy is merely mentioned in does not.
    """
    topics: set[str] = set()
    for m in _sentences_of(doc, strategy.anchors):
        found = _purpose().search(m.text)
        if found is not None:
            topics.update(vocab.topics_in(m.text[found.start() :]))
        following = doc.sentences[m.index + 1] if m.index + 1 < len(doc.sentences) else None
        if (
            following is not None
            and following.paragraph == m.paragraph
            and _ANAPHOR.match(following.text)
        ):
            topics.update(vocab.topics_in(following.text))
    return _specific(topics)


# A topic carried by more than this share of a document's gaps is too common to link on alone.
RARE_TOPIC_SHARE = 0.25


def _rare_topics(gaps: list[FindingRecord]) -> set[str]:
    counts: dict[str, int] = {}
    for g in gaps:
        for t in _specific(g.topics):
            counts[t] = counts.get(t, 0) + 1
    limit = max(2, int(len(gaps) * RARE_TOPIC_SHARE))
    return {t for t, n in counts.items() if n <= limit}


# A topic carried by more than this share of the gaps of one quality statement is that
# statement's own subject ("safeguarding" under Safeguarding): sharing it does not say which gap
# a strategy answers. Statements with fewer gaps than QS_MIN_GAPS give no inferred links at all.
QS_SUBJECT_SHARE = 0.4
QS_MIN_GAPS = 3


def _statement_subjects(gaps: list[FindingRecord]) -> dict[str | None, set[str]]:
    """Per quality statement, the topics too common among its gaps to infer a link from."""
    by_qs: dict[str | None, list[FindingRecord]] = {}
    for g in gaps:
        by_qs.setdefault(g.quality_statement, []).append(g)
    out: dict[str | None, set[str]] = {}
    for qs, members in by_qs.items():
        counts: dict[str, int] = {}
        for g in members:
            for t in _specific(g.topics):
                counts[t] = counts.get(t, 0) + 1
        if len(members) < QS_MIN_GAPS:
            out[qs] = set(counts)
        else:
            out[qs] = {t for t, n in counts.items() if n > len(members) * QS_SUBJECT_SHARE}
    return out


def _anchors(doc: Document, where: list[Sentence]) -> tuple[Anchor, ...]:
    """One anchor over the passage when the sentences a link rests on share a paragraph (so its
    quote reads as the report does), else one anchor per sentence."""
    if len({s.paragraph for s in where}) == 1:
        return (sentence_anchor(doc, *where),)
    return tuple(sorted({sentence_anchor(doc, s) for s in where}))


def _breadth(strategy: StrategyRecord) -> int:
    """How broad a strategy's kind is: its place among the kinds, broadest first."""
    kinds = concept_group("strategy-kinds-by-breadth")
    return kinds.index(strategy.kind) if strategy.kind in kinds else len(kinds)


def extract_links(
    doc: Document,
    vocab: Vocabulary,
    findings: Iterable[FindingRecord],
    strategies: Iterable[StrategyRecord],
) -> list[AddressingLinkRecord]:
    """Links from the strategies named in ``doc`` to the gaps found in it."""
    gaps = [f for f in findings if f.kind is FindingKind.GAP]
    gap_sentences = {id(g): _sentences_of(doc, g.anchors) for g in gaps}
    rare = _rare_topics(gaps)
    subjects = _statement_subjects(gaps)
    best: dict[tuple[str, str], AddressingLinkRecord] = {}

    def offer(
        st: StrategyRecord, gap: FindingRecord, basis: LinkBasis, conf: float, where: list[Sentence]
    ) -> None:
        key = (st.title, gap.text)
        old = best.get(key)
        if old is None or conf > old.confidence:
            best[key] = AddressingLinkRecord(
                st.title, gap.text, basis, round(conf, 2), _anchors(doc, where)
            )

    inferred: dict[str, list[tuple[float, StrategyRecord, list[Sentence]]]] = {}
    strategies = list(strategies)
    for st in strategies:
        others = [o for o in strategies if o is not st]
        mentions = _sentences_of(doc, st.anchors)
        if not mentions:
            continue
        purpose = purpose_topics(doc, vocab, st)
        named = title_topics(vocab, st)
        remedy = remedy_terms(doc, vocab, st)
        sections = (doc.section_of(m) for m in mentions)
        mention_qs = {sec.quality_statement for sec in sections if sec is not None}
        for gap in gaps:
            g_sents = gap_sentences[id(gap)]
            if not g_sents:
                continue
            g_topics = _specific(gap.topics)
            for m in mentions:
                for gs in g_sents:
                    if gs.paragraph != m.paragraph:
                        continue
                    distance = m.index - gs.index
                    if distance == 0:
                        if _answers(m.text, st):
                            offer(st, gap, LinkBasis.STATED, STATED_SAME_SENTENCE, [m])
                    elif 0 < distance <= 2 and _addressing().search(m.text):
                        conf = STATED_NEXT_SENTENCE - 0.05 * (distance - 1)
                        offer(st, gap, LinkBasis.STATED, conf, [gs, m])
                    elif (
                        distance == -1 and _ANAPHOR.match(gs.text) and _addressing().search(gs.text)
                    ):
                        offer(st, gap, LinkBasis.STATED, STATED_NEXT_SENTENCE, [m, gs])
                    elif (
                        abs(distance) <= 4
                        and (purpose | named) & g_topics
                        and not any(_names_at(gs.text, o) is not None for o in others)
                    ):
                        offer(st, gap, LinkBasis.SAME_PASSAGE, SAME_PASSAGE, [gs, m])
            if (
                remedy
                and _names_problem(gap.text, remedy, g_topics)
                and not any(_names_at(gs.text, st) is not None for gs in g_sents)
            ):
                offer(st, gap, LinkBasis.STATED, STATED_PURPOSE, [*g_sents[:1], *mentions[:1]])
            # Inferred from a shared topic: the strategy's name announces the gap's topic, and
            # the gap sits in a quality statement the strategy is discussed under (or in a
            # summary, which spans all of them).
            shared = named & purpose & g_topics & rare - subjects.get(gap.quality_statement, set())
            if shared and (gap.quality_statement is None or gap.quality_statement in mention_qs):
                conf = SHARED_TOPIC + 0.05 * min(len(shared) - 1, 2)
                if purpose & shared:
                    conf += 0.05
                inferred.setdefault(gap.text, []).append((conf, st, [*g_sents[:1], *mentions[:1]]))
    # An inferred link only for the strategies that fit a gap best, and only where nothing
    # stronger links that gap already.
    for gap in gaps:
        if any(k[1] == gap.text for k in best):
            continue
        candidates = sorted(
            inferred.get(gap.text, []), key=lambda c: (-c[0], _breadth(c[1]), c[1].title)
        )
        for conf, st, where in candidates[:MAX_INFERRED_PER_GAP]:
            offer(st, gap, LinkBasis.SHARED_TOPIC, conf, where)
    return sorted(best.values(), key=lambda ln: (ln.strategy, ln.gap))
