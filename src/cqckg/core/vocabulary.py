"""The framework and the project's vocabularies, read from ``graph/*.ttl``, with the look-ups
extraction needs: which quality statement or theme a heading names, which rating a percentage
or a label gives, which topics, evidence category, measure, data source, strategy kind or
partner type a piece of text signals.

The Turtle files (``graph/framework.ttl``, ``vocabularies.ttl``, ``topics.ttl``,
``measures.ttl``, ``cues.ttl``) are the source: edited directly and reviewed as Turtle, nothing
generates them (see ``docs/decisions/0001-graph-shape.md``). tests/core/test_vocabulary.py
checks their SKOS structure (each concept in a scheme, ``skos:broader``/``narrower`` and
top-concept links both ways, signals lower case) and their words against the corpus. This
module only reads them, once per process.

>>> v = load_vocabulary()
>>> v.quality_statement_for("Supporting people to lead healthier lives")
'supporting-people-to-live-healthier-lives'
>>> v.theme_for("Theme 3: How the council ensures safety within the system")
'how-the-local-authority-ensures-safety-within-the-system'
>>> v.rating_for_percentage(Decimal("75.00"))
'good'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from cqckg.core.namespaces import CQC, ID, SDMX_ATTRIBUTE
from cqckg.core.paths import graph_dir

VOCABULARY_FILES = (
    "framework.ttl",
    "vocabularies.ttl",
    "topics.ttl",
    "measures.ttl",
    "cues.ttl",
)

_ID = str(ID)
_FUZZY_CUTOFF = 90.0
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")
_QUOTES = dict.fromkeys(map(ord, "‘’‛′`´"), "'") | dict.fromkeys(map(ord, "“”„″"), '"')


def fold(text: str) -> str:
    """Fold a heading or label to a comparable key: case, quotes, dashes, '&', punctuation.

    >>> fold("  Assessing People’s Needs – 2 ")
    'assessing people s needs 2'
    >>> fold("Care provision, integration & continuity")
    'care provision integration and continuity'
    """
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_QUOTES).casefold()
    text = text.replace("&", " and ")
    text = _NON_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


_NON_WORD = re.compile(r"[^\w]+")
_SPACES = re.compile(r"\s+")
_NON_ALNUM = re.compile(r"[\W_]+")


def _squash(text: str) -> str:
    """Fold harder, for signals: only letters and digits count ('co-production', 'coproduction')."""
    return _NON_ALNUM.sub("", fold(text))


# A heading may carry a theme or list prefix ("Theme 1:", "1.", "3)"), a score after a dash
# ("Assessing people's needs – 2"), or "Score: 3"; none of that names the statement.
_THEME_NUMBER = re.compile(r"^\s*theme\s*(\d)\b", re.IGNORECASE)
_PREFIX = re.compile(r"^\s*(?:theme\s*\d+\s*[:.\-–—]?|\d+(?:\.\d+)?\s*[.):\-–—]|[-*•]\s)\s*", re.I)
_SUFFIX = re.compile(
    r"\s*(?:[-–—:]\s*(?:score\s*:?\s*)?\d\s*|\(\s*\d\s*\)|score\s*:?\s*\d)\s*$", re.I
)
# "How <any council> works with people" is the generic theme heading with the council named.
_AUTHORITY_THEME = re.compile(
    r"^how (?:the )?(?!local authority\b).+? (works with people|ensures safety within the system)$"
)


def heading_key(heading: str) -> str:
    """The key a heading is looked up by: prefixes, scores and council names taken out.

    >>> heading_key("Theme 1: How Some Borough Council works with people")
    'how the local authority works with people'
    >>> heading_key("5. Partnership and communities – 3")
    'partnership and communities'
    """
    text = _PREFIX.sub("", heading.strip().strip("\"'“”‘’*#"))
    text = _SUFFIX.sub("", text)
    key = fold(text)
    return _AUTHORITY_THEME.sub(r"how the local authority \1", key)


@dataclass(frozen=True)
class Concept:
    """A concept of one of the schemes: its slug is the last segment of ``id/{scheme}/{slug}``."""

    scheme: str
    slug: str
    iri: str
    label: str
    definition: str
    notation: str | None
    alt_labels: tuple[str, ...]
    signals: tuple[str, ...]
    broader: tuple[str, ...]


@dataclass(frozen=True)
class FrameworkStatement:
    """An I statement (what people expect) or the We statement (the commitment)."""

    iri: str
    person: str  # "I" | "We"
    text: str
    alt_texts: tuple[str, ...]


@dataclass(frozen=True)
class Theme:
    slug: str
    iri: str
    notation: str
    label: str
    alt_labels: tuple[str, ...]
    quality_statements: tuple[str, ...]


@dataclass(frozen=True)
class QualityStatement:
    slug: str
    iri: str
    notation: str
    label: str
    alt_labels: tuple[str, ...]
    theme: str
    i_statements: tuple[FrameworkStatement, ...]
    we_statement: FrameworkStatement | None


@dataclass(frozen=True)
class ScoreLevel:
    value: int
    iri: str
    label: str


@dataclass(frozen=True)
class RatingBand:
    slug: str
    iri: str
    label: str
    lower: Decimal
    upper: Decimal

    def contains(self, percentage: Decimal) -> bool:
        return self.lower <= percentage <= self.upper


@dataclass(frozen=True)
class Measure:
    slug: str
    iri: str
    label: str
    alt_labels: tuple[str, ...]
    signals: tuple[str, ...]
    unit: str | None
    higher_is_better: bool | None
    data_source: str | None


class SignalIndex:
    """Find which concepts' signals occur in a text, on word boundaries.

    Case, hyphens, spacing and apostrophes do not matter ('short-breaks' is 'short breaks');
    where two signals overlap the longer one wins (so 'short-term support' is not also
    'support'). The text is split into words once with a precompiled pattern and each run of
    words is looked up in a dictionary, so the cost grows with the text, not with the number of
    signals.

    >>> idx = SignalIndex({"respite": ("respite", "short break", "short breaks")})
    >>> idx.find("Carers valued the Short-Breaks service and respite.")
    [(18, 30, 'respite'), (43, 50, 'respite')]
    """

    def __init__(self, signals: Mapping[str, Iterable[str]]) -> None:
        self._owners: dict[str, tuple[str, ...]] = {}
        owners: dict[str, set[str]] = {}
        self._longest = 0
        for owner, words in signals.items():
            for word in words:
                key = _squash(word)
                if key:
                    owners.setdefault(key, set()).add(owner)
                    self._longest = max(self._longest, len(_WORD.findall(fold(word))))
        self._owners = {k: tuple(sorted(v)) for k, v in owners.items()}
        # Every beginning of a key: a run of words that is none of them cannot grow into a key.
        self._prefixes = {key[:n] for key in self._owners for n in range(1, len(key) + 1)}
        # What texts gave, as reports repeat sentences (quality statement pages) and findings
        # read a paragraph's sentences again for their evidence category.
        self._found: dict[str, tuple[tuple[int, int, str], ...]] = {}

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Every (start, end, owner) match, in text order; one span can signal several owners."""
        found = self._found.get(text)
        if found is None:
            if len(self._found) >= _FOUND_KEPT:
                self._found.clear()
            found = self._found[text] = self._find(text)
        return list(found)

    def _find(self, text: str) -> tuple[tuple[int, int, str], ...]:
        words = _words(text)
        out: list[tuple[int, int, str]] = []
        i = 0
        while i < len(words):
            key = ""
            best: tuple[int, tuple[str, ...]] | None = None
            for j in range(i, min(i + self._longest, len(words))):
                if j > i and not _JOIN.fullmatch(text, words[j - 1][1], words[j][0]):
                    break
                key += words[j][2]
                if key not in self._prefixes:
                    break
                found = self._owners.get(key)
                if found:
                    best = (j, found)
            if best is None:
                i += 1
                continue
            j, found = best
            out.extend((words[i][0], words[j][1], owner) for owner in found)
            i = j + 1
        return tuple(out)

    def owners(self, text: str) -> tuple[str, ...]:
        """The owners signalled anywhere in the text, sorted, without repeats."""
        return tuple(sorted({owner for _, _, owner in self.find(text)}))


_FOUND_KEPT = 4096  # texts whose signals an index remembers

# Words are runs of letters and digits; a signal's words may be joined in the text by spaces,
# hyphens, apostrophes or a comma ("prevent, delay or reduce"), but not by a full stop.
_WORD = re.compile(r"[^\W_]+")
_JOIN = re.compile(r"[\s\-‐‑–'’,]*")


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, casefolded word) of each word: several indexes read the same sentence."""
    return tuple((m.start(), m.end(), m.group(0).casefold()) for m in _WORD.finditer(text))


@dataclass(frozen=True)
class Vocabulary:
    """Everything in the framework, vocabularies, topics and measures graphs, indexed."""

    themes: Mapping[str, Theme]
    quality_statements: Mapping[str, QualityStatement]
    score_levels: Mapping[int, ScoreLevel]
    rating_bands: Mapping[str, RatingBand]
    concepts: Mapping[str, Mapping[str, Concept]]  # scheme -> slug -> concept
    measures: Mapping[str, Measure]
    _statement_keys: Mapping[str, str]
    _theme_keys: Mapping[str, str]
    _indexes: Mapping[str, SignalIndex]
    _topic_ancestry: Mapping[str, tuple[str, ...]]

    # -- framework ------------------------------------------------------------------------

    def quality_statement_for(self, heading: str) -> str | None:
        """The slug of the quality statement a heading names, or ``None``.

        Tolerates case, curly quotes, dashes, '&', 'lead'/'live', numbering and a trailing
        score; an exact match of the folded heading is tried first, then a close fuzzy match.

        >>> v = load_vocabulary()
        >>> v.quality_statement_for("  Assessing people’s needs – 2")
        'assessing-needs'
        >>> v.quality_statement_for("Care provision, integration and continuity of care")
        'care-provision-integration-and-continuity'
        >>> v.quality_statement_for("Safe systems, pathways & transitions")
        'safe-pathways-systems-and-transitions'
        >>> v.quality_statement_for("Making safeguarding personal") is None
        True
        """
        return _lookup(heading_key(heading), self._statement_keys)

    def theme_for(self, heading: str) -> str | None:
        """The slug of the theme a heading names ("Theme 2: Providing support"), or ``None``.

        >>> v = load_vocabulary()
        >>> v.theme_for("Theme 1: How Anytown Council works with people")
        'how-the-local-authority-works-with-people'
        >>> v.theme_for("Leadership")
        'leadership'
        >>> v.theme_for("Strategic planning") is None
        True
        """
        numbered = _THEME_NUMBER.match(heading)
        if numbered:
            for theme in self.themes.values():
                if theme.notation == numbered.group(1):
                    return theme.slug
        return _lookup(heading_key(heading), self._theme_keys)

    def score_for_label(self, text: str) -> int | None:
        """The score a descriptor gives ("3 - Evidence shows a good standard"), or ``None``.

        >>> load_vocabulary().score_for_label("Evidence shows some shortfalls")
        2
        """
        key = fold(re.sub(r"^\s*\d\s*[-–—:]?\s*", "", text))
        for level in self.score_levels.values():
            if fold(level.label) == key:
                return level.value
        return None

    def rating_for_percentage(self, percentage: Decimal) -> str:
        """The rating band slug for a percentage score (rounded to 2 places, half up).

        Raises ``ValueError`` outside 25-100, the range four-point scores can give.

        >>> v = load_vocabulary()
        >>> [v.rating_for_percentage(Decimal(p)) for p in ("25", "38.99", "39", "62.995", "88")]
        ['inadequate', 'inadequate', 'requires-improvement', 'good', 'outstanding']
        """
        p = percentage.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        for band in self.rating_bands.values():
            if band.contains(p):
                return band.slug
        raise ValueError(f"no rating band holds {percentage}%: percentages run from 25 to 100")

    def rating_for_label(self, text: str) -> str | None:
        """The rating band a label names ("Requires improvement", "Good: Evidence shows ...").

        >>> v = load_vocabulary()
        >>> v.rating_for_label("Good: Evidence shows a good standard")
        'good'
        >>> v.rating_for_label("rated as requires improvement")
        'requires-improvement'
        >>> v.rating_for_label("Evidence shows some shortfalls") is None
        True
        """
        key = f" {fold(text)} "
        found = [
            (key.find(f" {fold(band.label)} "), band.slug)
            for band in self.rating_bands.values()
            if f" {fold(band.label)} " in key
        ]
        return min(found)[1] if found else None

    def framework_statement_for(self, quality_statement: str, text: str) -> str | None:
        """The IRI of the I or We statement of a quality statement that a printed text is.

        >>> v = load_vocabulary()
        >>> v.framework_statement_for("safeguarding", "“I feel safe and am supported to "
        ...     "understand and manage any risks.”")
        'https://w3id.org/cqc-kg/id/framework/i-statement/safeguarding-1'
        """
        qs = self.quality_statements.get(quality_statement)
        if qs is None:
            return None
        key = fold(text)
        candidates = [*qs.i_statements, *([qs.we_statement] if qs.we_statement else [])]
        for st in candidates:
            if key in {fold(t) for t in (st.text, *st.alt_texts)}:
                return st.iri
        return None

    # -- signals --------------------------------------------------------------------------

    def topics_in(self, text: str) -> tuple[str, ...]:
        """The slugs of the care topics a text mentions, with their broader topics, sorted.

        >>> v = load_vocabulary()
        >>> v.topics_in("Uptake of direct payments was low among unpaid carers.")
        ('direct-payments', 'unpaid-carers')
        >>> v.topics_in("Some carers' assessments were overdue.")
        ('assessment-and-care-planning', 'carers-assessment', 'unpaid-carers', 'waiting-times')
        """
        found = self._index("topic").owners(text)
        if not found:
            return ()
        return tuple(sorted({a for t in found for a in self._topic_ancestry.get(t, (t,))}))

    def evidence_category_in(self, text: str) -> str | None:
        """The evidence category of the earliest cue in a text ("staff told us", ...).

        >>> load_vocabulary().evidence_category_in("Partners told us the local authority ...")
        'feedback-from-partners'
        """
        hits = self._index("evidence-category").find(text)
        return hits[0][2] if hits else None

    def measure_for(self, text: str) -> str | None:
        """The measure a statistic's wording signals (the longest signal wins), or ``None``.

        >>> load_vocabulary().measure_for("71.53% of people who use services who say that "
        ...     "those services have made them feel safe")
        'ascs-feel-safe'
        """
        return _longest(self._index("measure").find(text))

    def data_source_for(self, citation: str) -> str | None:
        """The data source a citation names ("ASCS, 2023", "Skills for Care 2023").

        >>> load_vocabulary().data_source_for("(Survey of Adult Carers in England, 2022, SACE)")
        'sace'
        """
        return _longest(self._index("data-source").find(citation))

    def strategy_kind_for(self, title: str) -> str | None:
        """The strategy kind of a title, by its head noun (the last cue in it).

        >>> v = load_vocabulary()
        >>> v.strategy_kind_for("Carers Strategy 2023-2028")
        'strategy'
        >>> v.strategy_kind_for("Strategy implementation plan")
        'plan'
        """
        hits = self._index("strategy-kind").find(title)
        if not hits:
            return None
        return max(hits, key=lambda h: (h[1], h[1] - h[0]))[2]

    def partner_type_for(self, name: str) -> str | None:
        """The partner type an organisation's name signals (the most specific cue wins).

        >>> v = load_vocabulary()
        >>> v.partner_type_for("Central and North West London NHS Foundation Trust")
        'nhs-trust'
        >>> v.partner_type_for("Safeguarding Adults Board")
        'board-or-forum'
        """
        return _longest(self._index("partner-type").find(name))

    def unit_for(self, text: str) -> str | None:
        """The unit a value's text signals ("85.22%", "£363,119,000", "48 days").

        >>> v = load_vocabulary()
        >>> v.unit_for("85.22%"), v.unit_for("£6,370,000"), v.unit_for("48 days")
        ('percent', 'gbp', 'days')
        """
        if "%" in text:
            return "percent"
        if "£" in text:
            return "gbp"
        return _longest(self._index("unit").find(text))

    def _index(self, scheme: str) -> SignalIndex:
        return self._indexes.get(scheme) or _EMPTY_INDEX

    def concept(self, scheme: str, slug: str) -> Concept:
        """One concept; raises ``KeyError`` naming the scheme and slug when there is none."""
        try:
            return self.concepts[scheme][slug]
        except KeyError:
            raise KeyError(f"no concept {scheme}/{slug}") from None


_EMPTY_INDEX = SignalIndex({})


def _longest(hits: list[tuple[int, int, str]]) -> str | None:
    if not hits:
        return None
    return max(hits, key=lambda h: (h[1] - h[0], -h[0]))[2]


def _lookup(key: str, keys: Mapping[str, str]) -> str | None:
    if not key:
        return None
    if key in keys:
        return keys[key]
    found = process.extractOne(key, list(keys), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
    return None if found is None else keys[found[0]]


# -- loading ----------------------------------------------------------------------------------


def load_vocabulary(directory: Path | None = None) -> Vocabulary:
    """Read the vocabulary files of ``graph/`` (cached per directory); the finding cues' patterns
    are compiled by :mod:`cqckg.extract.cues`.

    Raises ``FileNotFoundError`` when a file is missing and rdflib's parser error when one is
    not valid Turtle.
    """
    return _load((directory or graph_dir()).resolve())


def _slug(iri: object) -> tuple[str, str]:
    """Scheme and slug of a concept IRI ``id/{scheme}/{slug}`` (``framework/theme/x``: theme)."""
    rest = str(iri).removeprefix(_ID)
    scheme, _, slug = rest.rpartition("/")
    return scheme.removeprefix("framework/"), slug


def _texts(g: Graph, s: Node, p: URIRef) -> tuple[str, ...]:
    return tuple(sorted(str(o) for o in g.objects(s, p)))


def _text(g: Graph, s: Node, p: URIRef) -> str | None:
    value = g.value(s, p)
    return None if value is None else str(value)


def _framework_statement(g: Graph, s: URIRef, person: str) -> FrameworkStatement:
    return FrameworkStatement(
        iri=str(s),
        person=person,
        text=str(g.value(s, RDF.value)),
        alt_texts=_texts(g, s, SKOS.altLabel),
    )


def _statement_number(iri: URIRef) -> int:
    return int(str(iri).rpartition("-")[2])


@cache
def _load(directory: Path) -> Vocabulary:
    g = Graph()
    for name in VOCABULARY_FILES:
        g.parse(directory / name, format="turtle")

    themes: dict[str, Theme] = {}
    for s in g.subjects(RDF.type, CQC.Theme):
        slug = _slug(s)[1]
        themes[slug] = Theme(
            slug=slug,
            iri=str(s),
            notation=str(g.value(s, SKOS.notation)),
            label=str(g.value(s, SKOS.prefLabel)),
            alt_labels=_texts(g, s, SKOS.altLabel),
            quality_statements=tuple(
                sorted(
                    (_slug(q)[1] for q in g.subjects(SKOS.broader, s)),
                    key=lambda q: str(
                        g.value(URIRef(_ID + f"framework/quality-statement/{q}"), SKOS.notation)
                    ),
                )
            ),
        )
    statements: dict[str, QualityStatement] = {}
    for s in g.subjects(RDF.type, CQC.QualityStatement):
        slug = _slug(s)[1]
        we = g.value(s, CQC.weStatement)
        statements[slug] = QualityStatement(
            slug=slug,
            iri=str(s),
            notation=str(g.value(s, SKOS.notation)),
            label=str(g.value(s, SKOS.prefLabel)),
            alt_labels=_texts(g, s, SKOS.altLabel),
            theme=_slug(g.value(s, SKOS.broader))[1],
            i_statements=tuple(
                _framework_statement(g, i, "I")
                for i in sorted(
                    (URIRef(str(o)) for o in g.objects(s, CQC.iStatement)), key=_statement_number
                )
            ),
            we_statement=None if we is None else _framework_statement(g, URIRef(str(we)), "We"),
        )
    scores = {
        int(str(g.value(s, CQC.scoreValue))): ScoreLevel(
            value=int(str(g.value(s, CQC.scoreValue))),
            iri=str(s),
            label=str(g.value(s, SKOS.prefLabel)),
        )
        for s in g.subjects(RDF.type, CQC.ScoreLevel)
    }
    bands = {
        _slug(s)[1]: RatingBand(
            slug=_slug(s)[1],
            iri=str(s),
            label=str(g.value(s, SKOS.prefLabel)),
            lower=Decimal(str(g.value(s, CQC.lowerBound))),
            upper=Decimal(str(g.value(s, CQC.upperBound))),
        )
        for s in g.subjects(RDF.type, CQC.RatingBand)
    }

    concepts: dict[str, dict[str, Concept]] = {}
    for s in set(g.subjects(SKOS.inScheme, None)):
        scheme, slug = _slug(s)
        if scheme in ("theme", "quality-statement", "i-statement", "we-statement"):
            continue
        concepts.setdefault(scheme, {})[slug] = Concept(
            scheme=scheme,
            slug=slug,
            iri=str(s),
            label=str(g.value(s, SKOS.prefLabel)),
            definition=str(g.value(s, SKOS.definition)),
            notation=_text(g, s, SKOS.notation),
            alt_labels=_texts(g, s, SKOS.altLabel),
            signals=_texts(g, s, CQC.signal),
            broader=tuple(sorted(_slug(b)[1] for b in g.objects(s, SKOS.broader))),
        )
    measures = {}
    for slug, c in concepts.get("measure", {}).items():
        s = URIRef(c.iri)
        unit = g.value(s, SDMX_ATTRIBUTE.unitMeasure)
        source = g.value(s, CQC.dataSource)
        better = g.value(s, CQC.higherIsBetter)
        measures[slug] = Measure(
            slug=slug,
            iri=c.iri,
            label=c.label,
            alt_labels=c.alt_labels,
            signals=c.signals,
            unit=None if unit is None else _slug(unit)[1],
            higher_is_better=bool(better.toPython()) if isinstance(better, Literal) else None,
            data_source=None if source is None else _slug(source)[1],
        )

    statement_keys = _keys(
        (q.slug, (q.label, *q.alt_labels, *_texts(g, URIRef(q.iri), SKOS.hiddenLabel)))
        for q in statements.values()
    )
    theme_keys = _keys(
        (t.slug, (t.label, *t.alt_labels, *_texts(g, URIRef(t.iri), SKOS.hiddenLabel)))
        for t in themes.values()
    )
    indexes = {
        scheme: SignalIndex(
            {slug: (*c.signals, *_signal_labels(scheme, c)) for slug, c in members.items()}
        )
        for scheme, members in concepts.items()
    }
    return Vocabulary(
        themes=dict(sorted(themes.items(), key=lambda kv: kv[1].notation)),
        quality_statements=dict(sorted(statements.items(), key=lambda kv: kv[1].notation)),
        score_levels=dict(sorted(scores.items())),
        rating_bands=dict(sorted(bands.items(), key=lambda kv: kv[1].lower, reverse=True)),
        concepts={k: dict(sorted(v.items())) for k, v in sorted(concepts.items())},
        measures=dict(sorted(measures.items())),
        _statement_keys=statement_keys,
        _theme_keys=theme_keys,
        _indexes=indexes,
        _topic_ancestry=_ancestry(concepts.get("topic", {})),
    )


def _ancestry(members: Mapping[str, Concept]) -> dict[str, tuple[str, ...]]:
    """Each concept with all its broader concepts (transitively) in the same scheme."""
    out: dict[str, tuple[str, ...]] = {}
    for slug in members:
        seen: set[str] = set()
        todo = [slug]
        while todo:
            s = todo.pop()
            if s not in seen and s in members:
                seen.add(s)
                todo.extend(members[s].broader)
        out[slug] = tuple(sorted(seen))
    return out


def _signal_labels(scheme: str, concept: Concept) -> tuple[str, ...]:
    """Data sources are also recognised by their notation and names ("ASCS", "Skills for Care")."""
    if scheme != "data-source":
        return ()
    return tuple(t for t in (concept.notation, concept.label, *concept.alt_labels) if t)


def _keys(entries: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """Folded label -> slug; a key two slugs share is dropped rather than guessed."""
    keys: dict[str, str] = {}
    clash: set[str] = set()
    for slug, labels in entries:
        for label in labels:
            key = heading_key(label)
            if key in keys and keys[key] != slug:
                clash.add(key)
            keys[key] = slug
    return {k: v for k, v in keys.items() if k not in clash}
