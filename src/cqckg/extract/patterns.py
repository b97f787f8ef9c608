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
# ``\b``: it tries every position. Looking for the plain text each alternative begins with
# (``leading_texts``) in the case-folded text (``fold_case``) first is much cheaper, and it
# never skips a text the pattern would match.

# Plain characters: outside a character class they match only themselves (up to case).
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 ,'-")
_QUANTIFIERS = frozenset("?*+{")
# The only non-ASCII characters that ``re.IGNORECASE`` matches to one of ``_PLAIN``
# (dotted and dotless i, long s, Kelvin sign); ``tests/test_extract_speedups.py`` checks this.
_ASCII_CASE_FOLDS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def fold_case(text: str) -> str:
    """The text lower-cased so that a plain text a case-insensitive pattern matches in ``text``
    is a substring of it.

    >>> fold_case("Not ALWAYS ſeen")
    'not always seen'
    """
    return text.translate(_ASCII_CASE_FOLDS).lower()


def leading_texts(pattern: str) -> tuple[str, ...] | None:
    """Plain texts (lower case) such that every match of a case-insensitive ``pattern`` begins
    with one of them, or ``None`` when an alternative begins otherwise (a class, an anchor).

    ``\\b`` and lookarounds are skipped; a group gives the texts of its alternatives, an
    optional group those of its alternatives and of what follows it.

    >>> leading_texts(r"\\bwaiting (?:lists?|times?)\\b|\\bdelays?\\b")
    ('waiting ', 'delay')
    >>> leading_texts(any_of(r"\\b(?:dual|Budget) pressures", r"\\b(?:the )?highest\\b"))
    ('dual', 'budget', 'the ', 'highest')
    >>> leading_texts(r"\\b(?<!actions )needed\\b"), leading_texts(r"^\\s*however")
    (('needed',), None)
    """
    texts: list[str] = []
    for alternative in _alternatives(pattern):
        leading = _leading(alternative)
        if leading is None:
            return None
        texts.extend(leading)
    return tuple(texts)


def _leading(alternative: str) -> tuple[str, ...] | None:
    while alternative.startswith((r"\b", "(?=", "(?!", "(?<=", "(?<!")):  # nothing consumed
        skip = 2 if alternative.startswith(r"\b") else _group_end(alternative) + 1
        alternative = alternative[skip:]
    if alternative.startswith("(?:"):
        end = _group_end(alternative)
        group, rest = alternative[3:end], alternative[end + 1 :]
        inside = leading_texts(group)
        if not rest or rest[0] not in _QUANTIFIERS:
            return inside
        if rest[0] != "?" or inside is None:
            return None
        after = _leading(rest.removeprefix("??").removeprefix("?"))
        return None if after is None else inside + after
    text = ""
    for i, ch in enumerate(alternative.lower()):
        if ch not in _PLAIN or alternative[i + 1 : i + 2] in _QUANTIFIERS:
            break
        text += ch
    return (text,) if text else None


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
