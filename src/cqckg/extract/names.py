"""Finding proper names in report sentences, and folding them so variants can be merged.

Reports name strategies and organisations as runs of capitalised words, which may hold
lower-case function words ("Research in Practice", "Preparing for Adulthood Protocol"), a
hashtag ("#2035"), hyphens ("Five-year") and apostrophes ("Children's"). A run is a *name* only
where something marks it so: a head noun at its end (``Strategy``, ``Board``), quotes, an
acronym in brackets, or a cue in the sentence; those rules live in ``strategies`` and
``partners``. This module only tokenises, finds runs, reads year ranges and acronyms, splits
lists, and folds names to comparable keys.

>>> [r.text for r in name_runs("Partners praised the Carers Strategy, and Healthwatch.")]
['Partners', 'Carers Strategy', 'Healthwatch']
>>> parse_years("2023-33")
(2023, 2033)
>>> name_key("The Joint Health and Wellbeing Strategy 2023-2033")
'health and wellbeing strategy'
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, Protocol, TypeVar

from cqckg.extract.anchors import anchor
from cqckg.extract.records import Anchor
from cqckg.read.model import Document, Sentence

# A word: letters/digits with inner apostrophes, hyphens and '+' ("Children's", "High-Risk",
# "LGBTQ+"), a hashtag ("#2035"), or one punctuation character.
_TOKEN = re.compile(r"#?\w(?:[\w+]|['’\-‐–](?=\w))*\+?|\S")

# Lower-case words that may sit inside a name between capitalised words.
CONNECTORS = frozenset({"and", "&", "of", "for", "the", "to", "in", "with", "on", "at", "it"})

# Words that open a sentence without being part of a name after them.
DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "its", "their", "our", "his"})

_YEARS = re.compile(
    r"\s*\(?\s*(?:(?:for|from)\s+)?((?:19|20)\d\d)"
    r"(?:\s*(?:[-‐–—/]|\bto\b)\s*((?:19|20)?\d\d)(?!\d))?(?![\d%])\s*\)?"
)
_ACRONYM = re.compile(r"\s*\(\s*([A-Z][A-Za-z&]*[A-Z][A-Za-z&]*'?s?)\s*\)")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-"})


class Token(NamedTuple):
    text: str
    start: int
    end: int

    @property
    def is_name(self) -> bool:
        """Capitalised, a hashtag or an acronym: a word that can carry a name.

        >>> [Token(w, 0, 0).is_name for w in ("Carers", "#2035", "S75", "and", "2023", "(")]
        [True, True, True, False, False, False]
        """
        first = self.text[0]
        return first.isupper() or (first == "#" and len(self.text) > 1)

    @property
    def lower(self) -> str:
        return _fold_word(self.text)


@lru_cache(maxsize=8192)
def _fold_word(word: str) -> str:
    """A word case-folded with plain quotes and dashes (asked for many times per word)."""
    return word.casefold().translate(_QUOTES)


@dataclass(frozen=True)
class Run:
    """Consecutive name words (with connectors inside), as tokens of one text."""

    tokens: tuple[Token, ...]
    sentence_initial: bool

    @property
    def start(self) -> int:
        return self.tokens[0].start

    @property
    def end(self) -> int:
        return self.tokens[-1].end

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)


@lru_cache(maxsize=8192)
def tokenize(text: str) -> tuple[Token, ...]:
    """Words and punctuation with their offsets.

    >>> [t.text for t in tokenize("the '#2035' project, Children's services")]
    ['the', "'", '#2035', "'", 'project', ',', "Children's", 'services']
    """
    return tuple(Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text))


def _opens_sentence(tokens: Sequence[Token], i: int) -> bool:
    """True when only quotes, brackets or list markers come before token ``i``."""
    return all(not t.text[0].isalnum() and t.text[0] != "#" for t in tokens[:i])


@lru_cache(maxsize=8192)
def name_runs(text: str, *, split_possessive: bool = False) -> tuple[Run, ...]:
    """Maximal runs of name words joined by connectors, never ending on a connector.

    With ``split_possessive`` a run also stops after a possessive ("Council's"), so an owner is
    not part of what it owns.

    >>> [r.text for r in name_runs("We met the Local Account Group (LAG) and Make it Happen.")]
    ['We', 'Local Account Group', 'LAG', 'Make it Happen']
    >>> [r.text for r in name_runs("the City's Homelessness Group", split_possessive=True)]
    ["City's", 'Homelessness Group']
    """
    toks = tokenize(text)
    runs: list[Run] = []
    i = 0
    while i < len(toks):
        if not toks[i].is_name:
            i += 1
            continue
        j = k = i
        while k + 1 < len(toks) and _gap_ok(text, toks[k], toks[k + 1]):
            if split_possessive and toks[k].is_name and toks[k].lower.endswith("'s"):
                break
            nxt = toks[k + 1]
            after = toks[k + 2].text if k + 2 < len(toks) else ""
            if nxt.lower in {"and", "&"} and after == "the":
                break  # "X and the Y": two names
            if nxt.is_name:
                j = k + 1
            elif nxt.lower not in CONNECTORS:
                break
            k += 1
        runs.append(Run(tuple(toks[i : j + 1]), _opens_sentence(toks, i)))
        i = j + 1
    return tuple(runs)


def _gap_ok(text: str, a: Token, b: Token) -> bool:
    """Two tokens are neighbours in a name when only a space or two (no line break) part them."""
    gap = text[a.end : b.start]
    return gap.strip(" ") == "" and len(gap) <= 2


def parse_years(text: str) -> tuple[int | None, int | None]:
    """Start and end years of a range as written ("2023-33", "2022–25", "2024 to 2029").

    A two-digit end takes the century of the start; a single year is a start year only.

    >>> parse_years("2022–25"), parse_years("2024 to 2029"), parse_years("for 2024")
    ((2022, 2025), (2024, 2029), (2024, None))
    >>> parse_years("Five-year")
    (None, None)
    """
    m = _YEARS.search(text)
    if m is None:
        return None, None
    start = int(m.group(1))
    if m.group(2) is None:
        return start, None
    end_text = m.group(2)
    end = int(end_text) if len(end_text) == 4 else start // 100 * 100 + int(end_text)
    if end < start:
        return start, None
    return start, end


def years_after(text: str, pos: int) -> tuple[int, tuple[int | None, int | None]]:
    """The end offset and years of a year range right after ``pos`` (else ``pos``, no years).

    >>> years_after("Carers Strategy 2023-2028, which", 15)
    (25, (2023, 2028))
    >>> years_after("Winter plan for 2023-2024 had", 11)
    (25, (2023, 2024))
    >>> years_after("Plan in 2022", 4)
    (4, (None, None))
    """
    m = _YEARS.match(text, pos)
    if m is None:
        return pos, (None, None)
    end = m.end()
    while end > pos and text[end - 1] == " ":
        end -= 1
    if text[m.start() : end].count("(") != text[m.start() : end].count(")"):
        return pos, (None, None)
    return end, parse_years(m.group(0))


def acronym_after(text: str, pos: int) -> tuple[str, int] | None:
    """A bracketed acronym right after ``pos``: the acronym and the offset after ``)``.

    >>> acronym_after("Board (ICB) was", 5)
    ('ICB', 11)
    >>> acronym_after("Survey (ASCS, 2023)", 6) is None
    True
    """
    m = _ACRONYM.match(text, pos)
    if m is None:
        return None
    return m.group(1).removesuffix("'s").removesuffix("’s"), m.end()


def is_acronym_of(acronym: str, name: str) -> bool:
    """True when an acronym can abbreviate a name: its letters are initials of the name's
    words, in order, with at most one taken from inside a word ("NorthWest" in CNWL).

    >>> is_acronym_of("CNWL", "Central and Northwest London NHS Foundation Trust")
    True
    >>> is_acronym_of("ICB", "Northwest London Integrated Care Board")
    True
    >>> is_acronym_of("SACE", "Adult Social Care Survey")
    False
    """
    letters = "".join(c for c in acronym.casefold() if c.isalpha())
    words = [w for w in re.split(r"[^\w]+", name.casefold()) if w]
    return bool(letters) and _initials(letters, words, 0, None, 1)


def _initials(
    letters: str, words: list[str], w: int, inside: tuple[int, int] | None, spare: int
) -> bool:
    """Match ``letters`` from word ``w`` on; ``inside`` is (word, offset) within the last word."""
    if not letters:
        return True
    head, rest = letters[0], letters[1:]
    for k in range(w, len(words)):
        if words[k][0] == head and _initials(rest, words, k + 1, (k, 1), spare):
            return True
    if inside is not None and spare:
        k, offset = inside
        found = words[k].find(head, offset)
        if found > 0 and _initials(rest, words, k + 1, (k, found + 1), spare - 1):
            return True
    return False


def split_list(text: str) -> list[str]:
    """The items of an enumeration "A, B, and C" / "A and B" (Oxford comma or not).

    >>> split_list("people, voluntary sector organisations and partners")
    ['people', 'voluntary sector organisations', 'partners']
    >>> split_list("The Advocacy Project, Make it Happen, and Full of Life")
    ['The Advocacy Project', 'Make it Happen', 'Full of Life']
    """
    parts = re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+&\s+", text.strip())
    return [p.strip() for p in parts if p.strip()]


def clean(text: str) -> str:
    """A name as shown: quotes round it and a leading article taken off, spaces collapsed.

    >>> clean("the 'Carers Found,'")
    'Carers Found'
    >>> clean("The Royal Borough of Anytown")
    'Royal Borough of Anytown'
    """
    text = _SPACES.sub(" ", text).strip()
    text = _ARTICLE.sub("", text)
    text = text.replace("‘", "").replace("’ ", " ").replace("“", "").replace("”", "")
    text = _LOOSE_QUOTE.sub("", text)
    text = _LOOSE_CURLY_QUOTE.sub("", text)
    return text.strip(' ,.;:"').strip()


_SPACES = re.compile(r"\s+")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_LOOSE_QUOTE = re.compile(r"(?<![\w])'|'(?![\w])")
_LOOSE_CURLY_QUOTE = re.compile(r"(?<![\w])’|’(?![\w])")


_STEM_KEEP = frozenset({"its", "this", "us", "has", "was", "is", "plus", "bus", "status"})


def _stem(word: str) -> str:
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss") and word not in _STEM_KEEP:
        return word[:-1]
    return word


_BRACKETED = re.compile(r"\(\s*[^)]*\)")
_NOT_NAME_CHARS = re.compile(r"[^\w'#+]+")


def name_key(title: str) -> str:
    """A key under which spellings of one name meet: case, quotes, years, plurals, 'the',
    'joint' and possessives do not count.

    >>> name_key("Suicide Safer Community's Programme") == name_key(
    ...     "'suicide safer communities' programme")
    True
    >>> name_key("Healthy Communities Fund") == name_key("the Healthy Community Fund")
    True
    >>> name_key("Winter plan for 2023-2024")
    'winter plan'
    """
    text = unicodedata.normalize("NFKC", title).translate(_QUOTES).casefold()
    text = _BRACKETED.sub(" ", text)
    text = _YEARS.sub(" ", text)
    text = text.replace("&", " and ")
    text = _NOT_NAME_CHARS.sub(" ", text)
    words = [_stem(w.strip("'")) for w in text.split()]
    while words and words[0] in {"the", "a", "an", "joint"}:
        words = words[1:]
    while words and words[-1] in {"for", "from", "to", "in"}:
        words = words[:-1]
    return " ".join(w for w in words if w)


class SentenceAnchors:
    """The anchor of each sentence of a document, made once and shared by every fact on it."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._starts = [s.start for s in doc.sentences]
        self._made: dict[int, Anchor] = {}

    def __call__(self, sentence: Sentence) -> Anchor:
        found = self._made.get(sentence.index)
        if found is None:
            found = self._made[sentence.index] = anchor(self.doc, sentence.start, sentence.end)
        return found

    def around(self, start: int, end: int) -> Anchor | None:
        """The anchor of the sentence holding ``doc.text[start:end]``, if one sentence does."""
        k = bisect.bisect_right(self._starts, start) - 1
        if k < 0 or self.doc.sentences[k].end < end:
            return None
        return self(self.doc.sentences[k])


class _Spanned(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


S = TypeVar("S", bound=_Spanned)


def without_overlaps(found: Iterable[S]) -> list[S]:
    """Keep the longest of overlapping spans (the earliest on a tie), in text order.

    >>> [(t.start, t.end) for t in without_overlaps([Token("a", 0, 5), Token("b", 3, 12)])]
    [(3, 12)]
    """
    kept: list[S] = []
    for m in sorted(found, key=lambda m: (-(m.end - m.start), m.start)):
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)
