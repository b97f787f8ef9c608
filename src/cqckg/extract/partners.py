"""Named organisations and bodies a council works with, typed by the partner-type vocabulary.

A partner is a *proper name*: capitalised words that reports mark as an organisation's name by
one of these rules, each visible in the text it matches:

1. a head noun of organisations at its end (``words:organisation-head`` in graph/cues.ttl):
   "Joint Health and Wellbeing Board", "Northwest London Integrated Care Board", "Alcohol
   Change UK", or a lower-case one after it: "NHS Northwest London integrated care system",
   "JSNA board"; or an organisation noun before "of": "Association of Directors of Adult
   Social Services";
2. a quoted name before such a head: "'Black and Minority Ethnic' (BAME) forum";
3. a name listed after a working-with cue ("partnered with", "worked closely with", "through",
   "organisations such as"): "through The Advocacy Project, Make it Happen, and Full of Life";
   also "<Name> is the lead provider" and "a group of <Names>";
4. a council of the registry (``AuthorityRegistry.find_in_text``), other than the council
   assessed: it gets ``authority_gss``;
5. a one-word name that the vocabulary knows as a named national body ("Healthwatch", "NHS"),
   used as a noun: not as the modifier of a lower-case noun ("7 NHS trusts", "NHS training");
6. the area's emergency services, which reports name by their common noun after "with the" /
   "with local" ("worked closely with the fire brigade", "meetings with local Police"): there is
   one force or brigade per area, so the phrase names one organisation;
7. a capitalised name listed next to an organisation found by the rules above or next to "the
   local authority", in one enumeration ("the Integrated Care Board (ICB), Central London
   Community Health and the local authority had jointly appointed"): list members are alike;
8. an organisation named as the owner of a publication: the name up to its organisation head
   inside a longer title ("the Safeguarding Adults Board Annual Report");
9. a team or service that the sentence marks as not the council's alone: "integrated",
   "joint" or "multi-agency" before it, or a relative clause giving it to health ("the Home
   First Team who provided a responsive service from health colleagues").

The Care Quality Commission writes the reports (and issues the press releases): it is a partner
only where the council is said to work or meet *with* it, not where it rates or assesses.

Not partners: political parties and party groups ("Labour Group": the partner-type vocabulary's
``political-group`` signals), the council's own teams, departments and services ("Brokerage
Team", "Public Health team"; a team counts only by rule 9), generic nouns ("partners",
"providers", "health colleagues": no proper name), sectors
("Voluntary and Community Sector") and plurals ("Primary Care Networks").

An acronym in brackets after a name ("(CNWL)") becomes an alternative name, and later bare
mentions of it ("the ICB", "LAG") anchor the same partner. A shortened reference ("the
Integrated Care System") joins the one longer name in the document it ends.

The partner type comes from the vocabulary, read from the head noun: the last word's type wins
unless a longer cue runs up to the end of the name ("Housing Complex Case Panel" is a panel,
"Northwest London Integrated Care Board" an integrated care board).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Protocol

from cqckg.core.authorities import Authority, AuthorityRegistry
from cqckg.core.vocabulary import Concept
from cqckg.extract.cues import concept_group, text_pattern, word_list
from cqckg.extract.names import (
    DETERMINERS,
    Run,
    SentenceAnchors,
    Token,
    acronym_after,
    clean,
    is_acronym_of,
    name_key,
    name_runs,
    without_overlaps,
)
from cqckg.extract.patterns import fold_case, leading_texts, may_match
from cqckg.extract.records import Anchor, PartnerOrganisationRecord
from cqckg.read.model import Document, Sentence


class PartnerVocabulary(Protocol):
    """What partner extraction needs from :class:`cqckg.core.vocabulary.Vocabulary`."""

    def partner_type_for(self, name: str) -> str | None: ...

    @property
    def concepts(self) -> Mapping[str, Mapping[str, Concept]]: ...


# A service named as a health service is the NHS's ("Learning Disability Community Health Service").
_HEALTH_SERVICE = re.compile(r"\b(?:NHS|Health Service)\b")


@cache
def _lower_head() -> re.Pattern[str]:
    """A lower-case head written right after a name ("NHS Northwest London integrated care
    system", "BAME forum"; ``words:lower-case-organisation-head``), the longest first."""
    heads = sorted(word_list("lower-case-organisation-head"), key=lambda w: (-len(w), w))
    return re.compile(r"\s+(" + "|".join(map(re.escape, heads)) + r")\b")


# Partner types whose one-word names ("Healthwatch", "NHS", "CQC") are names of bodies.

_ITEM_FOLLOWER = re.compile(
    r"\s*(?:[,.;:)]|$|\s(?:and|or|to|who|which|that|in|on|at|for|as|was|were|is|are|had|has|"
    r"have|with)\b)"
)
_QUOTED_ORG = re.compile(
    r"(?<![\w'’])['‘\"“]([^'‘’\"“”\n]{2,60}?)['’\"”](?!\w)(\s*\(\s*[A-Z][A-Za-z&]+\s*\))?"
    r"\s+(forum|group|board|panel|network|partnership|committee)\b"
)
_ITEM_THE = re.compile(r"(?:the\s+)?")
_ITEM_SEP = re.compile(r"\s*,\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+")
_LEAD_PROVIDER = re.compile(r"\s+(?:is|was|are|were) the (?:lead )?(?:provider|partner)\b")
_GROUP_OF = re.compile(r"\bgroup of\s+$")
_GROUP_OF_TEXTS = leading_texts(_GROUP_OF.pattern)


@dataclass
class _Candidate:
    name: str
    start: int  # offsets into the sentence
    end: int
    acronym: str | None = None
    generic: bool = False  # "a Community Hub": a kind of thing, not a name
    body: bool = False  # names one body though written as a common noun ("the fire brigade")


@dataclass
class _Partner:
    names: list[str] = field(default_factory=list)
    alts: list[str] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)
    gss: str | None = None


def find_partner_names(text: str) -> list[tuple[str, int, int, str | None]]:
    """Partner names in one sentence: (name, start, end, acronym), without the registry.

    >>> [n for n, *_ in find_partner_names("The local authority partnered with Alcohol Change "
    ...     "UK and the Northwest London Integrated Care Board (ICB).")]
    ['Alcohol Change UK', 'Northwest London Integrated Care Board']
    >>> [n for n, *_ in find_partner_names("Co-production had been done through The Advocacy "
    ...     "Project, Make it Happen, Pursuing Independent Paths, and Full of Life.")]
    ['The Advocacy Project', 'Make it Happen', 'Pursuing Independent Paths', 'Full of Life']
    >>> find_partner_names("Partners told us the Brokerage Team and providers were responsive.")
    []
    """
    return [(c.name, c.start, c.end, c.acronym) for c in _candidates(text)]


@lru_cache(maxsize=8192)
def _candidates(text: str) -> tuple[_Candidate, ...]:
    """The candidate names of a sentence (cached: reports repeat sentences; not to be changed)."""
    runs = name_runs(text, split_possessive=True)
    found: list[_Candidate] = []
    by_start = {r.start: r for r in runs}
    for run in runs:
        acronym = acronym_after(text, run.end)
        nxt = by_start.get(acronym[1] + 1) if acronym else None
        found.extend(c for c in _from_run(text, run, nxt) if not _MODIFIER.match(text, c.end))
    found.extend(_quoted(text))
    found.extend(_listed(text, runs))
    found.extend(_emergency_services(text))
    found.extend(_coordinated(text, runs, found))
    for c in found:
        c.generic = _INDEFINITE.search(text, 0, c.start) is not None
    return tuple(without_overlaps(c for c in found if not _assessor_only(text, c.start)))


# A name followed by one of these nouns only modifies it: "Neighbourhood Network schemes".
_MODIFIER = re.compile(
    r"\s+(?:schemes?|teams?|tool|programmes?|projects?|services?|website|staff|workers?|"
    r"officers?)\b"
)
_INDEFINITE = re.compile(r"\b(?:a|an|another|each|every)\s+$", re.I)


def _trim(run: Run) -> list[Token]:
    words = list(run.tokens)
    inner_the = [i for i, t in enumerate(words) if t.text == "the"]
    if inner_the:
        words = words[inner_the[-1] + 1 :]
    while (
        words
        and words[0].lower in DETERMINERS
        and (words[0].text != "The" or run.sentence_initial or words[0] is not run.tokens[0])
    ):
        words = words[1:]
    while words and not words[-1].is_name:
        words = words[:-1]
    return words


def _from_run(text: str, run: Run, nxt: Run | None) -> list[_Candidate]:
    words = _trim(run)
    if not words:
        return []
    start = words[0].start
    last = words[-1].lower.removesuffix("'s")
    acronym = acronym_after(text, words[-1].end)
    # "North Central London (NCL) NHS Integrated Care Board": an acronym inside a name
    if acronym and nxt is not None and nxt.start == acronym[1] + 1:
        tail = _trim(nxt)
        if not (tail and tail[0] is nxt.tokens[0]):
            # "Safeguarding Adults Review (SAR) Subgroup of the Safeguarding Adults Board": the
            # name goes up to the capitalised words before "of the"
            tail = _leading_words(nxt)
        if tail and tail[-1].lower in word_list("organisation-head"):
            name = f"{text[start : words[-1].end]} {text[tail[0].start : tail[-1].end]}"
            return [_Candidate(name, start, tail[-1].end, acronym[0])]
    if last in word_list("organisation-head") and len(words) >= 2:
        return [_named(text, start, words[-1].end)]
    owner = _owner_of_publication(words)
    if owner:
        return [_named(text, start, owner[-1].end)]
    if (
        words[0].lower in word_list("leading-organisation-head")
        and len(words) >= 3
        and words[1].lower == "of"
    ):
        return [_named(text, start, words[-1].end)]
    if last in word_list("internal-unit-head") and len(words) >= 2:
        name = text[start : words[-1].end]
        if (
            (last.startswith("team") and text_pattern("multi-agency").search(text))
            or (last.startswith("service") and _HEALTH_SERVICE.search(name))
            or _shared_before().search(text, 0, start)
            or _health_clause().match(text, words[-1].end)
        ):
            return [_named(text, start, words[-1].end)]
        return []
    pos = acronym[1] if acronym else words[-1].end
    m = _lower_head().match(text, pos)
    if m is not None and not (
        run.sentence_initial and len(words) == 1 and not words[0].text.isupper()
    ):
        name = f"{text[start : words[-1].end]} {m.group(1)}"
        return [_Candidate(name, start, m.end(), acronym[0] if acronym else None)]
    return []


def _shared_before() -> re.Pattern[str]:
    """A team or service run jointly, the words just before its name: "the integrated Early
    Intervention Community Team" (text:shared-service in graph/cues.ttl)."""
    return text_pattern("shared-service", r"\b(?:", r")\s+$")


def _health_clause() -> re.Pattern[str]:
    """A relative clause giving a team to health: "the Home First Team who provided a responsive
    service from health colleagues" (text:health-colleagues, case as written)."""
    return text_pattern(
        "health-colleagues", r",?\s+(?:who|which|that)\b[^.;]{0,80}?\b(?:", r")\b", flags=0
    )


def _leading_words(run: Run) -> list[Token]:
    """The capitalised words that open a run, up to its first lower-case connector."""
    out: list[Token] = []
    for t in run.tokens:
        if not t.is_name:
            break
        out.append(t)
    return out


def _owner_of_publication(words: Sequence[Token]) -> list[Token]:
    """The owner's name in a title like "Safeguarding Adults Board Annual Report" (empty when
    the run is not an organisation's name followed by a publication's words)."""
    for k in range(len(words) - 2, 0, -1):
        after = words[k + 1 :]
        if words[k].lower in word_list("publication-owner-head") and all(
            t.lower in word_list("publication-title-word") for t in after
        ):
            return list(words[: k + 1])
    return []


def _named(text: str, start: int, end: int) -> _Candidate:
    found = acronym_after(text, end)
    name = text[start:end]
    acronym = found[0] if found and is_acronym_of(found[0], name) else None
    if found and acronym is None:
        # the acronym spells a word the capitalised run left out: "B&NES integrated Care
        # Alliance Group (ICA)" names the "integrated Care Alliance Group"
        before = _WORD_BEFORE.search(text, 0, start)
        if before and is_acronym_of(found[0], text[before.start(1) : end]):
            start, name, acronym = before.start(1), text[before.start(1) : end], found[0]
    return _Candidate(name, start, end, acronym)


_WORD_BEFORE = re.compile(r"\b([a-z][a-z-]+)\s+$")


def _quoted(text: str) -> list[_Candidate]:
    out = []
    for m in _QUOTED_ORG.finditer(text):
        inner = clean(m.group(1))
        if not inner or not inner[0].isupper():
            continue
        acronym = m.group(2).strip().strip("()").strip() if m.group(2) else None
        out.append(_Candidate(f"{inner} {m.group(3)}", m.start(), m.end(), acronym))
    return out


def _partnership_phrase() -> re.Pattern[str]:
    """A phrase introducing the organisations a council works with, up to the name
    (text:partnership-phrase in graph/cues.ttl)."""
    return text_pattern("partnership-phrase", r"\b(?:", r")\s+")


@cache
def _partnership_texts() -> tuple[str, ...] | None:
    return leading_texts(_partnership_phrase().pattern)


def _listed(text: str, runs: Sequence[Run]) -> list[_Candidate]:
    """Names listed after a working-with cue, after "a group of", or before "is the lead
    provider"."""
    by_start = {r.start: r for r in runs}
    out: list[_Candidate] = []
    folded = fold_case(text)
    phrase = _partnership_phrase()
    cues = phrase.finditer(text) if may_match(_partnership_texts(), folded) else ()
    for cue in cues:
        items: list[tuple[int, int]] = []
        pos = cue.end()
        while True:
            the = _ITEM_THE.match(text, pos)
            begin = the.end() if the else pos
            run = by_start.get(begin) or by_start.get(pos)
            if run is None or not _ITEM_FOLLOWER.match(text, run.end):
                break
            items.extend(_split_item(run))
            sep = _ITEM_SEP.match(text, run.end)
            if sep is None:
                break
            pos = sep.end()
        strong = text_pattern("working-relationship").search(cue.group(0)) is not None
        if len(items) >= 2 or (items and strong):
            out.extend(_Candidate(text[s:e], s, e) for s, e in items if _listable(text[s:e]))
    group_of = may_match(_GROUP_OF_TEXTS, folded)
    for run in runs:
        if _LEAD_PROVIDER.match(text, run.end) or (
            group_of and _GROUP_OF.search(text, 0, run.start)
        ):
            words = _trim(run)
            if words and len(words) >= 2:
                out.append(
                    _Candidate(text[words[0].start : words[-1].end], words[0].start, words[-1].end)
                )
    return out


def _emergency_services(text: str) -> list[_Candidate]:
    """The area's police, fire or ambulance service worked with ("with the fire brigade"; the
    services are text:emergency-service in graph/cues.ttl)."""
    found = text_pattern("emergency-service", r"\bwith\s+(?:the|local)\s+(", r")\b")
    return [_Candidate(m.group(1), m.start(1), m.end(1), body=True) for m in found.finditer(text)]


# What separates the items of an enumeration, optionally after the left item's acronym.
_LIST_SEP = re.compile(r"(?:\s*\([A-Za-z&]+\))?\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s+&\s+)")
_AUTHORITY_ITEM = re.compile(r"(?:the\s+)?(?:local authority|council)\b")


def _coordinated(text: str, runs: Sequence[Run], found: Sequence[_Candidate]) -> list[_Candidate]:
    """Capitalised names listed right next to an organisation ("the ICB, Central London
    Community Health and the local authority"): members of one enumeration are alike."""
    out: list[_Candidate] = []
    for run in runs:
        words = _trim(run)
        if len(words) < 2 or run.sentence_initial:
            continue
        start, end = words[0].start, words[-1].end
        if any(c.start < end and start < c.end for c in found):
            continue
        name = text[start:end]
        if not _listable(name) or not all(t.is_name or t.lower in {"and", "of"} for t in words):
            continue
        left = any(
            (m := _LIST_SEP.match(text, c.end)) is not None and m.end() == start for c in found
        )
        sep = _LIST_SEP.match(text, end)
        right = sep is not None and (
            _AUTHORITY_ITEM.match(text, sep.end()) is not None
            or any(c.start in (sep.end(), sep.end() + 4) for c in found)
        )
        if left or right:
            out.append(_Candidate(name, start, end))
    return out


def _split_item(run: Run) -> list[tuple[int, int]]:
    """A listed name without an organisation head may be two names: "Community Catalysts and
    Community Champions"."""
    words = list(run.tokens)
    if words[-1].lower in word_list("organisation-head"):
        return [(run.start, run.end)]
    out: list[tuple[int, int]] = []
    begin = 0
    for i, t in enumerate(words):
        if t.lower in {"and", "&"} and 0 < i < len(words) - 1:
            out.append((words[begin].start, words[i - 1].end))
            begin = i + 1
    out.append((words[begin].start, words[-1].end))
    return out


def _listable(name: str) -> bool:
    words = name.split()
    last = words[-1].casefold()
    if last in word_list("not-an-organisation") or last in word_list("internal-unit-head"):
        return False
    # a strategy's title ("Staying Safe Project") is a strategy unless "The" opens it
    return not (last in word_list("title-head") and words[0] != "The")


def _acceptable(name: str) -> bool:
    words = name.split()
    return bool(words) and words[-1].casefold() not in word_list("not-an-organisation")


# -- the document pass ---------------------------------------------------------------------------


def extract_partners(
    doc: Document, vocab: PartnerVocabulary, registry: AuthorityRegistry
) -> list[PartnerOrganisationRecord]:
    """The partner organisations a document names, merged, each anchored on its sentences."""
    partners: dict[str, _Partner] = {}  # key -> partner
    order: list[str] = []
    sentence_anchor = SentenceAnchors(doc)

    def add(
        key: str, name: str, s: Sentence, alt: str | None = None, gss: str | None = None
    ) -> None:
        p = partners.get(key)
        if p is None:
            p = partners[key] = _Partner(gss=gss)
            order.append(key)
        p.names.append(name)
        if alt:
            p.alts.append(alt)
        a = sentence_anchor(s)
        if a not in p.anchors:
            p.anchors.append(a)

    generic: set[str] = set()
    for s in doc.sentences:
        found = [c for c in _candidates(s.text) if _acceptable(clean(c.name))]
        for c in found:
            name = clean(c.name)
            if _is_own(name, doc, registry) or _political(name, vocab):
                continue
            if len(name.split()) == 1 and not (c.body or _named_body(name, vocab)):
                continue
            if c.generic:
                generic.add(name_key(name))
                continue
            add(name_key(name), name, s, c.acronym)
        mentions = _authorities_in(registry, s.text)
        for authority, start, end in mentions:
            if authority.gss == doc.authority_gss:
                continue
            if any(c.start <= start and end <= c.end for c in found):
                continue
            if not _named_as_authority(s.text, start, end):
                continue
            name = _authority_name(s.text, start, end)
            alt = acronym_after(s.text, end)
            add(f"gss:{authority.gss}", name, s, alt[0] if alt else None, authority.gss)
        for m in _CAPITALS.finditer(s.text):
            # a one-word name on its own ("the NHS"), not a word of a longer name ("GP Liaison")
            word = m.group(0)
            inside = any(c.start <= m.start() < c.end for c in found)
            known = any(word in p.alts for p in partners.values())
            modifier = _MODIFIED_NOUN.match(s.text, m.end()) is not None
            if (
                _named_body(word, vocab)
                and not (inside or known or modifier)
                and not _assessor_only(s.text, m.start())
            ):
                add(name_key(word), word, s)

    for key in generic:
        partners.pop(key, None)
    _join_mentions(doc, partners, sentence_anchor)
    _join_acronyms(partners)
    _join_short_references(partners, order)
    records = [_record(partners[k], vocab) for k in order if k in partners]
    return merge_partners(records)


_CAPITALS = re.compile(r"(?<![\w(-])[A-Z]{2,}(?![\w-])(?!\s+[A-Z])")
# A lower-case word after a one-word name that is not a function word: the name modifies a
# noun ("7 NHS trusts", "NHS training sessions") and names no body itself.
_MODIFIED_NOUN = re.compile(
    r"\s+(?!(?:and|or|but|to|in|on|at|for|with|by|as|of|from|was|were|is|are|had|has|have|"
    r"who|which|that|the|a|an|had|also|would|will|could|should|can|did|does)\b)[a-z]"
)
# The Care Quality Commission writes the reports: a partner only as the object of "with".
_ASSESSOR = re.compile(r"Care Quality Commission|CQC\b")
_WITH = re.compile(r"\bwith\b", re.I)


def _assessor_only(text: str, start: int) -> bool:
    """True when the name at ``start`` is CQC and nothing before it in the sentence says the
    council works or meets with it ("rated Good by the Care Quality Commission")."""
    return _ASSESSOR.match(text, start) is not None and _WITH.search(text, 0, start) is None


_WORD = re.compile(r"[A-Za-z]+")


@lru_cache(maxsize=4)
def _first_words(registry: AuthorityRegistry) -> frozenset[str]:
    """The first words of every council's names: a sentence without one names no council."""
    return frozenset(
        w.casefold()
        for a in registry.authorities
        for n in a.names
        for w in _WORD.findall(
            re.sub(r"^(?:the|city of|london borough of|royal borough of)\s+", "", n, flags=re.I)
        )[:1]
    )


def _may_name_authority(text: str, firsts: frozenset[str]) -> bool:
    return any(w.casefold() in firsts for w in _WORD.findall(text) if w[0].isupper())


@lru_cache(maxsize=8192)
def _authorities_in(
    registry: AuthorityRegistry, text: str
) -> tuple[tuple[Authority, int, int], ...]:
    """The councils a sentence names (cached: reports repeat sentences)."""
    if not _may_name_authority(text, _first_words(registry)):
        return ()
    return tuple(registry.find_in_text(text))


def _political(name: str, vocab: PartnerVocabulary) -> bool:
    """A party or party group ("Labour Group"): the partner-type vocabulary's political-group
    signals, which are never partners."""
    concept = vocab.concepts.get("partner-type", {}).get("political-group")
    return concept is not None and _signal_pattern(concept.signals).search(name) is not None


@lru_cache(maxsize=4)
def _signal_pattern(signals: tuple[str, ...]) -> re.Pattern[str]:
    words = sorted(signals, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)


def _named_body(name: str, vocab: PartnerVocabulary) -> bool:
    """A name whose partner type makes it a partner alone (Healthwatch, a regulator...:
    ``concept-group/named-body-partner-types``)."""
    return vocab.partner_type_for(name) in concept_group("named-body-partner-types")


def _is_own(name: str, doc: Document, registry: AuthorityRegistry) -> bool:
    own = registry.match(name, cutoff=100.0)
    if own is not None:
        return own.gss == doc.authority_gss
    # "B&NES Council": the assessed council by its initials
    mine = registry.by_gss.get(doc.authority_gss)
    short = _OWN_AUTHORITY.fullmatch(name)
    return bool(mine and short and is_acronym_of(short.group(1), mine.short_name))


_OWN_AUTHORITY = re.compile(
    r"(?:the\s+)?([A-Z][A-Z&]+)(?:\s+(?:City|County|Borough))?\s+Council", re.I
)
# A council named by its place name alone is a partner when the sentence says the council works
# *with* it, not when it names an area ("covers X, Y and Z", "works across
# the city and the county").
_AUTHORITY_WORD = re.compile(r"\b(?:Council|Borough|County|City of)\b")
_AREA = re.compile(r"\b(?:across|covers?|covering|spans?|footprint|region|area of|in)\b", re.I)


def _named_as_authority(text: str, start: int, end: int) -> bool:
    """Whether a council mention is the council as a body, not its area."""
    if _AUTHORITY_WORD.search(_authority_name(text, start, end)):
        return True
    before = text[:start]
    with_ = list(_WITH.finditer(before))
    return bool(with_) and _AREA.search(before, with_[-1].end()) is None


def _authority_name(text: str, start: int, end: int) -> str:
    """A council's name as written, with a "London Borough of"/"Royal Borough of" before it."""
    before = re.search(r"(?:(?:The\s+)?(?:Royal|London)\s+Borough\s+of\s+)$", text[:start])
    if before is not None:
        start = before.start()
    return clean(text[start:end])


def _join_mentions(
    doc: Document, partners: dict[str, _Partner], sentence_anchor: SentenceAnchors
) -> None:
    """Later mentions of a partner's name or acronym ("CNWL", "the ICB") anchor that partner."""
    owners: dict[str, _Partner] = {}
    for p in partners.values():
        for alt in p.alts:
            if re.fullmatch(r"[A-Z][A-Za-z&]*[A-Z]", alt):
                owners.setdefault(alt, p)
    # an acronym met alone before its expansion folds into the named partner
    for acr, p in owners.items():
        twin = partners.pop(name_key(acr), None)
        if twin is not None and twin is not p:
            p.anchors.extend(a for a in twin.anchors if a not in p.anchors)
    for p in partners.values():
        for n in p.names:
            owners.setdefault(n, p)
    if not owners:
        return
    pattern = re.compile(
        r"(?<![\w-])("
        + "|".join(re.escape(a) for a in sorted(owners, key=len, reverse=True))
        + r")(?![\w-])"
    )
    for m in pattern.finditer(doc.text):
        a = sentence_anchor.around(m.start(), m.end())
        p = owners[m.group(1)]
        if a is not None and a not in p.anchors:
            p.anchors.append(a)


def _join_acronyms(partners: dict[str, _Partner]) -> None:
    """A partner named only by an acronym ("CQC") joins the one partner whose name it abbreviates
    ("Care Quality Commission"), not one that holds the acronym as a word ("NHS Northwest London
    integrated care system" holds the NHS)."""
    for key, p in list(partners.items()):
        word = p.names[0]
        if not word.isupper() or any(n != word for n in p.names):
            continue
        owners = [
            q
            for k, q in partners.items()
            if k != key and word not in q.names[0].split() and is_acronym_of(word, q.names[0])
        ]
        if len(owners) == 1:
            target = owners[0]
            del partners[key]
            target.alts.append(word)
            target.anchors.extend(a for a in p.anchors if a not in target.anchors)


def _join_short_references(partners: dict[str, _Partner], order: list[str]) -> None:
    """A name that ends exactly one longer name of the document is a shortened reference."""
    for key in list(order):
        if key not in partners or " " not in key:
            continue
        longer = [k for k in partners if k != key and k.endswith(" " + key)]
        if len(longer) == 1:
            p = partners.pop(key)
            target = partners[longer[0]]
            target.alts.extend(p.names)
            target.anchors.extend(a for a in p.anchors if a not in target.anchors)


def _record(p: _Partner, vocab: PartnerVocabulary) -> PartnerOrganisationRecord:
    name = _best_name(p.names)
    alts = tuple(dict.fromkeys(n for n in (*p.names, *p.alts) if n != name))
    ptype = "council" if p.gss else _type_of(name, alts, vocab)
    return PartnerOrganisationRecord(
        name=name,
        partner_type=ptype,
        anchors=tuple(sorted(p.anchors)),
        alt_names=alts,
        authority_gss=p.gss,
    )


def _best_name(names: Iterable[str]) -> str:
    return max(names, key=lambda n: (sum(w[:1].isupper() for w in n.split()), len(n)))


def _type_of(name: str, alts: Iterable[str], vocab: PartnerVocabulary) -> str:
    for n in (name, *alts):
        t = head_type(n, vocab)
        if t is not None:
            return t
    return "other"


def head_type(name: str, vocab: PartnerVocabulary) -> str | None:
    """The partner type of a name, read from its head: the type of the longest vocabulary cue
    that ends the name, else of the longest cue anywhere in it.

    >>> from cqckg.core.vocabulary import load_vocabulary
    >>> v = load_vocabulary()
    >>> head_type("Housing Complex Case Panel", v), head_type("Northwest London Integrated "
    ...     "Care Board", v)
    ('board-or-forum', 'integrated-care-board')
    >>> head_type("Local Government Association", v)
    'government'
    """
    cues = _type_cues(vocab)
    words = _fold_words(name)
    for k in range(len(words), 0, -1):
        found = cues.get(" ".join(words[-k:]))
        if found is not None:
            return found
    return vocab.partner_type_for(name)


_CUES: dict[int, dict[str, str]] = {}


def _fold_words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.casefold().replace("'", "").replace("’", ""))


def _type_cues(vocab: PartnerVocabulary) -> dict[str, str]:
    """Folded cue -> partner type; a cue two types share is left out."""
    found = _CUES.get(id(vocab))
    if found is None:
        cues: dict[str, str] = {}
        clash: set[str] = set()
        for slug, concept in sorted(vocab.concepts.get("partner-type", {}).items()):
            for cue in concept.signals:
                key = " ".join(_fold_words(cue))
                if cues.setdefault(key, slug) != slug:
                    clash.add(key)
        found = _CUES[id(vocab)] = {k: v for k, v in cues.items() if k not in clash}
    return found


# -- merging ----------------------------------------------------------------------------------


def merge_partners(records: Iterable[PartnerOrganisationRecord]) -> list[PartnerOrganisationRecord]:
    """Merge records of one partner: the same council, or a shared name or alternative name
    (compared by :func:`cqckg.extract.names.name_key`).

    >>> a = PartnerOrganisationRecord("Local Account Group", "board-or-forum", (), ("LAG",))
    >>> b = PartnerOrganisationRecord("LAG", "other", ())
    >>> [(r.name, r.partner_type, r.alt_names) for r in merge_partners([a, b])]
    [('Local Account Group', 'board-or-forum', ('LAG',))]
    """
    groups: list[list[PartnerOrganisationRecord]] = []
    index: dict[str, int] = {}
    for r in records:
        keys = {f"gss:{r.authority_gss}"} if r.authority_gss else set()
        keys |= {name_key(n) for n in (r.name, *r.alt_names)}
        hit = next((index[k] for k in keys if k in index), None)
        if hit is None:
            hit = len(groups)
            groups.append([])
        groups[hit].append(r)
        for k in keys:
            index.setdefault(k, hit)
    return [_combine(g) for g in groups]


def _combine(group: list[PartnerOrganisationRecord]) -> PartnerOrganisationRecord:
    name = _best_name(r.name for r in group)
    names = [n for r in group for n in (r.name, *r.alt_names)]
    types = [r.partner_type for r in group if r.partner_type != "other"]
    return PartnerOrganisationRecord(
        name=name,
        partner_type=types[0] if types else "other",
        anchors=tuple(sorted({a for r in group for a in r.anchors})),
        alt_names=tuple(dict.fromkeys(n for n in names if n != name)),
        authority_gss=next((r.authority_gss for r in group if r.authority_gss), None),
    )
