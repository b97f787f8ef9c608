"""Small helpers for writing the extractors' patterns readably."""

from __future__ import annotations


def any_of(*alternatives: str) -> str:
    """One pattern matching any of the alternatives, each kept on its own line by callers.

    >>> import re
    >>> re.findall(any_of(r"\\bplan\\b", r"\\bstrategy\\b"), "a plan and a strategy")
    ['plan', 'strategy']
    """
    return "|".join(f"(?:{a})" for a in alternatives)
