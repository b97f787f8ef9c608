"""Which strategies address which gaps, and on what basis.

Three bases, from strongest to weakest (``LinkBasis``):

* **stated**: the report says so. The strategy's sentence, or the sentence right after a gap,
  carries an addressing phrase ("to address this", "had plans to", "aimed to reduce", "was
  designed to", "in response to", "included this in their ... plan") and the gap is in the same
  sentence or the one before it, within one passage.
* **same-passage**: a gap and a strategy in the same paragraph, sharing a topic.
* **shared-topic**: a gap and a strategy of the same quality statement sharing a specific topic
  (not one of the broad topics that tag most sentences).

Confidence falls with the basis and with distance. A gap nothing addresses stays unaddressed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cqckg.extract.anchors import sentence_anchor
from cqckg.extract.records import (
    Anchor,
    FindingKind,
    FindingRecord,
    LinkBasis,
    LinkRecord,
    StrategyRecord,
)
from cqckg.ingest.model import Document, Sentence
from cqckg.vocabulary import Vocabulary

_ADDRESSING = re.compile(
    r"\b(?:to address(?:es|ed|ing)?|address(?:es|ed|ing)? (?:this|these|the|some|any|issues|concerns|"
    r"inequalit\w+|isolation|life expectancy)|had plans? (?:in place )?to|has plans? to|plans? (?:was|were) "
    r"in place|had made plans to|made plans to|aim(?:ed|s)? (?:to|at)|designed (?:to|at)|set up to|"
    r"in response to|to (?:tackle|reduce|improve|increase|close|strengthen|prevent|develop|enhance)|"
    r"tackl(?:e|ing)|reduc(?:e|ing)|to help (?:identify|reduce)|included this in|focus(?:ed|ing)? on|"
    r"working (?:closely )?with [^.]{0,40} to (?:address|improve|resolve)|actively addressing|"
    r"was working to|were working to|improvement plans?)\b",
    re.IGNORECASE,
)
# Topics broad enough to tag most sentences; sharing only these says nothing.
_BROAD_TOPICS = frozenset(
    {
        "partnership-working",
        "leadership",
        "governance-and-performance",
        "co-production",
        "workforce",
    }
)

STATED_SAME_SENTENCE = 0.9
STATED_NEXT_SENTENCE = 0.8
SAME_PASSAGE = 0.6
SHARED_TOPIC = 0.4


def _sentences_of(doc: Document, anchors: Iterable[Anchor]) -> list[Sentence]:
    out = []
    for a in anchors:
        if a.document_sha256 != doc.sha256:
            continue
        for s in doc.sentences:
            if s.start < a.end and a.start < s.end:
                out.append(s)
    return out


def _specific(topics: Iterable[str]) -> set[str]:
    return {t for t in topics if t not in _BROAD_TOPICS}


def extract_links(
    doc: Document,
    vocab: Vocabulary,
    findings: Iterable[FindingRecord],
    strategies: Iterable[StrategyRecord],
) -> list[LinkRecord]:
    """Links from the strategies named in ``doc`` to the gaps found in it."""
    gaps = [f for f in findings if f.kind is FindingKind.GAP]
    gap_sentences = {id(g): _sentences_of(doc, g.anchors) for g in gaps}
    best: dict[tuple[str, str], LinkRecord] = {}

    def offer(
        st: StrategyRecord, gap: FindingRecord, basis: LinkBasis, conf: float, where: list[Sentence]
    ) -> None:
        key = (st.title, gap.text)
        old = best.get(key)
        if old is None or conf > old.confidence:
            anchors = tuple(sorted({sentence_anchor(doc, s) for s in where}))
            best[key] = LinkRecord(st.title, gap.text, basis, conf, anchors)

    for st in strategies:
        mentions = _sentences_of(doc, st.anchors)
        st_topics = _specific(st.topics) | _specific(
            t for s in mentions for t in vocab.topics_in(s.text)
        )
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
                    addressing = bool(_ADDRESSING.search(m.text))
                    if distance == 0 and addressing:
                        offer(st, gap, LinkBasis.STATED, STATED_SAME_SENTENCE, [m])
                    elif 0 < distance <= 2 and addressing:
                        offer(
                            st,
                            gap,
                            LinkBasis.STATED,
                            STATED_NEXT_SENTENCE - 0.05 * (distance - 1),
                            [gs, m],
                        )
                    elif abs(distance) <= 4 and (st_topics & g_topics):
                        offer(st, gap, LinkBasis.SAME_PASSAGE, SAME_PASSAGE, [gs, m])
            if (
                st_topics & g_topics
                and gap.quality_statement is not None
                and any(
                    (doc.section_of(m) and doc.section_of(m).quality_statement)
                    == gap.quality_statement  # type: ignore[union-attr]
                    for m in mentions
                )
            ):
                shared = sorted(st_topics & g_topics)
                conf = SHARED_TOPIC + 0.05 * min(len(shared) - 1, 2)
                offer(st, gap, LinkBasis.SHARED_TOPIC, conf, [*g_sents[:1], *mentions[:1]])
    return sorted(best.values(), key=lambda ln: (ln.strategy, ln.gap))
