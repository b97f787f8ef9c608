"""Publication dates: what a document states, what its report address encodes, what a user sets.

An assessment is a council and the date CQC published it. A day is known when a document states
it ("Assessment published: 28 February 2025"); a report's address often encodes only the month
(``{name}-0225-theme1-support`` is February 2025). Dates are kept as ISO text at the
precision known: ``YYYY-MM-DD`` or ``YYYY-MM``, never a day made up for a month.

>>> address_month("https://www.cqc.org.uk/care-services/local-authority-assessment-reports/"
...               "uptondownton-0725/theme4/governance")
'2025-07'
>>> address_month("https://cqc.org.uk./care-services/local-authority-assessment-reports/"
...               "uptondownton-0225-theme1-support")
'2025-02'
>>> address_month("https://cqc.org.uk/care-services/local-authority-assessment-reports/"
...               "uptondownton-cc/overall-summary") is None
True
>>> month_of("2025-02-28"), is_month("2025-02"), is_month("2025-02-28")
('2025-02', True, False)
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

__all__ = ["address_month", "is_month", "month_of", "parse_published", "sort_key"]

# CQC's assessment reports sit under this path, whatever the host (the site, a staging copy, a
# mirror that keeps the path); the slug's first segment is the report.
_REPORTS = re.compile(r"/local-authority-assessment-reports/(?P<slug>[A-Za-z0-9-]+)")
# ``<name>-MMYY``: a month 01-12 and a two-digit year, after at least one word of the name.
_MONTH_YEAR = re.compile(r"^(?P<month>0[1-9]|1[0-2])(?P<year>\d{2})$")
# Assessments of local authorities under the Care Act began with the 2023 pilots.
_FIRST_YEAR = 2023
_ISO = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})(?:-(?P<day>\d{2}))?$")


def address_month(url: str | None) -> str | None:
    """The month of publication a report address encodes (``YYYY-MM``), or ``None``."""
    if not url:
        return None
    m = _REPORTS.search(urlsplit(url).path)
    if m is None:
        return None
    words = m.group("slug").casefold().split("-")
    for i, word in enumerate(words):
        mm = _MONTH_YEAR.match(word)
        if i > 0 and mm is not None and words[0].isalpha():
            year = 2000 + int(mm.group("year"))
            if year >= _FIRST_YEAR:
                return f"{year}-{mm.group('month')}"
    return None


def parse_published(text: str) -> str:
    """A publication date given by a user, ``YYYY-MM`` or ``YYYY-MM-DD``, checked.

    >>> parse_published("2025-02"), parse_published("2025-02-28")
    ('2025-02', '2025-02-28')
    >>> parse_published("28/02/2025")
    Traceback (most recent call last):
    ...
    ValueError: '28/02/2025' is not a date; expected YYYY-MM or YYYY-MM-DD
    """
    m = _ISO.match(text.strip())
    try:
        if m is None:
            raise ValueError
        year, month, day = int(m["year"]), int(m["month"]), m["day"]
        if day is None:
            dt.date(year, month, 1)
            return f"{year:04d}-{month:02d}"
        return dt.date(year, month, int(day)).isoformat()
    except ValueError:
        raise ValueError(f"{text!r} is not a date; expected YYYY-MM or YYYY-MM-DD") from None


def is_month(iso: str) -> bool:
    """Whether an ISO date is known only to the month."""
    return len(iso) == 7


def month_of(iso: str) -> str:
    return iso[:7]


def sort_key(iso: str) -> tuple[str, int]:
    """Orders dates of either precision: a month before the days within it."""
    return (iso[:7], int(iso[8:]) if len(iso) > 7 else 0)
