"""Numbers as CQC's reports print them: values, units and reference periods, with offsets.

One compiled scanner finds every quantity in a sentence: money (``£363,119,000``, ``£1.2m``),
percentages (``5.3 %``, ``12 per cent``), ratios (``1 in 20``, read as the percentage it is,
5), rates (``10.7 people per 100,000``), ranks (``87<sup>th</sup> out of 152``), durations
(``28-day``, ``within 48 hours``, ``six weeks``), areas (``8.29 square miles``) and plain counts
(``205,087``). Dates (``31 January 2024``), years and periods (``2022/23``, ``2023-2028``),
ordinals and ranges (``18-64``, ``between 5 and 6 months``) are consumed but not reported, so a
year is never mistaken for a count and a range never yields half of itself.

Numbers written as words are read only where the report uses them as measurements: before a
duration (``six weeks``) or before ``million``/``thousand``. Spelled-out small counts
("three social workers") are prose, not figures.

>>> [(q.text, str(q.value), q.unit) for q in find_quantities("over 95% of 545 cases in 48 hours")]
[('95%', '95', 'percent'), ('545', '545', 'count'), ('48 hours', '48', 'hours')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

__all__ = [
    "Period",
    "Quantity",
    "find_periods",
    "find_quantities",
    "parse_number",
    "parse_quantity",
]

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALE = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_MONEY_SCALE = {"m": _SCALE["million"], "bn": _SCALE["billion"], "k": _SCALE["thousand"]}
_MONEY_SCALE.update(_SCALE)

_DURATION_UNITS = {
    "minute": "minutes",
    "hour": "hours",
    "day": "days",
    "week": "weeks",
    "month": "months",
    "year": "years",
}
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_WORD = "|".join(sorted(_SMALL, key=len, reverse=True))

# A numeral: digits with thousands commas and an optional decimal part.
_NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_WORDNUM = rf"(?:{_WORD})(?:[\s-](?:{_WORD}))?"
_DASH = r"\s*[-–—]\s*"
_YEAR = r"(?:19|20)\d\d"
_END = r"(?![\w%]|-\w)"

_QUALIFIER = re.compile(
    r"\b(?:over|more than|almost|approximately|approx\.|around|about|nearly|up to|under"
    r"|less than|fewer than|at least|just over|just under|roughly|some)\s+$",
    re.IGNORECASE,
)
# Where a quantity can begin: a digit or "£", or a number word before a unit or scale word
# (found from the unit word back, which is far cheaper than trying every word of a report).
_TRIGGER = re.compile(r"[£\d]")
_UNIT_WORD = re.compile(
    r"(?<=[\s-])(?:million|thousand|minutes?|hours?|days?|weeks?|months?|years?)\b", re.I
)
_WORD_BEFORE_UNIT = re.compile(rf"\b(?:{_WORD}|a)(?:[\s-]+(?:{_WORD}))?[\s-]+$", re.IGNORECASE)
_SCANNER = re.compile(
    rf"""
    (?P<date>\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\b(?:\s+{_YEAR})?)
  | (?P<period>{_YEAR}(?:\s*[/–—-]\s*(?:{_YEAR}|\d\d)(?!\d))?
        (?![\d%]|\s*%|,\d|[\s-]+(?:minute|hour|day|week|month|year)s?\b))
  | (?P<moneyall>£\s?(?P<money>{_NUM})(?:\s?(?P<mscale>million|billion|thousand|bn|m|k)\b)?)
  | (?P<range>(?:{_NUM})(?:{_DASH}|\s+(?:to|and)\s+)(?:{_NUM})
        (?:\s*(?:%|per\ ?cent\b)|[\s-]+(?:hour|day|week|month|year)s?\b)?(?![\d,]))
  | (?P<ratio>(?P<rn>\d+)\s+in\s+(?P<rd>\d{{1,3}}(?:,\d{{3}})+|\d+)\b(?![\d,.]|\s*%))
  | (?P<percent>{_NUM})\s?(?:%|per\ ?cent\b)
  | (?P<rate>{_NUM})(?:\s+[A-Za-z]+){{0,2}}?\s+per\s+100,?000\b
  | (?P<rank>\d+)(?:<sup>)?(?:st|nd|rd|th)(?:</sup>)?\s+out\s+of\s+(?P<of>{_NUM})
  | (?P<ordinal>\d+)(?:<sup>)?(?:st|nd|rd|th)(?:</sup>)?\b
  | (?P<area>{_NUM})\s+(?:square\s+miles|sq\.?\s*miles)\b
  | (?P<duration>{_NUM})(?:\s+|-)(?P<dunit>minute|hour|day|week|month|year)s?\b
  | (?P<wduration>{_WORDNUM})(?:\s+|-)(?P<wdunit>minute|hour|day|week|month|year)s?\b
  | (?P<wscaled>(?:{_NUM}|{_WORDNUM}|a))\s+(?P<wscale>million|thousand)\b
  | (?P<count>{_NUM}){_END}
    """,
    re.VERBOSE | re.IGNORECASE,
)
_SCORE_BEFORE = re.compile(r"\bscore\s+(?:of|was|is)\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    """A number with its unit and where it is printed.

    ``text`` is the value as printed (``£363,119,000``, ``5.3 %``, ``1 in 20``), without a
    qualifier such as "over" (kept in ``qualifier``); ``start``/``end`` are its offsets in the
    scanned text plus the ``offset`` given to :func:`find_quantities`.
    """

    value: Decimal
    unit: str
    start: int
    end: int
    text: str
    qualifier: str | None = None


@dataclass(frozen=True)
class Period:
    """A year or reporting period as printed ("2022/23", "2023", "2022–2023")."""

    text: str
    start: int
    end: int


def parse_number(text: str) -> Decimal:
    """The value of a numeral or a number written in words.

    Raises ``ValueError`` when the text is not a number.

    >>> parse_number("205,087"), parse_number("5.30"), parse_number("twenty-five")
    (Decimal('205087'), Decimal('5.30'), Decimal('25'))
    >>> parse_number("one million")
    Decimal('1000000')
    >>> parse_number("many")
    Traceback (most recent call last):
    ...
    ValueError: not a number: 'many'
    """
    raw = text.strip()
    if re.fullmatch(_NUM, raw):
        try:
            return Decimal(raw.replace(",", ""))
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only numerals
            raise ValueError(f"not a number: {text!r}") from exc
    words = re.split(r"[\s-]+", raw.lower())
    total, current, seen = 0, 0, False
    for word in words:
        if word in _SMALL:
            current += _SMALL[word]
        elif word in _SCALE:
            current = (current or 1) * _SCALE[word]
            if _SCALE[word] >= 1000:
                total, current = total + current, 0
        elif word == "and" and seen:
            continue
        else:
            raise ValueError(f"not a number: {text!r}")
        seen = True
    if not seen:
        raise ValueError(f"not a number: {text!r}")
    return Decimal(total + current)


def find_quantities(text: str, offset: int = 0) -> list[Quantity]:
    """Every quantity printed in ``text``, in order (dates, years, ordinals, ranges left out).

    >>> [(q.text, str(q.value), q.unit, q.qualifier) for q in find_quantities(
    ...     "a resident population of over 205,087 in 2022/23, rated 87<sup>th</sup> out of 152")]
    [('205,087', '205087', 'count', 'over'), ('87<sup>th</sup> out of 152', '87', 'rank', None)]
    >>> [(q.text, q.unit) for q in find_quantities("a 28-day period; 1 in 20 residents; £1.2m")]
    [('28-day', 'days'), ('1 in 20', 'percent'), ('£1.2m', 'gbp')]
    """
    out = []
    for m in _scan(text):
        q = _quantity(m, text)
        if q is not None:
            qual = _QUALIFIER.search(text, max(0, m.start() - 16), m.start())
            out.append(
                Quantity(
                    value=q[0],
                    unit=q[1],
                    start=offset + m.start(),
                    end=offset + m.end(),
                    text=m.group(0),
                    qualifier=" ".join(qual.group(0).split()).lower() if qual else None,
                )
            )
    return out


def parse_quantity(text: str) -> Quantity:
    """The one quantity a whole string prints (qualifier allowed); offsets are into ``text``.

    Raises ``ValueError`` when the string is not exactly one quantity.

    >>> q = parse_quantity("£363,119,000")
    >>> q.value, q.unit
    (Decimal('363119000'), 'gbp')
    >>> [(q.value, q.unit) for q in map(parse_quantity, ["5.3 %", "1 in 20", "six weeks"])]
    [(Decimal('5.3'), 'percent'), (Decimal('5'), 'percent'), (Decimal('6'), 'weeks')]
    >>> parse_quantity("over 205,087").qualifier
    'over'
    >>> parse_quantity("2022/23")
    Traceback (most recent call last):
    ...
    ValueError: not a quantity: '2022/23'
    """
    found = find_quantities(text)
    if (
        len(found) != 1
        or text[found[0].end :].strip()
        or (text[: found[0].start].strip().lower() not in ("", found[0].qualifier))
    ):
        raise ValueError(f"not a quantity: {text!r}")
    return found[0]


def find_periods(text: str, offset: int = 0) -> list[Period]:
    """Years and reporting periods printed in ``text`` (dates give their year).

    >>> [p.text for p in find_periods("In 2022–2023 and 2023/24, as of 31 January 2024")]
    ['2022–2023', '2023/24', '2024']
    """
    out = []
    for m in _scan(text):
        if m.group("period"):
            out.append(Period(m.group("period"), offset + m.start(), offset + m.end()))
        elif m.group("date"):
            year = re.search(_YEAR, m.group("date"))
            if year:
                start = m.start() + year.start()
                out.append(Period(year.group(0), offset + start, offset + start + 4))
    return out


@lru_cache(maxsize=8192)
def _scan(text: str) -> tuple[re.Match[str], ...]:
    """Scanner matches at the trigger positions, leftmost first, never overlapping.

    Cached per text: statistics and figures read the same sentences.
    """
    starts = [t.start() for t in _TRIGGER.finditer(text)]
    for u in _UNIT_WORD.finditer(text):
        w = _WORD_BEFORE_UNIT.search(text, max(0, u.start() - 30), u.start())
        if w is not None:
            starts.append(w.start())
    out: list[re.Match[str]] = []
    end = 0
    for pos in sorted(set(starts)):
        if pos < end or (pos and (text[pos - 1].isalnum() or text[pos - 1] in "#$€.,/-")):
            continue
        m = _SCANNER.match(text, pos)
        if m is not None:
            out.append(m)
            end = m.end()
    return tuple(out)


def _quantity(m: re.Match[str], text: str) -> tuple[Decimal, str] | None:
    """(value, unit) of a scanner match, or ``None`` for what is consumed unreported."""
    g = m.group
    if g("money"):
        value = parse_number(g("money"))
        if g("mscale"):
            value *= _MONEY_SCALE[g("mscale").lower()]
        return value, "gbp"
    if g("ratio"):
        n, d = int(g("rn")), parse_number(g("rd"))
        if not 0 < n < d:
            return None
        share = Decimal(100) * n / d
        if share != share.quantize(Decimal("0.01")):
            share = share.quantize(Decimal("0.01"))
        return share, "percent"
    for group, unit in (("percent", "percent"), ("rate", "per-100000"), ("rank", "rank")):
        if g(group):
            return parse_number(g(group)), unit
    if g("area"):
        return parse_number(g("area")), "square-miles"
    if g("duration"):
        return parse_number(g("duration")), _DURATION_UNITS[g("dunit").lower()]
    if g("wduration"):
        return parse_number(g("wduration")), _DURATION_UNITS[g("wdunit").lower()]
    if g("wscaled"):
        base = Decimal(1) if g("wscaled").lower() == "a" else parse_number(g("wscaled"))
        return base * _SCALE[g("wscale").lower()], "count"
    if g("count"):
        unit = "score" if _SCORE_BEFORE.search(text, 0, m.start("count")) else "count"
        return parse_number(g("count")), unit
    return None
