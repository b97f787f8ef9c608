"""Small helpers for writing the extractors' patterns readably, and for skipping them quickly."""

from __future__ import annotations

import itertools
from collections.abc import Iterator


def any_of(*alternatives: str) -> str:
    """One pattern matching any of the alternatives, each kept on its own line by callers.

    >>> import re
    >>> re.findall(any_of(r"\\bplan\\b", r"\\bstrategy\\b"), "a plan and a strategy")
    ['plan', 'strategy']
    """
    return "|".join(f"(?:{a})" for a in alternatives)


# -- pre-filters ------------------------------------------------------------------------------
#
# A case-insensitive pattern such as r"\bnot always\b" can only match a text that contains
# "not always" in some case. Python's ``re`` has no fast scan for a pattern that begins with
# ``\b``: it tries every position. Looking for the plain texts its alternatives begin with
# (``leading_texts``) in the case-folded text (``fold_case``) first is much cheaper, and it
# never skips a text the pattern would match.

# Plain characters: outside a character class they match only themselves (up to case).
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 ,'-")
_QUANTIFIERS = frozenset("?*+{")
# The only non-ASCII characters that ``re.IGNORECASE`` matches to one of ``_PLAIN``
# (dotted and dotless i, long s, Kelvin sign); ``tests/extract/test_extract_speedups.py``
# checks this.
_ASCII_CASE_FOLDS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def fold_case(text: str) -> str:
    """The text lower-cased so that a plain text a case-insensitive pattern matches in ``text``
    is a substring of it.

    >>> fold_case("Not ALWAYS ſeen")
    'not always seen'
    """
    return text.translate(_ASCII_CASE_FOLDS).lower()


def may_match(texts: tuple[str, ...] | None, folded: str) -> bool:
    """False when a pattern whose ``leading_texts`` are ``texts`` cannot match a text whose
    ``fold_case`` is ``folded``.

    >>> texts = leading_texts(r"\\bworked (?:closely )?with\\b")
    >>> may_match(texts, fold_case("We Worked closely with them")), may_match(texts, "with")
    (True, False)
    """
    return texts is None or any(text in folded for text in texts)


def leading_texts(pattern: str) -> tuple[str, ...] | None:
    """Plain texts (lower case), one of which every match of a case-insensitive ``pattern``
    holds, or ``None`` when an alternative does not begin with plain text (a class, an anchor).

    Each alternative is read from its start for as long as it is plain text: ``\\b`` and
    lookarounds are skipped, a group is read as each of its alternatives, an optional group also
    as nothing. A text holding another is left out (finding the other is enough).

    >>> leading_texts(r"\\bwaiting (?:lists?|times?)\\b|\\bdelays?\\b")
    ('waiting list', 'waiting time', 'delay')
    >>> leading_texts(any_of(r"\\b(?:dual|Budget) pressures", r"\\b(?:the )?highest (?:rate|in)"))
    ('dual pressures', 'budget pressures', 'highest rate', 'highest in')
    >>> leading_texts(r"\\b(?<!actions )needed\\b"), leading_texts(r"^\\s*however")
    (('needed',), None)
    """
    texts: list[str] = []
    for alternative in _alternatives(pattern):
        read, _ = _read(alternative)
        if "" in read:
            return None
        texts.extend(read)
    unique = list(dict.fromkeys(texts))
    return tuple(t for t in unique if not any(o != t and o in t for o in unique))


# Reading stops before a group that would make more texts than this (fewer, shorter texts are
# still a filter).
_MOST_TEXTS = 24


def _read(sequence: str) -> tuple[list[str], bool]:
    """The plain texts every match of ``sequence`` (one alternative) begins with, read as far as
    it is plain, and whether that is the whole of it."""
    texts = [""]
    rest = sequence
    while rest:
        if rest.startswith(r"\b"):
            rest = rest[2:]
        elif rest.startswith(("(?=", "(?!", "(?<=", "(?<!")):  # lookarounds consume nothing
            rest = rest[_group_end(rest) + 1 :]
        elif rest.startswith("(?:") or (rest.startswith("(") and not rest.startswith("(?")):
            end = _group_end(rest)
            body = rest[3 if rest.startswith("(?:") else 1 : end]
            inner = [_read(a) for a in _alternatives(body)]
            rest = rest[end + 1 :]
            choices = [t for read, _ in inner for t in read]
            whole = all(w for _, w in inner)
            if rest.startswith("?"):  # optional (also lazy "??" or possessive "?+")
                rest = rest[2:] if rest[1:2] in ("?", "+") else rest[1:]
                if not whole:
                    return texts, False
                choices.append("")
            elif rest[:1] in _QUANTIFIERS:
                return texts, False
            if len(texts) * len(choices) > _MOST_TEXTS:
                return texts, False
            texts = [t + c for t in texts for c in choices]
            if not whole:
                return texts, False
        else:
            ch = rest[0].lower()
            if ch not in _PLAIN or rest[1:2] in _QUANTIFIERS:
                return texts, False
            texts = [t + ch for t in texts]
            rest = rest[1:]
    return texts, True


def _syntax(pattern: str) -> Iterator[tuple[int, str, int]]:
    """(index, character, depth of groups around it) of each character outside escapes and
    character classes."""
    depth, i = 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i += 2 if pattern[i + 1 : i + 2] == "^" else 1
            i += 1 if pattern[i] == "]" else 0  # a "]" first is a member
            while pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
            i += 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        yield i, ch, depth
        i += 1


def _alternatives(pattern: str) -> list[str]:
    bars = [i for i, ch, depth in _syntax(pattern) if ch == "|" and depth == 0]
    edges = [-1, *bars, len(pattern)]
    return [pattern[a + 1 : b] for a, b in itertools.pairwise(edges)]


def _group_end(pattern: str) -> int:
    """Where the group opened at ``pattern[0]`` closes."""
    return next(i for i, ch, depth in _syntax(pattern) if ch == ")" and depth == 0)
