"""Named strategies, plans, programmes, projects, funds, protocols and visions, with their kind,
years, co-producers and topics.

A title is recognised by how reports write one (every rule below is visible in the text it
matches):

1. a run of capitalised words ending in a head noun (:func:`_heads`), the head capitalised or
   not: "Carers Strategy", "Market Sustainability plan", "Winter plan";
2. a quoted name before a head noun: "'#2035' project", "'Fairer Futures' vision";
3. a name after "<head> called": "a project called 'Carers Found'";
4. a lower-case title only with its years ("a corporate equality plan for 2021-25"), or as
   "a/an <one word> strategy" ("a workforce strategy");

followed by optional years ("2023-2028", "2023-33", "2024 to 2029", "for 2023-2024") or an
acronym in brackets. Titles made only of generic words ("action plan", "care plan", "the
plan") are not names, nor is a plural ("strategies"). Two titles joined by "and" are split
("Health and Wellbeing Strategy and Carers Strategy"); so is "A and B Project" when A and
"B Project" are both named elsewhere in the document.

Mentions of one strategy are merged (:func:`merge_strategies`) on a key that ignores case,
quotes, years, plurals, a leading "The"/"Joint" (:func:`cqckg.extract.names.name_key`), with
rapidfuzz for near spellings; differing year ranges keep two editions apart. Every mention's
sentence is an anchor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Protocol

from rapidfuzz import fuzz

from cqckg.extract.cues import text_pattern, word_list
from cqckg.extract.names import (
    DETERMINERS,
    Run,
    SentenceAnchors,
    Token,
    acronym_after,
    clean,
    name_key,
    name_runs,
    split_list,
    without_overlaps,
    years_after,
)
from cqckg.extract.records import Anchor, PartnerOrganisationRecord, StrategyRecord
from cqckg.read.model import Document, Sentence


class StrategyVocabulary(Protocol):
    """What strategy extraction needs from :class:`cqckg.core.vocabulary.Vocabulary`."""

    def strategy_kind_for(self, title: str) -> str | None: ...

    def topics_in(self, text: str) -> tuple[str, ...]: ...


def _heads() -> frozenset[str]:
    """Singular head nouns that end a title ("strategy", "plan", "fund"; not "review", "pathway"):
    ``words:title-head`` in graph/cues.ttl."""
    return word_list("title-head")


def _generic() -> frozenset[str]:
    """Words that alone do not make a name for a plan ("the Action Plan", "an improvement plan"):
    ``words:generic-title-word`` in graph/cues.ttl."""
    return word_list("generic-title-word")


_QUOTED = re.compile(
    r"(?<![\w'’])['‘\"“]([^'‘’\"“”\n]{2,60}?)[,.]?['’\"”](?!\w)"
    r"(\s*\(\s*[A-Z][A-Za-z&]+\s*\))?\s+([A-Za-z]+)\b"
)
_CALLED = re.compile(r"\b([A-Za-z]+)\s+called\s+['‘\"“]?")
_LOWER_WITH_YEARS = re.compile(
    r"\b(?:[Aa]|[Aa]n|[Tt]he|[Ii]ts|[Tt]heir)\s+((?:[a-z][\w\-]*\s+){1,4}?)([a-z]+)(?=\s+(?:for\s+)?\(?(?:19|20)\d\d)"
)
_A_YEAR = re.compile(r"(?:19|20)\d\d")
_LOWER_STRATEGY = re.compile(r"\b(?:a|an)\s+([a-z][\w\-]+)\s+(strategy)\b")
_THIS_ONE = re.compile(
    r"^\s*(?:this|the|that)\s+(?:strategy|plan|programme|project|vision)\b", re.I
)
_LIST_TAIL = re.compile(r"[A-Z][\w'’\-]*,\s+(?:and|&)\s+$")
_LIST_AFTER = re.compile(r"\b(?:with|through|by)\s+(.+)", re.I)
_LIST_END = re.compile(
    r"[.;:()]|,\s*(?:which|who|where|whose|as|but|so)\b|\s+(?:which|who|to|focusing|and\s+was|"
    r"and\s+were|and\s+had|and\s+is|and\s+has|and\s+had|and\s+achieved|that|whereby)\b|—|–"
)
_TOLD_US = re.compile(r"\b([A-Za-z]+)\s+(?:also\s+)?told us(?:\s+that)?\s+they\b")


def _co_production() -> re.Pattern[str]:
    """ "co-produced", "co-designed" (text:co-production in graph/cues.ttl)."""
    return text_pattern("co-production")


@dataclass(frozen=True)
class TitleMention:
    """A title found in one sentence; offsets are into the sentence's text."""

    title: str
    start: int
    end: int
    start_year: int | None = None
    end_year: int | None = None
    acronym: str | None = None
    kind_word: str | None = None  # the head noun, when the title itself does not end in it
    capital_the: bool = False  # a capital "The" opened it in mid-sentence


def find_titles(text: str) -> list[TitleMention]:
    """Every strategy-like title in a sentence, in text order, without overlaps.

    >>> [m.title for m in find_titles("The Joint Health and Wellbeing Strategy 2023-33 was "
    ...     "co-produced with people.")]
    ['Joint Health and Wellbeing Strategy 2023-33']
    >>> [(m.title, m.start_year, m.end_year) for m in find_titles(
    ...     "There had been a Winter plan for 2023-2024 which had focused on prevention.")]
    [('Winter plan for 2023-2024', 2023, 2024)]
    >>> [m.title for m in find_titles("Partners spoke about the local authority's '#2035' "
    ...     "project and the care plan.")]
    ['#2035 project']
    >>> [m.title for m in find_titles("The most recent Health and Wellbeing Strategy and "
    ...     "Carers Strategy were strong examples.")]
    ['Health and Wellbeing Strategy', 'Carers Strategy']
    >>> find_titles("Commissioning strategies were aligned with the plan.")
    []
    """
    return list(_titles(text))


@lru_cache(maxsize=8192)
def _titles(text: str) -> tuple[TitleMention, ...]:
    """:func:`find_titles`, cached: reports repeat sentences (quality statement pages)."""
    found: list[TitleMention] = []
    for run in name_runs(text):
        found.extend(_titles_in_run(text, run))
    found.extend(_quoted_titles(text))
    found.extend(_called_titles(text))
    found.extend(_lower_case_titles(text))
    return tuple(without_overlaps(found))


def _titles_in_run(text: str, run: Run) -> list[TitleMention]:
    if _LIST_TAIL.search(text, 0, run.start):
        return []  # "Education, Health, and Social Care Plan": the title's start is unknown
    words = list(run.tokens)
    # a lower-case "the" inside a run ends what came before: "Co-production for the X Plan"
    inner_the = [i for i, t in enumerate(words) if t.text == "the"]
    if inner_the:
        words = words[inner_the[-1] + 1 :]
    capital_the = False
    while words and words[0].lower in DETERMINERS:
        capital_the = words[0].text == "The" and not run.sentence_initial
        words = words[1:]
    # "X Strategy and Y Plan" coordinates two titles
    segments: list[list[Token]] = [[]]
    for i, tok in enumerate(words):
        segments[-1].append(tok)
        nxt = words[i + 1] if i + 1 < len(words) else None
        if tok.lower in _heads() and nxt is not None and nxt.lower in {"and", "&"}:
            segments.append([])
    out = []
    for n, seg in enumerate(segments):
        seg = _strip_connectors(seg)
        if not seg:
            continue
        last = n == len(segments) - 1
        mention = _run_title(text, seg, last, run.sentence_initial and n == 0)
        if mention is not None:
            out.append(replace(mention, capital_the=capital_the and n == 0))
    return out


def _strip_connectors(seg: list[Token]) -> list[Token]:
    while seg and not seg[0].is_name:
        seg = seg[1:]
    while seg and not seg[-1].is_name:
        seg = seg[:-1]
    return seg


def _run_title(
    text: str, seg: list[Token], last: bool, sentence_initial: bool
) -> TitleMention | None:
    start = seg[0].start
    of_what = _head_for(seg)
    if seg[-1].lower in _heads():
        end = seg[-1].end
        words = [t.lower for t in seg]
    elif of_what is not None:
        # "Commissioning Strategy for Adult Social Care": the head, then what it is for
        end = seg[-1].end
        words = [t.lower for t in seg]
    elif last:
        # a lower-case head right after the run ("Market Sustainability plan"), perhaps after
        # an acronym ("Assessed Supported Year in Employment (ASYE) programme")
        pos = seg[-1].end
        acronym = acronym_after(text, pos)
        head_pos = acronym[1] if acronym else pos
        head = re.match(r"\s+([a-z]+)\b", text[head_pos:])
        if head is None or head.group(1) not in _heads():
            return None
        if sentence_initial and len(seg) == 1:
            return None  # "Commissioning plan ..." opening a sentence is not a name
        end = head_pos + head.end()
        title = f"{text[start:pos]} {head.group(1)}"
        mention = _finish(text, start, end, title, [t.lower for t in seg] + [head.group(1)])
        if mention is not None and acronym:
            mention = replace(mention, acronym=acronym[0])
        return mention
    else:
        return None
    return _finish(text, start, end, text[start:end], words)


def _head_for(seg: list[Token]) -> int | None:
    """Where a head word stands in a title that goes on "for"/"of" capitalised words."""
    for i, tok in enumerate(seg[:-2]):
        if (
            tok.lower in _heads()
            and i > 0
            and seg[i + 1].text in ("for", "of")
            and all(t.is_name or t.lower in ("and", "&", "of") for t in seg[i + 2 :])
        ):
            return i
    return None


def _finish(text: str, start: int, end: int, title: str, words: list[str]) -> TitleMention | None:
    if all(w in _generic() or w in _heads() for w in words[:-1]) or len(words) < 2:
        return None
    year_end, (y0, y1) = years_after(text, end)
    acronym = None
    if y0 is None:
        found = acronym_after(text, end)
        if found is not None:
            acronym, after = found
            year_end, (y0, y1) = years_after(text, after)
            if y0 is None:
                year_end = end
    if y0 is not None and year_end > end:
        title = title + text[end:year_end].rstrip(")").rstrip()
        if title.count("(") > title.count(")"):
            title = title.replace("(", "").replace("  ", " ")
    return TitleMention(clean(title), start, max(end, year_end), y0, y1, acronym)


def _quoted_titles(text: str) -> list[TitleMention]:
    out = []
    for m in _QUOTED.finditer(text):
        head = m.group(3)
        inner = clean(m.group(1))
        if head.casefold() not in _heads() or not inner or len(inner.split()) > 8:
            continue
        title = f"{inner} {head}"
        end, (y0, y1) = years_after(text, m.end())
        acronym = m.group(2).strip().strip("()").strip() if m.group(2) else None
        out.append(TitleMention(title, m.start(), max(end, m.end()), y0, y1, acronym))
    return out


def _called_titles(text: str) -> list[TitleMention]:
    out: list[TitleMention] = []
    if "called" not in text:  # what _CALLED needs; much cheaper than its scan
        return out
    for m in _CALLED.finditer(text):
        head = m.group(1).casefold()
        if head not in _heads():
            continue
        runs = name_runs(text[m.end() :])
        if not runs or runs[0].start != 0:
            continue
        name = runs[0]
        end = m.end() + name.end
        # a closing quote (and a comma inside it) belongs to the mention
        tail = re.match(r"[,.]?['’\"”]", text[end:])
        if tail:
            end += tail.end()
        out.append(TitleMention(clean(name.text), m.end(), end, kind_word=head))
    return out


def _lower_case_titles(text: str) -> list[TitleMention]:
    out: list[TitleMention] = []
    # cheap checks for what each pattern needs: a year, the word "strategy"
    with_years = _LOWER_WITH_YEARS.finditer(text) if _A_YEAR.search(text) else ()
    for m in with_years:
        head = m.group(2)
        words = m.group(1).split()
        if head not in _heads() or all(w in _generic() for w in words):
            continue
        end, (y0, y1) = years_after(text, m.end())
        if y0 is None:
            continue
        start = m.start(1)
        out.append(TitleMention(clean(text[start:end]), start, end, y0, y1))
    for m in _LOWER_STRATEGY.finditer(text) if "strategy" in text else ():
        if m.group(1) in _generic():
            continue
        out.append(TitleMention(f"{m.group(1)} {m.group(2)}", m.start(1), m.end(2)))
    return out


# -- co-producers ------------------------------------------------------------------------------


def co_producers_in(text: str) -> tuple[str, ...]:
    """Who a sentence says co-produced something: the list after "co-produced with/through",
    or the subject of "<X> told us they had co-produced".

    >>> co_producers_in("The strategy was co-produced with people, voluntary sector "
    ...     "organisations and partners.")
    ('people', 'voluntary sector organisations', 'partners')
    >>> co_producers_in("Co-production for the Plan had been done through The Advocacy "
    ...     "Project, Make it Happen, and Full of Life.")
    ('The Advocacy Project', 'Make it Happen', 'Full of Life')
    >>> co_producers_in("Providers told us they had co-produced the Carers Strategy 2023-2028, "
    ...     "which also had input from unpaid carers.")
    ('providers',)
    """
    cue = _co_production().search(text)
    if cue is None:
        return ()
    out: list[str] = []
    told = _TOLD_US.search(text[: cue.start()])
    if told is not None:
        out.append(told.group(1).casefold())
    rest = text[cue.end() :]
    # the noun ("co-production") names co-producers only as "co-production for/of X ... through
    # Y"; after the verb ("co-produced X with Y") a short object may come before the list
    if cue.group(0).casefold().endswith("tion") and not re.match(r"\s+(?:for|of)\b", rest):
        return tuple(out)
    listed = _LIST_AFTER.search(rest)
    if (
        listed is not None
        and not re.search(r"[.;]", rest[: listed.start()])
        and len(rest[: listed.start()].split()) <= 10
    ):
        span = listed.group(1)
        stop = _LIST_END.search(span)
        if stop is not None:
            span = span[: stop.start()]
        for item in split_list(span):
            item = re.sub(r"^(?:the\s+use\s+of\s+)?(?:the|a|an|its|their|our)\s+", "", item)
            if item and len(item.split()) <= 8 and not item[0].isdigit():
                out.append(item)
    return tuple(dict.fromkeys(out))


# -- the document pass ---------------------------------------------------------------------------


@dataclass
class _Mention:
    sentence: Sentence
    found: TitleMention
    kind: str


def extract_strategies(
    doc: Document, vocab: StrategyVocabulary, partners: Sequence[PartnerOrganisationRecord]
) -> list[StrategyRecord]:
    """The strategies a document names, merged, each anchored on the sentences naming it.

    Titles that are the names of partner organisations ("The Advocacy Project") are left to
    the partners; co-producers that name a partner are written with the partner's name.
    """
    partner_keys = _partner_keys(partners)
    mentions: list[_Mention] = []
    by_paragraph: dict[int, list[_Mention]] = {}
    records: list[StrategyRecord] = []
    sentence_anchor = SentenceAnchors(doc)

    for sentence in doc.sentences:
        here: list[_Mention] = []
        for found in find_titles(sentence.text):
            key = name_key(found.title)
            if key in partner_keys or (
                found.capital_the
                and found.title.split()[-1].casefold() in word_list("organisation-title-head")
            ):
                continue
            kind = vocab.strategy_kind_for(found.kind_word or found.title)
            if kind is None:
                continue
            here.append(_Mention(sentence, found, kind))
        producers = co_producers_in(sentence.text)
        target = _co_produced(sentence, here, by_paragraph.get(sentence.paragraph, []))
        for m in here:
            co = producers if m is target else ()
            records.append(_record(doc, vocab, m, sentence_anchor(sentence), co, partner_keys))
        if target is not None and target not in here and producers:
            records.append(
                _record(
                    doc,
                    vocab,
                    target,
                    sentence_anchor(sentence),
                    producers,
                    partner_keys,
                    add_topics=False,
                )
            )
        mentions.extend(here)
        by_paragraph.setdefault(sentence.paragraph, []).extend(here)

    records = _split_coordinated(records)
    merged = merge_strategies(records)
    return _lower_case_variants(doc, merged, sentence_anchor)


def _partner_keys(partners: Iterable[PartnerOrganisationRecord]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for p in partners:
        for n in (p.name, *p.alt_names):
            keys.setdefault(name_key(n), p.name)
    return keys


def _co_produced(
    sentence: Sentence, here: list[_Mention], earlier: list[_Mention]
) -> _Mention | None:
    """The strategy a co-production sentence is about: one it names, else "This strategy ..."
    refers to the last one named earlier in the paragraph."""
    cue = _co_production().search(sentence.text)
    if cue is None:
        return None
    before = [m for m in here if m.found.start < cue.start()]
    after = [m for m in here if m.found.start >= cue.start()]
    if before:
        return before[-1]
    if after:
        return after[0]
    if earlier and _THIS_ONE.match(sentence.text):
        return earlier[-1]
    return None


def _record(
    doc: Document,
    vocab: StrategyVocabulary,
    m: _Mention,
    where: Anchor,
    co_producers: tuple[str, ...],
    partner_keys: dict[str, str],
    *,
    add_topics: bool = True,
) -> StrategyRecord:
    found = m.found
    title = found.title
    alt = (found.acronym,) if found.acronym else ()
    co = tuple(dict.fromkeys(partner_keys.get(name_key(c), c) for c in co_producers))
    topics = vocab.topics_in(f"{title}. {m.sentence.text}") if add_topics else ()
    del doc
    return StrategyRecord(
        title=title,
        kind=m.kind,
        start_year=found.start_year,
        end_year=found.end_year,
        anchors=(where,),
        alt_titles=alt,
        co_producers=co,
        topics=topics,
    )


def _split_coordinated(records: list[StrategyRecord]) -> list[StrategyRecord]:
    """ "A and B Project" is two titles when "B Project" and A (as a title) occur elsewhere."""
    titles = {name_key(r.title) for r in records}
    cores = {_core(r.title) for r in records}
    out = []
    for r in records:
        parts = re.split(r"\s+and\s+", r.title)
        if len(parts) >= 2:
            left, right = " and ".join(parts[:-1]), parts[-1]
            head = r.title.split()[-1]
            right_title = right if right.split()[-1] == head else f"{right}"
            if name_key(right_title) in titles and name_key(left) in cores | titles:
                out.append(replace(r, title=right_title))
                left_match = next(
                    (
                        x
                        for x in records
                        if _core(x.title) == name_key(left) or name_key(x.title) == name_key(left)
                    ),
                    None,
                )
                if left_match is not None:
                    out.append(replace(r, title=left_match.title, kind=left_match.kind))
                continue
        out.append(r)
    return out


def _core(title: str) -> str:
    """A title's key without its head noun ("carers found" for "'Carers Found' project")."""
    words = name_key(title).split()
    return " ".join(words[:-1]) if len(words) > 1 and words[-1] in _heads() else " ".join(words)


# -- merging ----------------------------------------------------------------------------------

_FUZZY = 92.0


def merge_strategies(records: Iterable[StrategyRecord]) -> list[StrategyRecord]:
    """Merge records of one strategy: same kind and key (or a close key), compatible years.

    Anchors are concatenated, other titles kept as alternatives, co-producers and topics
    unioned; a record without years joins the latest edition with the same key.

    >>> a = StrategyRecord("Joint Health and Wellbeing Strategy 2023-33", "strategy", 2023,
    ...                    2033, ())
    >>> b = StrategyRecord("Health and Wellbeing Strategy", "strategy", None, None, ())
    >>> c = StrategyRecord("Health and Wellbeing Strategy 2023-2033", "strategy", 2023, 2033, ())
    >>> [(r.title, r.alt_titles) for r in merge_strategies([a, b, c])]
    [('Joint Health and Wellbeing Strategy 2023-33', ('Health and Wellbeing Strategy 2023-2033', \
'Health and Wellbeing Strategy'))]
    """
    groups: list[list[StrategyRecord]] = []
    keys: list[str] = []
    for r in records:
        key = name_key(r.title)
        for i, other in enumerate(keys):
            if _same(key, other) and groups[i][0].kind == r.kind:
                groups[i].append(r)
                break
        else:
            keys.append(key)
            groups.append([r])
    out: list[StrategyRecord] = []
    for group in groups:
        out.extend(_editions(group))
    return out


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 12:
        return False
    return fuzz.ratio(a, b) >= _FUZZY


def _editions(group: list[StrategyRecord]) -> list[StrategyRecord]:
    """Split a group by year range; records without years join the latest edition."""
    editions: dict[tuple[int | None, int | None], list[StrategyRecord]] = {}
    for r in group:
        if r.start_year is None:
            continue
        span = (r.start_year, r.end_year)
        match = next(
            (k for k in editions if k[0] == span[0] and None in (k[1], span[1])),
            None,
        )
        if match is not None and match != span:
            members = editions.pop(match)
            span = (span[0], span[1] if span[1] is not None else match[1])
            editions[span] = members
        editions.setdefault(span, []).append(r)
    undated = [r for r in group if r.start_year is None]
    if not editions:
        return [_combine(undated, (None, None))]
    latest = max(editions, key=lambda k: (k[0] or 0, k[1] or 0))
    editions[latest].extend(undated)
    return [_combine(members, span) for span, members in editions.items()]


def _combine(members: list[StrategyRecord], span: tuple[int | None, int | None]) -> StrategyRecord:
    best = max(
        members,
        key=lambda r: (
            r.start_year is not None,
            r.end_year is not None,
            sum(w[:1].isupper() for w in r.title.split()),
            len(r.title),
        ),
    )
    titles = [t for r in members for t in (r.title, *r.alt_titles)]
    alt = tuple(dict.fromkeys(t for t in titles if t != best.title))
    anchors = tuple(sorted(dict.fromkeys(a for r in members for a in r.anchors)))
    return StrategyRecord(
        title=best.title,
        kind=best.kind,
        start_year=span[0],
        end_year=span[1],
        anchors=anchors,
        alt_titles=alt,
        co_producers=tuple(dict.fromkeys(c for r in members for c in r.co_producers)),
        topics=tuple(sorted({t for r in members for t in r.topics})),
    )


def _lower_case_variants(
    doc: Document, records: list[StrategyRecord], sentence_anchor: SentenceAnchors
) -> list[StrategyRecord]:
    """Add the sentences that name a strategy in other case or without its years ("a carers
    strategy" for "Carers Strategy 2023-2028"); the latest edition takes them."""
    bare_of: dict[str, int] = {}
    for i in sorted(range(len(records)), key=lambda i: -(records[i].start_year or 0)):
        bare = _YEARS_TAIL.sub("", records[i].title).strip()
        words = name_key(bare).split()
        if len(words) >= 2 and not all(w in _generic() for w in words[:-1]):
            bare_of.setdefault(" ".join(bare.casefold().split()), i)
    if not bare_of:
        return records
    pattern = re.compile(
        r"(?<![\w'’#])(?:"
        + "|".join(
            r"\s+".join(re.escape(w) for w in b.split())
            for b in sorted(bare_of, key=len, reverse=True)
        )
        + r")(?![\w'’])",
        re.IGNORECASE,
    )
    extra: dict[int, list[tuple[Anchor, str]]] = {}
    for m in pattern.finditer(doc.text):
        i = bare_of[" ".join(m.group(0).casefold().split())]
        a = sentence_anchor.around(m.start(), m.end())
        if a is not None and a not in records[i].anchors:
            extra.setdefault(i, []).append((a, m.group(0)))
    out = list(records)
    for i, found in extra.items():
        r = records[i]
        alt = (t for _, t in found)
        titles = tuple(dict.fromkeys(t for t in (*r.alt_titles, *alt) if t != r.title))
        anchors = tuple(sorted({*r.anchors, *(a for a, _ in found)}))
        out[i] = replace(r, anchors=anchors, alt_titles=titles)
    return out


_YEARS_TAIL = re.compile(
    r"\s*\(?\s*(?:for\s+|from\s+)?(?:19|20)\d\d(?:\s*(?:[-‐–—/]|to)\s*\d{2,4})?\)?\s*$"
)
