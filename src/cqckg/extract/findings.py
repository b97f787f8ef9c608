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
explained from the words it matched (see :func:`explain`).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from cqckg.core.vocabulary import Vocabulary, load_vocabulary
from cqckg.extract.anchors import anchor
from cqckg.extract.patterns import any_of, fold_case, leading_texts, may_match
from cqckg.extract.records import (
    Direction,
    EvidenceCategory,
    FindingKind,
    FindingRecord,
    GapKind,
    StatisticRecord,
)
from cqckg.read.model import Document, DocumentKind, Sentence


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


def _cue(name: str, rx: str, weight: float, gap_kind: GapKind | None = None) -> Cue:
    return Cue(name, re.compile(rx, re.IGNORECASE), weight, gap_kind, leading_texts(rx))


_NEG = r"(?:no|not|without|never|none|nobody|neither|nor)"
_NEG_CONTRACTED = r"(?:weren|wasn|didn|hadn|isn|aren)[’']t"

# Negated problems read as strengths: checked first, and their matches are masked so the gap
# cues below do not fire on the same words.
NEGATED_PROBLEMS: tuple[Cue, ...] = (
    _cue(
        "no-waiting",
        rf"\b(?:{_NEG}|did not have(?: a| any)?|had no|were no|was no|there (?:were|was) no)\b"
        r"[^.;]{0,40}?\b(?:waiting lists?|waits?|waiting|backlogs?|delays?)\b",
        2.0,
    ),
    # "there weren't any waiting lists"
    _cue(
        "no-waiting-contracted",
        rf"\b{_NEG_CONTRACTED}\b[^.;]{{0,40}}?\b(?:waiting lists?|waits?|waiting|backlogs?|"
        r"delays?)\b",
        2.0,
    ),
    # a quantifier that makes waiting small: "limited waits for most services", "short waits"
    _cue(
        "little-waiting",
        r"\b(?:limited|minimal|short|few|little|low) "
        r"(?:waits?|waiting(?: times?| lists?)?|delays?)\b",
        2.0,
    ),
    _cue(
        "no-negative-impact",
        any_of(
            r"\bdid not have a negative impact\b",
            r"\bhad not been impacted\b",
            r"\bnot (?:been )?impacted\b",
        ),
        2.0,
    ),
    _cue(
        "no-problems",
        any_of(
            rf"\b{_NEG}\b[^.;]{{0,20}}\b(?:known )?(?:problems?|issues?|concerns?|complaints?)\b",
        ),
        1.0,
    ),
    _cue(
        "not-pressured",
        any_of(
            r"\bnot (?:feel )?(?:weighed down|pressurised|pressured|complacent)\b",
            r"\bdid not feel (?:pressurised|there was a sense of hierarchy)\b",
            r"\bnot feel there was a sense of hierarchy\b",
        ),
        1.5,
    ),
    _cue(
        "no-barrier",
        any_of(
            r"\bnot a barrier\b",
            r"\bwere not waiting\b",
            r"\bnobody had to wait\b",
            r"\bwithout (?:a )?(?:waiting list|disruption|delay)",
        ),
        1.5,
    ),
    _cue("acknowledged-and-acting", r"\backnowledged (?:this|the) (?:gap|challenge)\b", 1.0),
    _cue("none-inadequate", r"\bnone were rated (?:as )?inadequate\b", 1.0),
    _cue("no-contracts-handed-back", r"\bno contracts handed back\b", 1.5),
    # Action taken against a problem reads as work under way, not as the problem itself.
    _cue(
        "mitigation",
        r"\b(?:reduc\w*|minimi[sz]\w*|prevent\w*|avoid\w*|mitigat\w*|tackl\w*|"
        r"remov\w*|address\w*|overc[oa]me?|meet)\b[^.;]{0,30}?\b(?:waiting times?|waits?|delays?|"
        r"risks?|challenges?|gaps?|inequalit\w*|barriers?|harm|disparit\w*|impact|deaths?|crime|"
        r"increase in demand|concerns?)\b[^.;]*",
        1.0,
    ),
    _cue("not-limited", r"\bnot limited to\b|\blow[- ]level\b", 0.0),
    _cue(
        "domain-terms",
        any_of(
            r"\bsafeguarding concerns?\b",
            r"\bpay (?:and|&) gender gap\b",
            r"\b(?:gender|ethnicity) pay gaps?\b",
            r"\brated as requir\w+ improvement\b",
            r"\b(?:any|identifying) gaps\b",
            r"\bnot yet (?:been )?rated\b",
            r"\bnot yet published\b",
            r"\bidentify(?:ing)? (?:any |the )?areas? (?:for|of) (?:improvement|development)\b",
            r"\bissues and areas for development\b",
        ),
        0.0,
    ),
)

GAP_CUES: tuple[Cue, ...] = (
    # "few people were supported to ..." (not "a few", which only counts)
    _cue(
        "few",
        r"(?<!\ba )(?<!\bquite a )\b(?:very |only )?few (?:people|carers|staff|of)\b",
        2.0,
        GapKind.SHORTFALL,
    ),
    _cue("gap-word", r"\bgaps?\b(?! in life expectancy)(?! between)", 2.0, GapKind.SHORTFALL),
    _cue("lack", r"\black(?:ed|s|ing)? (?:of\b)?", 2.0, GapKind.SHORTFALL),
    _cue(
        "not-always",
        any_of(
            r"\bnot always\b",
            r"\bdidn[’']t always\b",
            r"\bdid not always\b",
            r"\bwasn[’']t always\b",
            r"\bweren[’']t always\b",
        ),
        2.0,
        GapKind.SHORTFALL,
    ),
    _cue(
        "negated-action",
        any_of(
            r"\bdid not\b",
            r"\bdidn[’']t\b",
            r"\bwere not\b",
            r"\bwas not\b",
            r"\bhad not\b",
            r"\bhave not\b",
            r"\bhas not\b",
            r"\bcould not\b",
            r"\bcouldn[’']t\b",
            r"\bweren[’']t\b",
            r"\bwasn[’']t\b",
            r"\bunable to\b",
            r"\bdid not know\b",
            r"\bdidn[’']t know\b",
        ),
        1.0,
        GapKind.SHORTFALL,
    ),
    _cue("never", r"\bhad never been\b|\bnever been consulted\b", 1.5, GapKind.SHORTFALL),
    _cue(
        "improvement-needed",
        any_of(
            r"\bareas? (?:for|of) (?:improvement|development)\b",
            r"\b(?<!actions )needed to (?:be )?(?:improve|strengthen|develop|address)\b",
            r"\b(?<!actions )need(?:s|ed)? (?:for|to) improve\b",
            r"\bthere needed to be\b",
            r"\bneeded to be (?:developed|improved|strengthened|addressed|embedded|expanded|"
            r"increased|reviewed)\b",
            r"\bfurther development\b[^.]{0,80}\b(?:was|were|is|are) needed\b",
            r"\b(?:key )?(?:development|improvement) areas?\b",
            r"\bnot as (?:advanced|developed|strong|effective|mature|good|well)\b",
            r"\b(?:recognised|acknowledged|identified|noted) (?:the|a|an ongoing) need (?:to|for) "
            r"(?:\w+ )?(?:more|better|further|improve\w*|develop\w*|strengthen\w*|increase\w*)\b",
            r"\bneeded to be strengthened\b",
            r"\bmore to do\b",
            r"\brequired improvement\b",
            r"\brequires? improvement\b",
            r"\bimprovements? (?:to be made|were required|was required|needed)\b",
            r"\bfurther work is required\b",
            r"\bwork to do\b",
        ),
        2.0,
        GapKind.AREA_FOR_DEVELOPMENT,
    ),
    _cue(
        "not-yet",
        any_of(
            r"\bnot yet\b",
            r"\bhadn[’']t (?:been )?fully\b",
            r"\bhad not (?:been )?fully\b",
            r"\bnot fully\b",
            r"\bin (?:its|their) early stages\b",
            r"\bearly stages\b",
        ),
        1.5,
        GapKind.AREA_FOR_DEVELOPMENT,
    ),
    _cue(
        "waiting",
        any_of(
            r"\bwaiting (?:lists?|times?)\b",
            r"\bwaits?\b",
            r"\bwaited\b",
            r"\bwaiting for\b",
            r"\bwait to\b",
            r"\b(?:had|have) been waiting\b",
            r"\bbacklogs?\b",
            r"\bdelays?\b",
            r"\bdelayed\b",
            r"\blong waits?\b",
            r"\btook \d+ (?:weeks|months)\b",
        ),
        1.0,
        GapKind.WAITING,
    ),
    _cue(
        "waiting-experienced",
        any_of(
            r"\b(?:experienced|had|faced|there (?:was|were|had been)) "
            r"(?:a |some |occasional |long |lengthy )?(?:waits?|delays?|backlogs?)\b",
            r"\bdelays? (?:in|to|with)\b",
            r"\b(?:people|carers|they|who) (?:were |had been )?waiting (?:for|to)\b",
            r"\bwait to access\b",
        ),
        1.0,
        GapKind.WAITING,
    ),
    _cue(
        "risk",
        any_of(
            r"\bat risk\b",
            r"\bunsafe\b",
            r"\brisks? to (?:people|safety)\b",
            r"\bserious risk\b",
            r"\bincreased risks?\b",
            r"\brisk of (?:harm|eviction)\b",
            r"\b(?:most common|main|biggest|key) risks?\b",
            r"\b(?:the )?highest (?:in (?:london|england|the country)|rate of|number of)\b",
        ),
        1.0,
        GapKind.RISK,
    ),
    _cue(
        "rising-need",
        any_of(
            r"\b(?:rise|increase|increased|increasing|growth|growing) in\b[^.]{0,40}"
            r"\b(?:abuse|demand|concerns?|homelessness|needs?|referrals)\b",
            r"\b(?:had )?died\b",
            r"\bdeaths?\b",
        ),
        1.5,
        GapKind.RISK,
    ),
    _cue(
        "problem-at-its-worst",
        # "... sleeping rough, which is the highest in London": a problem ranked worst.
        r"\b(?:the )?highest (?:in (?:london|england|the country|the region)|rate of|number of)\b",
        1.5,
        GapKind.RISK,
    ),
    _cue(
        "strain-on-workforce",
        any_of(
            r"\b(?:dual|competing|significant|financial|budget(?:ary)?) pressures\b",
            r"\breliance on (?:temporary|interim|indirectly employed)\b",
        ),
        1.5,
        GapKind.SHORTFALL,
    ),
    _cue(
        "work-ahead",
        any_of(
            r"\bongoing work to\b",
            r"\bnoted the need for\b",
            r"\b(?:was|were) still new\b",
            r"\bplan is to develop\b",
            r"\bneeded to be mindful\b",
            r"\backnowledged\b[^.]{0,80}\ban area of focus\b",
        ),
        1.5,
        GapKind.AREA_FOR_DEVELOPMENT,
    ),
    _cue(
        "problem-experienced",
        any_of(
            r"\bthere (?:were|had been|was|are|have been) (?:some |several |many )?"
            r"(?:challenges|difficulties|issues|problems|barriers)\b",
            r"\bchallenges? (?:with|around|in|surrounding|faced|relating to|associated|of)\b",
            r"\b(?:faced|presented|experienced|has presented|had presented) "
            r"(?:some |several |many )?(?:challenges|difficulties|issues|problems)\b",
            r"\bbarriers? to\b",
            r"\bdifficult(?:y|ies)? (?:to|in|with|getting)\b",
            r"\bissues? (?:with|around)\b",
            r"\bproblems? with\b",
            r"\braised concerns? (?:about|around|regarding|over)\b",
            r"\bcomplexities\b",
            r"\bstrain\b",
            r"\bpressures? on\b",
            r"\b(?:biggest|key|main|major) [^.]{0,30}\b(?:issues?|problems?)\b",
            r"\barea of difficulty\b",
            r"\bsignificant (?:issues?|challenges?|problems?|concerns?)\b",
            r"\bkey challenges\b",
        ),
        1.5,
        GapKind.SHORTFALL,
    ),
    _cue(
        "negative-appraisal",
        any_of(
            r"\bconfusing\b",
            r"\bunclear\b",
            r"\binconsistent\b",
            r"\binconsistenc(?:y|ies)\b",
            r"\blimited\b",
            r"\binsufficient\b",
            r"\binadequate\b",
            r"\bpoor\b",
            r"\blow(?:er)? (?:uptake|levels?)\b",
            r"\bhad been low\b",
            r"\bremained low\b",
            r"\buptake [^.]{0,30}\blow\b",
            r"\bmixed (?:feedback|responses)\b",
            r"\bfeedback (?:was|had been) mixed\b",
            r"\bwas mixed\b",
            r"\bwere mixed\b",
            r"\buncomfortable\b",
            r"\bfrustrat\w*\b",
            r"\banxiety\b",
            r"\bnot appropriate\b",
            r"\bnot easy\b",
            r"\bnot easily\b",
            r"\btoo long\b",
            r"\blonger than (?:originally )?(?:planned|expected|anticipated|intended)\b",
            r"\bvar(?:ying|ied) (?:quality|consistency)\b",
            r"\bdigital exclusion\b",
            r"\b(?:complaints?|recommendations?) [^.]{0,30}\bupheld\b",
            r"\bhigh waits?\b",
            r"\bhigh number of unallocated\b",
            r"\bunallocated\b",
            r"\bnot (?:been )?(?:enough|sufficient)\b",
            r"\b(?:not|weren[’']t|wasn[’']t) (?:always |fully )?aware\b",
            r"\b(?:not|weren[’']t|wasn[’']t) (?:many|enough)\b",
            r"\bfe(?:el|lt|eling) isolated\b",
            r"\bmissed the\b",
        ),
        2.0,
        GapKind.SHORTFALL,
    ),
    _cue(
        "acknowledged",
        any_of(
            r"\b(?:acknowledged|recognised|aware)\b[^.]{0,60}"
            r"\b(?:gap|challenge|need to|needed to|improve|difficult)",
        ),
        1.0,
        GapKind.AREA_FOR_DEVELOPMENT,
    ),
    _cue(
        "however",
        r"^\s*(?:however|in contrast|but|although|whilst|while|despite)\b|\bhowever,|,\s*however\b",
        1.0,
    ),
    _cue(
        "below-average",
        any_of(
            r"\blower than (?:the )?(?:england|national|london|regional)\b",
            r"\bcomparatively lower\b",
            r"\bbelow (?:the )?(?:england|national) average\b",
        ),
        1.0,
        GapKind.BELOW_AVERAGE,
    ),
)

STRENGTH_CUES: tuple[Cue, ...] = (
    _cue(
        "positive",
        any_of(
            r"\bpositive(?:ly)?\b",
            r"\bpraised?\b",
            r"\bwelcomed?\b",
            r"\bappreciated\b",
            r"\bvalued\b",
            r"\bspoke highly\b",
            r"\bproud",
            r"\bpride\b",
        ),
        2.0,
    ),
    _cue(
        "good",
        any_of(
            r"\bgood\b",
            r"\bexcellent\b",
            r"\bexceptional(?:ly)?\b",
            # not "concerns that were outstanding", "outstanding reviews": still to be done
            r"(?<!were )(?<!was )(?<!remained )\boutstanding\b"
            r"(?! (?:cases?|concerns?|referrals?|work|reviews?|assessments?|actions?|enquir))",
            r"\bstrong\b",
            r"\brobust\b",
            r"\beffective(?:ly)?\b",
            r"\bsuccessful(?:ly)?\b",
            r"\bwell[- ](?:managed|resourced|established|embedded|received|supported)\b",
            r"\bwell\b(?![- ]?being)",
            r"\bclear\b",
            r"\btimely\b",
            r"\bresponsive\b",
            r"\bsupportive\b",
            r"\bproactive(?:ly)?\b",
            r"\bseamless\b",
            r"\bapproachable\b",
            r"\baccessible\b",
            r"\binnovative\b",
            r"\btransparent\b",
            r"\bperson-centred\b",
            r"\bstrength[- ]based\b",
            r"\bempower\w*\b",
            r"\bcommitted\b",
            r"\bcommitment\b",
            r"\bcomprehensive\b",
            r"\bhelpful\b",
            r"\bconsistent(?:ly)?\b",
            r"\bcollaborative(?:ly)?\b",
            r"\bcompassionate\b",
            r"\brespected\b",
            r"\bevident\b",
            r"\bembedded\b",
            r"\blistened to\b",
            r"\bchoice (?:and control|over)\b",
            r"\b(?:was|were) a priority\b",
            r"\bpleased\b",
            r"\bunderstood\b",
            r"\bin line with\b",
            r"\bco-?produced\b",
            r"\bleast restrictive\b",
            r"\bkey role\b",
            r"\bassurance\b",
            r"\bin good time\b",
            r"\bwithin \d+ (?:hours|days)\b",
        ),
        1.0,
    ),
    _cue(
        "improved",
        any_of(
            r"\bimproved\b",
            r"\bimprovements? (?:had been made|were made)\b",
            r"\bbrought improvements?\b",
            r"\bmade improvements\b",
        ),
        1.0,
    ),
    _cue(
        "above-average",
        any_of(
            r"\bhigher than (?:the )?(?:england|national|london|regional)\b",
            r"\bperformed better\b",
        ),
        1.0,
    ),
)

_BOILERPLATE = re.compile(
    r"^(?:we may not always review|where support is needed it should|cqc has a new duty|"
    r"this includes promoting the wellbeing|the care quality commission \(cqc\),? has rated|"
    r"this theme includes|this data is reproduced|"
    r"it has not been factored|"
    r"please note that|the assessment will be published|about the care quality commission|"
    r"the care quality commission \(cqc\) is the independent|we make sure health and social care|"
    r"we monitor, inspect and regulate|cqc has a new responsibility|cqc looked at nine areas|"
    r"cqc has given each of these|an advocate can help|they can help them find services|"
    r"a caldicott guardian is|healthwatch are the independent|marmot principles are|"
    r"social determinants of health are|this is a model where|local authorities spend money|"
    r"no two care packages are the same|source:)",
    re.IGNORECASE,
)
_NON_FINDINGS_SECTIONS = re.compile(
    r"^(?:financial facts|what people expect|the local authority commitment|"
    r"local authority (?:indicative )?rating|quality statement scores)",
    re.IGNORECASE,
)
_TEMPLATE_LINE = re.compile(
    r"^\W*(?:(?:indicative )?score\b|\d\s*[-–—]\s*evidence shows|what people expect|"
    r"the local authority commitment|key findings for this quality statement|i |we |“i |“we )",
    re.IGNORECASE,
)
_STATEMENT_BLOCK_START = re.compile(
    r"^\W*(?:what people expect|the local authority commitment)\W*$", re.IGNORECASE | re.MULTILINE
)
_STATEMENT_BLOCK_END = re.compile(
    r"^\W*(?:key findings for this quality statement)\W*$", re.IGNORECASE | re.MULTILINE
)

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
    for cue in NEGATED_PROBLEMS:
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
    for cue in GAP_CUES:
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
    for cue in STRENGTH_CUES:
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
    lower_is_better = bool(
        re.search(r"vacanc|sick|turnover|agency|wait|delay|complaints? .*upheld|readmi", label)
    )
    lower = st.direction is Direction.LOWER
    return lower != lower_is_better


def _excluded_spans(doc: Document) -> list[tuple[int, int]]:
    """Blocks holding the I and We statements (from their heading to the key findings)."""
    spans = []
    for m in _STATEMENT_BLOCK_START.finditer(doc.text):
        end = _STATEMENT_BLOCK_END.search(doc.text, m.end())
        spans.append((m.start(), end.start() if end else min(len(doc.text), m.end() + 1500)))
    return spans


def _eligible(doc: Document, sentence: Sentence, excluded: list[tuple[int, int]]) -> bool:
    if any(s <= sentence.start < e for s, e in excluded):
        return False
    text = sentence.text.strip()
    if len(text) < 25 or _BOILERPLATE.match(text) or _TEMPLATE_LINE.match(text):
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
    return _NON_FINDINGS_SECTIONS.match(clean) is not None


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
