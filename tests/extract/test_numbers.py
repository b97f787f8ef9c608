"""Reading numbers as CQC prints them (cqckg.extract.numbers)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cqckg.extract.numbers import find_periods, find_quantities, parse_number, parse_quantity


@pytest.mark.parametrize(
    ("text", "value", "unit", "qualifier"),
    [
        ("£363,119,000", "363119000", "gbp", None),
        ("£1.50", "1.50", "gbp", None),
        ("£1.2m", "1200000", "gbp", None),
        ("£2 million", "2000000", "gbp", None),
        ("5.3 %", "5.3", "percent", None),
        ("55.98%", "55.98", "percent", None),
        ("12 per cent", "12", "percent", None),
        ("1 in 20", "5", "percent", None),
        ("1 in 3", "33.33", "percent", None),
        ("over 205,087", "205087", "count", "over"),
        ("approximately 1,060", "1060", "count", "approximately"),
        ("six weeks", "6", "weeks", None),
        ("28-day", "28", "days", None),
        ("48 hours", "48", "hours", None),
        ("8.12 days", "8.12", "days", None),
        ("8.29 square miles", "8.29", "square-miles", None),
        ("10.7 people per 100,000", "10.7", "per-100000", None),
        ("87<sup>th</sup> out of 152", "87", "rank", None),
        ("68th out of 153", "68", "rank", None),
        ("one million", "1000000", "count", None),
    ],
)
def test_parse_quantity(text: str, value: str, unit: str, qualifier: str | None) -> None:
    q = parse_quantity(text)
    assert (q.value, q.unit, q.qualifier) == (Decimal(value), unit, qualifier)


@pytest.mark.parametrize(
    "text", ["2022/23", "2023-2028", "31 January 2024", "18-64", "between 5 and 6 months", "5th"]
)
def test_periods_dates_ranges_and_ordinals_are_not_quantities(text: str) -> None:
    assert find_quantities(text) == []
    with pytest.raises(ValueError, match="not a quantity"):
        parse_quantity(text)


@pytest.mark.parametrize("text", ["S75 agreement", "the #2035 project", "code E09000033"])
def test_numbers_inside_codes_and_names_are_not_read(text: str) -> None:
    assert find_quantities(text) == []


def test_score_of_is_a_score() -> None:
    (q,) = find_quantities("an Index of Multiple Deprivation score of 5")
    assert (q.value, q.unit) == (Decimal(5), "score")


def test_offsets_and_printed_text() -> None:
    text = "Its actual spend was **£386,922,000**, over 95% of cases, within 48 hours."
    found = find_quantities(text, offset=100)
    assert [q.text for q in found] == ["£386,922,000", "95%", "48 hours"]
    for q in found:
        assert text[q.start - 100 : q.end - 100] == q.text


def test_periods() -> None:
    text = "In 2022–2023 and 2023/24 (ASCS, 2023), as of 31 January 2024"
    assert [p.text for p in find_periods(text)] == ["2022–2023", "2023/24", "2023", "2024"]


@pytest.mark.parametrize("word", ["many", "", "1,2,3"])
def test_parse_number_rejects(word: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_number(word)


@given(st.integers(min_value=0, max_value=10**12))
def test_grouped_integers_round_trip(n: int) -> None:
    assert parse_number(f"{n:,}") == n
    assert parse_quantity(f"£{n:,}").value == n


@given(st.decimals(min_value=0, max_value=100, places=2, allow_nan=False))
def test_percentages_round_trip(d: Decimal) -> None:
    for form in (f"{d}%", f"{d} %", f"{d} per cent"):
        q = parse_quantity(form)
        assert (q.value, q.unit) == (d, "percent")


@given(
    st.integers(min_value=0, max_value=99_999),
    st.sampled_from(["hours", "days", "weeks", "months", "years"]),
)
def test_durations_round_trip(n: int, unit: str) -> None:
    q = parse_quantity(f"{n} {unit}")
    assert (q.value, q.unit) == (n, unit)


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=2, max_value=1000))
def test_ratios_are_percentages(n: int, d: int) -> None:
    if n >= d:
        return
    q = parse_quantity(f"{n} in {d}")
    assert q.unit == "percent"
    assert abs(q.value - Decimal(100) * n / d) <= Decimal("0.005")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_scanner_never_fails_and_spans_are_exact(text: str) -> None:
    for q in find_quantities(text):
        assert text[q.start : q.end] == q.text
        assert q.value >= 0
